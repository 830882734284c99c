"""HistoryStore on a real SQLite file: idempotent upserts, queries, quotas, watermarks."""

from __future__ import annotations

import pytest

from plextray.core.model import Device, WatchSession
from plextray.store.db import connect
from plextray.store.history import HistoryStore


def session(key: str = "c1@42@2026-01-10T20:00:00.000", *, client: str = "c1", start: str = "2026-01-10T20:00:00.000",
            end: str = "2026-01-10T21:00:00.000", start_utc: float = 1000.0, end_utc: float = 4600.0,
            watched: int = 3_600_000, account: str | None = "emma", rating_key: str = "42", live: bool = False) -> WatchSession:
    return WatchSession(key=key, client_id=client, rating_key=rating_key, start=start, end=end, start_utc=start_utc,
                        end_utc=end_utc, watched_ms=watched, max_position_ms=watched, duration_ms=7_200_000,
                        resumed=False, state="stopped", live=live, account=account, product="Plex Web",
                        platform="Chrome", device="Laptop", ip="192.168.1.5", plex_session="s1")


@pytest.fixture
def store(tmp_path):
    conn = connect(tmp_path / "history.sqlite3")
    yield HistoryStore(conn)
    conn.close()


def test_upsert_session_is_idempotent_by_key_and_creates_the_device(store):
    store.upsert_session(session())
    store.upsert_session(session())
    changed = session(watched=1000)
    store.upsert_session(changed)
    rows = store.sessions_between("2026-01-10", "2026-01-11")
    assert rows == [changed]
    (device,) = store.devices()
    assert (device.client_id, device.device, device.first_seen, device.last_seen) == (
        "c1", "Laptop", "2026-01-10T20:00:00.000", "2026-01-10T21:00:00.000")


def test_devices_keep_first_and_last_seen_and_latest_ip(store):
    store.upsert_device(Device("c1", product="Plex Web", ip="10.0.0.1", first_seen="2026-01-02T00:00", last_seen="2026-01-02T01:00"))
    store.upsert_device(Device("c1", ip="10.0.0.2", first_seen="2026-01-01T00:00", last_seen="2026-01-01T01:00"))
    store.upsert_device(Device("c1", ip="10.0.0.3", first_seen="2026-01-03T00:00", last_seen="2026-01-03T01:00"))
    (device,) = store.devices()
    assert (device.product, device.ip, device.first_seen, device.last_seen) == (
        "Plex Web", "10.0.0.3", "2026-01-01T00:00", "2026-01-03T01:00")


def test_sessions_between_filters_by_overlap_device_and_account(store):
    with store.transaction():
        store.upsert_session(session("a", client="c1", account="emma"))
        store.upsert_session(session("b", client="c2", account="leo", start="2026-01-10T23:30:00.000",
                                     end="2026-01-11T00:30:00.000"))
        store.upsert_session(session("c", client="c3", account=None, start="2026-01-12T10:00:00.000",
                                     end="2026-01-12T11:00:00.000"))
    assert [s.key for s in store.sessions_between("2026-01-11", "2026-01-12")] == ["b"]  # crosses midnight
    assert [s.key for s in store.sessions_between("2026-01-10", "2026-01-13", client_ids=["c3"])] == ["c"]
    assert [s.key for s in store.sessions_between("2026-01-10", "2026-01-13", accounts=["emma"])] == ["a"]
    assert [s.key for s in store.sessions_between("2026-01-10", "2026-01-13", client_ids=["c3"], accounts=["leo"])] == ["b", "c"]
    assert store.sessions_between("2026-01-10", "2026-01-13", client_ids=[]) == []


def test_watched_ms_counts_only_the_overlap(store):
    store.upsert_session(session("a", start_utc=1000.0, end_utc=4600.0, watched=3_600_000))
    store.upsert_session(session("b", client="c2", start_utc=5000.0, end_utc=5600.0, watched=600_000, account="leo"))
    everyone = dict(client_ids=None, accounts=None)
    assert store.watched_ms(**everyone, since_utc=0, until_utc=10_000) == 4_200_000
    assert store.watched_ms(**everyone, since_utc=2800.0, until_utc=10_000) == 1_800_000 + 600_000
    assert store.watched_ms(client_ids=["c1"], accounts=None, since_utc=0, until_utc=1900.0) == 900_000
    assert store.watched_ms(client_ids=None, accounts=["leo"], since_utc=0, until_utc=10_000) == 600_000
    assert store.watched_ms(**everyone, since_utc=6000.0, until_utc=7000.0) == 0


def test_distinct_titles_use_the_media_cache(store):
    store.upsert_session(session("a", rating_key="1"))
    store.upsert_session(session("b", rating_key="2"))
    store.upsert_session(session("c", rating_key="3"))
    store.upsert_session(session("d", rating_key="9"))
    store.conn.executemany(
        "INSERT INTO media (rating_key, title, type, grandparent_title, fetched_utc) VALUES (?, ?, ?, ?, 0)",
        [("1", "Pilot", "episode", "Bluey"), ("2", "Camping", "episode", "Bluey"), ("3", "Up", "movie", None)],
    )
    titles = store.distinct_titles(client_ids=None, accounts=["emma"], since_utc=0, until_utc=10_000)
    assert titles == {"Bluey", "Up", "rating_key:9"}


def test_watermarks_and_transaction_rollback(store):
    assert store.get_watermark("archive:x") == 0
    store.set_watermark("archive:x", 1234)
    assert store.get_watermark("archive:x") == 1234
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.set_watermark("archive:x", 9999)
            store.upsert_session(session())
            raise RuntimeError("boom")
    assert store.get_watermark("archive:x") == 1234
    assert store.sessions_between("2000", "3000") == []


def test_live_sessions_and_delete(store):
    store.upsert_sessions([session("a", live=True), session("b")])
    assert [s.key for s in store.live_sessions()] == ["a"]
    store.delete_sessions(["a"])
    assert [s.key for s in store.sessions_between("2000", "3000")] == ["b"]


ANON = "anon:192.168.1.52/emma@example.com/?"  # an account may hold an "@"
KID = "5D3E1B0A-77C2-4F4B-9E61-0C2B7A9D8E11"


def _session(client: str, start: str = "2026-11-23T16:00:00.012") -> WatchSession:
    return WatchSession(key=f"{client}@1002@{start}", client_id=client, rating_key="1002", start=start,
                        end=start, start_utc=0.0, end_utc=0.0, ip="192.168.1.52")


def test_a_retired_stand_in_leaves_no_phantom_device(tmp_path):
    """The first line of a report may name no client: a stand-in session (and its device row
    `anon:…`) is stored, then handed over to the real client and deleted. The devices list kept
    the stand-in as a device seen (e.g. in `plextray history`/the devices list) for ever."""
    store = HistoryStore(connect(tmp_path / "h.sqlite3"))
    store.upsert_session(_session(ANON))
    store.upsert_session(_session(KID))
    store.delete_sessions([_session(ANON).key])
    assert [d.client_id for d in store.devices()] == [KID]


def test_a_stand_in_device_with_other_sessions_stays(tmp_path):
    store = HistoryStore(connect(tmp_path / "h.sqlite3"))
    store.upsert_session(_session(ANON))
    store.upsert_session(_session(ANON, "2026-11-23T17:00:00.000"))
    store.delete_sessions([_session(ANON).key])
    assert [d.client_id for d in store.devices()] == [ANON]


def test_deleting_a_real_device_session_keeps_the_device(tmp_path):
    store = HistoryStore(connect(tmp_path / "h.sqlite3"))
    store.upsert_session(_session(KID))
    store.delete_sessions([_session(KID).key])
    assert [d.client_id for d in store.devices()] == [KID]
