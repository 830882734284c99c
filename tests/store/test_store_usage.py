"""Usage aggregates the engine reads on every check: by start time, by device or account, indexed."""

from __future__ import annotations

from plextray.core.model import Device, MediaInfo, WatchSession
from plextray.store.db import connect
from plextray.store.history import HistoryStore
from plextray.store.usage import UsageQueries


def add(store: HistoryStore, key: str, client: str, start: str, minutes: int, *, rating_key: str = "1", account: str | None = None):
    store.upsert_device(Device(client, first_seen=start, last_seen=start))
    store.upsert_session(WatchSession(key=key, client_id=client, rating_key=rating_key, start=start, end=start,
                                      start_utc=0, end_utc=0, watched_ms=minutes * 60_000, account=account, live=False))


def test_sums_by_device_or_account_started_in_range_excluding_the_current_play(tmp_path):
    conn = connect(tmp_path / "h.sqlite3")
    store = HistoryStore(conn)
    add(store, "a", "ipad", "2026-11-23T09:00:00", 30)
    add(store, "b", "phone", "2026-11-23T10:00:00", 20, account="Emma")  # another device, her account
    add(store, "c", "ipad", "2026-11-22T23:50:00", 40)  # started yesterday: yesterday's minutes
    add(store, "d", "tv", "2026-11-23T11:00:00", 50)  # someone else
    add(store, "now", "ipad", "2026-11-23T12:00:00", 5)  # the play being checked
    usage = UsageQueries(conn)
    day = ("2026-11-23T00:00:00", "2026-11-24T00:00:00")
    assert usage.watched_ms(["ipad"], ["emma"], *day, exclude_key="now") == 50 * 60_000
    assert usage.watched_ms(["ipad"], [], *day) == 35 * 60_000
    assert usage.watched_ms([], [], *day) == 0


def test_titles_count_a_show_once_for_its_episodes(tmp_path):
    conn = connect(tmp_path / "h.sqlite3")
    store = HistoryStore(conn)
    for n, key in enumerate(("11", "12", "13")):
        add(store, f"e{n}", "ipad", f"2026-11-23T1{n}:00:00", 20, rating_key=key)
    add(store, "m", "ipad", "2026-11-23T15:00:00", 90, rating_key="99")
    conn.executemany(
        "INSERT INTO media(rating_key, title, type, grandparent_title, fetched_utc) VALUES (?, ?, ?, ?, 0)",
        [("11", "Ep 1", "episode", "Bluey"), ("12", "Ep 2", "episode", "Bluey"), ("99", "Film", "movie", None)],
    )
    usage = UsageQueries(conn)
    titles = usage.titles(["ipad"], [], "2026-11-23T00:00:00", "2026-11-24T00:00:00")
    assert titles == {"show:Bluey", "item:13", "item:99"}  # 13 has no cached metadata: counted as itself
    episodes = usage.episodes(["ipad"], [], "2026-11-23T00:00:00", "2026-11-24T00:00:00")
    assert [e.start for e in episodes] == ["2026-11-23T10:00:00", "2026-11-23T11:00:00"]


def test_the_query_uses_the_start_indexes(tmp_path):
    conn = connect(tmp_path / "h.sqlite3")
    plan = " ".join(
        str(tuple(row)) for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT SUM(s.watched_ms) FROM sessions s WHERE (s.client_id IN (?) OR s.account COLLATE NOCASE IN (?))"
            " AND s.start >= ? AND s.start < ? AND s.key != ?", ("a", "b", "c", "d", "e"))
    )
    assert "sessions_by_client" in plan and "sessions_by_account_nocase" in plan
