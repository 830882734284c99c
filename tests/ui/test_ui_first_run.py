"""The first start of the tray on an empty PLEXTRAY_HOME, under Xvfb against the emulator: the
needs-setup icon, the first-run window opening by itself, and — driven step by step (sign-in
with a code linked at a local stand-in for plex.tv, the logs found, debug logging turned on, a
child with two devices and the starting rules) — the monitoring icon, a valid profiles.json and
a restricted play stopped."""

from __future__ import annotations

import gc
import threading

import pytest

from conftest import pump
from support.household import RecordingNotifier
from support.notify_bus import notifyd, private_bus  # noqa: F401  (a real notification server on a private D-Bus)

from plextray.app import build_engine
from plextray.core.model import EngineState
from plextray.emulator.household import demo_household
from plextray.emulator.plextv import PlexTvStandIn
from plextray.emulator.server import PlexEmulator
from plextray.paths import AppPaths
from plextray.profiles.store import ProfileStore

pytestmark = pytest.mark.gui
TOKEN = "first-run-token-81c2"


@pytest.fixture(autouse=True)
def first_run_workers_finish():
    """The window's worker threads (server discovery waits for answers) end before the next test
    module checks that no plextray thread is left behind."""
    yield
    for thread in threading.enumerate():
        if thread.name == "plextray-first-run":
            thread.join(15)


@pytest.fixture(autouse=True)
def collect_tk_garbage_on_the_main_thread():
    gc.collect()
    yield
    gc.collect()


@pytest.fixture
def world(xdisplay, tmp_path, monkeypatch, plextray_home, memory_keyring):
    logs = tmp_path / "Logs"
    with PlexEmulator(token=TOKEN, log_dir=logs) as emulator, PlexTvStandIn(TOKEN) as plex_tv:
        ids = demo_household(emulator)
        emulator.add_device("emma-laptop-7f3a", product="Plex Web", platform="Firefox", device_name="Emma's Laptop",
                            address="192.168.1.77", account="Emma")
        emulator.play("emma-laptop-7f3a", "2201")  # Emma watched on her laptop earlier: Plex's log says so
        emulator.stop_play("emma-laptop-7f3a")
        emulator.set_pref("logDebug", False)  # then debug logging went off
        monkeypatch.setenv("PLEXTRAY_PLEX_TV", plex_tv.url)
        monkeypatch.setenv("PLEX_MEDIA_SERVER_LOG_DIR", str(logs))
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
        opened: list[str] = []
        monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
        yield emulator, plex_tv, ids, logs, opened


def start_tray(paths, notifier):
    from plextray.autostart import Autostart
    from plextray.ui.app import TrayApp

    current = [build_engine(paths, notifier=notifier, with_mail=False)]

    def restart():
        current[0].engine.stop()
        current[0].close()
        current[0] = build_engine(paths, notifier=notifier, with_mail=False)
        return current[0].start()

    app = TrayApp(current[0].start(), paths, open_report=lambda: None, notifier=notifier,
                  autostart=Autostart(platform="linux", command=["/usr/bin/plextray"]), restart_engine=restart)
    app.start()
    assert app.tray.wait_ready(5)
    return app, current


def test_first_start_walks_a_parent_to_a_protected_child(world, plextray_home, memory_keyring, notifyd):
    from plextray.notify import DesktopNotifier
    from plextray.ui.icons import icon_image

    emulator, plex_tv, ids, logs, opened = world
    emulator.play(ids["kid_tablet"], "2201")  # Emma is watching now
    notifier = DesktopNotifier()  # the real one, to a notification server on the test's own bus
    paths = AppPaths(plextray_home)
    app, current = start_tray(paths, notifier)
    try:
        assert pump(app.dispatcher, lambda: app.first_run is not None and app.first_run.winfo_exists(), 10), \
            "the first-run window did not open by itself"
        assert app.tray.snapshot.state is EngineState.NEEDS_SETUP
        # (icon and tooltip change on the tray's own thread, a moment after the snapshot)
        assert pump(app.dispatcher, lambda: app.tray.icon.icon is icon_image(EngineState.NEEDS_SETUP), 5)
        assert pump(app.dispatcher, lambda: "needs setup" in app.tray.icon.title, 5), app.tray.icon.title
        assert "no Plex server" in app.tray.icon.title
        from tkinter import ttk

        assert ttk.Style(app.root).theme_use() == "sun-valley-light"  # the modern theme, not Tk's default
        shown = notifyd(1)
        assert [n["summary"] for n in shown] == ["plextray needs setting up"]
        assert "No Plex server is set up" in shown[0]["body"]
        win = app.first_run
        assert pump(app.dispatcher, lambda: not win.found_label.cget("text").startswith("Looking"), 10)
        # 1 server: sign in with Plex — a code, plex.tv/link opened, the parent links it
        win.url_entry.delete(0, "end")
        win.url_entry.insert(0, emulator.url)
        win.sign_in_button.invoke()
        assert pump(app.dispatcher, lambda: bool(win.pin_code.get()), 10)
        assert opened == ["https://plex.tv/link"]
        assert plex_tv.link(win.pin_code.get())
        assert pump(app.dispatcher, lambda: win.connected is not None, 15), win.server_status.cget("text")
        assert "Plex Pass ✓" in win.server_status.cget("text")
        assert memory_keyring.store[("plextray", "plex_token")] == TOKEN
        # 2 logs: found; one click turns on debug logging
        assert win.log_dir == logs
        win.debug_button.invoke()
        assert pump(app.dispatcher, lambda: emulator.prefs()["logDebug"] is True, 10)
        assert pump(app.dispatcher, lambda: "✓ Debug logging is on" in win.debug_label.cget("text"), 5)
        # 3 people: Emma, her iPad (watching now) and her laptop (from the log), the starting rules
        win.notebook.select(2)
        assert pump(app.dispatcher, lambda: len(win.candidates) >= 2, 10)
        assert "(watching now)" in win.candidates[0].label
        win.name_entry.insert(0, "Emma")
        win.tick("Emma's iPad")
        win.tick("Emma's Laptop")
        assert win.preset_var.get() is True
        win.add_button.invoke()
        assert "Added Emma" in win.people_label.cget("text")
        emulator.stop_play(ids["kid_tablet"])
        # 4 alerts skipped; finish: monitoring on the new settings
        win.finish_button.invoke()
        assert pump(app.dispatcher, lambda: app.tray.snapshot.state is EngineState.MONITORING, 20), app.tray.snapshot
        # (the icon follows the snapshot a moment later: the engine restarted with the new settings
        # may show "starting" first, so wait for the icon to settle too)
        assert pump(app.dispatcher, lambda: app.tray.icon.icon is icon_image(EngineState.MONITORING), 10), app.tray.snapshot
        emma = ProfileStore(paths.profiles).load().person_named("Emma")
        assert set(emma.devices) == {ids["kid_tablet"], "emma-laptop-7f3a"}
        assert [r.kind for r in emma.restrictions] == ["time", "rating", "quota"]
        # the end that matters: Emma's R-rated film is stopped
        emulator.play(ids["kid_tablet"], "1002")
        assert pump(app.dispatcher, lambda: bool(emulator.terminate_calls), 20)
        assert not app.first_run.winfo_exists()
        assert [n["summary"] for n in notifyd(2)].count("plextray needs setting up") == 1  # said once
    finally:
        app.quit()
        current[0].close()


def test_later_closes_it_and_it_does_not_open_by_itself_again(world, plextray_home):
    paths = AppPaths(plextray_home)
    notifier = RecordingNotifier()
    app, current = start_tray(paths, notifier)
    try:
        assert pump(app.dispatcher, lambda: app.first_run is not None and app.first_run.winfo_exists(), 10)
        app.first_run.later_button.invoke()
        assert not app.first_run.winfo_exists()
    finally:
        app.quit()
        current[0].close()
    app, current = start_tray(paths, notifier)
    try:
        assert pump(app.dispatcher, lambda: app.tray.snapshot.state is EngineState.NEEDS_SETUP, 10)
        pump(app.dispatcher, lambda: False, 0.5)
        assert app.first_run is None  # the menu's Set up… still opens it
        app.open_setup()
        assert app.first_run is not None and app.first_run.winfo_exists()
    finally:
        app.quit()
        current[0].close()


def test_without_a_keyring_the_window_asks_before_keeping_the_token_in_a_file(world, plextray_home, use_keyring):
    """No keyring: a tick box says where the token would go; unticked, nothing is saved."""
    import stat

    from keyring.backends import fail

    from plextray.ui.dispatch import Dispatcher
    from plextray.ui.first_run import FirstRunWindow

    use_keyring(fail.Keyring())
    emulator, plex_tv, _ids, _logs, _opened = world
    import tkinter as tk

    root = tk.Tk()
    root.withdraw()
    dispatcher = Dispatcher(root)
    dispatcher.start()
    try:
        win = FirstRunWindow(root, AppPaths(plextray_home), dispatcher=dispatcher)
        assert win.keyring is False and win.file_ok.get() is True
        win.url_entry.delete(0, "end")
        win.url_entry.insert(0, emulator.url)
        win.file_ok.set(False)
        win.test_connection(TOKEN)
        assert pump(root, lambda: "Nothing was saved" in win.server_status.cget("text"), 10), win.server_status.cget("text")
        assert "the file was not wanted" in win.server_status.cget("text")
        assert not (plextray_home / "plex-token").exists() and not (plextray_home / "config.json").exists()
        win.file_ok.set(True)
        win.test_connection(TOKEN)
        assert pump(root, lambda: win.connected is not None, 10), win.server_status.cget("text")
        token_file = plextray_home / "plex-token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600 and "readable by you only" in win.server_status.cget("text")
        win.destroy()
    finally:
        dispatcher.stop()
        root.destroy()


def test_opened_again_it_knows_the_server_is_already_signed_in(world, plextray_home, memory_keyring):
    """From the menu's Set up… after setting up: no second sign-in to add another child."""
    import tkinter as tk

    from plextray.config import AppConfig
    from plextray.config_save import save_config
    from plextray.ui.dispatch import Dispatcher
    from plextray.ui.first_run import FirstRunWindow

    emulator, _plex_tv, _ids, logs, _opened = world
    paths = AppPaths(plextray_home).ensure()
    save_config(paths.config, AppConfig(server_url=emulator.url))
    memory_keyring.store[("plextray", "plex_token")] = TOKEN
    root = tk.Tk()
    root.withdraw()
    dispatcher = Dispatcher(root)
    dispatcher.start()
    try:
        win = FirstRunWindow(root, paths, dispatcher=dispatcher)
        assert pump(root, lambda: win.connected is not None, 10)
        assert "Already connected to" in win.server_status.cget("text") and win.token == TOKEN
        assert "Debug logging is off" in win.debug_label.cget("text")  # the logs step can act at once
        win.destroy()
    finally:
        dispatcher.stop()
        root.destroy()
