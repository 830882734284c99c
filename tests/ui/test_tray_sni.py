"""The tray through StatusNotifierItem, as GNOME (with its extension), KDE and Wayland desktops show it.

plextray runs as a real process under Xvfb on the private session bus, with PYSTRAY_BACKEND
unset: it must see the watcher and pick pystray's appindicator backend by itself. The watcher
and host are tests/support/sni_host.py (dbus-fast), doing what a panel does: take the item's
registration, read its icon, title (the tooltip; libayatana's items have no ToolTip property)
and dbusmenu layout, and click entries with dbusmenu `Event` calls. The clicks must reach the
real engine: paused (its snapshot comes back into the menu's checkmark and the title), a grant
recorded in the history database, and Quit ending the process cleanly.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from support.household import emma_profiles, wait_for, write_profiles

from plextray.ui.backend import appindicator_missing_part

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sni_host(private_session_bus):
    from support.sni_host import SniHost

    host = SniHost().start()
    yield host
    host.stop()


def _start_app(tmp_path: Path, home: Path, xdisplay: str) -> subprocess.Popen:
    logs = tmp_path / "Logs"
    logs.mkdir()
    (logs / "Plex Media Server.log").write_text("")
    write_profiles(home, emma_profiles([], kid_device="kid-tablet"))
    env = {k: v for k, v in os.environ.items() if k != "PYSTRAY_BACKEND"}
    env.update(PLEXTRAY_HOME=str(home), XDG_CONFIG_HOME=str(tmp_path / "xdg"), DISPLAY=xdisplay,
               PYTHONPATH=str(ROOT), NO_AT_BRIDGE="1")
    return subprocess.Popen([sys.executable, "-m", "plextray", "run", "--log-dir", str(logs)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)


def _grants(home: Path) -> list[tuple[str, int]]:
    path = home / "history.sqlite3"
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        return [tuple(row) for row in conn.execute("SELECT person, minutes FROM grants ORDER BY id")]


def test_the_panel_shows_the_item_and_its_menu_pauses_grants_and_quits(sni_host, xdisplay, tmp_path, plextray_home):
    assert appindicator_missing_part() is None, "tests/run.sh installs PyGObject and the AppIndicator typelib"
    app = _start_app(tmp_path, plextray_home, xdisplay)
    try:
        name, path = sni_host.wait_for_item()
        assert path == "/org/ayatana/NotificationItem/plextray"

        props = wait_for(lambda: (p := sni_host.properties(name, path)) and p.get("Status") == "Active" and p)
        assert props["Id"] == "plextray" and props["Category"] == "ApplicationStatus"
        icon = Path(props["IconName"])  # pystray hands the panel a PNG file it wrote
        from PIL import Image

        with Image.open(icon) as image:
            assert image.format == "PNG" and image.size[0] >= 16
        title = sni_host.properties(name, path)["Title"]
        assert title.startswith("plextray: "), title  # the tooltip text, whatever the state
        # GTK started without GL (plextray.ui.backend.gtk_without_gl): no Mesa driver, no LLVM
        mapped = Path(f"/proc/{app.pid}/maps").read_text()
        assert "libgtk-3" in mapped and "_dri.so" not in mapped and "libLLVM" not in mapped

        menu_path = props["Menu"]
        layout = sni_host.layout(name, menu_path)
        labels = [entry.label for entry in layout.children if entry.props.get("type") != "separator"]
        assert labels == ["Pause monitoring", "Today's report", "Give extra time", "Set up…", "Settings…",
                          "Open archive folder", "E-mail today's logs", "Start at login", "Quit"]
        pause = layout.find("Pause monitoring")
        assert pause.props["toggle-type"] == "checkmark" and pause.props.get("toggle-state", 0) == 0
        grant = layout.find("Give extra time", "Emma", "+30 min")
        assert layout.find("Give extra time").props.get("children-display") == "submenu"
        emma = [e for e in layout.find("Give extra time", "Emma").children if e.props.get("type") != "separator"]
        assert emma[0].label.endswith("watched today") and emma[0].props.get("enabled") is False  # where her day stands
        assert [e.label for e in emma[1:]] == ["+15 min", "+30 min", "+1 h", "No bedtime tonight"]

        sni_host.click_path(name, menu_path, "Pause monitoring")
        # the engine paused: its new snapshot comes back as the checkmark and the title
        wait_for(lambda: sni_host.layout(name, menu_path).find("Pause monitoring").props.get("toggle-state") == 1)
        wait_for(lambda: sni_host.properties(name, path)["Title"].startswith("plextray: paused"))

        sni_host.click_path(name, menu_path, "Give extra time", "Emma", "+30 min")  # on the menu as it is now
        wait_for(lambda: _grants(plextray_home) == [("Emma", 30)])

        sni_host.click_path(name, menu_path, "Quit")
        out, err = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.send_signal(signal.SIGTERM)
            try:
                app.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                app.kill()
    assert app.returncode == 0, err[-3000:]
    assert "Traceback" not in err, err[-3000:]


def test_a_watcher_without_pygobject_is_said_with_the_package_to_install():
    """The choice itself, with fakes for the bus and the import: every desktop family."""
    from plextray.ui.backend import choose_backend

    debian = {"ID": "debian"}
    missing = "PyGObject (the Python module gi) is not installed for this Python"
    choice = choose_backend(env={}, platform="linux", has_watcher=lambda: True,
                            appindicator_missing=lambda: missing, os_release=debian, in_venv=False)
    assert choice.name == "xorg"
    assert "sudo apt install python3-gi gir1.2-ayatanaappindicator3-0.1" in choice.problem
    fedora = choose_backend(env={}, platform="linux", has_watcher=lambda: True, appindicator_missing=lambda: missing,
                            os_release={"ID": "fedora"}, in_venv=True)
    assert "sudo dnf install python3-gobject libayatana-appindicator-gtk3" in fedora.problem
    assert "--system-site-packages" in fedora.problem  # a venv cannot see the system's gi otherwise

    ok = choose_backend(env={}, platform="linux", has_watcher=lambda: True, appindicator_missing=lambda: None)
    assert ok == type(ok)("appindicator", None)
    xembed = choose_backend(env={"XDG_CURRENT_DESKTOP": "XFCE"}, platform="linux", has_watcher=lambda: False)
    assert xembed.name == "xorg" and xembed.problem is None
    gnome = choose_backend(env={"XDG_CURRENT_DESKTOP": "ubuntu:GNOME", "XDG_SESSION_TYPE": "wayland"},
                           platform="linux", has_watcher=lambda: False, os_release={"ID": "ubuntu"},
                           sleep=lambda seconds: None)
    assert "gnome-shell-extension-appindicator" in gnome.problem
    assert choose_backend(env={"PYSTRAY_BACKEND": "gtk"}, platform="linux").name == "gtk"
    assert choose_backend(env={}, platform="win32").name is None
    assert choose_backend(env={}, platform="darwin").name is None


def test_the_bus_probe_sees_a_real_watcher(sni_host):
    from plextray.ui.backend import session_has_watcher

    assert session_has_watcher() is True


def test_the_bus_probe_says_no_when_no_watcher_runs(private_session_bus):
    from plextray.ui.backend import session_has_watcher

    assert session_has_watcher() is False


def test_the_problem_reaches_the_engine_snapshot(tmp_path, plextray_home):
    """A missing piece is a problem in the real engine's snapshot (what `plextray status` prints)."""
    from plextray.app import build_engine
    from plextray.paths import AppPaths
    from plextray.ui.backend import PROBLEM_KEY

    write_profiles(plextray_home, emma_profiles([], kid_device="kid-tablet"))

    class Quiet:
        sent: list = []

        def notify(self, title: str, message: str) -> bool:
            self.sent.append(message)
            return True

    built = build_engine(AppPaths(plextray_home), notifier=Quiet(), with_mail=False)
    engine = built.start()
    try:
        engine.report_problem(PROBLEM_KEY, "This desktop shows tray icons through StatusNotifierItem, but …")
        wait_for(lambda: any("StatusNotifierItem" in p for p in engine.snapshot().problems))
        wait_for(lambda: any("StatusNotifierItem" in m for m in Quiet.sent))  # said on screen too
    finally:
        engine.stop()
        built.close()


def test_the_tray_app_hands_a_backend_problem_to_the_engine(xdisplay, tmp_path, plextray_home, monkeypatch):
    """What run_tray chose before pystray was imported reaches the engine as a problem."""
    from support.tray_fakes import FakeEngine, RecordingNotifier

    from plextray.autostart import Autostart
    from plextray.core.model import EngineSnapshot, EngineState
    from plextray.paths import AppPaths
    from plextray.ui.app import TrayApp
    from plextray.ui.backend import PROBLEM_KEY, BackendChoice

    class Engine(FakeEngine):
        def report_problem(self, key, text):
            self.calls.append(("problem", key, text))

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    engine = Engine(EngineSnapshot(EngineState.MONITORING, people=("Emma",)))
    problem = "This desktop shows tray icons through StatusNotifierItem, but PyGObject …"
    app = TrayApp(engine, AppPaths(plextray_home), open_report=lambda: None, notifier=RecordingNotifier(),
                  autostart=Autostart(platform="linux", command=["plextray"]), email=lambda what: "",
                  backend=BackendChoice("xorg", problem))
    try:
        app.start()
        assert ("problem", PROBLEM_KEY, problem) in engine.calls
        assert app.backend_problem == problem
    finally:
        app.quit()


def test_at_login_a_watcher_that_comes_up_late_is_waited_for():
    """Autostart can beat the panel (or GNOME's extension) to the bus: a StatusNotifierItem desktop
    gets a few seconds for its watcher before plextray settles for XEmbed."""
    from plextray.ui.backend import choose_backend

    answers = iter([False, False, False, True])
    slept: list[float] = []
    choice = choose_backend(env={"XDG_CURRENT_DESKTOP": "KDE"}, platform="linux", has_watcher=lambda: next(answers),
                            appindicator_missing=lambda: None, sleep=slept.append)
    assert choice.name == "appindicator" and slept == [0.5, 0.5, 0.5]
    slept.clear()
    never = choose_backend(env={"XDG_CURRENT_DESKTOP": "GNOME"}, platform="linux", has_watcher=lambda: False,
                           os_release={}, sleep=slept.append)
    assert never.name == "xorg" and "AppIndicator and KStatusNotifierItem Support" in never.problem
    assert sum(slept) == 10.0
    slept.clear()
    xfce = choose_backend(env={"XDG_CURRENT_DESKTOP": "XFCE"}, platform="linux", has_watcher=lambda: False,
                          sleep=slept.append)
    assert xfce == type(xfce)("xorg", None) and slept == []  # an XEmbed desktop: no waiting


def test_gdk_gl_is_disabled_only_while_gtk_starts(monkeypatch):
    """A browser opened later (the report) must not inherit GDK_GL; a value the user set stays."""
    from plextray.ui.backend import gtk_without_gl

    monkeypatch.delenv("GDK_GL", raising=False)
    with gtk_without_gl():
        assert os.environ["GDK_GL"] == "disable"
    assert "GDK_GL" not in os.environ
    monkeypatch.setenv("GDK_GL", "always")
    with gtk_without_gl():
        assert os.environ["GDK_GL"] == "always"
    assert os.environ["GDK_GL"] == "always"
