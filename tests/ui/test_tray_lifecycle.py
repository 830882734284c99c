"""When Tk exists: an idle tray has none; the first window (or the popup menu) creates it, and the
main thread's loop moves from its own pipe to Tk's mainloop without losing a post, a timer or a
signal. Under Xvfb with pystray's real xorg backend and real Tk."""

from __future__ import annotations

import threading

import pytest
from support.tray_fakes import FakeEngine, Recorder, RecordingNotifier, click

from conftest import pump
from plextray.core.model import EngineSnapshot, EngineState

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("no_tray_thread_left_behind")]


@pytest.fixture
def app(xdisplay, tmp_path, monkeypatch, plextray_home):
    from plextray.autostart import Autostart
    from plextray.paths import AppPaths
    from plextray.ui.app import TrayApp

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    tray_app = TrayApp(FakeEngine(EngineSnapshot(EngineState.MONITORING, people=("Emma",))), AppPaths(plextray_home),
                       open_report=Recorder(), notifier=RecordingNotifier(), opener=Recorder(),
                       autostart=Autostart(platform="linux", command=["/usr/bin/plextray"]))
    tray_app.start()
    assert tray_app.tray.wait_ready(5), "the xorg tray loop did not start"
    yield tray_app
    tray_app.quit()


def test_an_idle_tray_has_no_tk_until_a_window_opens(app):
    pump(app.dispatcher, lambda: app.tray.snapshot.people == ("Emma",))
    pump(app.dispatcher, lambda: False, timeout=0.3)  # posts, snapshots, the dock check: still no Tk
    assert app.root is None and app.dispatcher.root is None
    assert app.dispatcher.woken_by_fd
    click(app, "Settings…")
    assert pump(app.dispatcher, lambda: app.settings is not None and app.settings.exists())
    assert app.root is not None and app.dispatcher.root is app.root
    assert app.settings.winfo_toplevel().master is app.root
    assert app.dispatcher.woken_by_fd  # Tk watches the same pipe: still no polling tick
    assert app.root.tk.call("after", "info") != ""  # the dock check's timer moved over to Tk


def test_settings_opened_twice_is_one_window_and_after_closing_a_new_one_on_the_same_tk(app):
    click(app, "Settings…")
    assert pump(app.dispatcher, lambda: app.settings is not None and app.settings.exists())
    first, root = app.settings, app.root
    click(app, "Settings…")
    pump(app.dispatcher, lambda: False, timeout=0.2)
    assert app.settings is first
    first.destroy()
    assert pump(app.dispatcher, lambda: not first.exists())
    click(app, "Settings…")
    assert pump(app.dispatcher, lambda: app.settings is not first and app.settings.exists())
    assert app.root is root


def test_link_to_from_a_notification_opens_the_devices_tab_from_another_thread(app):
    """A notification's "Link to…" arrives on the notifier's thread while no Tk exists."""
    worker = threading.Thread(target=app.open_settings_from_anywhere)
    worker.start()
    worker.join(5)
    assert pump(app.dispatcher, lambda: app.settings is not None and app.settings.exists())
    assert pump(app.dispatcher, lambda: app.settings.notebook.select() == str(app.settings.devices))


def test_quit_while_a_window_is_open_stops_everything_and_destroys_tk(app):
    import tkinter

    click(app, "Settings…")
    assert pump(app.dispatcher, lambda: app.settings is not None and app.settings.exists())
    tray_thread = app.tray._thread
    click(app, "Quit")
    assert pump(app.dispatcher, lambda: app.closed)
    assert not tray_thread.is_alive()
    assert ("stop",) in app.engine.calls
    with pytest.raises(tkinter.TclError):
        app.root.winfo_exists()


def test_a_posted_call_runs_on_the_main_thread_while_no_tk_exists():
    from plextray.ui.dispatch import Dispatcher

    dispatcher = Dispatcher()
    dispatcher.start()
    ran: list[str] = []
    safety = threading.Timer(20, lambda: dispatcher.post(lambda: (ran.append("safety"), dispatcher.stop())))
    try:
        assert dispatcher.woken_by_fd and dispatcher.root is None

        def on_main() -> None:
            ran.append(threading.current_thread().name)
            dispatcher.call_later(50, lambda: (ran.append("timer"), dispatcher.stop()))

        safety.start()
        threading.Thread(target=dispatcher.post, args=(on_main,), name="poster").start()
        dispatcher.run()  # returns when the timer stops it
        assert ran == ["MainThread", "timer"]
    finally:
        safety.cancel()
        dispatcher.stop()


def test_a_timer_set_before_tk_exists_fires_in_tks_loop_and_a_cancelled_one_never_does(xdisplay):
    import tkinter as tk

    from plextray.ui.dispatch import Dispatcher

    dispatcher = Dispatcher()
    dispatcher.start()
    root = tk.Tk()
    root.withdraw()
    ran: list[str] = []
    safety = threading.Timer(20, lambda: dispatcher.post(lambda: (ran.append("safety"), root.quit())))
    try:
        cancelled = dispatcher.call_later(100, lambda: ran.append("cancelled"))
        dispatcher.call_later(200, lambda: (ran.append("timer"), dispatcher.stop(), root.quit()))
        dispatcher.cancel(cancelled)
        dispatcher.attach(root)
        assert dispatcher.root is root
        safety.start()
        dispatcher.run()  # Tk's mainloop now
        assert ran == ["timer"]
    finally:
        safety.cancel()
        dispatcher.stop()
        root.destroy()


def test_sigterm_with_a_window_open_quits_from_tks_loop(xdisplay, tmp_path):
    """tests/ui/test_ui_tray.py sends SIGTERM to an idle tray (no Tk: its own loop); this one after
    a window made Tk, so the signal must wake Tk's mainloop through the same pipe."""
    from support.tray_process import sigterm_a_running_tray

    code, out, err = sigterm_a_running_tray(tmp_path, open_settings=True, timeout=60)
    assert code == 0, err
    assert out.strip() == "stopped True ['MainThread']", err
    assert "Exception in" not in err and "KeyboardInterrupt" not in err and "Fatal" not in err, err


GRAB_THEN_TK = r"""
import sys, threading, time
import tkinter  # imported beforehand: Tk starts the moment the grab is held
sys.path.insert(0, sys.argv[1])
from support.tray_fakes import FakeEngine, Recorder, RecordingNotifier
from plextray.core.model import EngineSnapshot, EngineState
from plextray.paths import AppPaths
from plextray.ui.app import TrayApp

app = TrayApp(FakeEngine(EngineSnapshot(EngineState.MONITORING)), AppPaths.default(), open_report=Recorder(),
              notifier=RecordingNotifier(), opener=Recorder())
app.start()
assert app.tray.wait_ready(10)
grabbed = threading.Event()

def grab_like_pystray():  # the loop thread, as pystray looks for the panel: grab, a round trip, ungrab
    display = app.tray.icon._display
    display.grab_server()
    display.flush()
    grabbed.set()
    time.sleep(0.5)  # the round trip still in flight when Tk starts (a slow server, a busy machine)
    display.sync()
    display.ungrab_server()
    display.flush()

app.tray._xorg.call(grab_like_pystray)
assert grabbed.wait(10)
app.tk_root()  # while the grab may still be held
print("tk created", flush=True)
app.quit()
"""


def test_tk_is_created_safely_while_the_icon_holds_an_x_grab(xdisplay, tmp_path):
    """Tk's interpreter starts with the GIL held while it waits for X; a grab by pystray's thread
    (which needs the GIL to finish) then deadlocked both. Run apart: a deadlock is a timeout here."""
    import subprocess
    import sys

    from support.tray_process import TESTS, tray_env

    env = tray_env(tmp_path, PYSTRAY_BACKEND="xorg")
    for attempt in range(2):  # each: a grab in flight as Tk starts
        try:
            run = subprocess.run([sys.executable, "-c", GRAB_THEN_TK, str(TESTS)],
                                 capture_output=True, text=True, env=env, timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"Tk and the icon's loop deadlocked (attempt {attempt + 1})")
        assert run.returncode == 0 and run.stdout.strip() == "tk created", run.stderr[-2000:]
