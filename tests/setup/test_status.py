"""`plextray status` and the needs-setup state: what a parent (or a script) is told before anyone
is protected, from a running engine's published status.json or, with nothing running, from the
settings; and the tray's distinct icon and tooltip for it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from support.household import RecordingNotifier, emma_profiles, wait_for, write_profiles

from plextray.app import build_engine
from plextray.core.model import EngineSnapshot, EngineState
from plextray.core.household import Person, Profiles
from plextray.emulator.household import demo_household
from plextray.emulator.server import PlexEmulator
from plextray.engine.status import NO_LOGS, NO_SERVER, NOBODY, check_setup
from plextray.paths import AppPaths
from plextray.profiles.schema import compile_document
from plextray.status_file import STATUS_FILE, read_status

TOKEN = "status-token-5e1f"
RULE = {"type": "rating", "max": "PG", "actions": ["stop"]}


def status_json(env: dict[str, str] | None = None) -> dict:
    result = subprocess.run([sys.executable, "-m", "plextray", "status", "--json", "--timeout", "3"],
                            env=env or dict(os.environ), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_checklist_names_each_missing_step():
    nobody = Profiles(version=1, people=(Person("Emma"),))  # a person without a rule protects nobody
    check = check_setup(server_configured=False, logs_found=False, profiles=nobody)
    assert check.missing[0] == NO_SERVER and check.missing[-1] == NOBODY and len(check.missing) == 3
    assert check.labels == ("no Plex server", "no log folder", "nobody with a rule")
    protected, problems = compile_document(emma_profiles([RULE], kid_device="ipad"))
    assert problems == []
    ok = check_setup(server_configured=True, logs_found=False, profiles=protected)
    assert ok.missing == () and ok.notes == (NO_LOGS,)  # the server's sessions still show plays
    logs_only = check_setup(server_configured=False, logs_found=True, profiles=protected)
    assert logs_only.missing == (NO_SERVER,)  # the log alone cannot stop a play


def test_an_empty_home_starts_in_needs_setup_says_it_once_and_publishes_it(plextray_home, monkeypatch, tmp_path):
    monkeypatch.setenv("PLEX_MEDIA_SERVER_LOG_DIR", str(tmp_path / "missing"))
    paths = AppPaths(plextray_home)
    notifier = RecordingNotifier()
    built = build_engine(paths, notifier=notifier, with_mail=False)
    engine = built.start()
    try:
        wait_for(lambda: engine.snapshot().state is EngineState.NEEDS_SETUP)
        snapshot = engine.snapshot()
        assert snapshot.detail == "missing: no Plex server, no log folder, nobody with a rule"
        assert snapshot.problems[0] == NO_SERVER
        wait_for(lambda: notifier.shown)
        engine.pause()
        engine.resume()  # two more snapshots: still only one notification
        wait_for(lambda: not engine.snapshot().paused and engine.snapshot().state is EngineState.NEEDS_SETUP)
        time.sleep(0.3)
        assert [title for title, _ in notifier.shown] == ["plextray needs setting up"]
        assert "No Plex server is set up" in notifier.shown[0][1]
        wait_for(lambda: (read_status(plextray_home) or None) and read_status(plextray_home).data["state"] == "needs_setup")
        published = status_json()
        assert published["running"] is True and published["pid"] == os.getpid()
        assert published["state"] == "needs_setup" and published["problems"][0] == NO_SERVER
        assert published["server"] is None and published["log_dir"] is None
        assert set(published) >= {"state", "problems", "server", "log_dir", "debug_logging", "live_source"}
    finally:
        engine.stop()
        built.close()
    assert not (plextray_home / STATUS_FILE).exists()  # a clean stop takes its status with it


def test_nothing_running_and_nothing_set_up(plextray_home, monkeypatch, tmp_path):
    env = dict(os.environ, PLEX_MEDIA_SERVER_LOG_DIR=str(tmp_path / "missing"))
    status = status_json(env)
    assert status["state"] == "needs_setup" and status["running"] is False
    assert status["problems"][:2] == [NO_SERVER, "Plex's log folder was not found, and without a server "
                                      "plextray sees no plays at all."]
    assert status["live_source"] == "not running" and status["debug_logging"] is None
    text = subprocess.run([sys.executable, "-m", "plextray", "status"], env=env, capture_output=True, text=True,
                          timeout=60).stdout
    assert text.startswith("plextray: needs setup — not running") and "  - Nobody is protected yet" in text


def test_nothing_running_but_everything_set_up_is_stopped_with_real_figures(plextray_home, tmp_path):
    logs = tmp_path / "Logs"
    with PlexEmulator(token=TOKEN, log_dir=logs) as emulator:
        ids = demo_household(emulator)
        write_profiles(plextray_home, emma_profiles([RULE], kid_device=ids["kid_tablet"]))
        env = dict(os.environ, PLEX_URL=emulator.url, PLEX_TOKEN=TOKEN, PLEX_MEDIA_SERVER_LOG_DIR=str(logs))
        status = status_json(env)
        assert status["state"] == "stopped", status
        assert status["server"] == emulator.url and status["server_reachable"] is True
        assert status["log_dir"] == str(logs) and status["people"] == ["Emma", "Parents"]
        assert status["debug_logging"] is True
        emulator.set_pref("logDebug", False)
        off = status_json(env)
        assert off["debug_logging"] is False and any("debug-logging on" in p for p in off["problems"])
        emulator.set_fault("down")
        down = status_json(env)
        assert down["state"] == "unreachable" and any("does not answer" in p for p in down["problems"])
        assert TOKEN not in json.dumps(down)


def test_a_running_service_is_read_from_its_status_file_and_a_dead_one_is_not(plextray_home, tmp_path):
    logs = tmp_path / "Logs"
    with PlexEmulator(token=TOKEN, log_dir=logs) as emulator:
        ids = demo_household(emulator)
        write_profiles(plextray_home, emma_profiles([RULE], kid_device=ids["kid_tablet"]))
        env = dict(os.environ, PLEX_URL=emulator.url, PLEX_TOKEN=TOKEN)
        env.pop("DISPLAY", None)
        proc = subprocess.Popen([sys.executable, "-m", "plextray", "run", "--headless", "--log-dir", str(logs)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert "monitoring (headless)" in proc.stdout.readline()
            wait_for(lambda: (read_status(plextray_home) or None) and
                     read_status(plextray_home).data["state"] == "monitoring", timeout=15)
            status = status_json(env)
            assert status["running"] is True and status["pid"] == proc.pid
            assert status["state"] == "monitoring" and status["log_dir"] == str(logs)
            assert status["server"] == emulator.url
            proc.kill()  # kill -9: no clean-up; the file stays behind
            proc.wait(10)
            left = read_status(plextray_home)
            assert left is not None and "has ended" in left.stale
            after = status_json(env)
            assert after["running"] is False and "has ended" in after["stale_status"]
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.communicate(timeout=20)


def test_needs_setup_has_its_own_icon_and_a_tooltip_naming_what_is_missing():
    from plextray.ui.icons import icon_image
    from plextray.ui.tray import tooltip_text

    others = {icon_image(state, 32).tobytes() for state in EngineState if state is not EngineState.NEEDS_SETUP}
    assert icon_image(EngineState.NEEDS_SETUP, 32).tobytes() not in others
    text = tooltip_text(EngineSnapshot(EngineState.NEEDS_SETUP, detail="missing: no Plex server, nobody with a rule"))
    assert text == "plextray: needs setup\nmissing: no Plex server, nobody with a rule"
