"""What a rating key is, remembered in the history database (`media` table) with an expiry.

Why: the engine asks about the same few items every few seconds while they play; the server
should be asked once. A fresh row costs no request. An expired row is refreshed; if the server
cannot answer right now (down, timeout, 5xx, token refused) the expired row is still returned —
a title a week old beats none — but an item the server says is gone is dropped and reported.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from plextray.core.model import MediaInfo
from plextray.errors import PlexError, PlexNotFound

log = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 7 * 86400
_COLUMNS = (
    "rating_key, title, type, grandparent_title, parent_title, idx, parent_idx, library, library_id, "
    "labels, content_rating, duration_ms, year, fetched_utc"
)


class MediaCache:
    """Metadata by rating key over the `media` table. Thread-safe (one lock around the connection)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        client_lookup: Callable[[str], MediaInfo],
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._conn = conn
        self._lookup = client_lookup
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()

    def get(self, rating_key: str) -> MediaInfo:
        """The item's metadata: from the cache while fresh, else from the server (then cached)."""
        rating_key = str(rating_key)
        cached = self._read(rating_key)
        now = self._clock()
        if cached is not None and now - cached[1] < self.ttl_seconds:
            return cached[0]
        try:
            info = self._lookup(rating_key)
        except PlexNotFound:
            if cached is not None:
                self.forget(rating_key)
            raise
        except PlexError as exc:
            if cached is None:
                raise
            log.info("using expired metadata for item %s: %s", rating_key, exc)
            return cached[0]
        info = replace(info, rating_key=rating_key)
        self._write(info, now)
        return info

    def peek(self, rating_key: str) -> MediaInfo | None:
        """Whatever is cached for the key, fresh or expired; never asks the server."""
        cached = self._read(str(rating_key))
        return cached[0] if cached is not None else None

    def forget(self, rating_key: str) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM media WHERE rating_key = ?", (str(rating_key),))

    def fill_missing(
        self, rating_keys: list[str], lookup_many: Callable[[list[str]], dict[str, MediaInfo]], *, batch: int = 50
    ) -> tuple[int, int]:
        """Ask the server about the keys not cached at all, `batch` per request; cache what it knows.

        Returns (found, unknown to the server). A server that cannot answer raises PlexError after
        what was already fetched is kept (the next call resumes with the rest).
        """
        with self._lock:
            wanted = [
                k for k in dict.fromkeys(str(k) for k in rating_keys)
                if self._conn.execute("SELECT 1 FROM media WHERE rating_key = ?", (k,)).fetchone() is None
            ]
        found = unknown = 0
        for i in range(0, len(wanted), batch):
            part = wanted[i : i + batch]
            answers = lookup_many(part)
            now = self._clock()
            for key in part:
                info = answers.get(key)
                if info is None:
                    unknown += 1
                    continue
                self._write(replace(info, rating_key=key), now)
                found += 1
        return found, unknown

    def put(self, info: MediaInfo) -> None:
        """Store metadata learnt elsewhere (e.g. from a live session) as fresh."""
        self._write(info, self._clock())

    def _read(self, rating_key: str) -> tuple[MediaInfo, float] | None:
        with self._lock:
            row = self._conn.execute(f"SELECT {_COLUMNS} FROM media WHERE rating_key = ?", (rating_key,)).fetchone()
        if row is None:
            return None
        try:
            labels = tuple(str(label) for label in json.loads(row[9] or "[]"))
        except (ValueError, TypeError):
            labels = ()
        info = MediaInfo(
            rating_key=row[0], title=row[1], type=row[2], grandparent_title=row[3], parent_title=row[4],
            index=row[5], parent_index=row[6], library=row[7], library_id=row[8], labels=labels,
            content_rating=row[10], duration_ms=row[11], year=row[12],
        )
        return info, float(row[13])

    def _write(self, info: MediaInfo, fetched_utc: float) -> None:
        values = (
            info.rating_key, info.title, info.type, info.grandparent_title, info.parent_title, info.index,
            info.parent_index, info.library, info.library_id, json.dumps(list(info.labels)),
            info.content_rating, info.duration_ms, info.year, fetched_utc,
        )
        with self._lock:
            self._conn.execute(
                f"INSERT INTO media ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(rating_key) DO UPDATE SET title=excluded.title, type=excluded.type, "
                "grandparent_title=excluded.grandparent_title, parent_title=excluded.parent_title, "
                "idx=excluded.idx, parent_idx=excluded.parent_idx, library=excluded.library, "
                "library_id=excluded.library_id, labels=excluded.labels, content_rating=excluded.content_rating, "
                "duration_ms=excluded.duration_ms, year=excluded.year, fetched_utc=excluded.fetched_utc",
                values,
            )
