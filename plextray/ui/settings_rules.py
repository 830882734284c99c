"""A person's rules as the settings window lists them, and the rules a new one would add nothing to.

Pure (no Tk). The words are check-config's (each condition's own `describe()`), so the window
and the command line say the same thing. A rule that changes nothing is worth a warning: a
weekend bedtime at 20:30 under an every-day one at 19:30 never fires; an exact duplicate is
refused.
"""

from __future__ import annotations

from typing import Any

from plextray.core.restriction_types import REGISTRY


def plain_words(spec: dict[str, Any]) -> str:
    """'forbids weeknights 20:30–07:00 → notify, stop', or the compiler's complaint."""
    from plextray.core.household import compile_actions
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


def _covers(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Does `old` already forbid everything `new` forbids? (Each type knows for its own kind.)"""
    kind_type = REGISTRY.get(str(new.get("type")))
    return kind_type is not None and old.get("type") == new.get("type") and kind_type.covers(old, new)


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
