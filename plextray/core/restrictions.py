"""Restriction conditions: JSON compiled through a registry into small objects that explain themselves.

A condition describes a FORBIDDEN situation; `evaluate(ctx)` answers with a `Verdict`:
`violated` (with the reason a parent reads: "rating R > PG"), `ok` (with why not), or `unknown`
(the play's media is not known yet, so a rating or library check cannot be answered; the
engine re-checks when it is).

Types (the `type` key): `time`, `rating`, `quota`, `library`, `streak`, and the combinators
`all` / `any` (`"of": [conditions]`) and `not` (`"of": condition`). Combinators use three-valued
logic: `all` is ok as soon as one part is ok, `any` is violated as soon as one part is, and
`not` swaps violated and ok; unknown stays unknown. Any condition may carry a `name`, used in
reasons instead of the default label ("bedtime", "quota").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from plextray.core.context import PERIOD_WORDS, PERIODS, PlayContext
from plextray.core.days import ScheduleError, TimeWindow, describe_days, parse_clock, parse_days
from plextray.core.ratings import is_unrated, rating_age
from plextray.core.specs import Issues, Reader, json_type

VIOLATED = "violated"
OK = "ok"
UNKNOWN = "unknown"

# Media kinds that never carry a content rating: the `unrated` policy does not apply to them.
UNRATED_KINDS = frozenset({"track", "album", "artist", "photo", "picture"})


@dataclass(frozen=True, slots=True)
class Verdict:
    state: str  # VIOLATED | OK | UNKNOWN
    reason: str

    @property
    def violated(self) -> bool:
        return self.state == VIOLATED


class Condition(Protocol):
    """What every compiled condition offers (frozen dataclasses, so `kind` is read-only)."""

    @property
    def kind(self) -> str: ...

    def evaluate(self, ctx: PlayContext) -> Verdict: ...

    def describe(self) -> str: ...


Compiler = Callable[[Reader], "Condition | None"]
REGISTRY: dict[str, Compiler] = {}
COMMON_KEYS = ("type", "name")


def register(kind: str) -> Callable[[Compiler], Compiler]:
    def wrap(func: Compiler) -> Compiler:
        REGISTRY[kind] = func
        return func

    return wrap


MAX_RULE_DEPTH = 32  # conditions inside conditions: deeper is a mistake (or an attack on the stack)


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
    compiler = REGISTRY.get(kind)
    if compiler is None:
        issues.add(reader.at("type"), f"unknown restriction type {kind!r} (known: {', '.join(sorted(REGISTRY))})")
        return None
    before = len(issues)
    allowed = getattr(compiler, "keys", ())
    reader.check_keys((*COMMON_KEYS, *allowed, *extra_keys))
    reader.string("name", required=False, plain=True)
    condition = compiler(reader)
    return condition if len(issues) == before else None


def accepts(*names: str) -> Callable[[Compiler], Compiler]:
    """Declare the JSON keys a condition type takes (besides type and name); others are errors."""

    def wrap(func: Compiler) -> Compiler:
        func.keys = names  # type: ignore[attr-defined]
        return func

    return wrap


def _window(reader: Reader, *, required: bool) -> TimeWindow | None:
    """`from`, `to` and `days` (default everyday) → a TimeWindow; None if absent or broken."""
    if not required and not reader.has("from") and not reader.has("to"):
        if reader.has("days"):
            reader.issues.add(reader.at("days"), "days needs \"from\" and \"to\"")
        return None
    start = end = None
    for key in ("from", "to"):
        value = reader.raw(key)
        if value is None and not reader.has(key):
            continue
        try:
            minutes = parse_clock(value, allow_24=(key == "to"))
        except ScheduleError as exc:
            reader.issues.add(reader.at(key), str(exc))
            continue
        if key == "from":
            start = minutes
        else:
            end = minutes
    if start is None or end is None:
        return None
    if start == end:
        reader.issues.add(reader.at("to"), "\"from\" and \"to\" are the same time (use 00:00 to 24:00 for a whole day)")
        return None
    overnight = end <= start
    try:
        days = parse_days(reader.raw("days", required=False) if reader.has("days") else "everyday", overnight=overnight)
    except ScheduleError as exc:
        reader.issues.add(reader.at("days"), str(exc))
        return None
    return TimeWindow(days, start, end)


def _window_words(window: TimeWindow) -> str:
    nights = "nights starting " if window.overnight else ""
    return f"{window.describe()} on {nights}{describe_days(window.days)}"


@dataclass(frozen=True, slots=True)
class TimeCondition:
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
        return f"watching {_window_words(self.window)} ({self.label})"


@register("time")
@accepts("days", "from", "to")
def _time(reader: Reader) -> Condition | None:
    window = _window(reader, required=True)
    if window is None:
        return None
    label = reader.data.get("name") or ("bedtime" if window.overnight else "no-watching time")
    return TimeCondition(window, str(label))


@dataclass(frozen=True, slots=True)
class RatingCondition:
    """Media rated above a ceiling, or (with `unrated: block`) media with no usable rating."""

    max_code: str
    max_age: int
    block_unrated: bool
    label: str = "rating"
    kind: str = "rating"

    def evaluate(self, ctx: PlayContext) -> Verdict:
        media = ctx.media
        if media is None:
            return Verdict(UNKNOWN, f"{self.label} unknown (media not known yet)")
        code = (media.content_rating or "").strip()
        age = rating_age(code) if code else None
        if age is None:
            if media.type in UNRATED_KINDS and not code:
                return Verdict(OK, f"no {self.label} needed for a {media.type}")
            what = "unrated" if is_unrated(code) else f"unknown {self.label} {code!r}"
            if self.block_unrated:
                return Verdict(VIOLATED, f"{what} (max {self.max_code}, unrated blocked)")
            return Verdict(OK, f"{what} allowed")
        if age > self.max_age:
            return Verdict(VIOLATED, f"{self.label} {code} > {self.max_code}")
        return Verdict(OK, f"{self.label} {code} ≤ {self.max_code}")

    def describe(self) -> str:
        unrated = "unrated included" if self.block_unrated else "unrated allowed"
        return f"anything rated above {self.max_code} (age {self.max_age}+; {unrated})"


@register("rating")
@accepts("max", "unrated")
def _rating(reader: Reader) -> Condition | None:
    code = reader.string("max")
    policy = reader.string("unrated", required=False, default="allow")
    if policy not in ("block", "allow"):
        reader.issues.add(reader.at("unrated"), f"must be \"block\" or \"allow\", got {policy!r}")
        return None
    if code is None:
        return None
    age = rating_age(code)
    if age is None:
        reader.issues.add(reader.at("max"), f"unknown rating {code!r}")
        return None
    return RatingCondition(" ".join(code.split()), age, policy == "block", str(reader.data.get("name") or "rating"))


@dataclass(frozen=True, slots=True)
class QuotaCondition:
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

    def describe(self) -> str:
        what = "minutes watched" if self.unit == "minutes" else "distinct titles"
        return f"more than {self.amount} {what} per {self.per}" + (" (week starts Monday)" if self.per == "week" else "")

    def period_word(self) -> str:
        return PERIOD_WORDS[self.per]


@register("quota")
@accepts("minutes", "titles", "per")
def _quota(reader: Reader) -> Condition | None:
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


@dataclass(frozen=True, slots=True)
class LibraryCondition:
    """Media from a blocked library (by title or id) or carrying a blocked label."""

    block: tuple[str, ...]
    labels: tuple[str, ...]
    kind: str = "library"

    def evaluate(self, ctx: PlayContext) -> Verdict:
        media = ctx.media
        if media is None:
            return Verdict(UNKNOWN, "library unknown (media not known yet)")
        blocked = {name.casefold() for name in self.block}
        for candidate in (media.library, media.library_id):
            if candidate and candidate.strip().casefold() in blocked:
                return Verdict(VIOLATED, f"library {media.library or candidate} is blocked")
        wanted = {label.casefold() for label in self.labels}
        for label in media.labels:
            if label.strip().casefold() in wanted:
                return Verdict(VIOLATED, f"label {label} is blocked")
        return Verdict(OK, f"library {media.library or '?'} allowed")

    def describe(self) -> str:
        parts = []
        if self.block:
            parts.append("anything from the " + ("library " if len(self.block) == 1 else "libraries ") + ", ".join(self.block))
        if self.labels:
            parts.append("anything labelled " + ", ".join(self.labels))
        return " or ".join(parts)


@register("library")
@accepts("block", "labels")
def _library(reader: Reader) -> Condition | None:
    block = reader.string_list("block", required=False)
    labels = reader.string_list("labels", required=False)
    if block is None or labels is None:
        return None
    if not block and not labels:
        reader.issues.add(reader.path, "a library restriction needs a non-empty \"block\" or \"labels\"")
        return None
    return LibraryCondition(block, labels)


@dataclass(frozen=True, slots=True)
class StreakCondition:
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
        when = f" {_window_words(self.window)}" if self.window else ""
        return f"more than {self.episodes} episodes back to back{when}"


@register("streak")
@accepts("episodes", "days", "from", "to")
def _streak(reader: Reader) -> Condition | None:
    episodes = reader.integer("episodes", minimum=1)
    window = _window(reader, required=False)
    if episodes is None:
        return None
    return StreakCondition(episodes, window)


# The combinators register themselves with REGISTRY on import (kept in their own module).
from plextray.core import combinators  # noqa: E402,F401  (import for its registrations)
