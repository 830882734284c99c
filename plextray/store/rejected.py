"""Refused playback reports per day and address, for the day's report (see core.suspicious)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class RejectedRow:
    day: str
    ip: str
    count: int
    first: str  # ISO local time of the first refused report that day
    last: str
    claimed: str | None  # the client id the latest one claimed (untrusted)


class RejectedStore:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, when: str, ip: str | None, claimed: str | None) -> None:
        """Count one refused report (`when`: ISO local time from the log line)."""
        self.conn.execute(
            "INSERT INTO rejected_requests(day, ip, count, first, last, claimed) VALUES (?, ?, 1, ?, ?, ?)"
            " ON CONFLICT(day, ip) DO UPDATE SET count = count + 1, last = MAX(last, excluded.last),"
            " first = MIN(first, excluded.first), claimed = COALESCE(excluded.claimed, claimed)",
            (when[:10], ip or "?", when, when, claimed),
        )

    def for_day(self, day: date) -> list[RejectedRow]:
        rows = self.conn.execute(
            "SELECT day, ip, count, first, last, claimed FROM rejected_requests WHERE day = ? ORDER BY count DESC, ip",
            (day.isoformat(),),
        )
        return [RejectedRow(*row) for row in rows]
