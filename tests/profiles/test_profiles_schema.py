"""Validation names the JSON path of every problem; versions migrate, newer ones are refused."""

from __future__ import annotations

import copy
import json

import pytest
from support.profiles_example import EXAMPLE_TEXT

from plextray.profiles.schema import CURRENT_VERSION, compile_document, migrate, parse_text, summarize, validate

EXAMPLE = json.loads(EXAMPLE_TEXT)


def broken(mutate):
    doc = copy.deepcopy(EXAMPLE)
    mutate(doc)
    return [str(issue) for issue in validate(doc)]


def emma(doc):
    return doc["people"][0]


def test_example_is_valid():
    assert validate(EXAMPLE) == []
    profiles, issues = compile_document(EXAMPLE)
    assert profiles is not None and issues == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: emma(d)["restrictions"][2].update(max="PG-42"), "$.people[0].restrictions[2].max: unknown rating 'PG-42'"),
        (lambda d: emma(d)["restrictions"][0].update(type="curfew"), "$.people[0].restrictions[0].type: unknown restriction type 'curfew'"),
        (lambda d: emma(d)["restrictions"][0].update({"from": "25:00"}), "$.people[0].restrictions[0].from: bad time '25:00'"),
        (lambda d: emma(d)["restrictions"][1].update(days="weekdayz"), "$.people[0].restrictions[1].days: unknown day word 'weekdayz'"),
        (lambda d: emma(d)["restrictions"][3].pop("per"), "$.people[0].restrictions[3].per: missing required field"),
        (lambda d: emma(d)["restrictions"][3].pop("actions"), "$.people[0].restrictions[3].actions: missing required field"),
        (lambda d: emma(d)["restrictions"][3].update(actions=["explode"]), "$.people[0].restrictions[3].actions[0]: unknown action 'explode'"),
        (lambda d: emma(d)["restrictions"][3].update(actions="stop"), "$.people[0].restrictions[3].actions: expected an array of strings, got string"),
        (lambda d: emma(d)["restrictions"][3].update(minutes=True), "$.people[0].restrictions[3].minutes: expected a whole number, got boolean"),
        (lambda d: emma(d).pop("name"), "$.people[0].name: missing required field"),
        (lambda d: emma(d).update(devices="ipad"), "$.people[0].devices: expected an array of strings, got string"),
        (lambda d: emma(d).update(restrictions={}), "$.people[0].restrictions: expected an array, got object"),
        (lambda d: emma(d).update(nmae="x"), "$.people[0].nmae: unknown field 'nmae'"),
        (lambda d: d["people"].append("Bob"), "$.people[2]: expected an object (a person), got string"),
        (lambda d: d["people"][1].update(name="emma"), "$.people[1].name: another person is already named 'Emma'"),
        (lambda d: d["people"][1].update(devices=["xk4kbse0xxadzpvi"]), "$.people[1].devices[0]: 'xk4kbse0xxadzpvi' already belongs to Emma"),
        (lambda d: d.update(shared={"devices": "tv"}), "$.shared.devices: expected an array of strings"),
        (lambda d: d.update(shared={"acounts": []}), "$.shared.acounts: unknown field 'acounts'"),
        (lambda d: d.update(people={}), "$.people: expected an array, got object"),
        (lambda d: d.pop("people"), "$.people: missing required field"),
        (lambda d: d.update(unknown_devices=["notify"]), "$.unknown_devices: expected an object, got array"),
        (lambda d: d["unknown_devices"].update(actions=["beep"]), "$.unknown_devices.actions[0]: unknown action 'beep'"),
        (lambda d: d["settings"].update(grace_seconds=-5), "$.settings.grace_seconds: must be at least 0"),
        (lambda d: d["settings"].update(stop_message=42), "$.settings.stop_message: expected a string, got number"),
        (lambda d: d.update(version="1"), "$.version: expected a whole number, got string"),
        (lambda d: d.pop("version"), "$.version: missing required field"),
        (lambda d: d.update(version=0), "$.version: unknown version 0"),
        (lambda d: d.update(version=CURRENT_VERSION + 1), f"$.version: version {CURRENT_VERSION + 1} is newer than this plextray understands"),
    ],
)
def test_problems_name_their_path(mutate, expected):
    problems = broken(mutate)
    assert any(p.startswith(expected) for p in problems), problems


def test_every_problem_is_reported_at_once():
    def many(doc):
        emma(doc)["restrictions"][0]["from"] = "25:00"
        emma(doc)["restrictions"][2]["max"] = "PG-42"
        doc["settings"]["grace_seconds"] = "soon"

    problems = broken(many)
    assert len(problems) == 3
    message = summarize(validate(_apply(many)))
    assert message.startswith("profiles.json: $.people[0].restrictions[0].from: bad time '25:00'")
    assert "and 2 more problems" in message


def _apply(mutate):
    doc = copy.deepcopy(EXAMPLE)
    mutate(doc)
    return doc


@pytest.mark.parametrize("doc", [[], "x", 3, None])
def test_top_level_must_be_an_object(doc):
    assert [str(i) for i in validate(doc)][0].startswith("$: expected a JSON object")


def test_bad_json_syntax_gives_line_and_column():
    doc, issues = parse_text('{\n  "version": 1,\n  "people": [\n}')
    assert doc is None
    assert issues[0].path == "$"
    assert "line 4, column 1" in issues[0].message


def test_migration_mechanism_with_a_version_2():
    """A future version 2 renames `accounts` to `users`; version 1 files must migrate to it."""
    from plextray.core.household import compile_profiles
    from plextray.core.specs import Issues

    def v1_to_v2(doc):
        doc = dict(doc)
        doc["people"] = [{**p, "users": p.get("accounts", [])} for p in doc["people"]]
        for p in doc["people"]:
            p.pop("accounts", None)
        doc["version"] = 2
        return doc

    migrated, problems = migrate(EXAMPLE, current=2, migrations={1: v1_to_v2})
    assert problems == []
    assert migrated["version"] == 2 and migrated["people"][0]["users"] == ["emma"]
    assert EXAMPLE["people"][0]["accounts"] == ["emma"]  # the input is not modified
    same, _ = migrate(migrated, current=2, migrations={1: v1_to_v2})
    assert same == migrated  # already current: untouched
    _, problems = migrate({"version": 3, "people": []}, current=2, migrations={1: v1_to_v2})
    assert "newer than this plextray understands" in problems[0].message
    _, problems = migrate({"version": 1, "people": []}, current=2, migrations={})
    assert problems[0].message == "no migration from version 1"
    # version 1 documents are what today's compiler reads
    assert compile_profiles(migrate(EXAMPLE)[0], Issues()) is not None


def test_one_account_may_be_listed_under_several_people():
    """A household sharing one Plex account lists it under each person; the device tells them
    apart (core.identity), and check-config says so instead of refusing the file."""
    doc = copy.deepcopy(EXAMPLE)
    doc["people"][1]["accounts"] = ["admin", "EMMA"]
    doc["shared"] = {"devices": ["living-room-tv"], "accounts": ["family"]}
    profiles, issues = compile_document(doc)
    assert issues == [] and profiles is not None
    assert profiles.shared.devices == ("living-room-tv",) and profiles.shared.accounts == ("family",)
