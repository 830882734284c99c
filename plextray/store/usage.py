"""How much a person has watched in a period, answered by SQL over the indexed start times.

The engine asks this every time it checks a play (every second while something plays), so the
answers are aggregates over `start >= ? AND start < ?` ranges that use the (client_id, start) and
(account, start) indexes, never a scan of the whole history. A play counts in the period in which
it started; the play being checked is left out (the engine adds its live figures).
Minutes over whole days (every period the engine asks about) come from the `usage_daily`
aggregates (store.usage_daily), so a month costs a few hundred rows, not every session of it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from plextray.store.usage_daily import UsageAggregates, day_span, who_clause


@dataclass(frozen=True, slots=True)
class EpisodePlay:
    start: str  # ISO local
    end: str


class UsageQueries:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def watched_ms(self, client_ids: Sequence[str], accounts: Sequence[str], lo: str, hi: str, *, exclude_key: str | None = None) -> int:
        who, params = who_clause("s", client_ids, accounts)
        days = day_span(lo, hi)
        if days is not None:
            total = UsageAggregates(self.conn).watched_ms(client_ids, accounts, *days, started=True)
            if exclude_key:
                row = self.conn.execute(
                    f"SELECT COALESCE(SUM(s.watched_ms), 0) FROM sessions s WHERE s.key = ? AND {who} "
                    "AND s.start >= ? AND s.start < ?",
                    [exclude_key, *params, lo, hi],
                ).fetchone()
                total -= row[0]
            return int(round(total))
        row = self.conn.execute(
            f"SELECT COALESCE(SUM(s.watched_ms), 0) FROM sessions s WHERE {who} AND s.start >= ? AND s.start < ? AND s.key != ?",
            [*params, lo, hi, exclude_key or ""],
        ).fetchone()
        return int(row[0])

    def titles(self, client_ids: Sequence[str], accounts: Sequence[str], lo: str, hi: str, *, exclude_key: str | None = None) -> set[str]:
        """Distinct titles: a show for all its episodes (when its metadata is cached), else the item."""
        who, params = who_clause("s", client_ids, accounts)
        rows = self.conn.execute(
            "SELECT DISTINCT CASE WHEN m.type = 'episode' AND m.grandparent_title IS NOT NULL"
            " THEN 'show:' || m.grandparent_title ELSE 'item:' || s.rating_key END"
            f" FROM sessions s LEFT JOIN media m ON m.rating_key = s.rating_key"
            f" WHERE {who} AND s.start >= ? AND s.start < ? AND s.key != ? AND s.rating_key IS NOT NULL",
            [*params, lo, hi, exclude_key or ""],
        ).fetchall()
        return {row[0] for row in rows}

    def episodes(self, client_ids: Sequence[str], accounts: Sequence[str], lo: str, hi: str, *, exclude_key: str | None = None) -> list[EpisodePlay]:
        """Episode plays started in [lo, hi), oldest first (for the night's back-to-back streak)."""
        who, params = who_clause("s", client_ids, accounts)
        rows = self.conn.execute(
            "SELECT s.start, s.end FROM sessions s JOIN media m ON m.rating_key = s.rating_key"
            f" WHERE {who} AND s.start >= ? AND s.start < ? AND s.key != ? AND m.type = 'episode' ORDER BY s.start",
            [*params, lo, hi, exclude_key or ""],
        ).fetchall()
        return [EpisodePlay(row[0], row[1]) for row in rows]
