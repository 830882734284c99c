"""The engine's history connection lives as long as plextray: SQLite's memory for it stays within
its page-cache bound however big the history grows (found by the soak: RSS grew with the history)."""

from __future__ import annotations

import ctypes
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from plextray.core.model import WatchSession
from plextray.store.db import ENGINE_CACHE_KIB, connect
from plextray.store.history import HistoryStore

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads SQLite's own counter via /proc")


def _sqlite_memory_used() -> int:
    """SQLite's own count of the bytes it holds (the library Python's sqlite3 module uses)."""
    import _sqlite3

    path = next((line.split()[-1] for line in Path("/proc/self/maps").read_text().splitlines()
                 if "libsqlite3" in line), _sqlite3.__file__)
    lib = ctypes.CDLL(path)
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return int(lib.sqlite3_memory_used())


def _grow_and_read(path: Path, **kwargs) -> int:
    """Bytes SQLite holds more after writing ~4 MB of history through one connection and reading
    all of it back, as the engine does over weeks; the connection stays open."""
    conn = connect(path, **kwargs)
    store = HistoryStore(conn)
    before = _sqlite_memory_used()
    start = datetime(2026, 1, 1, 18, 0)
    for day in range(60):
        sessions = []
        for n in range(100):
            when = start + timedelta(days=day, minutes=n)
            iso = when.isoformat(timespec="milliseconds")
            sessions.append(WatchSession(
                key=f"client-{n % 7}@{1000 + n}@{iso}", client_id=f"client-{n % 7}", rating_key=str(1000 + n),
                start=iso, end=iso, start_utc=when.timestamp(), end_utc=when.timestamp() + 600, watched_ms=600_000,
                state="stopped", live=False, account="Emma", product="Plex for iOS", platform="iOS",
                device=f"Emma's iPad {n % 7}", ip="192.168.1.20", plex_session=f"session-{day}-{n}"))
        store.upsert_sessions(sessions)
    assert conn.execute("SELECT count(*), sum(watched_ms) FROM sessions").fetchone()[0] == 6000
    conn.execute("SELECT * FROM sessions ORDER BY start").fetchall()
    grown = _sqlite_memory_used() - before
    size = path.stat().st_size + Path(f"{path}-wal").stat().st_size
    conn.close()
    assert size > 3 * 2**20, size  # a history bigger than either cache bound
    return grown


def test_the_engines_connection_holds_no_more_than_its_cache_bound_as_history_grows(tmp_path):
    bounded = _grow_and_read(tmp_path / "engine.sqlite3", cache_kib=ENGINE_CACHE_KIB)
    default = _grow_and_read(tmp_path / "default.sqlite3")  # SQLite's own bound: 2000 KiB
    assert bounded < (ENGINE_CACHE_KIB + 256) * 1024, bounded
    assert default > 1500 * 1024, default  # the same work without the bound: what the soak saw
