"""The settings window under Xvfb, driven widget by widget; profiles.json on disk is then checked."""

from __future__ import annotations

import json

import pytest

from support.settings_window import (  # noqa: F401  (collect_tk_garbage_on_the_main_thread, paths: fixtures)
    DEVICES,
    EMMA_IPAD,
    TV,
    FakeTokenStore,
    collect_tk_garbage_on_the_main_thread,
    open_window,
    paths,
    saved_doc,
)

from conftest import pump

pytestmark = pytest.mark.gui


def test_link_device_add_restriction_and_save(tk_root, paths):
    saved = []
    window = open_window(tk_root, paths, on_saved=lambda: saved.append(True))
    # People: add Emma and Leo.
    window.notebook.select(window.people)
    for name in ("Emma", "Leo"):
        window.people.name_entry.insert(0, name)
        window.people.add_button.invoke()
    assert list(window.people.listbox.get(0, "end")) == ["Emma", "Leo"]
    # Devices: both devices listed with their details; link the iPad and the TV to Emma.
    window.notebook.select(window.devices)
    row = window.devices.tree.item(EMMA_IPAD, "values")
    assert list(row) == ["Emma's iPad", "", "Plex for iOS · iOS", "", "2026-11-24 19:02", "(nobody)"]
    for cid in (EMMA_IPAD, TV):
        window.devices.select(cid)
        window.devices.owner_combo.set("Emma")
        window.devices.assign_button.invoke()
    assert window.devices.tree.item(TV, "values")[-1] == "Emma"
    # Restrictions: a bedtime and a rating ceiling for Emma.
    window.notebook.select(window.restrictions)
    tab = window.restrictions
    tab.select_person("Emma")
    tab.show_type("time")
    tab.fields["days"].set("weeknights")
    for key, value in (("from", "20:30"), ("to", "07:00")):
        tab.fields[key].delete(0, "end")
        tab.fields[key].insert(0, value)
    tab.add_button.invoke()
    tab.show_type("rating")
    tab.fields["max"].set("gb/12A")
    tab.action_checks["alert"].invoke()
    tab.add_button.invoke()
    assert tab.listbox.size() == 2
    assert not paths.profiles.exists()  # nothing is written before Save
    window.save_button.invoke()
    assert window.status.cget("text") == "Saved." and saved == [True]
    doc = saved_doc(paths)
    emma = next(p for p in doc["people"] if p["name"] == "Emma")
    assert emma["devices"] == [EMMA_IPAD, TV]
    assert emma["restrictions"] == [
        {"type": "time", "days": "weeknights", "from": "20:30", "to": "07:00", "actions": ["notify", "stop"]},
        {"type": "rating", "max": "gb/12A", "unrated": "block", "actions": ["notify", "alert", "stop"]},
    ]
    from plextray.profiles.store import ProfileStore

    profiles = ProfileStore(paths.profiles).load()  # the saved file loads as a valid profile
    assert profiles is not None
    config = json.loads(paths.config.read_text())
    assert config["server_url"] == "http://127.0.0.1:32400"
    assert not any("token" in key for key in config)


def test_invalid_entry_shows_error_next_to_field_and_saves_nothing(tk_root, paths):
    window = open_window(tk_root, paths)
    window.people.name_entry.insert(0, "Emma")
    window.people.add_button.invoke()
    tab = window.restrictions
    tab.select_person("Emma")
    tab.show_type("time")
    tab.fields["from"].delete(0, "end")
    tab.fields["from"].insert(0, "25:99")
    tab.add_button.invoke()
    assert "HH:MM" in tab.grid_fields.error_text("from")
    assert tab.grid_fields.error_text("to") == ""
    assert tab.listbox.size() == 0
    tab.show_type("rating")
    tab.fields["max"].set("XYZ-99")
    tab.add_button.invoke()
    assert "Unknown rating" in tab.grid_fields.error_text("max")
    tab.show_type("quota")
    tab.fields["amount"].set("lots")
    for action in ("notify", "stop"):
        tab.action_checks[action].invoke()  # untick: no action left
    tab.add_button.invoke()
    assert tab.grid_fields.error_text("amount") == "Enter a whole number"
    assert tab.grid_fields.error_text("actions") == "Tick at least one action"
    assert tab.listbox.size() == 0
    # A bad server URL blocks Save entirely.
    window.server.url_entry.delete(0, "end")
    window.server.url_entry.insert(0, "ftp//nowhere")
    window.save_button.invoke()
    assert "http://" in window.server.grid_fields.error_text("url")
    assert window.status.cget("text").startswith("Not saved")
    assert not paths.profiles.exists() and not paths.config.exists()


def test_store_rejection_writes_nothing_and_keeps_the_old_file(tk_root, paths):
    from plextray.profiles.store import ProfileStore

    good = {"version": 1, "people": [{"name": "Emma", "devices": [], "accounts": [], "restrictions": []}],
            "unknown_devices": {"actions": ["notify"]}}
    ProfileStore(paths.profiles).save_raw(good)
    before = paths.profiles.read_text()
    window = open_window(tk_root, paths)
    # Sneak an invalid restriction past the form (as a hand-edited document would): the store refuses it.
    window.doc["people"][0]["restrictions"].append({"type": "time", "days": "someday", "from": "1", "to": "2", "actions": ["stop"]})
    window.save_button.invoke()
    text = window.status.cget("text")
    assert text.startswith("Not saved") and "$.people[0].restrictions[0]" in text
    assert paths.profiles.read_text() == before


def test_people_rename_and_remove_unlink_devices(tk_root, paths):
    window = open_window(tk_root, paths)
    for name in ("Emma", "Leo"):
        window.people.name_entry.insert(0, name)
        window.people.add_button.invoke()
    window.people.name_entry.insert(0, "emma")
    assert window.people.add() is False
    assert "already" in window.people.grid_fields.error_text("name")
    window.devices.select(TV)
    window.devices.owner_combo.set("Leo")
    window.devices.assign_button.invoke()
    window.people.select("Leo")
    window.people.name_entry.delete(0, "end")
    window.people.name_entry.insert(0, "Leonard")
    window.people.rename_button.invoke()
    assert window.devices.tree.item(TV, "values")[-1] == "Leonard"
    window.people.select("Leonard")
    window.people.remove_button.invoke()
    assert window.devices.tree.item(TV, "values")[-1] == "(nobody)"
    window.save_button.invoke()
    assert [p["name"] for p in saved_doc(paths)["people"]] == ["Emma"]


def test_token_goes_to_the_keyring_never_to_a_file(tk_root, paths):
    tokens = FakeTokenStore()
    window = open_window(tk_root, paths, token_store=tokens)
    window.server.token_entry.insert(0, "s3cr3t-T0KEN-abcdef")
    window.save_button.invoke()
    assert tokens.saved == ["s3cr3t-T0KEN-abcdef"]
    assert window.server.token_entry.get() == ""
    for path in paths.home.rglob("*"):
        if path.is_file():
            assert b"s3cr3t-T0KEN-abcdef" not in path.read_bytes(), path


def test_no_keyring_says_so_next_to_the_token(tk_root, paths):
    window = open_window(tk_root, paths, token_store=FakeTokenStore(available=False))
    assert "PLEX_TOKEN" in window.server.token_note.cget("text")
    window.server.token_entry.insert(0, "abcdefgh12345678")
    window.save_button.invoke()
    assert "PLEX_TOKEN" in window.server.grid_fields.error_text("token")
    assert window.status.cget("text") == "Saved, except the token."


def test_devices_come_from_the_history_database(tk_root, paths):
    from plextray.store.db import connect

    conn = connect(paths.database)
    with conn:
        conn.execute(
            "INSERT INTO devices (client_id, product, platform, device, ip, account, first_seen, last_seen)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (TV, "Plex Web", "Chrome", "Living room TV", "192.168.1.40", "emma", "2026-11-01T10:00:00", "2026-11-23T21:15:00"),
        )
    conn.close()
    window = open_window(tk_root, paths, devices=None)
    assert window.devices.tree.item(TV, "values")[:5] == ("Living room TV", "emma", "Plex Web · Chrome", "2026-11-01 10:00",
                                                          "2026-11-23 21:15")


def test_test_connection_against_a_real_http_server(tk_root, paths):
    """'Test connection' talks HTTP to a local server standing in for Plex and reports its name."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen_tokens = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen_tokens.append(self.headers.get("X-Plex-Token"))
            if self.headers.get("X-Plex-Token") != "good-token-123":
                self.send_response(401)
                self.end_headers()
                return
            body = (b'<?xml version="1.0" encoding="UTF-8"?><MediaContainer size="0" friendlyName="Den Server" '
                    b'machineIdentifier="abc123" version="1.40.0.7998" platform="Linux" myPlexSubscription="1" '
                    b'ownerFeatures="session_kick"></MediaContainer>')
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        window = open_window(tk_root, paths)
        window.server.url_entry.delete(0, "end")
        window.server.url_entry.insert(0, f"http://127.0.0.1:{server.server_port}")
        window.server.token_entry.insert(0, "wrong-token-456")
        window.server.test_button.invoke()
        assert pump(tk_root, lambda: window.server.test_result.cget("text").startswith("✘"), timeout=15)
        window.server.token_entry.delete(0, "end")
        window.server.token_entry.insert(0, "good-token-123")
        window.server.test_button.invoke()
        assert pump(tk_root, lambda: window.server.test_result.cget("text").startswith("✔"), timeout=15)
        assert "Den Server" in window.server.test_result.cget("text")
    finally:
        server.shutdown()
        server.server_close()


def test_alerts_tab_and_server_save_keep_each_others_settings(tk_root, paths, use_keyring):
    """The Alerts tab (plextray.ui.delivery_frame) is part of the window; saving the server tab keeps its URLs."""
    from support.memkeyring import MemoryKeyring

    from plextray.config import AppConfig, load_config
    from plextray.config_save import save_config
    from plextray.plex.credentials import load_alert_urls

    use_keyring(MemoryKeyring())  # alert URLs live in the keyring
    save_config(paths.config, AppConfig(alert_urls=("ntfy://ntfy.sh/plextray-test",)))
    window = open_window(tk_root, paths)
    assert window.delivery is not None
    assert [window.notebook.tab(t, "text") for t in window.notebook.tabs()] == ["Today", "Server", "People", "Devices", "Restrictions", "Alerts"]
    window.server.url_entry.delete(0, "end")
    window.server.url_entry.insert(0, "http://10.0.0.5:32400")
    assert window.save() is True
    config = load_config(paths.config)
    assert config.server_url == "http://10.0.0.5:32400"
    assert load_alert_urls(config) == ("ntfy://ntfy.sh/plextray-test",)


@pytest.mark.gui
def test_settings_save_with_a_broken_config_json_writes_nothing_and_says_so(tk_root, plextray_home):
    """"Not saved" must be true: profiles.json was written (and the engine never told) before
    config.json turned out to be unreadable."""
    from plextray.paths import AppPaths
    from plextray.ui import settings_steps as steps
    from plextray.ui.settings import SettingsWindow

    paths = AppPaths(plextray_home).ensure()
    paths.config.write_text("{broken", encoding="utf-8")
    saved_calls = []

    class Keyring:
        available = True

        def get(self):
            return None

        def set(self, token):
            raise AssertionError("nothing may be stored")

    window = SettingsWindow(tk_root, paths, token_store=Keyring(), devices=[], on_saved=lambda: saved_calls.append(1))
    try:
        window.set_doc(steps.add_person(window.doc, "Emma"))
        assert window.save() is False
        assert str(window.status.cget("text")).startswith("Not saved")
        assert not paths.profiles.exists()
        assert paths.config.read_text(encoding="utf-8") == "{broken"
    finally:
        window.destroy()


@pytest.mark.gui
def test_alerts_tab_save_when_the_keyring_refuses_the_password_writes_nothing(tk_root, plextray_home):
    """"Not saved" must be true when the SMTP password cannot be kept: config.json stays as it was."""
    import keyring

    from plextray.config import AppConfig
    from plextray.config_save import save_config
    from plextray.paths import AppPaths
    from plextray.ui.delivery_frame import DeliveryFrame
    from support.memkeyring import MemoryKeyring

    paths = AppPaths(plextray_home).ensure()
    save_config(paths.config, AppConfig(server_url="http://127.0.0.1:32400"))
    before = paths.config.read_text(encoding="utf-8")
    previous = keyring.get_keyring()
    locked = MemoryKeyring()
    locked.locked = True
    keyring.set_keyring(locked)
    try:
        frame = DeliveryFrame(tk_root, paths)
        for name, value in (("host", "smtp.example.org"), ("username", "dad"), ("password", "pa55-w0rd-x"),
                            ("recipients", "dad@example.org")):
            frame.fields[name].delete(0, "end")
            frame.fields[name].insert(0, value)
        assert frame.save() is False
        assert str(frame.status.cget("text")).startswith("Not saved")
        assert paths.config.read_text(encoding="utf-8") == before
        frame.destroy()
    finally:
        keyring.set_keyring(previous)


@pytest.mark.gui
def test_settings_opens_on_a_profiles_json_the_store_rejects_and_never_overwrites_it(tk_root, plextray_home):
    """Valid JSON with a wrongly shaped rule ("block" as one string) made the Restrictions tab raise
    TypeError while building: Settings… silently did nothing. It must open, say what is wrong, keep the file."""
    from plextray.paths import AppPaths
    from plextray.ui.settings import SettingsWindow

    paths = AppPaths(plextray_home).ensure()
    text = ('{"version": 1, "people": [{"name": "Emma", "devices": [], "restrictions": '
            '[{"type": "library", "block": "Adult Movies", "actions": ["stop"]}]}]}')
    paths.profiles.write_text(text, encoding="utf-8")

    class Keyring:
        available = True

        def get(self):
            return None

        def set(self, token):
            pass

    window = SettingsWindow(tk_root, paths, token_store=Keyring(), devices=[])
    try:
        assert "block" in str(window.status.cget("text"))
        assert not window.profiles_editable
        window.save()
        assert paths.profiles.read_text(encoding="utf-8") == text
    finally:
        window.destroy()
