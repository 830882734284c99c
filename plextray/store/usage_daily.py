"""Minutes, plays and titles per device, account and item per day: the `usage_daily` table.

Why: a month's report or a "minutes watched today" sensor must not re-read every session. SQLite
triggers on `sessions` (migration 0005_usage_daily) keep this table in step with every write —
the engine's live upserts, `import`, deletes — so no writer can forget it, and the migration
builds it once from the history already there.

Per day and row it holds `watched_ms` (the session's watched time shared across the days it
spans, in proportion to wall-clock overlap, exactly as the day report splits it), `started_ms`
(the whole session on the day it started: what week and month quotas count, like the engine) and
`plays` (sessions started that day). People are not stored: who a device or account belongs to
is profiles.json's to say, at read time (`minutes_by_person`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

Owner = tuple[str, str | None]  # (client_id, account or None)


@dataclass(frozen=True, slots=True)
class DayUsage:
    """One device/account's usage on one day."""

    day: date
    client_id: str
    account: str | None
    watched_ms: float
    started_ms: float
    plays: int


@dataclass(frozen=True, slots=True)
class TitleUsage:
    """One device/account's use of one title group (a show, or an item) over a span of days."""

    client_id: str
    account: str | None
    group: str  # "show:<name>" for a cached episode, else "item:<rating key>"
    rating_keys: int  # distinct items (episodes of a show)
    watched_ms: float
    plays: int
    first_key: str  # one rating key of the group (its metadata names the group)


class Someone(Protocol):
    """Whose usage to add up: a core.profiles.Person, a reports PersonLink or a PersonKeys."""

    @property
    def name(self) -> str: ...

    @property
    def devices(self) -> Collection[str]: ...

    @property
    def accounts(self) -> Collection[str]: ...


@dataclass(frozen=True, slots=True)
class PersonKeys:
    """Whose usage to add up: a person's devices and accounts (accounts compare without case)."""

    name: str
    devices: frozenset[str] = frozenset()
    accounts: frozenset[str] = frozenset()


def _iso(day: date) -> str:
    return day.isoformat()


def who_clause(table: str, client_ids: Sequence[str], accounts: Sequence[str]) -> tuple[str, list[str]]:
    """The SQL condition (and its parameters) for rows of `table` (an alias with `client_id` and
    `account` columns) played by any of these devices or accounts; "0" (none) for neither."""
    parts: list[str] = []
    params: list[str] = []
    if client_ids:
        parts.append(f"{table}.client_id IN ({','.join('?' * len(client_ids))})")
        params.extend(client_ids)
    if accounts:
        parts.append(f"{table}.account COLLATE NOCASE IN ({','.join('?' * len(accounts))})")
        params.extend(accounts)
    return ("(" + " OR ".join(parts) + ")" if parts else "0"), params


def is_midnight(iso: str) -> bool:
    """True for a local day boundary ("YYYY-MM-DDT00:00:00"): the aggregates answer those ranges."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return False
    return moment.tzinfo is None and moment.time() == datetime.min.time()


class UsageAggregates:
    """Reads over `usage_daily`, each a range of days on its primary key or (device|account, day) index."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def by_day(self, first: date, last: date) -> list[DayUsage]:
        """Per day, device and account, over [first, last] (inclusive)."""
        rows = self.conn.execute(
            "SELECT day, client_id, account, SUM(watched_ms), SUM(started_ms), SUM(plays) FROM usage_daily "
            "WHERE day >= ? AND day <= ? GROUP BY day, client_id, account",
            (_iso(first), _iso(last)),
        )
        return [
            DayUsage(date.fromisoformat(r[0]), r[1], r[2] or None, float(r[3]), float(r[4]), int(r[5]))
            for r in rows
        ]

    def titles(self, first: date, last: date) -> list[TitleUsage]:
        """Per device, account and title group over [first, last]: a show for all its cached episodes."""
        rows = self.conn.execute(
            "SELECT u.client_id, u.account, CASE WHEN m.type = 'episode' AND m.grandparent_title IS NOT NULL "
            "THEN 'show:' || m.grandparent_title ELSE 'item:' || u.rating_key END AS grp, "
            "COUNT(DISTINCT u.rating_key), SUM(u.watched_ms), SUM(u.plays), MIN(u.rating_key) "
            "FROM usage_daily u LEFT JOIN media m ON m.rating_key = u.rating_key "
            "WHERE u.day >= ? AND u.day <= ? AND u.rating_key != '' GROUP BY u.client_id, u.account, grp",
            (_iso(first), _iso(last)),
        )
        return [TitleUsage(r[0], r[1] or None, r[2], int(r[3]), float(r[4]), int(r[5]), r[6]) for r in rows]

    def title_groups_by_day(self, first: date, last: date) -> list[tuple[date, str, str | None, str]]:
        """(day, client_id, account, title group) for every group started on a day of [first, last]."""
        rows = self.conn.execute(
            "SELECT DISTINCT u.day, u.client_id, u.account, CASE WHEN m.type = 'episode' AND "
            "m.grandparent_title IS NOT NULL THEN 'show:' || m.grandparent_title ELSE 'item:' || u.rating_key END "
            "FROM usage_daily u LEFT JOIN media m ON m.rating_key = u.rating_key "
            "WHERE u.day >= ? AND u.day <= ? AND u.rating_key != '' AND u.plays > 0",
            (_iso(first), _iso(last)),
        )
        return [(date.fromisoformat(r[0]), r[1], r[2] or None, r[3]) for r in rows]

    def title_groups(self, first: date, last: date) -> list[tuple[str, str | None, str]]:
        """(client_id, account, title group) started in [first, last], each once."""
        rows = self.conn.execute(
            "SELECT DISTINCT u.client_id, u.account, CASE WHEN m.type = 'episode' AND "
            "m.grandparent_title IS NOT NULL THEN 'show:' || m.grandparent_title ELSE 'item:' || u.rating_key END "
            "FROM usage_daily u LEFT JOIN media m ON m.rating_key = u.rating_key "
            "WHERE u.day >= ? AND u.day <= ? AND u.rating_key != '' AND u.plays > 0",
            (_iso(first), _iso(last)),
        )
        return [(r[0], r[1] or None, r[2]) for r in rows]

    def started_by_owner(self, first: date, last: date) -> list[tuple[str, str | None, float]]:
        """(client_id, account, whole-session ms started) over [first, last]."""
        rows = self.conn.execute(
            "SELECT client_id, account, SUM(started_ms) FROM usage_daily WHERE day >= ? AND day <= ? "
            "GROUP BY client_id, account",
            (_iso(first), _iso(last)),
        )
        return [(r[0], r[1] or None, float(r[2])) for r in rows]

    def watched_ms(self, client_ids: Sequence[str], accounts: Sequence[str], first: date, last: date,
                   *, started: bool = True) -> float:
        """Milliseconds watched by these devices or accounts over [first, last]; `started`: whole
        sessions on their start day (quotas), else each day's split share (reports)."""
        who, params = who_clause("u", client_ids, accounts)
        column = "started_ms" if started else "watched_ms"
        row = self.conn.execute(
            f"SELECT COALESCE(SUM(u.{column}), 0) FROM usage_daily u WHERE {who} AND u.day >= ? AND u.day <= ?",
            [*params, _iso(first), _iso(last)],
        ).fetchone()
        return float(row[0])

    def minutes_by_person(self, people: Iterable[Someone], first: date, last: date | None = None) -> dict[str, float]:
        """Minutes watched per person over [first, last] (default: the one day), split at midnight —
        the figure a "minutes watched today" sensor shows. A device listed by a person counts for that
        person, else its account's owner (as the reports and rules decide)."""
        last = last or first
        owners = _owner_lookup(list(people))
        out = {name: 0.0 for name in owners.names}
        for row in self.by_day(first, last):
            name = owners(row.client_id, row.account)
            if name is not None:
                out[name] += row.watched_ms / 60000.0
        return out

    def titles_by_person(self, people: Iterable[Someone], first: date, last: date | None = None) -> dict[str, int]:
        """Distinct titles started per person over [first, last] (default: the one day), counted as
        the quotas count them: a show once for all its episodes, a film once."""
        last = last or first
        owners = _owner_lookup(list(people))
        seen: dict[str, set[str]] = {name: set() for name in owners.names}
        for client_id, account, group in self.title_groups(first, last):
            name = owners(client_id, account)
            if name is not None:
                seen[name].add(group)
        return {name: len(groups) for name, groups in seen.items()}

    def minutes_by_device(self, day: date) -> dict[str, float]:
        """Minutes watched per device (client id) on `day`, split at midnight."""
        out: dict[str, float] = {}
        for row in self.by_day(day, day):
            out[row.client_id] = out.get(row.client_id, 0.0) + row.watched_ms / 60000.0
        return out


class _owner_lookup:
    def __init__(self, people: list[Someone]) -> None:
        self.names = [p.name for p in people]
        self.by_device: dict[str, str] = {}
        self.by_account: dict[str, str] = {}
        for person in people:
            for device in person.devices:
                self.by_device.setdefault(device, person.name)
            for account in person.accounts:
                self.by_account.setdefault(account.casefold(), person.name)

    def __call__(self, client_id: str, account: str | None) -> str | None:
        found = self.by_device.get(client_id)
        if found is None and account:
            found = self.by_account.get(account.casefold())
        return found


def day_span(lo_iso: str, hi_iso: str) -> tuple[date, date] | None:
    """[lo, hi) as whole days (first, last inclusive) when both are midnights, else None."""
    if not (is_midnight(lo_iso) and is_midnight(hi_iso)):
        return None
    first = datetime.fromisoformat(lo_iso).date()
    last = datetime.fromisoformat(hi_iso).date() - timedelta(days=1)
    return (first, last) if last >= first else None
