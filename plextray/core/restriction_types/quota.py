"""`{"type": "quota", "minutes": N | "titles": N, "per": "day"|"week"|"month"}`: more than N
minutes watched or N distinct titles in the current period (weeks start on Monday).

Using all N is allowed; going past is a violation. Minute quotas grow by a parent's grants; the
rules warn at 80 % and 95 % through `meter`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from plextray.core.context import PERIOD_WORDS, PERIODS, PlayContext
from plextray.core.restriction_types.base import (
    OK,
    VIOLATED,
    Condition,
    ConditionDefaults,
    FormField,
    Meter,
    RestrictionType,
    Verdict,
    positive_int,
    register,
)
from plextray.core.specs import Reader

QUOTA_UNITS = ("minutes", "titles")


@dataclass(frozen=True, slots=True)
class QuotaCondition(ConditionDefaults):
    """More than `amount` minutes (or distinct titles) per day, week (from Monday) or month."""

    amount: int
    unit: str  # "minutes" | "titles"
    per: str  # "day" | "week" | "month"
    label: str = "quota"
    kind: str = "quota"

    def limit(self, ctx: PlayContext) -> int:
        return self.amount + (ctx.grants.extra_for(self.per) if self.unit == "minutes" else 0)

    def used(self, ctx: PlayContext) -> float:
        return ctx.usage.minutes(self.per) if self.unit == "minutes" else float(ctx.usage.titles(self.per))

    def _short(self, ctx: PlayContext) -> str:
        unit = "min" if self.unit == "minutes" else "titles"
        extra = self.limit(ctx) - self.amount
        amount = f"{self.amount}+{extra}" if extra else f"{self.amount}"
        return f"{amount} {unit}/{self.per} {self.label}"

    def evaluate(self, ctx: PlayContext) -> Verdict:
        used = self.used(ctx)
        unit = "min" if self.unit == "minutes" else ("title" if used == 1 else "titles")
        if used > self.limit(ctx):
            return Verdict(VIOLATED, f"{self._short(ctx)} used ({math.ceil(used)} {unit})")
        return Verdict(OK, f"{math.floor(used)} {unit} of {self._short(ctx)}")

    def remaining(self, ctx: PlayContext) -> float:
        return self.limit(ctx) - self.used(ctx)

    def meter(self, ctx: PlayContext) -> Meter | None:
        return Meter(self.used(ctx), self.limit(ctx), self.unit, self.per)

    def describe(self) -> str:
        what = "minutes watched" if self.unit == "minutes" else "distinct titles"
        return f"more than {self.amount} {what} per {self.per}" + (" (week starts Monday)" if self.per == "week" else "")

    def period_word(self) -> str:
        return PERIOD_WORDS[self.per]


class QuotaType(RestrictionType):
    kind = "quota"
    order = 30
    keys = ("minutes", "titles", "per")
    fields = (
        FormField("amount", "Amount", "120", "number", keys=QUOTA_UNITS),
        FormField("unit", "Counting", "minutes", "choice", QUOTA_UNITS),
        FormField("per", "Per", "day", "choice", PERIODS),
    )

    def compile(self, reader: Reader) -> Condition | None:
        has_minutes, has_titles = reader.has("minutes"), reader.has("titles")
        if has_minutes == has_titles:
            reader.issues.add(reader.path, "a quota needs exactly one of \"minutes\" or \"titles\"")
            return None
        unit = "minutes" if has_minutes else "titles"
        amount = reader.integer(unit, minimum=0)
        per = reader.string("per")
        if per is not None and per not in PERIODS:
            reader.issues.add(reader.at("per"), f"must be one of {', '.join(PERIODS)}, got {per!r}")
            return None
        if amount is None or per is None:
            return None
        return QuotaCondition(amount, unit, per, str(reader.data.get("name") or "quota"))

    def from_form(self, text: Mapping[str, str], errors: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        unit = text.get("unit", "minutes")
        if unit not in QUOTA_UNITS:
            errors["unit"] = "Choose minutes or titles"
        amount = positive_int(text.get("amount", ""), errors, "amount", limit=100000)
        if amount is not None:
            out[unit] = amount
        per = text.get("per", "day")
        if per not in PERIODS:
            errors["per"] = "Choose day, week or month"
        out["per"] = per
        return out

    def to_form(self, spec: Mapping[str, Any]) -> dict[str, str]:
        form = super().to_form(spec)
        form["unit"] = "titles" if "titles" in spec else "minutes"
        form["amount"] = str(spec.get(form["unit"], ""))
        return form

    def covers(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
        for unit in QUOTA_UNITS:
            if unit in new and unit in old and new.get("per", "day") == old.get("per", "day"):
                return bool(old[unit] <= new[unit])
        return False

    def summary(self, spec: Mapping[str, Any]) -> str:
        unit = "titles" if "titles" in spec else "minutes"
        return f"{spec.get(unit)} {unit} per {spec.get('per', 'day')}"


register(QuotaType())
