"""When the digest and the logs mail are due: pure rules, and the state that survives restarts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plextray.errors import ConfigError
from plextray.mail.schedule import MailState, due, load_state, next_due_at, parse_time_of_day, save_state

D = date(2026, 3, 10)


def at(h, m=0, day=D):
    return datetime(day.year, day.month, day.day, h, m)


def test_evening_digest_reports_today_from_its_time_on():
    assert due("21:00", date(2026, 3, 9), at(20, 59)) is None
    assert due("21:00", date(2026, 3, 9), at(21, 0)) == D
    assert due("21:00", D, at(23, 0)) is None


def test_morning_digest_reports_yesterday():
    assert due("07:30", date(2026, 3, 8), at(7, 30)) == date(2026, 3, 9)
    assert due("07:30", date(2026, 3, 9), at(12, 0)) is None


def test_logs_mail_sends_yesterdays_archive():
    assert due("21:00", date(2026, 3, 8), at(21, 0), kind="logs") == date(2026, 3, 9)


def test_first_run_does_not_catch_up_and_downtime_sends_only_the_latest():
    assert due("21:00", None, at(20, 0)) is None  # never sent, before today's slot
    assert due("21:00", None, at(21, 30)) == D
    assert due("21:00", date(2026, 3, 1), at(9, 0)) == date(2026, 3, 9)  # off for a week: one mail, the latest


def test_no_digest_time_means_never_and_bad_time_is_clear():
    assert due(None, None, at(21)) is None and next_due_at(None, None, at(21)) is None
    with pytest.raises(ConfigError, match="HH:MM"):
        due("9pm", None, at(21))
    assert parse_time_of_day(" 07:05 ").minute == 5


def test_next_due_at():
    assert next_due_at("21:00", date(2026, 3, 9), at(20)) == at(21)
    assert next_due_at("21:00", D, at(22)) == at(21, day=date(2026, 3, 11))
    assert next_due_at("21:00", date(2026, 3, 9), at(22)) == at(22)  # due now


def test_state_survives_a_restart_and_a_broken_file_means_none(tmp_path):
    assert load_state(tmp_path) == MailState()
    save_state(tmp_path, MailState(D, date(2026, 3, 9)))
    assert load_state(tmp_path) == MailState(D, date(2026, 3, 9))
    (tmp_path / "mail-state.json").write_text("{not json")
    assert load_state(tmp_path) == MailState()


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 23), st.integers(0, 59),
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)),
    st.integers(0, 3),
)
def test_at_most_one_mail_per_slot_and_never_a_future_day(h, m, now, lag):
    clock = f"{h:02d}:{m:02d}"
    last = now.date() - timedelta(days=lag)
    day = due(clock, last, now)
    if day is not None:
        assert last < day <= now.date()
        assert due(clock, day, now) is None  # once sent, not due again until the next slot
        assert due(clock, day, now + timedelta(minutes=1)) in (None, day + timedelta(days=1))
