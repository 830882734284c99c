"""The settings window as a parent uses it: one Save for every tab (alerts included), unsaved
changes in the title and asked about on Close, Enter saves, Escape closes, Ctrl+Tab moves on."""

from __future__ import annotations

import gc

import pytest

from conftest import pump
from plextray.config import load_config
from plextray.paths import AppPaths
from plextray.plex.credentials import load_alert_urls

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def collect_tk_garbage_on_the_main_thread():
    gc.collect()
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def memory_keyring():
    """A keyring of this test's own: alert URLs saved by another test must not show up here."""
    import keyring

    from support.memkeyring import MemoryKeyring

    old = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield
    keyring.set_keyring(old)


@pytest.fixture
def paths(plextray_home):
    from plextray.profiles.store import ProfileStore

    paths = AppPaths(plextray_home).ensure()
    ProfileStore(paths.profiles).save_raw({"version": 1, "people": [{"name": "Emma", "devices": ["ipad"]}]})
    return paths


def open_window(tk_root, paths):
    from plextray.ui.settings import SettingsWindow

    window = SettingsWindow(tk_root, paths, devices=[])
    window.wait_visibility()
    assert pump(tk_root, lambda: window.winfo_ismapped())
    return window


def add_rule(window):
    tab = window.restrictions
    tab.select_person("Emma")
    tab.show_type("rating")
    assert tab.add() is True


def test_one_save_writes_every_tab_alert_urls_included(tk_root, paths):
    window = open_window(tk_root, paths)
    assert not window.delivery.save_button.winfo_ismapped()  # the Alerts tab has no Save of its own
    window.delivery.urls_text.insert("1.0", "json://127.0.0.1:9/hook")
    add_rule(window)
    assert window.save() is True and window.status.cget("text") == "Saved."
    assert load_alert_urls(load_config(paths.config)) == ("json://127.0.0.1:9/hook",)
    from plextray.profiles.store import ProfileStore

    assert len(ProfileStore(paths.profiles).load().person_named("Emma").restrictions) == 1
    window.delivery.urls_text.insert("1.0", "not a url\n")
    assert window.save() is False and "Alerts tab" in window.status.cget("text")


def test_unsaved_changes_show_in_the_title_and_close_asks(tk_root, paths):
    window = open_window(tk_root, paths)
    assert pump(tk_root, lambda: window.title() == "plextray settings")
    add_rule(window)
    assert pump(tk_root, lambda: window.title() == "plextray settings — unsaved changes")
    asked = []
    window.ask_unsaved = lambda: asked.append("?") or None  # Cancel
    assert window.close() is False and window.winfo_exists() and asked == ["?"]
    window.ask_unsaved = lambda: True  # Save, then close
    assert window.close() is True
    from plextray.profiles.store import ProfileStore

    assert len(ProfileStore(paths.profiles).load().person_named("Emma").restrictions) == 1


def test_discarding_on_close_writes_nothing(tk_root, paths):
    before = paths.profiles.read_bytes()
    window = open_window(tk_root, paths)
    add_rule(window)
    window.ask_unsaved = lambda: False  # Discard
    assert window.close() is True
    assert paths.profiles.read_bytes() == before


def test_a_clean_window_closes_without_asking_and_escape_closes(tk_root, paths):
    window = open_window(tk_root, paths)
    window.ask_unsaved = lambda: pytest.fail("nothing changed: nothing to ask")
    window.event_generate("<Escape>")
    assert pump(tk_root, lambda: not window.winfo_exists())


def test_enter_saves_and_ctrl_tab_switches_tabs(tk_root, paths):
    window = open_window(tk_root, paths)
    add_rule(window)
    window.server.url_entry.focus_force()
    pump(tk_root, lambda: window.focus_get() is window.server.url_entry, 2)
    window.server.url_entry.event_generate("<Return>")
    assert pump(tk_root, lambda: window.saved_count == 1 and not window.dirty)
    window.notebook.select(0)
    window.notebook.focus_force()
    pump(tk_root, lambda: False, 0.2)
    window.notebook.event_generate("<Control-Tab>")
    assert pump(tk_root, lambda: window.notebook.index("current") == 1)


def test_today_gives_extra_time_says_the_new_time_left_and_undoes(tk_root, plextray_home):
    from plextray.profiles.store import ProfileStore
    from plextray.store.db import connect
    from plextray.store.violations import EnforcementStore

    paths = AppPaths(plextray_home).ensure()
    ProfileStore(paths.profiles).save_raw({"version": 1, "people": [{"name": "Emma", "devices": ["ipad"], "restrictions": [
        {"type": "quota", "minutes": 120, "per": "day", "actions": ["stop"]},
        {"type": "time", "days": "everyday", "from": "23:58", "to": "23:59", "actions": ["stop"]}]}]})
    window = open_window(tk_root, paths)
    assert window.notebook.tab(window.notebook.select(), "text") == "Today"  # the everyday tab comes first
    row = window.today.rows["Emma"]
    assert "2 h 00 min left today" in row["status"].cget("text")
    row["+30"].invoke()
    assert "Granted +30 min" in window.today.confirmation.cget("text")
    assert "2 h 30 min left today" in window.today.confirmation.cget("text")
    assert "2 h 30 min left today" in window.today.rows["Emma"]["status"].cget("text")
    window.today.undo_button.invoke()
    assert window.today.confirmation.cget("text") == "Undone."
    assert "2 h 00 min left today" in window.today.rows["Emma"]["status"].cget("text")
    conn = connect(paths.database)
    try:
        assert EnforcementStore(conn).grants_for("Emma", __import__("datetime").date.today()).extra_minutes == 0
    finally:
        conn.close()
    until = window.today.rows["Emma"]["until"]
    until.delete(0, "end")
    until.insert(0, "11:59pm")
    assert window.today.give_until("Emma") is True
    assert "no bedtime until 23:59" in window.today.confirmation.cget("text")
    from datetime import datetime

    from plextray.core.rules import tonight_end

    window.today.rows["Emma"]["tonight"].invoke()
    tonight = tonight_end(ProfileStore(paths.profiles).load().person_named("Emma"), datetime.now())
    assert f"no bedtime until {tonight:%H:%M}" in window.today.confirmation.cget("text")
    until = window.today.rows["Emma"]["until"]
    until.delete(0, "end")
    until.insert(0, "late")
    assert window.today.give_until("Emma") is False and "not a time" in window.today.confirmation.cget("text")
    assert not window.dirty  # extra time is an action, not an unsaved setting


def test_a_log_folder_one_level_too_high_is_refused_naming_the_logs_folder(tk_root, paths, tmp_path):
    plex = tmp_path / "Plex Media Server"
    (plex / "Logs").mkdir(parents=True)
    (plex / "Logs" / "Plex Media Server.log").write_text("")
    window = open_window(tk_root, paths)
    window.server.log_dir_entry.delete(0, "end")
    window.server.log_dir_entry.insert(0, str(plex))
    assert window.save() is False
    assert str(plex / "Logs") in window.server.grid_fields.errors["log_dir"].cget("text")
    window.server.log_dir_entry.delete(0, "end")
    window.server.log_dir_entry.insert(0, str(plex / "Logs"))
    assert window.save() is True
    assert load_config(paths.config).log_dir == str(plex / "Logs")


def test_the_server_tab_offers_sign_in_with_plex(tk_root, paths):
    """A parent has no token to paste: Sign in with Plex… opens the first-run window's sign-in."""
    window = open_window(tk_root, paths)
    window.server.sign_in_button.invoke()
    first_run = window.server.first_run
    assert first_run is not None and first_run.winfo_exists()
    assert first_run.sign_in_button.cget("text") == "Sign in with Plex"
    window.server.sign_in_button.invoke()  # a second click raises the same window
    assert window.server.first_run is first_run
    first_run.destroy()


def test_enter_in_the_rule_form_adds_the_rule(tk_root, paths):
    window = open_window(tk_root, paths)
    tab = window.restrictions
    tab.select_person("Emma")
    tab.show_type("time")
    window.notebook.select(tab)
    tab.fields["from"].delete(0, "end")
    tab.fields["from"].insert(0, "8pm")
    tab.fields["from"].focus_force()
    pump(tk_root, lambda: window.focus_get() is tab.fields["from"], 2)
    tab.fields["from"].event_generate("<Return>")
    assert pump(tk_root, lambda: len(tab.restrictions()) == 1)
    assert tab.restrictions()[0]["from"] == "20:00" and window.saved_count == 0  # added, not yet saved
