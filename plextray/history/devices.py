"""The devices the history has seen, read for a front end without touching the engine's database.

The engine owns the database and is its only writer; the settings window only needs the list of
devices to link them to people, also when no engine runs (opened on its own, or the engine has
stopped). So it reads here, over a read-only connection: plain `Device` records, no store object,
no migration, nothing written.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from plextray.core.model import Device
from plextray.store.db import DatabaseError, connect_read_only
from plextray.store.history import HistoryStore


def read_devices(database: Path) -> list[Device]:
    """Every device in the history, newest first; none while there is no database yet.
    DatabaseError when the file cannot be read (not a database, a table missing...)."""
    if not database.exists():
        return []
    conn = connect_read_only(database)
    try:
        return HistoryStore(conn).devices()
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot read the devices from {database}: {exc}") from exc
    finally:
        conn.close()


__all__ = ["read_devices"]
