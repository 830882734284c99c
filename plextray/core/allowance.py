"""How many minutes a person has left today: their daily minutes quota, plus today's grants,
minus what they watched (pure). What Home Assistant's "minutes left today" shows."""

from __future__ import annotations

import math

from plextray.core.household import Person
from plextray.core.restrictions import QuotaCondition


def daily_minutes_quota(person: Person) -> int | None:
    """The tightest top-level "minutes per day" quota, or None when no such quota applies.
    (A quota inside all/any/not holds only some of the time, so it cannot promise minutes.)"""
    amounts = [
        r.condition.amount
        for r in person.restrictions
        if isinstance(r.condition, QuotaCondition) and r.condition.unit == "minutes" and r.condition.per == "day"
    ]
    return min(amounts) if amounts else None


def minutes_left(quota: int, extra_minutes: int, watched_minutes: float) -> int:
    """Whole minutes left, rounded down (never promise time that is not there), never negative.
    The quota is broken when watched > quota + extra, as QuotaCondition says."""
    return max(0, math.floor(quota + extra_minutes - watched_minutes + 1e-9))
