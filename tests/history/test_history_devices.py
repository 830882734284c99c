"""The settings window reads the devices beside the engine, never through it or as a writer:
a read-only connection that sees committed rows while the engine writes, creates nothing and
migrates nothing."""

from __future__ import annotations

import pytest

from plextray.history.devices import read_devices
from plextray.store.db import DatabaseError, connect

ROW = "INSERT INTO devices (client_id, product, platform, device, ip, account, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"


def add(conn, client_id: str, last_seen: str) -> None:
    conn.execute(ROW, (client_id, "Plex Web", "Chrome", f"TV {client_id}", "192.168.1.40", "emma",
                       "2026-11-01T10:00:00", last_seen))


def test_devices_are_read_newest_first_while_the_engine_holds_a_write(tmp_path):
    database = tmp_path / "history.sqlite3"
    engine = connect(database)
    add(engine, "old", "2026-11-02T10:00:00")
    add(engine, "new", "2026-11-23T21:15:00")
    engine.execute("BEGIN IMMEDIATE")  # the engine mid-write: not committed, must not be seen
    add(engine, "uncommitted", "2026-11-24T08:00:00")
    try:
        assert [d.client_id for d in read_devices(database)] == ["new", "old"]
        assert read_devices(database)[0].device == "TV new"
    finally:
        engine.execute("ROLLBACK")
        engine.close()


def test_no_database_yet_gives_no_devices_and_creates_nothing(tmp_path):
    assert read_devices(tmp_path / "history.sqlite3") == []
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_no_database_is_an_error_and_left_alone(tmp_path):
    database = tmp_path / "history.sqlite3"
    database.write_bytes(b"not a database, but somebody's file" * 100)
    with pytest.raises(DatabaseError, match="history.sqlite3"):
        read_devices(database)
    assert database.read_bytes() == b"not a database, but somebody's file" * 100


def test_an_unmigrated_database_is_read_as_it_is_never_migrated(tmp_path):
    import sqlite3

    database = tmp_path / "history.sqlite3"
    sqlite3.connect(database).close()  # an empty file another tool created: no tables
    with pytest.raises(DatabaseError, match="devices"):
        read_devices(database)
    conn = sqlite3.connect(database)
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []  # no migration was applied
    conn.close()
