"""`plextray run --headless` as a real process: monitors, saves logs, stops cleanly on SIGTERM;
`plextray demo --terminal` shows a restricted play stopped; no display → one clear line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from support.household import emma_profiles, wait_for

from plextray.emulator.household import demo_household
from plextray.emulator.server import PlexEmulator

TOKEN = "svc-token-93ab17"


def test_headless_run_enforces_saves_and_stops_on_sigterm(tmp_path, plextray_home):
    logs = tmp_path / "Logs"
    with PlexEmulator(token=TOKEN, log_dir=logs) as emulator:
        ids = demo_household(emulator)
        plextray_home.mkdir(parents=True)
        rating = {"type": "rating", "max": "PG", "actions": ["stop"]}
        (plextray_home / "profiles.json").write_text(json.dumps(emma_profiles([rating], kid_device=ids["kid_tablet"])))
        env = dict(os.environ, PLEX_URL=emulator.url, PLEX_TOKEN=TOKEN, PLEXTRAY_HOME=str(plextray_home))
        env.pop("DISPLAY", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "plextray", "run", "--headless", "--log-dir", str(logs)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        try:
            assert "monitoring (headless)" in proc.stdout.readline()
            emulator.play(ids["kid_tablet"], "1002")
            wait_for(lambda: emulator.terminate_calls, timeout=15)
            time.sleep(0.5)
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, err
        assert "stopped." in out
        assert TOKEN not in out + err
        assert TOKEN not in (plextray_home / "logs" / "plextray.log").read_text()
        archives = sorted((plextray_home / "archives").glob("*.log.gz"))
        assert archives, "the saver committed nothing before exit"
        import gzip

        saved = b"".join(gzip.decompress(p.read_bytes()) for p in archives)
        assert b"ratingKey=1002" in saved
        assert saved.endswith(b"\n")


def test_demo_in_the_terminal_stops_the_restricted_play(tmp_path):
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    result = subprocess.run(
        [sys.executable, "-m", "plextray", "demo", "--home", str(tmp_path / "demo")],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "plextray stopped it" in result.stdout
    assert "Emma · rating R > PG" in result.stdout
    assert ".log.gz" in result.stdout
    assert "Today's report" in result.stdout


def test_tray_without_a_display_says_so_in_one_line(tmp_path, plextray_home):
    env = dict(os.environ, PLEXTRAY_HOME=str(plextray_home))
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    result = subprocess.run([sys.executable, "-m", "plextray"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "plextray run --headless" in lines[0]
    assert "Traceback" not in result.stderr


def test_demo_on_a_desktop_runs_in_the_tray_and_quits_on_sigterm(xdisplay, tmp_path):
    env = dict(os.environ, DISPLAY=xdisplay, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "plextray", "demo", "--home", str(tmp_path / "demo")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            if "plextray stopped it" in line:
                break
        assert any("tray icon is up" in line for line in seen), "".join(seen)
        assert any("plextray stopped it" in line for line in seen), "".join(seen)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
