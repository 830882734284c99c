"""Titles for plays that came from the log archives: `import` knows rating keys, not names.

Why here: a play backfilled from an archive shows as "item 2201" until someone asks the server.
After an import, every rating key in the history without cached metadata is looked up through
the metadata cache (store.media_cache), 50 per request. Offline-tolerant: a server that cannot
be reached leaves the import as it is, keeps what it already answered, and the next import (or
the engine, as those items play again) fills in the rest.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from plextray.core.model import MediaInfo
from plextray.errors import PlexError
from plextray.store.media_cache import MediaCache


@dataclass(frozen=True, slots=True)
class TitleLookup:
    wanted: int  # rating keys in the history with no metadata
    found: int  # now cached
    unknown: int  # the server has no such item (deleted since)
    problem: str | None = None  # why the rest was not looked up (server unreachable, no credentials)


def missing_keys(conn: sqlite3.Connection) -> list[str]:
    """Rating keys of recorded plays with nothing cached about them, most recent plays first."""
    rows = conn.execute(
        "SELECT s.rating_key, MAX(s.start) AS last FROM sessions s LEFT JOIN media m ON m.rating_key = s.rating_key "
        "WHERE s.rating_key IS NOT NULL AND m.rating_key IS NULL GROUP BY s.rating_key ORDER BY last DESC"
    ).fetchall()
    return [str(r[0]) for r in rows]


def look_up_titles(
    conn: sqlite3.Connection, lookup_many: Callable[[list[str]], dict[str, MediaInfo]], *, batch: int = 50
) -> TitleLookup:
    wanted = missing_keys(conn)
    if not wanted:
        return TitleLookup(0, 0, 0)
    cache = MediaCache(conn, lambda key: lookup_many([key])[key])
    found = unknown = 0
    problem = None
    for i in range(0, len(wanted), batch * 10):  # progress is kept every few batches
        try:
            f, u = cache.fill_missing(wanted[i : i + batch * 10], lookup_many, batch=batch)
        except PlexError as exc:
            problem = str(exc)
            break
        found, unknown = found + f, unknown + u
    return TitleLookup(len(wanted), found, unknown, problem)
