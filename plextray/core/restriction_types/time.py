"""`{"type": "time", "days": D, "from": "HH:MM", "to": "HH:MM"}`: no watching inside a weekly window.

`to` ≤ `from` crosses midnight and belongs to the day it starts; a parent's "no bedtime tonight"
(`lift_until`) lifts it. Named "bedtime" when it crosses midnight, "no-watching time" otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from plextray.core.context import PlayContext
from plextray.core.time_windows import TimeWindow
from plextray.core.restriction_types.base import (
    OK,
    VIOLATED,
    Condition,
    ConditionDefaults,
    RestrictionType,
    Verdict,
    register,
)
from plextray.core.restriction_types.windows import (
    WINDOW_KEYS,
    read_window,
    window_fields,
    window_from_form,
    window_slots,
    window_summary,
    window_words,
)
from plextray.core.specs import Reader


@dataclass(frozen=True, slots=True)
class TimeCondition(ConditionDefaults):
    """Watching inside a weekly window (honours a parent's `lift_until` grant)."""

    window: TimeWindow
    label: str
    kind: str = "time"

    def evaluate(self, ctx: PlayContext) -> Verdict:
        span = f"{self.label} {self.window.describe()}"
        if ctx.grants.lifted(ctx.now):
            return Verdict(OK, f"{span} lifted until {ctx.grants.lift_until:%H:%M}")
        if self.window.contains(ctx.now):
            return Verdict(VIOLATED, span)
        return Verdict(OK, f"outside {span}")

    def describe(self) -> str:
        return f"watching {window_words(self.window)} ({self.label})"

    def lift_windows(self) -> tuple[TimeWindow, ...]:
        return (self.window,)


class TimeType(RestrictionType):
    kind = "time"
    order = 10
    keys = WINDOW_KEYS
    fields = window_fields("weeknights", "20:30", "07:00")

    def compile(self, reader: Reader) -> Condition | None:
        window = read_window(reader, required=True)
        if window is None:
            return None
        label = reader.data.get("name") or ("bedtime" if window.overnight else "no-watching time")
        return TimeCondition(window, str(label))

    def from_form(self, text: Mapping[str, str], errors: dict[str, str]) -> dict[str, Any]:
        return window_from_form(text, errors)

    def covers(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
        new_slots, old_slots = window_slots(new), window_slots(old)
        return new_slots is not None and old_slots is not None and new_slots <= old_slots

    def summary(self, spec: Mapping[str, Any]) -> str:
        return window_summary(spec)


register(TimeType())
