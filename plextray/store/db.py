"""Open the history database: WAL, foreign keys, migrations applied in order, one transaction each."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from plextray.errors import PlexTrayError
from plextray.store.migrations import MIGRATIONS, Migration


# SQLite's page cache of a connection that lives as long as the process (the engine's): its
# default bound, 2000 KiB, is reached only once the history is that big, so a running plextray's
# memory grew with its history for weeks. Queries that miss it read from the OS's file cache.
ENGINE_CACHE_KIB = 512


class DatabaseError(PlexTrayError):
    """The history database cannot be opened or migrated."""


def connect(path: Path | str, *, migrations: tuple[Migration, ...] = MIGRATIONS,
            cache_kib: int | None = None) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database. One writer thread should own it.
    `cache_kib` bounds SQLite's page cache (default: SQLite's own, 2000 KiB)."""
    if str(path) != ":memory:":
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"cannot create the folder for the history database {path}: {exc.strerror or exc}") from exc
    try:
        conn = sqlite3.connect(str(path), timeout=10, check_same_thread=False, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        if cache_kib is not None:
            conn.execute(f"PRAGMA cache_size=-{int(cache_kib)}")  # negative: KiB, not pages
        apply_migrations(conn, migrations)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"cannot open the history database {path}: {exc}") from exc
    return conn


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A reader beside the engine's writer: never creates, migrates or writes the file (WAL lets
    it read a consistent snapshot while the engine writes). DatabaseError when it cannot open."""
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=10,
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1")  # a file that is no database fails here
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"cannot read the history database {path}: {exc}") from exc
    return conn


def apply_migrations(conn: sqlite3.Connection, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[str]:
    """Apply the migrations not yet applied, each in its own transaction. Returns their names."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied TEXT NOT NULL)"
    )
    done = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
    applied: list[str] = []
    for migration in migrations:
        if migration.name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(migration.sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO _migrations(name, applied) VALUES (?, ?)",
                (migration.name, datetime.now(timezone.utc).isoformat(timespec="seconds")),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(migration.name)
    return applied


def _statements(sql: str) -> list[str]:
    """Split a migration into statements; a trigger's BEGIN … END body keeps its own semicolons."""
    out: list[str] = []
    pending = ""
    for part in sql.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n\t;"):
                out.append(pending.strip().rstrip(";").strip())
            pending = ""
    if pending.strip(" \n\t;"):
        out.append(pending.strip().rstrip(";").strip())
    return out
