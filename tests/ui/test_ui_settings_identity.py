"""The settings window edits who is who (issue 11): each person's Plex accounts on the People tab,
each device's account and first sighting on the Devices tab, and the "shared" marks."""

from __future__ import annotations

import pytest
from support.settings_window import (  # noqa: F401  (fixtures)
    TV,
    collect_tk_garbage_on_the_main_thread,
    open_window,
    paths,
    saved_doc,
)

from plextray.core.model import Device
from plextray.profiles.schema import compile_document

pytestmark = pytest.mark.gui


def test_people_tab_sets_accounts_and_marks_a_family_account_shared(tk_root, paths):
    window = open_window(tk_root, paths)
    for name in ("Emma", "Parents"):
        window.people.name_entry.insert(0, name)
        window.people.add_button.invoke()
    window.people.select("Emma")
    window.people.accounts_entry.insert(0, "emma, family")
    window.people.set_accounts()
    window.people.select("Parents")
    window.people.accounts_entry.insert(0, "family")
    window.people.shared_var.set(True)
    window.people.accounts_button.invoke()
    window.save_button.invoke()
    doc = saved_doc(paths)
    assert [p["accounts"] for p in doc["people"]] == [["emma", "family"], ["family"]]
    assert doc["shared"] == {"accounts": ["family"]}
    profiles, issues = compile_document(doc)
    assert issues == [] and profiles is not None
    window.people.select("Emma")
    assert window.people.accounts_entry.get() == "emma, family"


def test_devices_tab_shows_account_and_first_seen_and_marks_a_tv_shared(tk_root, paths):
    devices = [Device(client_id=TV, product="Plex Web", platform="Chrome", device="Living room TV",
                      ip="192.168.1.40", account="alex", first_seen="2026-11-01T10:00:00",
                      last_seen="2026-11-23T21:15:00")]
    window = open_window(tk_root, paths, devices=devices)
    values = window.devices.tree.item(TV, "values")
    assert values[1] == "alex" and values[3] == "2026-11-01 10:00"  # account, first seen
    window.devices.select(TV)
    window.devices.shared_var.set(True)
    assert window.devices.toggle_shared()
    assert window.devices.tree.item(TV, "values")[-1] == "(nobody) (shared)"
    window.save_button.invoke()
    assert saved_doc(paths)["shared"] == {"devices": [TV]}
