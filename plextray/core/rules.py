"""Check one play against a person's restrictions: what is broken, why, and what to do.

Pure: the engine builds a PlayContext, calls `evaluate`, then performs and records the actions.
Deduplication is the engine's job, keyed on (session, person, restriction_id): ids are stable
("restrictions[2]", "unknown_devices", "unknown_devices.restrictions[0]"). Quota warnings carry
their level (80 or 95) so each is shown once per person, restriction and period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from plextray.core.context import PERIOD_WORDS, PlayContext
from plextray.core.household import UNKNOWN_DEVICES_ID, Person, Restriction, UnknownDevicesPolicy
from plextray.core.restriction_types import UNKNOWN, VIOLATED, Verdict

WARNING_LEVELS = (95, 80)  # percent of a quota used, highest first
UNKNOWN_PERSON_LABEL = "Unknown device"


@dataclass(frozen=True, slots=True)
class Violation:
    person: str | None  # None: a device linked to nobody
    restriction_id: str
    kind: str
    reason: str  # "Emma · rating R > PG"
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QuotaWarning:
    person: str
    restriction_id: str
    level: int  # 80 or 95
    remaining: float  # minutes or titles left (never negative)
    unit: str  # "minutes" | "titles"
    per: str  # "day" | "week" | "month"
    message: str  # "Emma has 12 minutes left today"


@dataclass(frozen=True, slots=True)
class Evaluation:
    violations: tuple[Violation, ...] = ()
    warnings: tuple[QuotaWarning, ...] = ()
    pending: tuple[str, ...] = ()  # restriction ids that could not be decided yet (media unknown)

    @property
    def ok(self) -> bool:
        return not self.violations


def evaluate(person: Person | None, ctx: PlayContext, *, unknown_devices: UnknownDevicesPolicy | None = None) -> Evaluation:
    """Every restriction of `person` (or, when None, the unknown-devices policy) against `ctx`."""
    violations: list[Violation] = []
    warnings: list[QuotaWarning] = []
    pending: list[str] = []
    if person is None:
        policy = unknown_devices or UnknownDevicesPolicy()
        who = ctx.device or ctx.client_id or ctx.account or "?"
        if policy.actions:
            violations.append(
                Violation(None, UNKNOWN_DEVICES_ID, "unknown_device", f"{UNKNOWN_PERSON_LABEL} · {who} is linked to nobody", policy.actions)
            )
        restrictions, name, label = policy.restrictions, None, f"{UNKNOWN_PERSON_LABEL} {who}"
    else:
        restrictions, name, label = person.restrictions, person.name, person.name
    for restriction in restrictions:
        verdict = restriction.condition.evaluate(ctx)
        if verdict.state == VIOLATED:
            violations.append(_violation(name, label, restriction, verdict))
        elif verdict.state == UNKNOWN:
            pending.append(restriction.id)
        elif name is not None:
            warning = quota_warning(name, restriction, ctx)
            if warning is not None:
                warnings.append(warning)
    return Evaluation(tuple(violations), tuple(warnings), tuple(pending))


def _violation(name: str | None, label: str, restriction: Restriction, verdict: Verdict) -> Violation:
    return Violation(name, restriction.id, restriction.kind, f"{label} · {verdict.reason}", restriction.actions)


def quota_warning(name: str, restriction: Restriction, ctx: PlayContext) -> QuotaWarning | None:
    """The highest warning level reached by a quota that is not yet exceeded, if any: any
    condition that counts an allowance (its `meter`) is warned about the same way."""
    meter = restriction.condition.meter(ctx)
    if meter is None:
        return None
    limit, used = meter.limit, meter.used
    if limit <= 0:
        return None
    if used > limit:
        return None
    level = next((lvl for lvl in WARNING_LEVELS if used * 100 >= lvl * limit), None)
    if level is None:
        return None
    remaining = max(0.0, limit - used)
    return QuotaWarning(name, restriction.id, level, remaining, meter.unit, meter.per,
                        left_message(name, remaining, meter.unit, meter.per))


def left_message(name: str, remaining: float, unit: str, per: str) -> str:
    """'Emma has 12 minutes left today' (minutes rounded down: never promise time that isn't there)."""
    count = int(math.floor(remaining + 1e-9))
    noun = unit[:-1] if count == 1 else unit
    return f"{name} has {count} {noun} left {PERIOD_WORDS[per]}"


def describe_actions(actions: tuple[str, ...]) -> str:
    return ", ".join(actions) if actions else "record only"


def tonight_end(person: Person | None, now: datetime) -> datetime:
    """When "no bedtime tonight" should end: the latest end of the windows the person's rules
    say a lift relaxes (their `lift_windows`: time and streak windows, inside all/any/not too)
    in progress now (at 02:00 "tonight" is the night under way); if none, of those starting
    later today; if none, tomorrow noon."""
    in_progress: list[datetime] = []
    later: list[datetime] = []
    for restriction in person.restrictions if person else ():
        for window in restriction.condition.lift_windows():
            current = window.occurrence(now)
            if current is not None:
                in_progress.append(current[1])
            if now.weekday() in window.days:
                begin, finish = window.bounds(now.date())
                if begin > now:
                    later.append(finish)
    if in_progress or later:
        return max(in_progress or later)
    return datetime.combine(now.date() + timedelta(days=1), datetime.min.time()).replace(hour=12)

