"""`{"type": "streak", "episodes": 3, "days": D, "from": "21:00", "to": "06:00"}`: more than N
episodes back to back (night-time autoplay). The window is optional: without it the limit holds
all day; with it, a parent's "no bedtime tonight" lifts it too.
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
    FormField,
    RestrictionType,
    Verdict,
    positive_int,
    register,
)
from plextray.core.restriction_types.windows import (
    WINDOW_KEYS,
    read_window,
    window_fields,
    window_from_form,
    window_summary,
    window_words,
)
from plextray.core.specs import Reader


@dataclass(frozen=True, slots=True)
class StreakCondition(ConditionDefaults):
    """More than `episodes` episodes back to back, inside an optional window (night-time autoplay)."""

    episodes: int
    window: TimeWindow | None
    kind: str = "streak"

    def evaluate(self, ctx: PlayContext) -> Verdict:
        where = f", {self.window.describe()}" if self.window else ""
        if self.window is not None:
            if ctx.grants.lifted(ctx.now):
                return Verdict(OK, f"streak limit lifted until {ctx.grants.lift_until:%H:%M}")
            if not self.window.contains(ctx.now):
                return Verdict(OK, f"outside streak window{where}")
        if ctx.streak_episodes > self.episodes:
            return Verdict(VIOLATED, f"{ctx.streak_episodes} episodes back to back (limit {self.episodes}{where})")
        return Verdict(OK, f"{ctx.streak_episodes} of {self.episodes} episodes back to back")

    def describe(self) -> str:
        when = f" {window_words(self.window)}" if self.window else ""
        return f"more than {self.episodes} episodes back to back{when}"

    def lift_windows(self) -> tuple[TimeWindow, ...]:
        return (self.window,) if self.window is not None else ()


class StreakType(RestrictionType):
    kind = "streak"
    order = 50
    keys = ("episodes", *WINDOW_KEYS)
    fields = (FormField("episodes", "Episodes in a row", "3", "number"), *window_fields("everyday", "21:00", "06:00"))

    def compile(self, reader: Reader) -> Condition | None:
        episodes = reader.integer("episodes", minimum=1)
        window = read_window(reader, required=False)
        if episodes is None:
            return None
        return StreakCondition(episodes, window)

    def from_form(self, text: Mapping[str, str], errors: dict[str, str]) -> dict[str, Any]:
        window = window_from_form(text, errors)
        episodes = positive_int(text.get("episodes", ""), errors, "episodes", limit=100)
        return {"episodes": episodes, **window} if episodes is not None else window

    def summary(self, spec: Mapping[str, Any]) -> str:
        return f"{spec.get('episodes')} episodes in a row, {window_summary(spec)}"


register(StreakType())
