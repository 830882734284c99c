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


def test_an_unusable_folder_is_a_clear_error_not_a_traceback(tmp_path):
    import subprocess
    import sys

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    from plextray.store.db import DatabaseError

    try:
        connect(blocker / "home" / "h.sqlite3")
    except DatabaseError as exc:
        assert "history database" in str(exc)
    else:
        raise AssertionError("no error for a database under a file")
    env = {"PLEXTRAY_HOME": str(blocker / "home"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "plextray", "history"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("plextray: ")
