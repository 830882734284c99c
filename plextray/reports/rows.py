"""Row reads for reports: sessions, media, violations, grants and quota usage, each bounded by an
indexed range so a day costs the same after years of history.

Sessions are found by their start (index sessions_by_start) inside [day − MAX_SESSION_SPAN, day end):
a sitting longer than MAX_SESSION_SPAN that began before that window is not shown on later days.
Both report builders (queries for days, aggregate_queries for weeks and months) read through here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from plextray.core.model import MediaInfo
from plextray.core.report_fold import (
    ActionRow,
    DayReport,
    PersonLink,
    SessionRow,
    ViolationRow,
    day_bounds,
    period_for,
    quota_usage_from,
)

MAX_SESSION_SPAN = timedelta(hours=24)
_CHUNK = 500

_SESSION_COLUMNS = (
    "key, client_id, rating_key, account, start, end, watched_ms, max_position_ms, duration_ms, "
    "state, live, device, product, platform, plex_session"
)


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def history_start(conn: sqlite3.Connection) -> date | None:
    """The day of the first recorded play (MIN over the start index: instant)."""
    row = conn.execute("SELECT MIN(start) FROM sessions").fetchone()
    return datetime.fromisoformat(row[0]).date() if row and row[0] else None


def sessions_between(conn: sqlite3.Connection, lo: datetime, hi: datetime) -> list[SessionRow]:
    """Sessions overlapping [lo, hi) that began at most MAX_SESSION_SPAN before lo."""
    rows = conn.execute(
        f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE start >= ? AND start < ? AND end >= ? ORDER BY start",
        (_iso(lo - MAX_SESSION_SPAN), _iso(hi), _iso(lo)),
    )
    return [
        SessionRow(
            key=r[0],
            client_id=r[1],
            rating_key=r[2],
            account=r[3],
            start=r[4],
            end=r[5],
            watched_ms=r[6] or 0,
            max_position_ms=r[7] or 0,
            duration_ms=r[8],
            state=r[9],
            live=bool(r[10]),
            device=r[11],
            product=r[12],
            platform=r[13],
            plex_session=r[14],
        )
        for r in rows
    ]


def media_for(conn: sqlite3.Connection, keys: Iterable[str | None]) -> dict[str, MediaInfo]:
    """The cached metadata of these rating keys (missing keys are simply absent)."""
    wanted = sorted({k for k in keys if k})
    out: dict[str, MediaInfo] = {}
    for i in range(0, len(wanted), _CHUNK):
        part = wanted[i : i + _CHUNK]
        marks = ",".join("?" * len(part))
        for r in conn.execute(
            "SELECT rating_key, title, type, grandparent_title, parent_title, idx, parent_idx, library, "
            f"library_id, labels, content_rating, duration_ms, year FROM media WHERE rating_key IN ({marks})",
            part,
        ):
            try:
                labels = tuple(json.loads(r[9] or "[]"))
            except ValueError:
                labels = ()
            out[r[0]] = MediaInfo(
                rating_key=r[0],
                title=r[1],
                type=r[2],
                grandparent_title=r[3],
                parent_title=r[4],
                index=r[5],
                parent_index=r[6],
                library=r[7],
                library_id=r[8],
                labels=labels,
                content_rating=r[10],
                duration_ms=r[11],
                year=r[12],
            )
    return out


def violations_between(conn: sqlite3.Connection, lo: datetime, hi: datetime) -> list[ViolationRow]:
    """Violations recorded in [lo, hi) with the actions taken for each (index violations_by_time)."""
    rows = conn.execute(
        "SELECT id, time, person, client_id, session_key, rating_key, restriction, reason "
        "FROM violations WHERE time >= ? AND time < ? ORDER BY time, id",
        (_iso(lo), _iso(hi)),
    ).fetchall()
    actions: dict[int, list[ActionRow]] = {}
    ids = [r[0] for r in rows]
    for i in range(0, len(ids), _CHUNK):
        part = ids[i : i + _CHUNK]
        marks = ",".join("?" * len(part))
        for a in conn.execute(
            f"SELECT violation_id, time, action, outcome, detail FROM actions WHERE violation_id IN ({marks}) "
            "ORDER BY time, id",
            part,
        ):
            actions.setdefault(a[0], []).append(ActionRow(a[1], a[2], a[3], a[4] or ""))
    return [
        ViolationRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], tuple(actions.get(r[0], ())))
        for r in rows
    ]


def grants_on(conn: sqlite3.Connection, day: date) -> dict[str, int]:
    """Extra minutes granted per person for this day."""
    return {
        r[0]: int(r[1] or 0)
        for r in conn.execute("SELECT person, SUM(minutes) FROM grants WHERE day = ? GROUP BY person", (day.isoformat(),))
    }


def quota_usage(
    conn: sqlite3.Connection, day: date, people: Sequence[PersonLink], day_report: DayReport | None = None
) -> dict[tuple[str, str, str], float]:
    """(person, per, unit) → usage in the quota period containing `day`, up to the end of `day`."""
    out: dict[tuple[str, str, str], float] = {}
    periods = {q.per for p in people for q in p.quotas}
    for per in sorted(periods):
        first, _ = period_for(day, per)
        lo, hi = day_bounds(first)[0], day_bounds(day)[1]
        rows = conn.execute(
            "SELECT client_id, account, rating_key, SUM(watched_ms) / 60000.0 FROM sessions "
            "WHERE start >= ? AND start < ? GROUP BY client_id, account, rating_key",
            (_iso(lo), _iso(hi)),
        )
        folded = quota_usage_from(((r[0], r[1], r[2], r[3] or 0.0) for r in rows), people)
        for person in people:
            minutes, titles = folded.get(person.name, (0.0, set()))
            shown = day_report.person(person.name) if (per == "day" and day_report is not None) else None
            if shown is not None:
                minutes = shown.total_minutes  # split at midnight, like the report
            out[(person.name, per, "minutes")] = minutes
            out[(person.name, per, "titles")] = float(len(titles))
    return out
