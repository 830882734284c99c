"""Today, per person: minutes watched and left, tonight's bedtime, and extra time given.

What the settings window's Today tab and `plextray grant` tell a parent: after a grant the answer
is the new time left, not just "granted". Grants go straight into the history database (the
running engine reads them on every check), so this works with or without a running plextray,
and a grant just made can be undone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from plextray.errors import PlexTrayError
from plextray.paths import AppPaths

_AMOUNT = re.compile(r"^\+?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)(?:m|min)?)?$", re.IGNORECASE)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


class GrantError(PlexTrayError):
    """The grant asked for cannot be made (unknown person, bad amount)."""

    exit_status = 2


def parse_amount(text: str) -> int:
    """'+30m' → 30, '+1h' → 60, '+1h30m' → 90, '+90' → 90."""
    match = _AMOUNT.match(text.strip())
    if not match or not (match.group("h") or match.group("m")):
        raise GrantError(f"cannot read the amount {text!r} (use +30m, +1h, +1h30m or +90)")
    minutes = int(match.group("h") or 0) * 60 + int(match.group("m") or 0)
    if minutes <= 0:
        raise GrantError("the amount must be more than zero minutes")
    if minutes > 24 * 60:
        raise GrantError("at most 24 hours can be granted at once")
    return minutes


def next_clock(now: datetime, text: str) -> datetime:
    """The next moment the wall clock reads HH:MM after `now` (tomorrow if already past)."""
    match = _CLOCK.match(text.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise GrantError(f"bad time {text!r} (expected HH:MM, 00:00–23:59)")
    moment = datetime.combine(now.date(), datetime.min.time()).replace(hour=int(match.group(1)), minute=int(match.group(2)))
    return moment if moment > now else moment + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PersonToday:
    name: str
    watched_minutes: int
    limit_minutes: int | None  # today's minute quota with today's grants; None: no daily minute quota
    granted_minutes: int
    bedtime: str | None  # "20:30": tonight's time window (or the one under way); None: none today
    lifted_until: datetime | None  # a grant lifting the time windows, while it lasts

    @property
    def left_minutes(self) -> int | None:
        return None if self.limit_minutes is None else max(0, self.limit_minutes - self.watched_minutes)

    def sentence(self, now: datetime) -> str:
        """'Emma: 50 min watched, 1 h 10 min left today; bedtime 20:30.'"""
        parts = [f"{_duration(self.watched_minutes)} watched"]
        if self.left_minutes is not None:
            parts.append(f"{_duration(self.left_minutes)} left today (of {_duration(self.limit_minutes or 0)})")
        else:
            parts.append("no daily limit")
        text = f"{self.name}: {', '.join(parts)}"
        if self.lifted_until is not None and self.lifted_until > now:
            return text + f"; no bedtime until {self.lifted_until:%H:%M}."
        return text + (f"; bedtime {self.bedtime}." if self.bedtime else "; no bedtime today.")


def _duration(minutes: int) -> str:
    hours, rest = divmod(max(0, int(minutes)), 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def today(paths: AppPaths, now: datetime | None = None, *, person: str | None = None) -> list[PersonToday]:
    """Everyone with a rule (or the one named), as of `now`."""
    from plextray.profiles.store import ProfileStore
    from plextray.store.db import connect

    now = now or datetime.now()
    profiles = ProfileStore(paths.profiles).load()
    people = [p for p in profiles.people if p.restrictions and (person is None or p.name.casefold() == person.casefold())]
    conn = connect(paths.database)
    try:
        return [_person_today(conn, p, now) for p in people]
    finally:
        conn.close()


def _person_today(conn: Any, person: Any, now: datetime) -> PersonToday:
    from plextray.store.violations import EnforcementStore
    from plextray.store.usage import UsageQueries

    day = now.date()
    lo, hi = day.isoformat(), (day + timedelta(days=1)).isoformat()
    watched_ms = UsageQueries(conn).watched_ms(list(person.devices), list(person.accounts), lo, hi)
    grants = EnforcementStore(conn).grants_for(person.name, day)
    quotas = [r.spec["minutes"] for r in person.restrictions
              if r.spec.get("type") == "quota" and r.spec.get("per", "day") == "day" and "minutes" in r.spec]
    limit = min(quotas) + grants.extra_minutes if quotas else None
    return PersonToday(person.name, int(round(watched_ms / 60000)), limit, grants.extra_minutes,
                       _bedtime(person, now), grants.lift_until if grants.lift_until and grants.lift_until > now else None)


def _bedtime(person: Any, now: datetime) -> str | None:
    """The start of the time window under way or the next one today (top-level time rules)."""
    from plextray.core.restrictions import TimeCondition

    starts: list[datetime] = []
    for restriction in person.restrictions:
        condition = restriction.condition
        if not isinstance(condition, TimeCondition):
            continue
        window = condition.window
        current = window.occurrence(now)
        if current is not None:
            starts.append(current[0])
        elif now.weekday() in window.days:
            begin, _end = window.bounds(now.date())
            if begin > now:
                starts.append(begin)
    return f"{min(starts):%H:%M}" if starts else None


@dataclass(frozen=True, slots=True)
class Granted:
    grant_id: int
    before: PersonToday
    after: PersonToday

    def sentence(self, now: datetime) -> str:
        what = []
        if self.after.granted_minutes > self.before.granted_minutes:
            what.append(f"+{self.after.granted_minutes - self.before.granted_minutes} min")
        if self.after.lifted_until is not None and self.after.lifted_until != self.before.lifted_until:
            what.append(f"no bedtime until {self.after.lifted_until:%H:%M}")
        return f"Granted {' and '.join(what) or 'nothing new'}. {self.after.sentence(now)}"


def grant(paths: AppPaths, name: str, *, minutes: int = 0, lift_until: datetime | None = None,
          now: datetime | None = None) -> Granted:
    """Record a grant for today and say where it leaves the person (ValueError: no such person)."""
    from plextray.profiles.store import ProfileStore
    from plextray.store.db import connect
    from plextray.store.violations import EnforcementStore

    now = now or datetime.now()
    person = ProfileStore(paths.profiles).load().person_named(name)
    if person is None:
        raise ValueError(name)
    conn = connect(paths.database)
    try:
        before = _person_today(conn, person, now)
        grant_id = EnforcementStore(conn).add_grant(person.name, now.date(), minutes, lift_until, created=now)
        after = _person_today(conn, person, now)
    finally:
        conn.close()
    return Granted(grant_id, before, after)


def undo(paths: AppPaths, grant_id: int) -> bool:
    from plextray.store.db import connect
    from plextray.store.violations import EnforcementStore

    conn = connect(paths.database)
    try:
        return EnforcementStore(conn).remove_grant(grant_id)
    finally:
        conn.close()
