"""A person's rules as the settings window lists them, and the rules a new one would add nothing to.

Pure (no Tk). The words are check-config's (each condition's own `describe()`), so the window
and the command line say the same thing. A rule that changes nothing is worth a warning: a
weekend bedtime at 20:30 under an every-day one at 19:30 never fires; an exact duplicate is
refused.
"""

from __future__ import annotations

from typing import Any

WEEK_MINUTES = 7 * 24 * 60
_SLOT = 5  # minutes: every window boundary is on a whole minute; 5 keeps the sets small


def plain_words(spec: dict[str, Any]) -> str:
    """'forbids weeknights 20:30–07:00 → notify, stop', or the compiler's complaint."""
    from plextray.core.profiles import compile_actions
    from plextray.core.restriction_types import compile_condition
    from plextray.core.rules import describe_actions
    from plextray.core.specs import Issues, Reader

    issues = Issues()
    condition = compile_condition(spec, "$", issues, extra_keys=("actions",))
    actions = compile_actions(Reader(spec, "$", issues)) if isinstance(spec, dict) else None
    if condition is None or actions is None or issues:
        return f"✗ {issues.items[0].message if issues else 'invalid'}"
    return f"forbids {condition.describe()} → {describe_actions(actions)}"


def _core(spec: dict[str, Any]) -> dict[str, Any]:
    """What a rule forbids, without what is done about it or its name."""
    return {k: v for k, v in spec.items() if k not in ("actions", "name", "comment") and not k.startswith("_")}


def _slots(spec: dict[str, Any]) -> frozenset[int] | None:
    """The minutes of the week a time rule forbids (in _SLOT steps), or None when not a plain one."""
    from plextray.core.days import ScheduleError, parse_clock, parse_days

    if spec.get("type") != "time":
        return None
    try:
        start = parse_clock(spec.get("from"))
        end = parse_clock(spec.get("to"), allow_24=True)
        overnight = end <= start
        days = parse_days(spec.get("days", "everyday"), overnight=overnight)
    except (ScheduleError, ValueError, TypeError):
        return None
    length = (end - start) % (24 * 60) or 24 * 60
    slots: set[int] = set()
    for day in days:
        first = day * 24 * 60 + start
        slots.update((first + offset) % WEEK_MINUTES for offset in range(0, length, _SLOT))
    return frozenset(slots)


def _rating_age(spec: dict[str, Any]) -> int | None:
    if spec.get("type") != "rating" or spec.get("unrated", "allow") not in ("allow", "block"):
        return None
    try:
        from plextray.core.ratings import rating_age

        return rating_age(str(spec.get("max")))
    except Exception:
        return None


def _covers(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Does `old` already forbid everything `new` forbids?"""
    new_slots, old_slots = _slots(new), _slots(old)
    if new_slots is not None and old_slots is not None:
        return new_slots <= old_slots
    if new.get("type") == old.get("type") == "rating":
        new_age, old_age = _rating_age(new), _rating_age(old)
        unrated_ok = new.get("unrated", "allow") == old.get("unrated", "allow") or old.get("unrated") == "block"
        return new_age is not None and old_age is not None and old_age <= new_age and unrated_ok
    if new.get("type") == old.get("type") == "quota":
        for unit in ("minutes", "titles"):
            if unit in new and unit in old and new.get("per", "day") == old.get("per", "day"):
                return bool(old[unit] <= new[unit])
    return False


def conflict(existing: list[dict[str, Any]], new: dict[str, Any], *, editing: int | None = None) -> tuple[str, str] | None:
    """("duplicate", why) — refuse; ("covered", why) — warn; None when the rule adds something."""
    others = [(index, old) for index, old in enumerate(existing) if index != editing and isinstance(old, dict)]
    for index, old in others:
        if _core(old) == _core(new):
            return "duplicate", f"The same rule is already there (rule {index + 1}): {plain_words(old)}"
    for index, old in others:
        if _covers(old, new):
            return "covered", (f"This rule changes nothing: rule {index + 1} already forbids all of it "
                               f"({plain_words(old)}).")
    return None
