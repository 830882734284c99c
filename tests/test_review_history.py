"""Review findings in the history store: each test failed before its fix."""

from __future__ import annotations

from plextray.core.model import WatchSession
from plextray.store.db import connect
from plextray.store.history import HistoryStore

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
