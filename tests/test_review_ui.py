"""Review findings in plextray.ui: the tray's start-up refuses cleanly where Tk cannot run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_wayland_without_xwayland_is_one_line_not_a_tk_traceback(tmp_path):
    """A Wayland session with no DISPLAY: pystray's GTK/AppIndicator backends import fine there
    (the dummy backend stands in for them), but Tk on Linux needs an X display."""
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env.update(WAYLAND_DISPLAY="wayland-9", PYSTRAY_BACKEND="dummy", PLEXTRAY_HOME=str(tmp_path / "home"))
    result = subprocess.run(
        [sys.executable, "-m", "plextray", "run"], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2
    assert result.stderr.startswith("plextray: cannot start the tray: ")
    assert "plextray run --headless" in result.stderr


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

    from plextray.config import AppConfig, save_config
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


@pytest.fixture
def tray_app(xdisplay, tmp_path, monkeypatch, plextray_home):
    import gc

    from support.tray_fakes import FakeEngine, RecordingNotifier

    from plextray.autostart import Autostart
    from plextray.core.model import EngineSnapshot, EngineState
    from plextray.paths import AppPaths
    from plextray.ui.app import TrayApp

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))  # autostart/ cannot be created under a file
    gc.collect()
    app = TrayApp(FakeEngine(EngineSnapshot(EngineState.MONITORING, people=("Emma",))), AppPaths(plextray_home),
                  open_report=lambda: None, notifier=RecordingNotifier(), opener=lambda path: None,
                  autostart=Autostart(platform="linux", command=["/usr/bin/plextray"]), email=lambda what: "")
    app.start()
    assert app.tray.wait_ready(5)
    yield app
    app.quit()
    gc.collect()


def _click(app, label):
    import threading

    item = next(i for i in app.tray.icon.menu.items if i.text == label)
    worker = threading.Thread(target=item, args=(app.tray.icon,))
    worker.start()
    worker.join(5)


@pytest.mark.gui
def test_menu_failures_of_settings_and_start_at_login_are_notified_not_only_logged(tray_app, monkeypatch):
    """Like the report and archive items: a failing action tells the user, instead of a click that does nothing."""
    from conftest import pump

    import plextray.ui.settings as settings_module

    def broken_window(*args, **kwargs):
        raise RuntimeError("the settings window could not be built")

    monkeypatch.setattr(settings_module, "SettingsWindow", broken_window)
    sent = tray_app.notifier.sent
    _click(tray_app, "Settings…")
    assert pump(tray_app.root, lambda: len(sent) >= 1), "no notification for the failed Settings…"
    assert "settings window could not be built" in sent[-1][1]
    _click(tray_app, "Start at login")
    assert pump(tray_app.root, lambda: len(sent) >= 2), "no notification for the failed Start at login"
    assert "start at login" in sent[-1][1].lower()
    item = next(i for i in tray_app.tray.icon.menu.items if i.text == "Start at login")
    assert item.checked is False


def test_tooltip_fits_windows_limit_in_utf16_units():
    """szTip is 128 WCHARs: emoji in titles count twice; pystray raises ValueError past it, and then
    apply_snapshot stopped before refreshing the menu."""
    from plextray.core.model import EngineSnapshot, EngineState, NowPlaying
    from plextray.ui.tray import tooltip_text

    many = tuple(NowPlaying(person="Emma", device="iPad", title="🦕 Dinosaur Train 🚂 " * 4, state="playing")
                 for _ in range(3))
    text = tooltip_text(EngineSnapshot(EngineState.MONITORING, now_playing=many))
    assert len(text.encode("utf-16-le")) // 2 <= 127 and text.endswith("…")
