"""What a restriction type is: one object per `type` string, found through REGISTRY.

Modelled on Home Assistant's helpers/condition.py (one handler per condition type, looked up by
name): a `RestrictionType` holds a type's whole contract in one place — the JSON keys it takes,
how it compiles and validates them (problems with their JSON paths), and its settings-window
form (fields with labels and defaults, `from_form`, `to_form`, a one-line summary). The compiled
`Condition` it returns evaluates a play and describes itself in plain words (check-config's
sentence). Adding a type is one module that calls `register`; nothing else names it.

A condition describes a FORBIDDEN situation; `evaluate(ctx)` answers with a `Verdict`:
`violated` (with the reason a parent reads: "rating R > PG"), `ok` (with why not), or `unknown`
(the play's media is not known yet; the engine re-checks when it is).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol, TypeVar

from plextray.core.context import PlayContext
from plextray.core.time_windows import TimeWindow
from plextray.core.specs import Issues, Reader, json_type

VIOLATED = "violated"
OK = "ok"
UNKNOWN = "unknown"
COMMON_KEYS = ("type", "name")
MAX_RULE_DEPTH = 32  # conditions inside conditions: deeper is a mistake (or an attack on the stack)


@dataclass(frozen=True, slots=True)
class Verdict:
    state: str  # VIOLATED | OK | UNKNOWN
    reason: str

    @property
    def violated(self) -> bool:
        return self.state == VIOLATED


@dataclass(frozen=True, slots=True)
class Meter:
    """How far a counted allowance is used up (quotas): what the rules warn about at 80 and 95 %."""

    used: float
    limit: float
    unit: str  # "minutes" | "titles"
    per: str  # "day" | "week" | "month"


class Condition(Protocol):
    """What every compiled condition offers (frozen dataclasses, so `kind` is read-only)."""

    @property
    def kind(self) -> str: ...

    def evaluate(self, ctx: PlayContext) -> Verdict: ...

    def describe(self) -> str: ...

    def lift_windows(self) -> tuple[TimeWindow, ...]: ...

    def meter(self, ctx: PlayContext) -> Meter | None: ...


class ConditionDefaults:
    """The optional answers of a condition, for types that have nothing to say (mix in first)."""

    __slots__ = ()

    def lift_windows(self) -> tuple[TimeWindow, ...]:
        """The weekly windows a parent's "no bedtime tonight" lifts (rules.tonight_end)."""
        return ()

    def meter(self, ctx: PlayContext) -> Meter | None:
        """How much of a counted allowance is used, when this condition counts one (quota warnings)."""
        return None


@dataclass(frozen=True, slots=True)
class FormField:
    """One field of a type's settings form. `kind`: free text, a whole number, or a choice
    (`typed`: the list only suggests, anything may be typed). `keys`: the JSON keys whose
    problems are shown next to this field (default: its own name)."""

    name: str
    label: str
    default: str = ""
    kind: Literal["text", "number", "choice"] = "text"
    choices: tuple[str, ...] = ()
    typed: bool = False
    keys: tuple[str, ...] = ()


class RestrictionType:
    """One restriction type's contract. Subclass, set `kind`, `keys` (JSON keys besides type and
    name) and `fields` (empty: edited in profiles.json only), and `register` an instance."""

    kind: ClassVar[str] = ""
    keys: ClassVar[tuple[str, ...]] = ()
    fields: ClassVar[tuple[FormField, ...]] = ()
    order: ClassVar[int] = 100  # place in the settings window's list of types

    def compile(self, reader: Reader) -> Condition | None:
        """The JSON under `reader` → a condition; problems go to `reader.issues`. None if broken."""
        raise NotImplementedError

    def from_form(self, text: Mapping[str, str], errors: dict[str, str]) -> dict[str, Any]:
        """Form text (stripped) → the JSON keys of a restriction (no type, no actions); each
        problem is added to `errors` under its field."""
        return {field.name: text.get(field.name, field.default) for field in self.fields}

    def to_form(self, spec: Mapping[str, Any]) -> dict[str, str]:
        """A restriction's JSON → the form text that rebuilds it (editing an existing rule)."""
        return {key: str(value) for key, value in spec.items() if not isinstance(value, (list, dict))}

    def field_of(self, key: str) -> str | None:
        """The form field showing problems of JSON key `key`, if this type's form has one."""
        return next((field.name for field in self.fields if key in (field.keys or (field.name,))), None)

    def covers(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
        """Does rule `old` of this type already forbid everything `new` (same type) forbids? The
        settings window warns that such a new rule changes nothing; False when unsure."""
        return False

    def summary(self, spec: Mapping[str, Any]) -> str:
        """What the rule forbids, in a few words, from its raw JSON (the settings list)."""
        if not self.fields:
            return "combined rule (edit profiles.json)"
        form = self.to_form(spec)
        return " ".join(form.get(field.name, "") for field in self.fields).strip()


REGISTRY: dict[str, RestrictionType] = {}
T = TypeVar("T", bound=RestrictionType)


def register(kind_type: T) -> T:
    """Make a restriction type known by its `kind` (the JSON `type`); returns it unchanged."""
    REGISTRY[kind_type.kind] = kind_type
    return kind_type


def form_types() -> tuple[str, ...]:
    """The types the settings window can edit, in their `order`."""
    editable = [kind_type for kind_type in REGISTRY.values() if kind_type.fields]
    return tuple(kind_type.kind for kind_type in sorted(editable, key=lambda kind_type: kind_type.order))


def compile_condition(
    spec: Any, path: str, issues: Issues, *, extra_keys: tuple[str, ...] = (), depth: int = 1
) -> Condition | None:
    """Compile one JSON condition; problems are added to `issues` with their path. None if broken.

    `depth` counts the combinators around it; past MAX_RULE_DEPTH nothing below is looked at, so
    neither compiling, describing nor evaluating a rule can run out of stack."""
    if depth > MAX_RULE_DEPTH:
        issues.add(path, f"rules nested too deeply (more than {MAX_RULE_DEPTH} levels of all/any/not)")
        return None
    if not isinstance(spec, dict):
        issues.add(path, f"expected an object with a \"type\", got {json_type(spec)}")
        return None
    reader = Reader(spec, path, issues, depth=depth)
    kind = reader.string("type")
    if kind is None:
        return None
    kind_type = REGISTRY.get(kind)
    if kind_type is None:
        issues.add(reader.at("type"), f"unknown restriction type {kind!r} (known: {', '.join(sorted(REGISTRY))})")
        return None
    before = len(issues)
    reader.check_keys((*COMMON_KEYS, *kind_type.keys, *extra_keys))
    reader.string("name", required=False, plain=True)
    condition = kind_type.compile(reader)
    return condition if len(issues) == before else None


def positive_int(value: str, errors: dict[str, str], key: str, *, limit: int) -> int | None:
    """A form's whole number from 1 to `limit`, or None with the field's message."""
    try:
        number = int(value)
    except ValueError:
        errors[key] = "Enter a whole number"
        return None
    if not 1 <= number <= limit:
        errors[key] = f"Enter a number from 1 to {limit}"
        return None
    return number


def split_list(value: str) -> list[str]:
    """A form's comma-separated list ("Adult Movies, Horror")."""
    return [part.strip() for part in value.split(",") if part.strip()]
