"""Each person's day for the snapshot (what Home Assistant shows), from a real history database:
minutes watched and left agree with the rules' counting, a grant shows at once, a play that began
before midnight counts today, and the database is read at most every few seconds."""

from __future__ import annotations

from datetime import datetime, timedelta

from support.household import emma_profiles

from plextray.core.model import MediaInfo, WatchSession
from plextray.engine.people import PeopleView
from plextray.profiles.schema import compile_document
from plextray.store.db import connect
from plextray.store.violations import EnforcementStore
from plextray.store.history import HistoryStore
from plextray.store.usage import UsageQueries

KID = "kid-tablet-1"
NOW = datetime(2026, 11, 23, 0, 30, 0)  # half past midnight
QUOTA_60 = {"type": "quota", "minutes": 60, "per": "day", "actions": ["stop"]}


class Clock:
    def __init__(self) -> None:
        self.mono = 100.0

    def __call__(self) -> float:
        return self.mono


class CountingUsage(UsageQueries):
    calls = 0

    def watched_ms(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        CountingUsage.calls += 1
        return super().watched_ms(*args, **kwargs)


def session(start: datetime, minutes: int, *, live: bool, rating_key: str = "1001") -> WatchSession:
    end = start + timedelta(minutes=minutes)
    return WatchSession(key=f"{KID}@{rating_key}@{start.isoformat()}", client_id=KID, rating_key=rating_key,
                        start=start.isoformat(), end=end.isoformat(), start_utc=start.timestamp(),
                        end_utc=end.timestamp(), watched_ms=minutes * 60_000, state="playing" if live else "stopped",
                        live=live, device="Kid Tablet")


def build(tmp_path):
    conn = connect(tmp_path / "h.sqlite3")
    profiles, issues = compile_document(emma_profiles([QUOTA_60], kid_device=KID))
    assert profiles is not None, issues
    clock = Clock()
    store = EnforcementStore(conn)
    view = PeopleView(usage=CountingUsage(conn), enforcement=store, wall_clock=lambda: NOW, monotonic=clock,
                      media=media)
    return conn, profiles, clock, store, view


def media(rating_key: str) -> MediaInfo | None:
    return MediaInfo(rating_key, "Bluey", "episode") if rating_key == "2201" else None


def test_minutes_today_and_left_count_a_play_begun_before_midnight_and_grants(tmp_path):
    conn, profiles, clock, store, view = build(tmp_path)
    history = HistoryStore(conn)
    earlier = session(NOW - timedelta(minutes=20), 10, live=False)  # 00:10-00:20 today
    yesterday = session(NOW - timedelta(hours=2), 30, live=False)  # 22:30 yesterday: not today
    running = session(NOW - timedelta(minutes=55), 25, live=True, rating_key="2201")  # began 23:35 yesterday
    history.upsert_sessions([earlier, yesterday, running])
    emma = view.view(profiles, [running])[0]
    assert (emma.name, emma.minutes_today, emma.minutes_left) == ("Emma", 35, 25)  # 10 + the live 25
    assert emma.watching and emma.now_watching == "Bluey" and emma.device == "Kid Tablet"
    parents = view.view(profiles, [running])[1]
    assert (parents.minutes_left, parents.watching, parents.now_watching) == (None, False, None)

    store.add_grant("Emma", NOW.date(), minutes=15, created=NOW)
    assert view.view(profiles, [running])[0].minutes_left == 25  # not due yet
    view.invalidate()
    assert view.view(profiles, [running])[0].minutes_left == 40


def test_the_database_is_read_at_most_every_few_seconds_during_a_play(tmp_path):
    conn, profiles, clock, store, view = build(tmp_path)
    running = session(NOW - timedelta(minutes=5), 5, live=True)
    CountingUsage.calls = 0
    for _ in range(50):  # fifty snapshots within one second
        view.view(profiles, [running])
    first = CountingUsage.calls
    assert first == 2  # one query per person (Emma, Parents), for fifty snapshots
    clock.mono += view.every
    view.view(profiles, [running])
    assert CountingUsage.calls == 2 * first
    clock.mono += view.every  # nothing plays: only every idle_every seconds
    view.view(profiles, [])
    view.view(profiles, [])
    assert CountingUsage.calls == 2 * first


def test_minutes_left_never_goes_below_zero_and_the_last_stop_is_remembered(tmp_path):
    from plextray.core.rules import Violation

    conn, profiles, clock, store, view = build(tmp_path)
    HistoryStore(conn).upsert_sessions([session(NOW - timedelta(minutes=29), 29, live=False)])
    store.add_grant("Emma", NOW.date(), minutes=0, created=NOW)
    vid = store.record_violation(Violation("Emma", "restrictions[0]", "quota", "Emma · 60 min/day quota used", ("stop",)),
                                 time=NOW, time_utc=NOW.timestamp(), client_id=KID)
    store.record_action(vid, "stop", "failed", "already ended", time=NOW)
    assert view.view(profiles, [])[0].last_stop_time is None  # not really stopped
    store.record_action(vid, "stop", "ok", "stopped on Kid Tablet", time=NOW + timedelta(seconds=1))
    view.invalidate(stops=True)
    emma = view.view(profiles, [])[0]
    assert emma.last_stop_reason == "Emma · 60 min/day quota used"
    assert emma.last_stop_time == "2026-11-23T00:30:01"
    assert emma.minutes_left == 31
    HistoryStore(conn).upsert_sessions([session(NOW - timedelta(minutes=10), 90, live=False, rating_key="9")])
    view.invalidate()
    assert view.view(profiles, [])[0].minutes_left == 0
