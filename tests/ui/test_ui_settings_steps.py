"""The settings window's step functions, without a window: {field: error} for every rule."""

from __future__ import annotations

import pytest

from plextray.core.specs import ProfileIssue
from plextray.profiles.store import ProfileStore
from plextray.ui import settings_steps as steps

EXAMPLE_FORMS = [
    ("time", {"days": "weeknights", "from": "20:30", "to": "07:00", "actions": ["notify", "stop"]}),
    ("time", {"days": "weekend", "from": "22:00", "to": "08:00", "actions": ["notify", "stop"]}),
    ("rating", {"max": "PG", "unrated": "block", "actions": ["notify", "alert", "stop"]}),
    ("rating", {"max": "gb/15", "unrated": "allow", "actions": ["stop"]}),
    ("quota", {"amount": "120", "unit": "minutes", "per": "day", "actions": ["notify", "stop"]}),
    ("quota", {"amount": "20", "unit": "titles", "per": "month", "actions": ["alert"]}),
    ("library", {"block": "Adult Movies", "labels": "", "actions": ["stop"]}),
    ("library", {"block": "Adult Movies, Horror", "labels": "mature", "actions": ["stop"]}),
    ("streak", {"episodes": "3", "days": "everyday", "from": "21:00", "to": "06:00", "actions": ["stop"]}),
]


@pytest.mark.parametrize(("kind", "form"), EXAMPLE_FORMS)
def test_every_form_builds_what_the_profile_store_accepts(kind, form, tmp_path):
    restriction, errors = steps.build_restriction(kind, form)
    assert errors == {} and restriction is not None and restriction["type"] == kind
    doc = steps.add_restriction(steps.add_person(steps.new_document(), "Emma"), "Emma", restriction)
    store = ProfileStore(tmp_path / "profiles.json")
    assert store.validate(doc) == []
    store.save_raw(doc)  # and it really saves and loads
    assert store.load().people[0].name == "Emma"
    # Editing round-trip: the form rebuilt from the saved restriction gives the same restriction.
    again, _ = steps.build_restriction(kind, steps.restriction_form(restriction))
    assert again == restriction


def test_the_issue_example_restrictions_round_trip_through_the_form():
    for restriction in (
        {"type": "time", "days": "weeknights", "from": "20:30", "to": "07:00", "actions": ["notify", "stop"]},
        {"type": "rating", "max": "PG", "unrated": "block", "actions": ["notify", "alert", "stop"]},
        {"type": "quota", "minutes": 120, "per": "day", "actions": ["notify", "stop"]},
        {"type": "quota", "titles": 20, "per": "month", "actions": ["alert"]},
        {"type": "library", "block": ["Adult Movies"], "actions": ["stop"]},
    ):
        rebuilt, errors = steps.build_restriction(restriction["type"], steps.restriction_form(restriction))
        assert errors == {} and rebuilt == restriction


@pytest.mark.parametrize(
    ("kind", "form", "field", "fragment"),
    [
        ("time", {"days": "weeknights", "from": "8 oclock", "to": "07:00", "actions": ["stop"]}, "from", "HH:MM"),
        ("time", {"days": "weeknights", "from": "20:00", "to": "24:61", "actions": ["stop"]}, "to", "HH:MM"),
        ("time", {"days": "weeknights", "from": "20:00", "to": "20:00", "actions": ["stop"]}, "to", "same time"),
        ("time", {"days": "funday", "from": "20:00", "to": "07:00", "actions": ["stop"]}, "days", "funday"),
        ("time", {"days": "weeknights", "from": "20:00", "to": "07:00", "actions": []}, "actions", "at least one"),
        ("rating", {"max": "", "unrated": "block", "actions": ["stop"]}, "max", "highest rating"),
        ("rating", {"max": "PG-99", "unrated": "block", "actions": ["stop"]}, "max", "Unknown rating"),
        ("rating", {"max": "PG", "unrated": "maybe", "actions": ["stop"]}, "unrated", "block or allow"),
        ("quota", {"amount": "0", "unit": "minutes", "per": "day", "actions": ["stop"]}, "amount", "from 1"),
        ("quota", {"amount": "ten", "unit": "minutes", "per": "day", "actions": ["stop"]}, "amount", "whole number"),
        ("quota", {"amount": "10", "unit": "hours", "per": "day", "actions": ["stop"]}, "unit", "minutes or titles"),
        ("quota", {"amount": "10", "unit": "minutes", "per": "year", "actions": ["stop"]}, "per", "day, week or month"),
        ("library", {"block": " , ", "actions": ["stop"]}, "block", "at least one library"),
        ("streak", {"episodes": "x", "days": "everyday", "from": "21:00", "to": "06:00", "actions": ["stop"]}, "episodes", "whole number"),
        ("bogus", {"actions": ["stop"]}, "type", "Choose one of"),
    ],
)
def test_each_bad_field_gets_its_own_message(kind, form, field, fragment):
    restriction, errors = steps.build_restriction(kind, form)
    assert restriction is None
    assert fragment in errors[field]


def test_server_step():
    assert steps.validate_server("http://127.0.0.1:32400", "", "") == {}
    assert steps.validate_server("https://plex.example.org", "abcdefgh12345678", "") == {}
    assert "url" in steps.validate_server("", "", "")
    assert "url" in steps.validate_server("127.0.0.1:32400", "", "")
    assert "port" in steps.validate_server("http://host:99999", "", "")["url"]
    assert "token" in steps.validate_server("http://h:1", "has space inside", "")
    assert "token" in steps.validate_server("http://h:1", "", "", token_required=True)
    assert steps.validate_server("http://h:1", "", "/definitely/not/here")["log_dir"] == "No such folder"


def test_people_steps():
    doc = steps.add_person(steps.add_person(steps.new_document(), "Emma"), "Leo")
    assert steps.person_names(doc) == ["Emma", "Leo"]
    assert steps.validate_person_name("  ", ["Emma"]) == {"name": "Enter a name"}
    assert "already" in steps.validate_person_name("EMMA", ["Emma"])["name"]
    assert steps.validate_person_name("Emma", ["Emma"], current="Emma") == {}  # renaming to itself
    assert "reserved" in steps.validate_person_name(steps.NOBODY, [])["name"]
    assert "At most" in steps.validate_person_name("x" * 41, [])["name"]
    renamed = steps.rename_person(doc, "Leo", "Leonard")
    assert steps.person_names(renamed) == ["Emma", "Leonard"] and steps.person_names(doc) == ["Emma", "Leo"]
    assert steps.person_names(steps.remove_person(renamed, "Emma")) == ["Leonard"]


def test_a_device_belongs_to_one_person_at_most():
    doc = steps.add_person(steps.add_person(steps.new_document(), "Emma"), "Leo")
    doc = steps.assign_device(doc, "ipad", "Emma")
    assert steps.owner_of(doc, "ipad") == "Emma"
    doc = steps.assign_device(doc, "ipad", "Leo")
    assert steps.owner_of(doc, "ipad") == "Leo" and steps.person(doc, "Emma")["devices"] == []
    doc = steps.assign_device(doc, "ipad", None)
    assert steps.owner_of(doc, "ipad") is None
    with pytest.raises(KeyError):
        steps.assign_device(doc, "ipad", "Nobody here")


def test_store_issues_map_to_form_fields():
    issues = [
        ProfileIssue("$.people[1].restrictions[2].max", "unknown rating 'ZZ'"),
        ProfileIssue("$.people[1].restrictions[2].minutes", "must be positive"),
        ProfileIssue("$.people[1].restrictions[2]", "unknown type"),
        ProfileIssue("$.people[0].restrictions[2].max", "someone else's problem"),
        ProfileIssue("$.people[1].restrictions[2].actions[0]", "unknown action 'shout'"),
    ]
    assert steps.issues_to_fields(issues, 1, 2) == {
        "max": "unknown rating 'ZZ'",
        "amount": "must be positive",
        "type": "unknown type",
        "actions": "unknown action 'shout'",
    }
    # with its type, each key goes to that type's own field ("minutes" is the quota's amount)
    assert steps.issues_to_fields(issues, 1, 2, "quota")["amount"] == "must be positive"
    assert steps.issues_to_fields(issues, 1, 2, "rating")["minutes"] == "must be positive"


def test_summaries_read_like_sentences():
    assert steps.restriction_summary(
        {"type": "time", "days": "weeknights", "from": "20:30", "to": "07:00", "actions": ["notify", "stop"]}
    ) == "time · weeknights 20:30–07:00 → notify, stop"
    assert steps.restriction_summary({"type": "quota", "titles": 20, "per": "month", "actions": ["alert"]}) == (
        "quota · 20 titles per month → alert"
    )
    assert "edit profiles.json" in steps.restriction_summary({"type": "any", "of": [], "actions": ["stop"]})


def test_editing_a_rating_rule_keeps_the_files_unrated_default():
    """A rating rule with no "unrated" allows unrated titles; editing it must not start blocking them."""
    rule = {"type": "rating", "max": "PG", "actions": ["stop"]}
    assert steps.restriction_form(rule)["unrated"] == "allow"
    rebuilt, errors = steps.build_restriction("rating", steps.restriction_form(rule))
    assert errors == {} and rebuilt == {**rule, "unrated": "allow"}
    assert steps.restriction_summary(rule) == "rating · above PG (unrated: allow) → stop"


def test_connection_test_closes_its_plex_client(monkeypatch):
    """Each "Test connection" click made a PlexClient (a requests.Session with its sockets) and never closed it."""
    from types import SimpleNamespace

    import plextray.plex.client as client_module
    from plextray.core.model import ServerInfo
    from plextray.ui.settings_server import ServerTab

    made = []

    class RecordingClient:
        def __init__(self, url, token, **kwargs):
            self.closed = False
            made.append(self)

        def server_info(self):
            return ServerInfo(name="Home", machine_id="m", version="1.40", plex_pass=True, platform="Linux")

        def close(self):
            self.closed = True

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.close()

    monkeypatch.setattr(client_module, "PlexClient", RecordingClient)
    posted = []
    tab = SimpleNamespace(window=SimpleNamespace(dispatcher=SimpleNamespace(post=lambda f, *a: posted.append(a))),
                          _probe_done=None)
    ServerTab._probe(tab, "http://127.0.0.1:32400", "token-1234567890")
    assert posted and "Connected to Home" in posted[0][0]
    assert len(made) == 1 and made[0].closed
