"""The settings window's rules in everyday use: times typed as parents type them, rules listed in
check-config's words, edited in place, and a rule that adds nothing warned about (or refused)."""

from __future__ import annotations

import gc

import pytest

from conftest import pump
from plextray.core.clockwords import normalise_clock
from plextray.paths import AppPaths
from plextray.ui import settings_steps as steps
from plextray.ui.settings_rules import conflict, plain_words

pytestmark = pytest.mark.gui

EVERY_DAY_1930 = {"type": "time", "days": "everyday", "from": "19:30", "to": "07:00", "actions": ["stop"]}
WEEKEND_2030 = {"type": "time", "days": "weekend", "from": "20:30", "to": "07:00", "actions": ["notify"]}


@pytest.mark.parametrize("typed, expected", [
    ("8pm", "20:00"), ("8:30 pm", "20:30"), ("8.30pm", "20:30"), ("12am", "00:00"), ("12pm", "12:00"),
    ("7am", "07:00"), ("20:30", "20:30"), ("7:05", "07:05"), ("24:00", "24:00"),
    ("13pm", None), ("25:00", None), ("eight", None), ("8 o'clock", None),
])
def test_times_as_parents_type_them(typed, expected):
    assert normalise_clock(typed) == expected


def test_a_bedtime_of_8pm_is_understood():
    rule, errors = steps.build_restriction("time", {"days": "weeknights", "from": "8pm", "to": "7am",
                                                    "actions": ["stop"]})
    assert errors == {} and (rule["from"], rule["to"]) == ("20:00", "07:00")


def test_rules_read_in_check_config_words():
    assert plain_words(EVERY_DAY_1930) == "forbids everyday 19:30–07:00 → stop" or \
        plain_words(EVERY_DAY_1930).startswith("forbids ") and "19:30" in plain_words(EVERY_DAY_1930)
    from plextray.commands.check_config import explain

    doc = {"version": 1, "people": [{"name": "Emma", "restrictions": [EVERY_DAY_1930]}]}
    assert any(plain_words(EVERY_DAY_1930) in line for line in explain(doc))


def test_a_weekend_bedtime_under_an_every_day_one_is_covered():
    kind, why = conflict([EVERY_DAY_1930], WEEKEND_2030)
    assert kind == "covered" and "rule 1 already forbids all of it" in why
    assert conflict([WEEKEND_2030], EVERY_DAY_1930) is None  # the wider one adds something
    assert conflict([{"type": "rating", "max": "PG", "actions": ["stop"]}],
                    {"type": "rating", "max": "PG-13", "actions": ["notify"]})[0] == "covered"
    assert conflict([{"type": "quota", "minutes": 60, "per": "day", "actions": ["stop"]}],
                    {"type": "quota", "minutes": 120, "per": "day", "actions": ["stop"]})[0] == "covered"
    assert conflict([{"type": "quota", "minutes": 60, "per": "day", "actions": ["stop"]}],
                    {"type": "quota", "minutes": 120, "per": "week", "actions": ["stop"]}) is None


def test_an_exact_duplicate_is_refused_but_editing_a_rule_is_not_a_duplicate_of_itself():
    assert conflict([EVERY_DAY_1930], {**EVERY_DAY_1930, "actions": ["notify"]})[0] == "duplicate"
    assert conflict([EVERY_DAY_1930], EVERY_DAY_1930, editing=0) is None


@pytest.fixture(autouse=True)
def collect_tk_garbage_on_the_main_thread():
    gc.collect()
    yield
    gc.collect()


@pytest.fixture
def window(xdisplay, plextray_home):
    import tkinter as tk

    from plextray.profiles.store import ProfileStore
    from plextray.ui.settings import SettingsWindow

    paths = AppPaths(plextray_home).ensure()
    ProfileStore(paths.profiles).save_raw({"version": 1, "people": [
        {"name": "Emma", "devices": ["ipad"], "restrictions": [EVERY_DAY_1930]}]})
    root = tk.Tk()
    root.withdraw()
    win = SettingsWindow(root, paths, devices=[])
    win.wait_visibility()
    pump(root, lambda: win.winfo_ismapped())
    yield win
    root.destroy()


def fill(tab, kind, **values):
    tab.show_type(kind)
    for name, value in values.items():
        widget = tab.fields[name]
        if hasattr(widget, "set") and not hasattr(widget, "insert") or name in ("days", "max", "unrated", "unit", "per"):
            widget.set(value)
        else:
            widget.delete(0, "end")
            widget.insert(0, value)


def test_the_window_lists_plain_words_edits_in_place_and_warns(window):
    tab = window.restrictions
    tab.select_person("Emma")
    assert tab.listbox.get(0) == f"1. {plain_words(EVERY_DAY_1930)}"
    fill(tab, "time", days="weekend", **{"from": "8:30pm", "to": "7am"})
    assert tab.add() is True
    assert "changes nothing" in tab.note.cget("text")
    fill(tab, "time", days="weekend", **{"from": "20:30", "to": "07:00"})
    assert tab.add() is False and "already there" in tab.note.cget("text")
    assert len(tab.restrictions()) == 2
    tab.listbox.selection_clear(0, "end")
    tab.listbox.selection_set(0)
    assert tab.edit_selected() is True and tab.add_button.cget("text") == "Save rule"
    assert tab.fields["from"].get() == "19:30"
    tab.fields["from"].delete(0, "end")
    tab.fields["from"].insert(0, "7pm")
    assert tab.add() is True
    rules = tab.restrictions()
    assert len(rules) == 2 and rules[0]["from"] == "19:00" and rules[1]["from"] == "20:30"
    assert tab.add_button.cget("text") == "Add"


def test_devices_with_the_same_name_are_told_apart_and_new_ones_marked():
    from datetime import datetime

    from plextray.core.model import Device
    from plextray.ui.settings_devices import device_rows

    doc = {"version": 1, "people": [{"name": "Emma", "devices": ["AAAA-1111-old-ipad"]}]}
    devices = [
        Device("AAAA-1111-old-ipad", "Plex for iOS", "iOS", "iPad", account="Emma",
               first_seen="2026-09-01T18:00:00", last_seen="2026-11-20T19:02:11"),
        Device("BBBB-2222-new-ipad", "Plex for iOS", "iOS", "iPad", account="Noah",
               first_seen="2026-11-23T17:40:02.123", last_seen="2026-11-24T17:40:02.123"),
        Device("tv", "Plex for Android (TV)", "Android", "Living room TV", first_seen="2026-01-01T10:00:00",
               last_seen="2026-11-01T21:15:00"),
    ]
    rows = dict(device_rows(devices, doc, datetime(2026, 11, 25, 12, 0)))
    old, new, tv = rows["AAAA-1111-old-ipad"], rows["BBBB-2222-new-ipad"], rows["tv"]
    assert old[0] == "iPad · …d-ipad" and new[0] == "● new  iPad · …w-ipad"  # linked devices are not "new"
    assert (old[1], new[1]) == ("Emma", "Noah") and old[5] == "Emma"
    assert new[4] == "2026-11-24 17:40" and new[3] == "2026-11-23 17:40"  # fits: no seconds
    assert tv[0] == "Living room TV" and tv[2] == "Plex for Android (TV) · Android"
    assert list(dict(device_rows(devices, doc, datetime(2026, 11, 25)))) == [
        "BBBB-2222-new-ipad", "AAAA-1111-old-ipad", "tv"]  # newest first
