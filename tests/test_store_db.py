"""The history database opens in WAL mode with foreign keys on, and migrations apply once."""

from __future__ import annotations

import sqlite3

from plextray.store.db import apply_migrations, connect
from plextray.store.migrations import MIGRATIONS


def test_connect_creates_schema_in_wal_mode(tmp_path):
    conn = connect(tmp_path / "h.sqlite3")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"devices", "sessions", "import_watermark", "media", "violations", "actions", "grants"} <= tables


def test_migrations_apply_once(tmp_path):
    path = tmp_path / "h.sqlite3"
    connect(path).close()
    conn = sqlite3.connect(path)
    assert apply_migrations(conn) == []
    assert [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY name")] == [m.name for m in MIGRATIONS]


def test_foreign_keys_enforced(tmp_path):
    conn = connect(tmp_path / "h.sqlite3")
    try:
        conn.execute(
            "INSERT INTO sessions(key, client_id, start, end, start_utc, end_utc, state) "
            "VALUES ('k', 'no-such-device', 'a', 'b', 0, 0, 'playing')"
        )
    except sqlite3.IntegrityError:
        return
    raise AssertionError("a session for an unknown device was accepted")
