"""Adding a restriction type is one file: a type written here, in this test only, is parsed and
validated with JSON paths, evaluated by the rules, explained by check-config and offered by the
settings window's form — and no module of plextray names it."""

from __future__ import annotations

import gc
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import pump

from plextray.commands.check_config import check_file
from plextray.core.context import PlayContext
from plextray.core.time_windows import ScheduleError, describe_days, parse_days
from plextray.core.restriction_types import (
    OK,
    REGISTRY,
    VIOLATED,
    Condition,
    ConditionDefaults,
    FormField,
    RestrictionType,
    Verdict,
    register,
)
from plextray.core.rules import evaluate, tonight_end
from plextray.core.specs import Reader
from plextray.paths import AppPaths
from plextray.profiles.schema import compile_document
from plextray.profiles.store import ProfileStore
from plextray.ui import settings_steps as steps

KIND = "weekday-only"
SATURDAY = datetime(2026, 12, 5, 15, 0)
MONDAY = datetime(2026, 12, 7, 15, 0)


# ---- the whole new type: the one file a developer would add under core/restriction_types --------


@dataclass(frozen=True, slots=True)
class WeekdayOnlyCondition(ConditionDefaults):
    """Watching on any day but the allowed ones."""

    allowed: frozenset[int]
    kind: str = KIND

    def evaluate(self, ctx: PlayContext) -> Verdict:
        if ctx.now.weekday() in self.allowed:
            return Verdict(OK, f"{ctx.now:%A} is a watching day")
        return Verdict(VIOLATED, f"no watching on {ctx.now:%A}")

    def describe(self) -> str:
        return f"watching on days other than {describe_days(self.allowed)}"


class WeekdayOnlyType(RestrictionType):
    kind = KIND
    keys = ("days",)
    order = 60
    fields = (FormField("days", "Watching days", "weekdays", "choice", ("weekdays", "everyday"), typed=True),)

    def compile(self, reader: Reader) -> Condition | None:
        try:
            days = parse_days(reader.raw("days", required=False) or "weekdays", overnight=False)
        except ScheduleError as exc:
            reader.issues.add(reader.at("days"), str(exc))
            return None
        return WeekdayOnlyCondition(days)

    def from_form(self, text: Mapping[str, str], errors: dict[str, str]) -> dict[str, Any]:
        days = text.get("days", "") or "weekdays"
        try:
            parse_days(days, overnight=False)
        except ScheduleError as exc:
            errors["days"] = str(exc)
        return {"days": days}

    def covers(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
        """Fewer allowed days forbid more: `old` covers `new` when it allows no day `new` allows."""
        try:
            allowed = [parse_days(spec.get("days", "weekdays"), overnight=False) for spec in (old, new)]
        except ScheduleError:
            return False
        return allowed[0] <= allowed[1]


# ---------------------------------------------------------------------------------------------


@pytest.fixture
def weekday_only():
    assert KIND not in REGISTRY
    register(WeekdayOnlyType())
    yield
    del REGISTRY[KIND]


RULE = {"type": KIND, "days": "weekdays", "actions": ["stop"]}


def doc_with(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "people": [{"name": "Emma", "devices": ["ipad"], "restrictions": list(rules)}]}


def test_no_module_of_plextray_knows_the_new_type():
    package = Path(__file__).resolve().parents[2] / "plextray"
    assert not [p for p in package.rglob("*.py") if KIND in p.read_text(encoding="utf-8")]


def test_before_it_is_registered_the_type_is_an_error_with_its_path():
    _, problems = compile_document(doc_with(RULE))
    assert [p.path for p in problems] == ["$.people[0].restrictions[0].type"]
    assert "unknown restriction type 'weekday-only'" in problems[0].message


def test_the_new_type_is_parsed_and_validated_with_json_paths(weekday_only):
    profiles, problems = compile_document(doc_with(RULE))
    assert problems == [] and profiles.people[0].restrictions[0].kind == KIND
    _, problems = compile_document(doc_with({**RULE, "days": "funday"}))
    assert [p.path for p in problems] == ["$.people[0].restrictions[0].days"]
    _, problems = compile_document(doc_with({**RULE, "dayz": "weekdays"}))  # a typo is an error, as for every type
    assert [p.path for p in problems] == ["$.people[0].restrictions[0].dayz"]
    # and it composes with the built-in combinators
    profiles, problems = compile_document(doc_with({"type": "not", "of": {"type": KIND}, "actions": ["notify"]}))
    assert problems == [] and profiles.people[0].restrictions[0].kind == "not"


def test_the_rules_evaluate_the_new_type(weekday_only):
    profiles, _ = compile_document(doc_with(RULE))
    emma = profiles.people[0]
    saturday = evaluate(emma, PlayContext(now=SATURDAY))
    assert [(v.kind, v.reason, v.actions) for v in saturday.violations] == [
        (KIND, "Emma · no watching on Saturday", ("stop",))]
    monday = evaluate(emma, PlayContext(now=MONDAY))
    assert monday.ok and monday.warnings == () and monday.pending == ()
    # the optional answers default sensibly: no window to lift, so "no bedtime tonight" ends at noon
    assert tonight_end(emma, SATURDAY) == datetime(2026, 12, 6, 12, 0)


def test_check_config_describes_the_new_type(weekday_only, tmp_path):
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps(doc_with(RULE)), encoding="utf-8")
    lines, ok = check_file(path)
    assert ok
    assert "  restrictions[0] (weekday-only): forbids watching on days other than Mon–Fri → stop" in lines
    path.write_text(json.dumps(doc_with({**RULE, "days": "funday"})), encoding="utf-8")
    lines, ok = check_file(path)
    assert not ok and any(line.startswith("  $.people[0].restrictions[0].days: ") for line in lines)


def test_the_form_steps_build_edit_and_summarise_the_new_type(weekday_only):
    assert steps.restriction_types()[-1] == KIND
    rule, errors = steps.build_restriction(KIND, {"days": "weekdays", "actions": ["stop"]})
    assert errors == {} and rule == RULE
    assert steps.build_restriction(KIND, steps.restriction_form(rule)) == (rule, {})
    assert "funday" in steps.build_restriction(KIND, {"days": "funday", "actions": ["stop"]})[1]["days"]
    assert steps.restriction_summary(rule) == "weekday-only · weekdays → stop"
    # the window's "this rule changes nothing" warning asks the type too
    from plextray.ui.settings_rules import conflict

    assert conflict([{**RULE, "days": "mon"}], RULE)[0] == "covered"
    assert conflict([RULE], {**RULE, "days": "mon"}) is None


@pytest.mark.gui
def test_the_settings_window_offers_the_new_type_and_saves_it(weekday_only, xdisplay, plextray_home):
    import tkinter as tk

    from plextray.ui.settings import SettingsWindow

    gc.collect()
    paths = AppPaths(plextray_home).ensure()
    ProfileStore(paths.profiles).save_raw(doc_with())
    root = tk.Tk()
    root.withdraw()
    try:
        window = SettingsWindow(root, paths, devices=[])
        window.wait_visibility()
        pump(root, lambda: window.winfo_ismapped())
        tab = window.restrictions
        tab.select_person("Emma")
        assert KIND in tab.type_combo.cget("values")
        tab.show_type(KIND)
        assert list(tab.fields) == ["days"] and tab.fields["days"].get() == "weekdays"
        tab.fields["days"].set("funday")
        assert tab.add() is False and "funday" in tab.grid_fields.error_text("days")
        tab.fields["days"].set("weekdays")
        tab.action_checks["notify"].invoke()  # notify and stop are ticked by default: keep stop only
        assert tab.add() is True
        assert tab.listbox.get(0) == "1. forbids watching on days other than Mon–Fri → stop"
        window.save_button.invoke()
        pump(root, lambda: window.status.cget("text") == "Saved.")
        saved = json.loads(paths.profiles.read_text(encoding="utf-8"))
        assert saved["people"][0]["restrictions"] == [RULE]
        tab.listbox.selection_set(0)
        assert tab.edit_selected() is True and tab.fields["days"].get() == "weekdays"
    finally:
        root.destroy()
        gc.collect()
