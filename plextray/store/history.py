"""The history repository: devices, watch sessions and import watermarks in SQLite.

Why a repository: reports and rules ask questions ("how long did these devices watch today?")
that SQL answers from indexes, so no archive is ever read twice. Writes are idempotent
(sessions by their stable key), batched in transactions with executemany.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import astuple
from datetime import datetime, timezone

from plextray.core.model import IDENTITY_FIELDS, ClientIdentity, Device, WatchSession

_SESSION_COLUMNS = (
    "key", "client_id", "rating_key", "account", "start", "end", "start_utc", "end_utc",
    "watched_ms", "max_position_ms", "duration_ms", "resumed", "state", "live",
    "product", "platform", "device", "ip", "plex_session",
)  # fmt: skip
_UPSERT_SESSION = (
    f"INSERT INTO sessions ({', '.join(_SESSION_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _SESSION_COLUMNS)}) "
    "ON CONFLICT(key) DO UPDATE SET "
    + ", ".join(f"{col} = excluded.{col}" for col in _SESSION_COLUMNS if col != "key")
)
_UPSERT_DEVICE = f"""
    INSERT INTO devices ({', '.join(IDENTITY_FIELDS)}, first_seen, last_seen)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(client_id) DO UPDATE SET
        product = COALESCE(excluded.product, devices.product),
        platform = COALESCE(excluded.platform, devices.platform),
        device = COALESCE(excluded.device, devices.device),
        ip = CASE WHEN excluded.last_seen >= devices.last_seen THEN COALESCE(excluded.ip, devices.ip)
                  ELSE COALESCE(devices.ip, excluded.ip) END,
        account = CASE WHEN excluded.last_seen >= devices.last_seen
                  THEN COALESCE(excluded.account, devices.account)
                  ELSE COALESCE(devices.account, excluded.account) END,
        first_seen = MIN(devices.first_seen, excluded.first_seen),
        last_seen = MAX(devices.last_seen, excluded.last_seen)
"""


def _session_row(session: WatchSession) -> tuple[object, ...]:
    return (
        session.key, session.client_id, session.rating_key, session.account, session.start,
        session.end, session.start_utc, session.end_utc, session.watched_ms,
        session.max_position_ms, session.duration_ms, int(session.resumed), session.state,
        int(session.live), session.product, session.platform, session.device, session.ip,
        session.plex_session,
    )  # fmt: skip


def _device_row(device: Device) -> tuple[object, ...]:
    first = device.first_seen or device.last_seen or ""
    last = device.last_seen or device.first_seen or ""
    return (*astuple(device.identity), first, last)  # the devices table's columns, in order


def device_of(session: WatchSession) -> Device:
    """The device a session was watched on, as far as the session knows it."""
    return Device.seen(session.identity, session.start, session.end)


def _session_from(row: sqlite3.Row) -> WatchSession:
    session = WatchSession(
        key=row["key"], client_id=row["client_id"], rating_key=row["rating_key"], start=row["start"],
        end=row["end"], start_utc=row["start_utc"], end_utc=row["end_utc"], watched_ms=row["watched_ms"],
        max_position_ms=row["max_position_ms"], duration_ms=row["duration_ms"], resumed=bool(row["resumed"]),
        state=row["state"], live=bool(row["live"]), plex_session=row["plex_session"],
    )  # fmt: skip
    session.identity = ClientIdentity(*(row[name] for name in IDENTITY_FIELDS))  # same column names
    return session


def _who(client_ids: Iterable[str] | None, accounts: Iterable[str] | None) -> tuple[str, list[object]]:
    """SQL for "sessions of these devices OR these accounts" (None for both: everyone)."""
    clauses: list[str] = []
    params: list[object] = []
    if client_ids is not None:
        ids = list(client_ids)
        clauses.append(f"s.client_id IN ({', '.join('?' for _ in ids)})" if ids else "0")
        params.extend(ids)
    if accounts is not None:
        names = list(accounts)
        clauses.append(f"s.account IN ({', '.join('?' for _ in names)})" if names else "0")
        params.extend(names)
    if not clauses:
        return "1", params
    return "(" + " OR ".join(clauses) + ")", params


class HistoryStore:
    """Read and write the history tables over an open connection (store.db.connect)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._depth = 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; nested uses join the outer one."""
        if self._depth or self.conn.in_transaction:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self.conn.execute("ROLLBACK")
            raise
        self._depth = 0
        self.conn.execute("COMMIT")

    # ----------------------------------------------------------------- writes
    def upsert_device(self, device: Device) -> None:
        self.conn.execute(_UPSERT_DEVICE, _device_row(device))

    def upsert_devices(self, devices: Iterable[Device]) -> None:
        self.conn.executemany(_UPSERT_DEVICE, [_device_row(device) for device in devices])

    def upsert_session(self, session: WatchSession) -> None:
        """Insert or replace by key; creates the device row the session refers to if missing."""
        self.upsert_sessions([session])

    def upsert_sessions(self, sessions: Sequence[WatchSession]) -> None:
        if not sessions:
            return
        with self.transaction():
            self.upsert_devices(device_of(session) for session in sessions)
            self.conn.executemany(_UPSERT_SESSION, [_session_row(session) for session in sessions])

    def delete_sessions(self, keys: Iterable[str]) -> None:
        rows = [(key,) for key in keys]
        with self.transaction():
            stand_ins = {
                row[0] for key in rows
                for row in self.conn.execute("SELECT client_id FROM sessions WHERE key = ? AND client_id LIKE 'anon:%'", key)
            }
            self.conn.executemany("DELETE FROM sessions WHERE key = ?", rows)
            # a stand-in identity (core.sessions.stand_in_client) is no device once its session is gone
            self.conn.executemany(
                "DELETE FROM devices WHERE client_id = ? AND NOT EXISTS (SELECT 1 FROM sessions WHERE client_id = ?)",
                [(client, client) for client in stand_ins],
            )

    def set_watermark(self, source: str, position: int) -> None:
        self.conn.execute(
            "INSERT INTO import_watermark (source, position, updated) VALUES (?, ?, ?) "
            "ON CONFLICT(source) DO UPDATE SET position = excluded.position, updated = excluded.updated",
            (source, int(position), datetime.now(timezone.utc).isoformat(timespec="seconds")),
        )

    # ----------------------------------------------------------------- reads
    def get_watermark(self, source: str) -> int:
        row = self.conn.execute("SELECT position FROM import_watermark WHERE source = ?", (source,)).fetchone()
        return int(row[0]) if row else 0

    def devices(self) -> list[Device]:
        rows = self.conn.execute(
            "SELECT client_id, product, platform, device, ip, account, first_seen, last_seen "
            "FROM devices ORDER BY last_seen DESC"
        ).fetchall()
        return [Device(*tuple(row)) for row in rows]

    def sessions_between(
        self,
        start_local_iso: str,
        end_local_iso: str,
        *,
        client_ids: Iterable[str] | None = None,
        accounts: Iterable[str] | None = None,
    ) -> list[WatchSession]:
        """Sessions overlapping [start, end) in local time (ISO strings compare in order)."""
        who, params = _who(client_ids, accounts)
        rows = self.conn.execute(
            f"SELECT * FROM sessions s WHERE s.start < ? AND s.end >= ? AND {who} ORDER BY s.start, s.key",
            [end_local_iso, start_local_iso, *params],
        ).fetchall()
        return [_session_from(row) for row in rows]

    def ended_since(self, start_local_iso: str) -> list[WatchSession]:
        """Ended sessions that started at or after this local time (the folder's memory of
        plays that ended lately, so lines read again after a crash fold into nothing new)."""
        rows = self.conn.execute(
            "SELECT * FROM sessions s WHERE s.start >= ? AND s.live = 0 ORDER BY s.end_utc", [start_local_iso]
        ).fetchall()
        return [_session_from(row) for row in rows]

    def live_sessions(self) -> list[WatchSession]:
        rows = self.conn.execute("SELECT * FROM sessions s WHERE s.live = 1 ORDER BY s.end_utc").fetchall()
        return [_session_from(row) for row in rows]

    def watched_ms(
        self,
        *,
        client_ids: Iterable[str] | None,
        accounts: Iterable[str] | None,
        since_utc: float,
        until_utc: float,
    ) -> int:
        """Playing time inside [since, until): a session straddling a bound counts pro rata."""
        who, params = _who(client_ids, accounts)
        rows = self.conn.execute(
            f"SELECT s.start_utc, s.end_utc, s.watched_ms FROM sessions s "
            f"WHERE s.start_utc < ? AND s.end_utc >= ? AND {who}",
            [until_utc, since_utc, *params],
        ).fetchall()
        total = 0.0
        for start, end, watched in rows:
            span = end - start
            if span <= 0:
                total += watched if since_utc <= start < until_utc else 0
                continue
            inside = min(end, until_utc) - max(start, since_utc)
            total += watched * max(0.0, min(1.0, inside / span))
        return int(round(total))

    def distinct_titles(
        self,
        *,
        client_ids: Iterable[str] | None,
        accounts: Iterable[str] | None,
        since_utc: float,
        until_utc: float,
    ) -> set[str]:
        """What was watched in the window: the show for episodes, the artist for tracks, else the
        title — from the media cache; an item not cached yet counts as `rating_key:<n>`."""
        who, params = _who(client_ids, accounts)
        rows = self.conn.execute(
            f"SELECT DISTINCT COALESCE(m.grandparent_title, m.title, 'rating_key:' || s.rating_key) "
            f"FROM sessions s LEFT JOIN media m ON m.rating_key = s.rating_key "
            f"WHERE s.start_utc < ? AND s.end_utc >= ? AND s.rating_key IS NOT NULL AND {who}",
            [until_utc, since_utc, *params],
        ).fetchall()
        return {row[0] for row in rows}
