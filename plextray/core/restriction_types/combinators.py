"""The combinators `all`, `any` and `not`: forbidden situations built from other conditions.

Three-valued logic: `all` is ok as soon as one part is ok, `any` is violated as soon as one part
is, `not` swaps violated and ok; otherwise unknown (media not known yet) wins over the rest.
JSON: `{"type": "all"|"any", "of": [condition, ...]}`, `{"type": "not", "of": condition}`.
They have no form: the settings window lists them and leaves editing to profiles.json.
"""

from __future__ import annotations

from dataclasses import dataclass

from plextray.core.context import PlayContext
from plextray.core.time_windows import TimeWindow
from plextray.core.restriction_types.base import (
    OK,
    UNKNOWN,
    VIOLATED,
    Condition,
    ConditionDefaults,
    RestrictionType,
    Verdict,
    compile_condition,
    register,
)
from plextray.core.specs import Reader


@dataclass(frozen=True, slots=True)
class AllCondition(ConditionDefaults):
    parts: tuple[Condition, ...]
    kind: str = "all"

    def evaluate(self, ctx: PlayContext) -> Verdict:
        verdicts = [part.evaluate(ctx) for part in self.parts]
        for verdict in verdicts:
            if verdict.state == OK:
                return verdict
        unknown = [v for v in verdicts if v.state == UNKNOWN]
        if unknown:
            return unknown[0]
        return Verdict(VIOLATED, " and ".join(v.reason for v in verdicts))

    def describe(self) -> str:
        return "(" + ") and (".join(part.describe() for part in self.parts) + ")"

    def lift_windows(self) -> tuple[TimeWindow, ...]:
        return tuple(window for part in self.parts for window in part.lift_windows())


@dataclass(frozen=True, slots=True)
class AnyCondition(ConditionDefaults):
    parts: tuple[Condition, ...]
    kind: str = "any"

    def evaluate(self, ctx: PlayContext) -> Verdict:
        verdicts = [part.evaluate(ctx) for part in self.parts]
        for verdict in verdicts:
            if verdict.state == VIOLATED:
                return verdict
        unknown = [v for v in verdicts if v.state == UNKNOWN]
        if unknown:
            return unknown[0]
        return Verdict(OK, "; ".join(v.reason for v in verdicts))

    def describe(self) -> str:
        return "(" + ") or (".join(part.describe() for part in self.parts) + ")"

    def lift_windows(self) -> tuple[TimeWindow, ...]:
        return tuple(window for part in self.parts for window in part.lift_windows())


@dataclass(frozen=True, slots=True)
class NotCondition(ConditionDefaults):
    part: Condition
    kind: str = "not"

    def evaluate(self, ctx: PlayContext) -> Verdict:
        verdict = self.part.evaluate(ctx)
        if verdict.state == OK:
            return Verdict(VIOLATED, verdict.reason)
        if verdict.state == VIOLATED:
            return Verdict(OK, f"not: {verdict.reason}")
        return verdict

    def describe(self) -> str:
        return f"anything except ({self.part.describe()})"

    def lift_windows(self) -> tuple[TimeWindow, ...]:
        return self.part.lift_windows()


def _parts(reader: Reader) -> tuple[Condition, ...] | None:
    items = reader.array("of")
    if items is None:
        return None
    if not items:
        reader.issues.add(reader.at("of"), "needs at least one condition")
        return None
    parts = [
        compile_condition(item, f"{reader.at('of')}[{i}]", reader.issues, depth=reader.depth + 1)
        for i, item in enumerate(items)
    ]
    if any(part is None for part in parts):
        return None
    return tuple(part for part in parts if part is not None)


class AllType(RestrictionType):
    kind = "all"
    keys = ("of",)

    def compile(self, reader: Reader) -> Condition | None:
        parts = _parts(reader)
        return AllCondition(parts) if parts else None


class AnyType(RestrictionType):
    kind = "any"
    keys = ("of",)

    def compile(self, reader: Reader) -> Condition | None:
        parts = _parts(reader)
        return AnyCondition(parts) if parts else None


class NotType(RestrictionType):
    kind = "not"
    keys = ("of",)

    def compile(self, reader: Reader) -> Condition | None:
        spec = reader.raw("of")
        if spec is None:
            return None
        if isinstance(spec, list):
            reader.issues.add(reader.at("of"), "\"not\" takes one condition object, not an array")
            return None
        part = compile_condition(spec, reader.at("of"), reader.issues, depth=reader.depth + 1)
        return NotCondition(part) if part is not None else None


register(AllType())
register(AnyType())
register(NotType())
