"""The tray under Xvfb with pystray's real xorg backend: every menu item does what it says.

Menu items are invoked the way a backend click invokes them (`item(icon)`), on a worker thread
like pystray's loop thread; the Tk main loop is pumped with `pump()` until the effect shows.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from support.tray_fakes import FakeEngine, Recorder, RecordingNotifier, click, menu_items

from conftest import pump
from plextray.core.model import EngineSnapshot, EngineState, NowPlaying


# every test ends with the tray thread joined and Tk garbage collected on the main thread
pytestmark = pytest.mark.usefixtures("no_tray_thread_left_behind")


@pytest.fixture
def app(xdisplay, tmp_path, monkeypatch, plextray_home):
    from plextray.autostart import Autostart
    from plextray.paths import AppPaths
    from plextray.ui.app import TrayApp

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    engine = FakeEngine(EngineSnapshot(EngineState.MONITORING, people=("Emma", "Leo")))
    report, opener = Recorder(), Recorder()
    mailed: list[str] = []

    def email(what: str) -> str:
        mailed.append(what)
        if len(mailed) > 1:
            from plextray.errors import DeliveryError

            raise DeliveryError("SMTP login refused for kim@smtp.example")
        return "The logs of today were e-mailed to kim@example.org."

    tray_app = TrayApp(
        engine,
        AppPaths(plextray_home),
        open_report=report,
        notifier=RecordingNotifier(),
        opener=opener,
        autostart=Autostart(platform="linux", command=["/usr/bin/plextray"]),
        email=email,
    )
    tray_app.test_mailed = mailed
    tray_app.start()
    assert tray_app.tray.wait_ready(5), "the xorg tray loop did not start"
    tray_app.test_report, tray_app.test_opener, tray_app.test_engine = report, opener, engine
    yield tray_app
    tray_app.quit()


def test_real_backend_runs_in_its_own_thread(app):
    import pystray

    assert type(app.tray.icon).__module__ == "pystray._xorg"
    assert isinstance(app.tray.icon, pystray.Icon)
    assert app.tray._thread.is_alive() and app.tray._thread is not threading.main_thread()
    assert app.tray.icon.visible


def test_pause_and_resume_follow_the_engine(app):
    pause = menu_items(app.tray.icon.menu)["Pause monitoring"]
    assert pause.checked is False
    click(app, "Pause monitoring")
    assert app.test_engine.calls == [("pause",)]
    assert pump(app.dispatcher, lambda: app.tray.snapshot.paused)
    assert pause.checked is True
    click(app, "Pause monitoring")
    assert app.test_engine.calls[-1] == ("resume",)
    assert pump(app.dispatcher, lambda: not app.tray.snapshot.paused)
    assert pause.checked is False


def test_give_extra_time_per_person(app):
    people = menu_items(menu_items(app.tray.icon.menu)["Give extra time"].submenu)
    assert list(people) == ["Emma", "Leo"]
    assert list(menu_items(people["Leo"].submenu)) == ["+15 min", "+30 min", "+1 h", "No bedtime tonight"]
    click(app, "Give extra time", "Emma", "+15 min")
    click(app, "Give extra time", "Leo", "+30 min")
    click(app, "Give extra time", "Leo", "+1 h")
    click(app, "Give extra time", "Emma", "No bedtime tonight")
    assert app.test_engine.calls == [
        ("grant", "Emma", 15, None),
        ("grant", "Leo", 30, None),
        ("grant", "Leo", 60, None),
        ("grant", "Emma", 0, "tonight"),
    ]


def test_people_list_follows_snapshots(app):
    app.test_engine.publish(EngineSnapshot(EngineState.MONITORING, people=("Mia",)))
    assert pump(app.dispatcher, lambda: app.tray.snapshot.people == ("Mia",))
    people = menu_items(menu_items(app.tray.icon.menu)["Give extra time"].submenu)
    assert list(people) == ["Mia"]


def test_report_and_archive_callbacks(app, plextray_home):
    click(app, "Today's report")
    assert pump(app.dispatcher, lambda: app.test_report.calls == [()])
    click(app, "Open archive folder")
    assert pump(app.dispatcher, lambda: app.test_opener.calls == [(Path(plextray_home) / "archives",)])


def test_email_todays_logs_reports_the_outcome_either_way(app):
    click(app, "E-mail today's logs")
    assert pump(app.dispatcher, lambda: app.notifier.sent)
    assert app.test_mailed == ["logs"]
    assert app.notifier.sent[-1] == ("plextray", "The logs of today were e-mailed to kim@example.org.")
    click(app, "E-mail today's logs")
    assert pump(app.dispatcher, lambda: len(app.notifier.sent) == 2)
    assert app.notifier.sent[-1] == ("plextray", "Could not e-mail the logs: SMTP login refused for kim@smtp.example")


def test_start_at_login_toggles_the_xdg_entry(app, tmp_path):
    entry = tmp_path / "xdg-config" / "autostart" / "plextray.desktop"
    item = menu_items(app.tray.icon.menu)["Start at login"]
    assert item.checked is False and not entry.exists()
    click(app, "Start at login")
    assert pump(app.dispatcher, lambda: item.checked is True)
    assert "Exec=/usr/bin/plextray" in entry.read_text()
    click(app, "Start at login")
    assert pump(app.dispatcher, lambda: item.checked is False)
    assert not entry.exists()


def test_settings_window_opens_once(app):
    click(app, "Settings…")
    assert pump(app.dispatcher, lambda: app.settings is not None and app.settings.exists())
    first = app.settings
    click(app, "Settings…")
    pump(app.dispatcher, lambda: False, timeout=0.2)
    assert app.settings is first
    # Saving from the window makes the engine reload the profiles it just wrote.
    first.people.name_entry.insert(0, "Mia")
    first.people.add_button.invoke()
    first.save_button.invoke()
    assert first.status.cget("text").startswith("Saved"), first.status.cget("text")
    assert ("reload_profiles",) in app.test_engine.calls
    assert '"Mia"' in app.paths.profiles.read_text()


def test_icon_and_tooltip_follow_the_engine(app):
    from plextray.ui.icons import icon_image

    # (icon and tooltip change on the tray's own thread, a moment after the snapshot)
    assert pump(app.dispatcher, lambda: app.tray.icon.icon is icon_image(EngineState.MONITORING), 5)
    assert pump(app.dispatcher, lambda: "monitoring" in app.tray.icon.title, 5), app.tray.icon.title
    playing = NowPlaying(person="Emma", device="iPad", title="Bluey", state="playing")
    app.test_engine.publish(EngineSnapshot(EngineState.VIOLATION, detail="Emma · rating R > PG", now_playing=(playing,)))
    # Changes reach the xorg icon on its own loop thread, in order: wait for the last one.
    assert pump(app.dispatcher, lambda: app.tray.icon.icon is icon_image(EngineState.VIOLATION)
                and "rule broken" in app.tray.icon.title)
    assert "Emma: Bluey (iPad)" in app.tray.icon.title
    app.test_engine.publish(EngineSnapshot(EngineState.UNREACHABLE, detail="server down"))
    assert pump(app.dispatcher, lambda: app.tray.icon.icon is icon_image(EngineState.UNREACHABLE)
                and app.tray.icon.title == "plextray: server or logs unreachable\nserver down")
    # The window title of the real X icon window follows too (xorg sets WM_NAME from the tooltip).
    assert pump(app.dispatcher, lambda: _x_window_name(app) == app.tray.icon.title)


def _x_window_name(app) -> str | None:
    try:
        return app.tray.icon._window.get_wm_name()
    except Exception:
        return None


def test_quit_stops_everything_and_leaves_no_thread(app):
    before = set(threading.enumerate())
    tray_thread = app.tray._thread
    click(app, "Quit")
    assert pump(app.dispatcher, lambda: app.closed)
    assert app.test_engine.stopped.is_set()
    assert app.closed
    assert not tray_thread.is_alive()
    leftover = [t for t in threading.enumerate() if t.name.startswith("plextray") or t is tray_thread]
    assert leftover == []
    assert set(threading.enumerate()) <= before
    assert app.root is None  # nothing opened a window: the tray never made Tk


@pytest.mark.gui
def test_tooltip_fits_windows_limit():
    from plextray.ui.tray import tooltip_text

    many = tuple(NowPlaying(person=f"Person {i}", device="Living room TV", title="A very long film title " * 3, state="playing") for i in range(5))
    text = tooltip_text(EngineSnapshot(EngineState.MONITORING, now_playing=many))
    assert len(text) <= 127 and text.endswith("…")
    assert tooltip_text(EngineSnapshot(EngineState.MONITORING)) == "plextray: monitoring\nnothing playing"


@pytest.fixture(scope="module")
def docking_tray(xdisplay):
    """trayer: a real XEmbed system tray for the xorg icon to dock into (one per module: a tray
    manager that was just killed can still own the selection for a moment and swallow a dock)."""
    import shutil
    import subprocess

    if shutil.which("trayer") is None:
        pytest.fail("trayer is not installed (tests/run.sh installs it)")
    proc = subprocess.Popen(["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
                             "--height", "30", "--SetDockType", "true"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import Xlib.display

    display = Xlib.display.Display(xdisplay)
    selection = display.intern_atom(f"_NET_SYSTEM_TRAY_S{display.get_default_screen()}")
    import time

    deadline = time.monotonic() + 10
    while display.get_selection_owner(selection) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert display.get_selection_owner(selection) != 0, "trayer did not take the tray selection"
    yield display
    display.close()
    proc.terminate()
    proc.wait(5)


def test_icon_docks_in_a_real_system_tray(docking_tray, xdisplay, tmp_path, monkeypatch, plextray_home):
    """With a tray manager running, the xorg icon window is reparented into it and shows our image."""
    import time

    from plextray.paths import AppPaths
    from plextray.ui.app import TrayApp

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    engine = FakeEngine(EngineSnapshot(EngineState.PAUSED, paused=True))
    app = TrayApp(engine, AppPaths(plextray_home), open_report=Recorder(), notifier=RecordingNotifier(),
                  opener=Recorder())
    app.start()
    try:
        assert app.tray.wait_ready(5)
        window_id = app.tray.icon._window.id
        root_id = docking_tray.screen().root.id
        deadline = time.monotonic() + 5
        parent = root_id
        while time.monotonic() < deadline:
            pump(app.dispatcher, lambda: True, timeout=0.05)
            parent = docking_tray.create_resource_object("window", window_id).query_tree().parent.id
            if parent != root_id:
                break
            time.sleep(0.05)
        assert parent != root_id, "the icon was not docked"
        assert app.tray.icon._systray_manager is not None
        assert docking_tray.create_resource_object("window", window_id).get_wm_name() == "plextray: paused"
    finally:
        app.quit()


def test_run_blocks_in_the_main_loop_and_sigterm_quits_cleanly(xdisplay, tmp_path):
    """The real main loop in its own process: SIGTERM → Quit → engine stopped, only MainThread left."""
    from support.tray_process import sigterm_a_running_tray

    code, out, err = sigterm_a_running_tray(tmp_path, open_settings=False, timeout=20)
    assert code == 0, err
    assert out.strip() == "stopped True ['MainThread']", err
    # (pystray logs "Failed to dock icon" with a traceback when no tray manager runs: harmless.)
    assert "Exception in" not in err and "KeyboardInterrupt" not in err and "Fatal" not in err, err


def test_clicking_the_xorg_icon_opens_the_menu(docking_tray, xdisplay, tmp_path, monkeypatch, plextray_home):
    """A real click (xdotool) on the docked xorg icon pops up the tray menu; a real click on
    'Pause monitoring' in it pauses the engine."""
    import subprocess

    from plextray.paths import AppPaths
    from plextray.ui.app import TrayApp
    from plextray.ui.popup_menu import labels

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    engine = FakeEngine(EngineSnapshot(EngineState.MONITORING, people=("Emma",)))
    app = TrayApp(engine, AppPaths(plextray_home), open_report=Recorder(), notifier=RecordingNotifier(),
                  opener=Recorder())
    app.start()
    try:
        assert app.tray.wait_ready(5)
        window = docking_tray.create_resource_object("window", app.tray.icon._window.id)
        x, y = _wait_docked_and_settled(app, docking_tray, window)
        env = {**__import__("os").environ, "DISPLAY": xdisplay}
        for _attempt in range(3):  # the panel may still be laying the icon out on the first try
            subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "3"], check=True, env=env, timeout=10)
            if pump(app.dispatcher, lambda: app.tray.popup is not None and app.tray.popup.winfo_ismapped(), timeout=1.5):
                break
            x, y = _wait_docked_and_settled(app, docking_tray, window)
        assert app.tray.popup is not None and app.tray.popup.winfo_ismapped(), "no menu after clicking the icon"
        popup = app.tray.popup
        assert labels(popup) == ["Pause monitoring", "Today's report", "Give extra time", "-", "Set up…", "Settings…",
                                 "Open archive folder", "E-mail today's logs", "Start at login", "-", "Quit"]
        entry_y = popup.winfo_rooty() + popup.yposition(0) + 5
        subprocess.run(["xdotool", "mousemove", str(popup.winfo_rootx() + 20), str(entry_y), "click", "1"],
                       check=True, env=env, timeout=10)
        assert pump(app.dispatcher, lambda: engine.calls == [("pause",)])
    finally:
        app.quit()


def _wait_docked_and_settled(app, display, window, timeout: float = 5.0) -> tuple[int, int]:
    """Wait until the icon sits, viewable and no longer moving, in the panel; return its centre."""
    import time

    import Xlib.X

    root = display.screen().root
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        pump(app.dispatcher, lambda: True, timeout=0.05)
        if window.query_tree().parent.id == root.id or window.get_attributes().map_state != Xlib.X.IsViewable:
            continue
        geometry = window.get_geometry()
        origin = window.translate_coords(root, 0, 0)
        here = (-origin.x + geometry.width // 2, -origin.y + geometry.height // 2)
        if here == last:
            return here
        last = here
    raise AssertionError("the icon never settled in the tray")


def test_the_extra_time_menu_says_where_the_day_stands_and_a_grant_answers_with_the_time_left(app):
    from pystray import Menu

    from plextray.core.model import PersonStatus

    app.test_engine.publish(EngineSnapshot(EngineState.MONITORING, people=("Emma", "Leo"), people_status=(
        PersonStatus("Emma", minutes_today=105, minutes_left=15), PersonStatus("Leo", minutes_today=20))))
    assert pump(app.dispatcher, lambda: app.tray.snapshot.people_status)
    people = menu_items(menu_items(app.tray.icon.menu)["Give extra time"].submenu)
    emma = [item.text for item in people["Emma"].submenu.items if item is not Menu.SEPARATOR]
    assert emma[0] == "1 h 45 min watched today · 15 min left"
    assert not people["Emma"].submenu.items[0].enabled
    assert emma[1:] == ["+15 min", "+30 min", "+1 h", "No bedtime tonight"]
    assert people["Leo"].submenu.items[0].text == "20 min watched today"
    click(app, "Give extra time", "Emma", "+15 min")
    click(app, "Give extra time", "Leo", "+30 min")
    click(app, "Give extra time", "Emma", "No bedtime tonight")
    assert app.test_engine.calls[-3:] == [("grant", "Emma", 15, None), ("grant", "Leo", 30, None),
                                          ("grant", "Emma", 0, "tonight")]
    assert pump(app.dispatcher, lambda: len(app.notifier.sent) >= 3)
    assert [m for _, m in app.notifier.sent[-3:]] == [
        "Emma: 15 more minutes — 30 min left today.", "Leo: 30 more minutes today.", "Emma: no bedtime tonight."]


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


@pytest.mark.gui
def test_menu_failures_of_settings_and_start_at_login_are_notified_not_only_logged(tray_app, monkeypatch):
    """Like the report and archive items: a failing action tells the user, instead of a click that does nothing."""
    from conftest import pump

    import plextray.ui.settings as settings_module

    def broken_window(*args, **kwargs):
        raise RuntimeError("the settings window could not be built")

    monkeypatch.setattr(settings_module, "SettingsWindow", broken_window)
    sent = tray_app.notifier.sent
    click(tray_app, "Settings…")
    assert pump(tray_app.dispatcher, lambda: len(sent) >= 1), "no notification for the failed Settings…"
    assert "settings window could not be built" in sent[-1][1]
    click(tray_app, "Start at login")
    assert pump(tray_app.dispatcher, lambda: len(sent) >= 2), "no notification for the failed Start at login"
    assert "start at login" in sent[-1][1].lower()
    item = menu_items(tray_app.tray.icon.menu)["Start at login"]
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
