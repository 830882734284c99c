"""Violations, the actions taken on them, and parents' grants, in the history database.

The engine thread is the single writer; `plextray grant` writes a grant from another process
(SQLite's WAL lets it) and the engine reads it back on its next check: grants are never cached.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from plextray.core.context import GrantTotals, period_bounds
from plextray.core.report_model import ActionRow, ViolationRow
from plextray.core.rules import Violation


@dataclass(frozen=True, slots=True)
class Grant:
    id: int
    person: str
    day: str
    minutes: int
    lift_until: str | None
    created: str


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class EnforcementStore:
    """Reads and writes the violations, actions and grants tables of one connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def record_violation(
        self,
        violation: Violation,
        *,
        time: datetime,
        time_utc: float,
        client_id: str | None = None,
        session_key: str | None = None,
        rating_key: str | None = None,
    ) -> int:
        """Store one violation (its reason as the parent reads it); returns its id for actions."""
        cursor = self.conn.execute(
            "INSERT INTO violations(time, time_utc, person, client_id, session_key, rating_key, restriction, reason)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (_iso(time), time_utc, violation.person, client_id, session_key, rating_key,
             violation.restriction_id, violation.reason),
        )
        return int(cursor.lastrowid or 0)

    def reassign_violation(self, violation_id: int, *, client_id: str, session_key: str) -> None:
        """A violation recorded under a stand-in identity belongs to the device named a line later."""
        self.conn.execute(
            "UPDATE violations SET client_id = ?, session_key = ? WHERE id = ?", (client_id, session_key, violation_id)
        )

    def record_action(self, violation_id: int | None, action: str, outcome: str, detail: str = "", *, time: datetime) -> int:
        """What was done about a violation: e.g. ("stop", "done", "stopped at 22:41 on iPad")."""
        cursor = self.conn.execute(
            "INSERT INTO actions(violation_id, time, action, outcome, detail) VALUES (?, ?, ?, ?, ?)",
            (violation_id, _iso(time), action, outcome, detail),
        )
        return int(cursor.lastrowid or 0)

    def violations(self, *, since: datetime | None = None, person: str | None = None, limit: int = 1000) -> list[ViolationRow]:
        """Recorded violations, newest first, each with its actions (the rows reports show)."""
        sql = "SELECT * FROM violations WHERE 1=1"
        params: list[object] = []
        if since is not None:
            sql += " AND time >= ?"
            params.append(_iso(since))
        if person is not None:
            sql += " AND person = ? COLLATE NOCASE"
            params.append(person)
        sql += " ORDER BY time DESC, id DESC LIMIT ?"
        params.append(limit)
        rows = self.conn.execute(sql, params).fetchall()
        out = []
        for row in rows:
            acts = self.conn.execute(
                "SELECT time, action, outcome, detail FROM actions WHERE violation_id = ? ORDER BY id", (row["id"],)
            ).fetchall()
            out.append(ViolationRow(
                row["id"], row["time"], row["person"], row["client_id"], row["session_key"], row["rating_key"],
                row["restriction"], row["reason"], tuple(ActionRow(a[0], a[1], a[2], a[3] or "") for a in acts),
            ))
        return out

    def add_grant(
        self, person: str, day: date, minutes: int = 0, lift_until: datetime | None = None, *, created: datetime | None = None
    ) -> int:
        """Record a parent's grant: extra minutes for `day`, and/or time windows lifted until a moment."""
        if minutes < 0:
            raise ValueError("a grant cannot take minutes away")
        stamp = created or datetime.now()
        cursor = self.conn.execute(
            "INSERT INTO grants(person, day, minutes, lift_until, created) VALUES (?, ?, ?, ?, ?)",
            (person, day.isoformat(), int(minutes), _iso(lift_until) if lift_until else None, _iso(stamp)),
        )
        return int(cursor.lastrowid or 0)

    def remove_grant(self, grant_id: int) -> bool:
        """Undo a grant just made (the Today panel's Undo). True when there was one to remove."""
        cursor = self.conn.execute("DELETE FROM grants WHERE id = ?", (int(grant_id),))
        return cursor.rowcount > 0

    def grants(self, person: str, since: date, until: date) -> list[Grant]:
        """The person's grants for days in [since, until)."""
        rows = self.conn.execute(
            "SELECT id, person, day, minutes, lift_until, created FROM grants"
            " WHERE person = ? COLLATE NOCASE AND day >= ? AND day < ? ORDER BY id",
            (person, since.isoformat(), until.isoformat()),
        ).fetchall()
        return [Grant(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]

    def grants_for(self, person: str, day: date) -> GrantTotals:
        """Totals for checks on `day`: its extra minutes (and the week's and month's, for longer
        quotas), and the latest lift granted on that day or the day before (a lift given on
        Friday evening until 01:00 still holds on Saturday at 00:30)."""
        noon = datetime.combine(day, datetime.min.time())
        week_start, week_end = period_bounds(noon, "week")
        month_start, month_end = period_bounds(noon, "month")
        since = min(week_start, month_start).date()
        until = max(week_end, month_end).date()
        rows = self.grants(person, min(since, day - timedelta(days=1)), until)
        day_text = day.isoformat()
        extra = week = month = 0
        lift: datetime | None = None
        for grant in rows:
            grant_day = date.fromisoformat(grant.day)
            if grant.day == day_text:
                extra += grant.minutes
            if week_start.date() <= grant_day < week_end.date() and grant_day <= day:
                week += grant.minutes
            if month_start.date() <= grant_day < month_end.date() and grant_day <= day:
                month += grant.minutes
            if grant.lift_until and grant_day in (day, day - timedelta(days=1)):
                moment = datetime.fromisoformat(grant.lift_until)
                lift = moment if lift is None or moment > lift else lift
        return GrantTotals(extra_minutes=extra, lift_until=lift, week_extra_minutes=week, month_extra_minutes=month)

    def last_stops(self) -> dict[str, tuple[str, str]]:
        """Each person's last play that was really stopped: person -> (reason, ISO local time).
        Read when the engine starts and after each stop, never per check."""
        rows = self.conn.execute(
            "SELECT v.person, v.reason, a.time, MAX(a.id) FROM actions a JOIN violations v ON v.id = a.violation_id"
            " WHERE a.action = 'stop' AND a.outcome = 'ok' AND v.person IS NOT NULL GROUP BY v.person"
        ).fetchall()
        return {row[0]: (row[1], row[2]) for row in rows}
