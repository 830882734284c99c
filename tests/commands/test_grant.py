"""Grants: stored in the real history database, summed per period, and given from the command line."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta

import pytest
from support.profiles_example import EXAMPLE_TEXT

from plextray.commands.grant import GrantError, next_clock, parse_amount
from plextray.core.rules import Violation
from plextray.paths import AppPaths
from plextray.store.db import connect
from plextray.store.violations import EnforcementStore

WED = date(2026, 11, 25)


@pytest.fixture
def store(tmp_path):
    conn = connect(tmp_path / "history.sqlite3")
    yield EnforcementStore(conn)
    conn.close()


def test_grants_for_sums_minutes_per_period_and_keeps_the_latest_lift(store):
    store.add_grant("Emma", WED, 30)
    store.add_grant("emma", WED, 15, datetime(2026, 11, 25, 22, 0))
    store.add_grant("Emma", WED - timedelta(days=1), 20, datetime(2026, 11, 25, 7, 0))  # Tuesday night
    store.add_grant("Emma", WED - timedelta(days=3), 10)  # Sunday: last week, this month
    store.add_grant("Emma", WED + timedelta(days=1), 99)  # tomorrow: not yet
    store.add_grant("Max", WED, 60)
    totals = store.grants_for("Emma", WED)
    assert totals.extra_minutes == 45
    assert totals.week_extra_minutes == 65
    assert totals.month_extra_minutes == 75
    assert totals.lift_until == datetime(2026, 11, 25, 22, 0)
    thursday = store.grants_for("Emma", WED + timedelta(days=1))
    assert thursday.extra_minutes == 99
    assert thursday.lift_until == datetime(2026, 11, 25, 22, 0)  # yesterday's lift still visible (in the past)
    assert store.grants_for("Emma", WED + timedelta(days=2)).lift_until is None
    assert store.grants_for("Nobody", WED).extra_minutes == 0
    with pytest.raises(ValueError):
        store.add_grant("Emma", WED, -5)


def test_violations_and_actions_are_recorded(store):
    violation = Violation("Emma", "restrictions[2]", "rating", "Emma · rating R > PG", ("notify", "stop"))
    now = datetime(2026, 11, 25, 22, 41)
    vid = store.record_violation(violation, time=now, time_utc=1.0e9, client_id="ipad", session_key="s1", rating_key="42")
    store.record_action(vid, "notify", "done", time=now)
    store.record_action(vid, "stop", "done", "stopped at 22:41 on iPad", time=now)
    (recorded,) = store.violations(person="emma")
    assert (recorded.reason, recorded.restriction, recorded.session_key) == ("Emma · rating R > PG", "restrictions[2]", "s1")
    assert [(a.action, a.outcome, a.detail) for a in recorded.actions] == [
        ("notify", "done", ""), ("stop", "done", "stopped at 22:41 on iPad")]
    assert recorded.stopped  # the same row the reports read: a stop that was done
    assert store.violations(since=now + timedelta(seconds=1)) == []


@pytest.mark.parametrize(("text", "minutes"), [("+30m", 30), ("+1h", 60), ("+90", 90), ("45", 45), ("+1h30m", 90), ("+20min", 20)])
def test_amounts(text, minutes):
    assert parse_amount(text) == minutes


@pytest.mark.parametrize("text", ["+", "+0", "+abc", "-30m", "+30s", "+25h"])
def test_bad_amounts(text):
    with pytest.raises(GrantError):
        parse_amount(text)


def test_next_clock():
    now = datetime(2026, 11, 25, 21, 0)
    assert next_clock(now, "22:30") == datetime(2026, 11, 25, 22, 30)
    assert next_clock(now, "01:00") == datetime(2026, 11, 26, 1, 0)
    with pytest.raises(GrantError):
        next_clock(now, "25:00")


def run(*args):
    return subprocess.run([sys.executable, "-m", "plextray", *args], capture_output=True, text=True, timeout=60)


def test_grant_command_records_for_the_running_engine(plextray_home):
    paths = AppPaths.default().ensure()
    paths.profiles.write_text(EXAMPLE_TEXT, encoding="utf-8")
    engine_conn = connect(paths.database)  # the engine's connection, open the whole time
    try:
        result = run("grant", "emma", "+30m")
        assert result.returncode == 0, result.stderr
        first, answer = result.stdout.strip().splitlines()
        assert first == "Granted Emma: 30 extra minutes today."
        assert answer.startswith("Emma: 0 min watched, 2 h 30 min left today (of 2 h 30 min)")  # the new time left
        result = run("grant", "Emma", "--until", "23:59")
        assert result.returncode == 0, result.stderr
        today = datetime.now().date()
        totals = EnforcementStore(engine_conn).grants_for("Emma", today)
        assert totals.extra_minutes == 30
        assert totals.lift_until is not None and totals.lift_until.strftime("%H:%M") == "23:59"
        result = run("grant", "Emma", "--no-bedtime-tonight")
        assert result.returncode == 0 and "time windows lifted until" in result.stdout
    finally:
        engine_conn.close()


def test_grant_command_errors(plextray_home):
    paths = AppPaths.default().ensure()
    paths.profiles.write_text(EXAMPLE_TEXT, encoding="utf-8")
    unknown = run("grant", "Bob", "+30m")
    assert unknown.returncode == 2
    assert "no person named 'Bob'" in unknown.stderr and "people: Emma, Parents" in unknown.stderr
    nothing = run("grant", "Emma")
    assert nothing.returncode == 2 and "say what to grant" in nothing.stderr
    both = run("grant", "Emma", "--until", "22:00", "--no-bedtime-tonight")
    assert both.returncode == 2
    paths.profiles.write_text(EXAMPLE_TEXT.replace('"20:30"', '"25:30"'), encoding="utf-8")
    broken = run("grant", "Emma", "+30m")
    assert broken.returncode == 2 and "$.people[0].restrictions[0].from: bad time '25:30'" in broken.stderr
    assert "Traceback" not in broken.stderr
