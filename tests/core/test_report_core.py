"""core.reports on rows alone (pure): splitting at midnight, ownership, nothing invented."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from plextray.core.model import MediaInfo
from plextray.core.report_fold import (
    UNLINKED, ActionRow, PersonLink, SessionRow, ViolationRow, build_day_report, build_period_report, share_in,
)

PEOPLE = [PersonLink("Emma", frozenset({"ipad"}), frozenset({"emma"})), PersonLink("Dad", frozenset(), frozenset({"dad"}))]


def row(client="ipad", start="2026-03-10T10:00:00", end="2026-03-10T11:00:00", watched=60.0, key="1", account=None, **kw):
    return SessionRow(key=f"{client}@{key}@{start}", client_id=client, rating_key=key, account=account, start=start,
                      end=end, watched_ms=int(watched * 60000), max_position_ms=kw.get("pos", 0),
                      duration_ms=kw.get("dur"), state="stopped", live=kw.get("live", False), device=kw.get("device"))


def test_device_wins_over_account_and_unknown_goes_to_nobody():
    report = build_day_report(
        date(2026, 3, 10),
        sessions=[row(account="dad"), row(client="tv", account="dad", key="2"), row(client="roku", account="x", key="3")],
        media={"1": MediaInfo("1", "Frozen", "movie", duration_ms=6_000_000)}, violations=[], people=PEOPLE,
        history_start=date(2026, 3, 1),
    )
    assert [e.title for e in report.person("Emma").entries] == ["Frozen"]
    assert [e.title for e in report.person("Dad").entries] == ["item 2"]
    assert [e.title for e in report.person(UNLINKED).entries] == ["item 3"]
    assert [d.client_id for d in report.unlinked] == ["roku"]


def test_violation_of_unlinked_device_without_plays_is_still_reported():
    v = ViolationRow(1, "2026-03-10T20:00:00", None, "roku", None, None, "unknown_devices", "unknown device played",
                     (ActionRow("2026-03-10T20:00:00", "notify", "ok"),))
    report = build_day_report(date(2026, 3, 10), sessions=[], media={}, violations=[v], people=PEOPLE,
                              history_start=date(2026, 3, 1))
    assert report.person(UNLINKED).violations[0].reason == "unknown device played"


def test_day_before_history_is_not_covered_and_has_no_minutes():
    period = build_period_report("week", date(2026, 2, 23), date(2026, 3, 1), sessions=[row(start="2026-03-01T10:00:00",
                                 end="2026-03-01T10:30:00", watched=30)], media={}, violations=[], people=PEOPLE,
                                 history_start=date(2026, 3, 1))
    assert period.minutes("Emma") == (None,) * 6 + (30.0,)
    assert period.minutes("Dad") == (None,) * 6 + (0.0,)


@settings(max_examples=150, deadline=None)
@given(
    st.datetimes(min_value=datetime(2026, 3, 1), max_value=datetime(2026, 3, 20)),
    st.integers(0, 36 * 60),  # length in minutes, up to a day and a half
    st.floats(0, 2000, allow_nan=False),
)
def test_split_minutes_add_up_to_the_watched_time(start, length, watched):
    end = start + timedelta(minutes=length)
    s = row(start=start.isoformat(), end=end.isoformat(), watched=watched)
    total = 0.0
    day = start.date()
    while day <= end.date():
        lo = datetime.combine(day, datetime.min.time())
        total += share_in(s, lo, lo + timedelta(days=1))
        day += timedelta(days=1)
    assert abs(total - s.watched_ms / 60000) < 1e-6
