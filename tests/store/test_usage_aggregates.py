"""The usage_daily aggregates always equal a full recount of the sessions, whatever was written how.

Histories are random (hypothesis): plays across midnight and across the nights clocks change
(Europe/Paris and America/New_York, local wall-clock times as the history stores them), live
plays growing by repeated upserts, plays deleted, rows written by plain INSERT as `import` and
older code do. The recount is the report's own rule (core.reports.share_in) over every session.
"""

from __future__ import annotations

import math
import sqlite3
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plextray.core.model import WatchSession
from plextray.core.report_fold import SessionRow, day_bounds, share_in
from plextray.store.db import apply_migrations, connect
from plextray.store.history import HistoryStore
from plextray.store.migrations import MIGRATIONS
from plextray.store.usage import UsageQueries
from plextray.store.usage_daily import PersonKeys, UsageAggregates

ZONES = (ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York"))
# the nights clocks change in 2026 (both directions, both zones) and an ordinary midnight
ANCHORS = (
    datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc),
    datetime(2026, 10, 25, 1, 0, tzinfo=timezone.utc),
    datetime(2026, 3, 8, 7, 0, tzinfo=timezone.utc),
    datetime(2026, 11, 1, 6, 0, tzinfo=timezone.utc),
    datetime(2026, 6, 10, 22, 0, tzinfo=timezone.utc),
)
DEVICES = ("ipad", "tv", "phone")
ACCOUNTS = (None, "emma", "Leo")


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).replace(tzinfo=None).isoformat(timespec="milliseconds")


plays = st.lists(
    st.tuples(
        st.sampled_from(ANCHORS),
        st.integers(-6 * 3600, 6 * 3600),  # start around the anchor
        st.integers(0, 30 * 3600),  # length: none, minutes, across one or two midnights
        st.floats(0.0, 1.0),  # share of it actually watched
        st.sampled_from(DEVICES),
        st.sampled_from(ACCOUNTS),
        st.sampled_from((None, "1", "2", "3")),
        st.sampled_from(("upsert", "grow", "insert", "delete")),
    ),
    min_size=1,
    max_size=25,
)


def _session(key: str, start: datetime, length: int, share: float, device: str, account: str | None,
             rating_key: str | None, zone: ZoneInfo) -> WatchSession:
    end = start + timedelta(seconds=length)
    return WatchSession(
        key=key, client_id=device, rating_key=rating_key, start=_local(start, zone), end=_local(end, zone),
        start_utc=start.timestamp(), end_utc=end.timestamp(), watched_ms=int(length * 1000 * share),
        account=account, live=False,
    )


def _recount(conn: sqlite3.Connection) -> tuple[dict, dict, dict]:
    """Per (day, device, account, item): the split minutes, the started minutes, the plays."""
    split: dict = defaultdict(float)
    started: dict = defaultdict(float)
    count: dict = defaultdict(int)
    for r in conn.execute("SELECT key, client_id, rating_key, account, start, end, watched_ms FROM sessions"):
        row = SessionRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], 0, None, "stopped", False)
        first = datetime.fromisoformat(row.start).date()
        key = (row.client_id, row.account or "", row.rating_key or "")
        day = first
        while day <= max(first, datetime.fromisoformat(row.end).date()):
            split[(day.isoformat(), *key)] += share_in(row, *day_bounds(day)) * 60000.0
            day += timedelta(days=1)
        started[(first.isoformat(), *key)] += row.watched_ms
        count[(first.isoformat(), *key)] += 1
    return split, started, count


def _assert_agrees(conn: sqlite3.Connection) -> None:
    split, started, count = _recount(conn)
    stored = {
        (r[0], r[1], r[2], r[3]): (r[4], r[5], r[6])
        for r in conn.execute("SELECT day, client_id, account, rating_key, watched_ms, started_ms, plays FROM usage_daily")
    }
    for key in set(split) | set(stored):
        got = stored.get(key, (0.0, 0.0, 0))
        assert math.isclose(got[0], split.get(key, 0.0), abs_tol=0.5), (key, got, split.get(key))  # ½ ms
        assert math.isclose(got[1], started.get(key, 0.0), abs_tol=0.5), (key, got, started.get(key))
        assert got[2] == count.get(key, 0), (key, got)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plays=plays, zone=st.sampled_from(ZONES))
def test_aggregates_equal_a_full_recount(plays, zone):
    conn = connect(":memory:")
    store = HistoryStore(conn)
    for n, (anchor, offset, length, share, device, account, item, how) in enumerate(plays):
        start = anchor + timedelta(seconds=offset)
        session = _session(f"s{n}", start, length, share, device, account, item, zone)
        if how == "insert":  # as a plain INSERT (import, tests, older code) writes it
            conn.execute(
                "INSERT INTO devices(client_id, first_seen, last_seen) VALUES (?, '', '') ON CONFLICT DO NOTHING",
                (device,),
            )
            conn.execute(
                "INSERT INTO sessions(key, client_id, rating_key, account, start, end, start_utc, end_utc, watched_ms, "
                "state) VALUES (?,?,?,?,?,?,?,?,?, 'stopped')",
                (session.key, device, item, account, session.start, session.end, session.start_utc, session.end_utc,
                 session.watched_ms),
            )
            continue
        if how == "grow":  # a live play seen again and again, longer each time, then moved to another device
            for part in (0.1, 0.5, 1.0):
                store.upsert_session(_session(session.key, start, int(length * part), share, device, account, item, zone))
            store.upsert_session(_session(session.key, start, length, share, DEVICES[0], "emma", item, zone))
            continue
        store.upsert_session(session)
        if how == "delete":
            store.delete_sessions([session.key])
    _assert_agrees(conn)


def test_the_migration_builds_the_aggregates_from_existing_history(tmp_path):
    before = tuple(m for m in MIGRATIONS if m.name < "0005")
    conn = connect(tmp_path / "h.sqlite3", migrations=before)
    store = HistoryStore(conn)
    for n, anchor in enumerate(ANCHORS):
        store.upsert_session(_session(f"k{n}", anchor, 5 * 3600, 0.8, DEVICES[n % 3], ACCOUNTS[n % 3], "1", ZONES[0]))
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'usage_daily'").fetchone() is None
    assert apply_migrations(conn)[0] == "0005_usage_daily"  # then any later ones
    _assert_agrees(conn)
    assert conn.execute("SELECT COUNT(*) FROM usage_daily").fetchone()[0] >= len(ANCHORS)


def test_minutes_today_per_person_and_per_device(tmp_path):
    conn = connect(tmp_path / "h.sqlite3")
    store = HistoryStore(conn)
    day = datetime(2026, 3, 10, 23, 0, tzinfo=ZONES[0])
    store.upsert_session(_session("a", day, 3600, 1.0, "ipad", "emma", "1", ZONES[0]))  # 23:00–00:00: 60 today
    store.upsert_session(_session("b", day + timedelta(minutes=30), 3600, 1.0, "tv", "EMMA", "2", ZONES[0]))  # 30 today
    store.upsert_session(_session("c", day - timedelta(hours=3), 600, 1.0, "phone", None, "3", ZONES[0]))  # nobody's
    aggregates = UsageAggregates(conn)
    emma = PersonKeys("Emma", frozenset({"ipad"}), frozenset({"emma"}))
    minutes = aggregates.minutes_by_person([emma, PersonKeys("Leo")], date(2026, 3, 10))
    assert round(minutes["Emma"], 6) == 90.0 and minutes["Leo"] == 0.0
    assert {k: round(v, 6) for k, v in aggregates.minutes_by_device(date(2026, 3, 11)).items()} == {"tv": 30.0}
    # the engine's quota reads (whole sessions on their start day) come from the same table
    usage = UsageQueries(conn)
    assert usage.watched_ms(["ipad"], ["emma"], "2026-03-10T00:00:00", "2026-03-11T00:00:00") == 120 * 60_000
    assert usage.watched_ms(["ipad"], ["emma"], "2026-03-10T00:00:00", "2026-03-11T00:00:00", exclude_key="b") == 60 * 60_000
    assert usage.watched_ms(["ipad"], [], "2026-03-10T00:00:00", "2026-03-10T23:30:00") == 60 * 60_000  # not whole days


def test_minutes_today_takes_the_people_of_profiles_json(tmp_path):
    """What the MQTT sensors will call: compiled people straight from profiles.json."""
    from plextray.core.household import Person

    conn = connect(tmp_path / "h.sqlite3")
    HistoryStore(conn).upsert_session(_session("a", datetime(2026, 3, 10, 9, 0, tzinfo=ZONES[0]), 1800, 1.0, "tv", "Leo",
                                               "1", ZONES[0]))
    minutes = UsageAggregates(conn).minutes_by_person([Person("Leo", accounts=("leo",)), Person("Emma", ("ipad",))],
                                                      date(2026, 3, 10))
    assert {k: round(v, 6) for k, v in minutes.items()} == {"Leo": 30.0, "Emma": 0.0}
    conn.execute("INSERT INTO media(rating_key, title, type, grandparent_title, fetched_utc) VALUES "
                 "('1', 'Ep 1', 'episode', 'Bluey', 0), ('2', 'Ep 2', 'episode', 'Bluey', 0)")
    HistoryStore(conn).upsert_session(_session("b", datetime(2026, 3, 10, 10, 0, tzinfo=ZONES[0]), 600, 1.0, "tv", "leo",
                                               "2", ZONES[0]))
    titles = UsageAggregates(conn).titles_by_person([Person("Leo", accounts=("leo",)), Person("Emma", ("ipad",))],
                                                    date(2026, 3, 10))
    assert titles == {"Leo": 1, "Emma": 0}  # two episodes of one show: one title, as the quota counts
