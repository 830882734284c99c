"""A careless or hostile profiles.json gets a clear error with its JSON path, never a traceback,
and never stops enforcement: deep rules, deep JSON, duplicate keys, non-string actions, control
characters in names, absurd numbers (issue 12, parts 3 and 6)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from datetime import datetime

import pytest
from support.headless import HeadlessRun
from support.household import RecordingNotifier, emma_profiles, wait_for

from plextray.app import build_engine
from plextray.emulator.household import demo_household
from plextray.emulator.server import PlexEmulator
from plextray.engine.failures import RepeatedFailures
from plextray.errors import ProfileError
from plextray.paths import AppPaths
from plextray.profiles.store import ProfileStore

TOKEN = "svc-token-55c2e1"
RATING = {"type": "rating", "max": "PG", "actions": ["stop"]}


def nested(kind: str, levels: int) -> dict:
    condition: dict = {"type": "rating", "max": "PG"}
    for _ in range(levels):
        condition = {"type": "not", "of": condition} if kind == "not" else {"type": kind, "of": [condition]}
    return {**condition, "actions": ["stop"]}


def deep_text(kind: str, levels: int) -> str:
    doc = emma_profiles([nested(kind, levels)], kid_device="ipad")
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * levels))  # json.dumps recurses too
    return json.dumps(doc)


def check_config(tmp_path, text: str) -> subprocess.CompletedProcess:
    path = tmp_path / "profiles.json"
    path.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "plextray", "check-config", str(path)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip


def emma_text(**person) -> str:
    doc = emma_profiles([RATING], kid_device="ipad")
    doc["people"][0].update(person)
    return json.dumps(doc)


CASES = {
    "all 300 deep": (lambda: deep_text("all", 300), "too deeply nested", "$.people[0].restrictions[0].of[0].of[0]"),
    "not 600 deep": (lambda: deep_text("not", 600), "too deeply nested", "$.people[0].restrictions[0].of.of.of"),
    "not 33 deep": (lambda: deep_text("not", 33), "rules nested too deeply (more than 32 levels",
                    "$.people[0].restrictions[0]" + ".of" * 32 + ": "),
    "arrays beyond the decoder": (lambda: "[" * 100_000 + "]" * 100_000, "too deeply nested", "$: "),
    "duplicate restrictions key": (
        lambda: emma_text().replace('"restrictions":', '"restrictions": [], "restrictions":', 1),
        "duplicate key", "$.people[0].restrictions: "),
    "non-string actions": (
        lambda: json.dumps({**emma_profiles([], kid_device="ipad"), "unknown_devices": {"actions": [1, ["stop"]]}}),
        "expected a non-empty string, got number 1", "$.unknown_devices.actions[0]: "),
    "newline in a name": (lambda: emma_text(name="Emma\nBcc: all@example.com"), "control characters",
                          "$.people[0].name: "),
    "bidi override in a name": (lambda: emma_text(name="Emma\u202egnp.exe"), "text-direction", "$.people[0].name: "),
    "escape in a device id": (lambda: emma_text(devices=["ipad\x1b[2J"]), "control characters", "$.people[0].devices[0]: "),
    "minutes 10**400": (
        lambda: json.dumps(emma_profiles([{"type": "quota", "minutes": 1, "per": "day", "actions": ["stop"]}],
                                         kid_device="ipad")).replace('"minutes": 1', '"minutes": 1' + "0" * 400),
        "must be at most 1,000,000, got a number too large to read", "$.people[0].restrictions[0].minutes: "),
    "minutes 1e400": (
        lambda: json.dumps(emma_profiles([{"type": "quota", "minutes": 1, "per": "day", "actions": ["stop"]}],
                                         kid_device="ipad")).replace('"minutes": 1', '"minutes": 1e400'),
        "too large to read", "$.people[0].restrictions[0].minutes: "),
    "grace of a billion seconds": (
        lambda: json.dumps({**emma_profiles([RATING], kid_device="ipad"), "settings": {"grace_seconds": 10**9}}),
        "must be at most 1,000,000, got 1e+09", "$.settings.grace_seconds: "),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_check_config_names_the_problem_and_its_path_and_exits_2(tmp_path, case):
    make, words, path = CASES[case]
    result = check_config(tmp_path, make())
    assert result.returncode == 2, (result.stdout[-2000:], result.stderr[-2000:])
    assert "Traceback" not in result.stderr and result.stderr == ""
    problem = next(line for line in result.stdout.splitlines() if words in line and line.strip().startswith("$"))
    assert problem.strip().startswith(path)


def test_the_check_shows_the_names_in_the_file_without_their_escapes(tmp_path):
    result = check_config(tmp_path, emma_text(name="Emma\x1b[2J\x1b]8;;http://evil\x07click"))
    assert result.returncode == 2
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "Emma\ufffd[2J\ufffd]8;;http://evil\ufffdclick" in result.stdout


def test_real_names_with_accents_emoji_and_cjk_pass(tmp_path):
    doc = emma_profiles([RATING], kid_device="ipad")
    doc["people"][0]["name"] = "Zoë 👩‍👧 美咲"
    result = check_config(tmp_path, json.dumps(doc, ensure_ascii=False))
    assert result.returncode == 0, result.stdout
    assert "Zoë 👩‍👧 美咲" in result.stdout


def test_a_rule_31_combinators_deep_is_still_fine(tmp_path):
    result = check_config(tmp_path, deep_text("all", 31))
    assert result.returncode == 0, result.stdout[-1000:]


def test_a_deep_file_while_running_keeps_the_last_good_rules(plextray_home):
    paths = AppPaths(plextray_home).ensure()
    paths.profiles.write_text(json.dumps(emma_profiles([RATING], kid_device="ipad")))
    store = ProfileStore(paths.profiles)
    good = store.load()
    paths.profiles.write_text(deep_text("not", 600))
    error = store.reload()
    assert isinstance(error, ProfileError) and "too deeply nested" in str(error)
    assert store.current is good

    paths.profiles.write_text(json.dumps(emma_profiles([RATING], kid_device="ipad")))
    built = build_engine(paths, notifier=RecordingNotifier(), log_dir=None, with_mail=False)
    try:
        built.engine.start()
        paths.profiles.write_text(deep_text("all", 300))
        built.engine.reload_profiles()
        snapshot = wait_for(lambda: next((s for s in [built.engine.snapshot()]
                                          if any("too deeply nested" in p for p in s.problems)), None))
        assert snapshot.people == ("Emma", "Parents")  # still enforcing the last good rules
    finally:
        built.engine.stop()
        built.close()


def test_headless_start_with_deep_rules_runs_on_the_backup_and_enforces_it(tmp_path, plextray_home):
    logs = tmp_path / "Logs"
    with PlexEmulator(token=TOKEN, log_dir=logs) as emulator:
        ids = demo_household(emulator)
        plextray_home.mkdir(parents=True)
        good = json.dumps(emma_profiles([RATING], kid_device=ids["kid_tablet"]))
        (plextray_home / "profiles.json.bak").write_text(good)
        (plextray_home / "profiles.json").write_text(deep_text("all", 300))
        with HeadlessRun(emulator, plextray_home, logs, TOKEN) as service:
            emulator.play(ids["kid_tablet"], "1002")  # rated above PG: the backup's rule stops it
            wait_for(lambda: emulator.terminate_calls, timeout=15)
            service.stop()
    assert service.returncode == 0, service.err
    assert "Traceback" not in service.err
    assert "too deeply nested" in service.err and "last good copy" in service.err
    assert (plextray_home / "profiles.json").read_text() == deep_text("all", 300)  # never overwritten


def test_a_step_failing_every_second_is_logged_once_then_counted(tmp_path):
    log_file = tmp_path / "plextray.log"
    logger = logging.getLogger("plextray.test.failures")
    handler = logging.FileHandler(log_file)
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    now = [0.0]
    failures = RepeatedFailures(logger, "engine step failed", every=600, quiet=30, clock=lambda: now[0])
    try:
        for _ in range(300):  # five minutes of a tick failing each second, good steps between
            try:
                raise RecursionError("maximum recursion depth exceeded")
            except RecursionError as exc:
                failures.failed(exc)
            failures.succeeded()
            now[0] += 1
        now[0] += 31  # then it stops failing
        failures.succeeded()
    finally:
        logger.removeHandler(handler)
        handler.close()
    text = log_file.read_text()
    assert text.count("Traceback") == 1
    assert "engine step failed 299 more times: RecursionError: maximum recursion depth exceeded" in text
    assert "no longer failing" in text


def test_names_refuse_exactly_what_the_edges_replace():
    from plextray import safe_text
    from plextray.core import specs

    for code in range(0x3000):  # every control, bidi and separator character lives below U+3000
        assert specs.has_unsafe(chr(code)) == safe_text.has_unsafe(chr(code)), hex(code)


def test_a_tick_failing_every_second_in_the_engine_is_logged_once_with_its_count(plextray_home, caplog, monkeypatch):
    """The real engine loop: a wall clock that breaks (as a rule evaluation that cannot finish)
    makes every tick fail; the log gets one traceback, then one line with the count."""
    broken = threading.Event()

    def clock():
        if broken.is_set():
            raise RecursionError("maximum recursion depth exceeded")
        return datetime(2026, 11, 23, 16, 0, 0)

    from plextray.engine import engine as engine_module

    # an idle engine ticks every 5 s; once a second, as while a play is live, keeps the test short
    monkeypatch.setattr(engine_module, "tick_interval", lambda live_plays: 1.0)
    paths = AppPaths(plextray_home).ensure()
    paths.profiles.write_text(json.dumps(emma_profiles([RATING], kid_device="ipad")))
    built = build_engine(paths, notifier=RecordingNotifier(), log_dir=None, with_mail=False, wall_clock=clock)
    with caplog.at_level(logging.INFO, logger="plextray.engine.engine"):
        built.start()
        broken.set()
        time.sleep(3.5)  # a few ticks: the failure repeats
        built.engine.stop()
        built.close()
    failed = [r for r in caplog.records if r.getMessage().startswith("engine step failed")]
    assert sum(1 for r in failed if r.exc_info) == 1
    (count,) = [r for r in failed if "more time" in r.getMessage()]
    assert "RecursionError: maximum recursion depth exceeded" in count.getMessage()
    assert int(count.getMessage().split(" failed ")[1].split()[0]) >= 2
