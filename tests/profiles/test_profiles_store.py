"""ProfileStore on real files: last good copy kept, atomic validated saves, backups, no broken file lost."""

from __future__ import annotations

import copy
import json
import os
import threading

import pytest
from support.profiles_example import EXAMPLE_TEXT, IPAD

from plextray.errors import ProfileError
from plextray.profiles import ProfileStore

EXAMPLE = json.loads(EXAMPLE_TEXT)


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "profiles.json"
    p.write_text(EXAMPLE_TEXT, encoding="utf-8")
    return p


def test_load_and_person_for(path):
    store = ProfileStore(path)
    assert store.current is None
    assert store.person_for(IPAD, None) is None  # nothing loaded yet
    profiles = store.load()
    assert store.current is profiles
    assert store.person_for(IPAD, None).name == "Emma"
    assert store.person_for(None, "admin").name == "Parents"
    assert store.person_for("tv", None) is None
    assert store.load_raw() == EXAMPLE


def test_missing_file_is_an_empty_household(tmp_path):
    store = ProfileStore(tmp_path / "none" / "profiles.json")
    profiles = store.load()
    assert profiles.people == () and profiles.version == 1
    assert store.load_raw()["people"] == []
    assert not store.exists()


def test_a_removed_file_does_not_lift_every_rule(path):
    store = ProfileStore(path)
    good = store.load()
    path.unlink()
    result = store.reload_if_changed()
    assert isinstance(result, ProfileError) and "was removed" in str(result)
    assert store.current is good
    assert store.reload_if_changed() is None  # reported once, not on every poll
    store.save_raw(EXAMPLE)
    assert path.exists()


def test_broken_file_keeps_the_last_good_profiles(path):
    store = ProfileStore(path)
    good = store.load()
    path.write_text(EXAMPLE_TEXT.replace('"max": "PG"', '"max": "PG-42"'), encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        store.load()
    assert "$.people[0].restrictions[2].max: unknown rating 'PG-42'" in str(caught.value)
    assert str(path) in str(caught.value)
    assert caught.value.exit_status == 2
    assert [i.path for i in caught.value.issues] == ["$.people[0].restrictions[2].max"]
    assert store.current is good
    result = store.reload()
    assert isinstance(result, ProfileError)
    assert store.current is good
    assert store.person_for(IPAD, None).name == "Emma"
    assert "PG-42" in path.read_text()  # never overwritten


def test_bad_json_reports_line_and_column(path):
    path.write_text('{\n  "version": 1,\n  "people": [,]\n}\n', encoding="utf-8")
    store = ProfileStore(path)
    with pytest.raises(ProfileError, match=r"not valid JSON: .* at line 3, column 14"):
        store.load()
    with pytest.raises(ProfileError, match="line 3"):
        store.load_raw()
    assert store.current is None


def test_not_utf8(path):
    path.write_bytes(b'{"version": 1, "people": [{"name": "\xff"}]}')
    with pytest.raises(ProfileError, match="not UTF-8"):
        ProfileStore(path).load()


def test_reload_if_changed(path):
    store = ProfileStore(path)
    store.load()
    assert store.reload_if_changed() is None
    doc = copy.deepcopy(EXAMPLE)
    doc["people"][1]["name"] = "Mum and Dad"
    path.write_text(json.dumps(doc) + "\n" * 3, encoding="utf-8")
    result = store.reload_if_changed()
    assert result is not None and result.people[1].name == "Mum and Dad"
    assert store.reload_if_changed() is None


def test_save_validates_first_and_writes_nothing_when_invalid(path):
    store = ProfileStore(path)
    store.load()
    before = path.read_bytes()
    doc = copy.deepcopy(EXAMPLE)
    doc["people"][0]["restrictions"][0]["to"] = "7pm"
    with pytest.raises(ProfileError, match=r"\$\.people\[0\]\.restrictions\[0\]\.to: bad time '7pm'"):
        store.save_raw(doc)
    assert path.read_bytes() == before
    assert not store.backup_path.exists()
    assert [p.name for p in path.parent.iterdir()] == ["profiles.json"]  # no temp file left


def test_save_is_atomic_keeps_a_backup_and_updates_current(path):
    store = ProfileStore(path)
    store.load()
    doc = copy.deepcopy(EXAMPLE)
    doc["people"][0]["restrictions"].append({"type": "streak", "episodes": 3, "days": "everyday",
                                             "from": "21:00", "to": "06:00", "actions": ["stop"]})
    saved = store.save_raw(doc)
    assert store.current is saved
    assert saved.people[0].restrictions[-1].kind == "streak"
    assert store.backup_path.read_text() == EXAMPLE_TEXT
    assert json.loads(path.read_text()) == doc
    assert ProfileStore(path).load() == saved
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert store.reload_if_changed() is None  # our own save is not a change
    doc2 = copy.deepcopy(doc)
    doc2["settings"]["grace_seconds"] = 10
    store.save_raw(doc2)
    assert json.loads(store.backup_path.read_text()) == doc  # the previous good file


def test_explicit_save_over_a_broken_file_keeps_the_broken_text(path):
    store = ProfileStore(path)
    store.load()
    store.save_raw(EXAMPLE)  # backup = good example
    path.write_text("{ this is not json", encoding="utf-8")
    assert isinstance(store.reload(), ProfileError)
    store.save_raw(EXAMPLE)
    assert store.broken_path.read_text() == "{ this is not json"
    assert json.loads(store.backup_path.read_text()) == EXAMPLE  # .bak stays the last GOOD file
    assert json.loads(path.read_text()) == EXAMPLE


def test_concurrent_saves_and_reloads_never_see_half_a_file(path):
    store = ProfileStore(path)
    store.load()
    errors = []

    def saver():
        for i in range(30):
            doc = copy.deepcopy(EXAMPLE)
            doc["settings"]["grace_seconds"] = i
            store.save_raw(doc)

    def reader():
        other = ProfileStore(path)
        for _ in range(60):
            result = other.reload()
            if isinstance(result, ProfileError):
                errors.append(result)

    threads = [threading.Thread(target=saver), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.load().settings.grace_seconds == 29
    assert not [n for n in os.listdir(path.parent) if n.endswith(".tmp")]
