"""The real tray app in a process of its own (a fake engine, the real main loop), for the tests
that send it SIGTERM: the signal must reach Python's handler whichever loop the app sleeps in."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import sys, threading, time
sys.path.insert(0, sys.argv[1])
from support.tray_fakes import FakeEngine, Recorder, RecordingNotifier
from plextray.autostart import Autostart
from plextray.core.model import EngineSnapshot, EngineState
from plextray.paths import AppPaths
from plextray.ui.app import TrayApp

engine = FakeEngine(EngineSnapshot(EngineState.MONITORING, people=("Emma",)))
app = TrayApp(engine, AppPaths.default(), open_report=Recorder(), notifier=RecordingNotifier(), opener=Recorder(),
              autostart=Autostart(platform="linux", command=["/usr/bin/plextray"]))
def announce():
    while app.tray is None:
        time.sleep(0.01)
    app.tray.wait_ready(5)
    if "--open-settings" in sys.argv:  # a window makes Tk: the app then sleeps in Tk's loop
        app.dispatcher.post(app.open_settings)
        while app.settings is None or not app.settings.exists():
            time.sleep(0.01)
    print("running", flush=True)
threading.Thread(target=announce, daemon=True).start()
app.run()
print("stopped", engine.stopped.is_set(), sorted(t.name for t in threading.enumerate()), flush=True)
"""


def tray_env(tmp_path: Path, **more: str) -> dict[str, str]:
    """The environment of a tray process: its own plextray home and XDG config in `tmp_path`, the
    project importable (a script given `str(TESTS)` imports tests/support too)."""
    return {**os.environ, "PLEXTRAY_HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
            "PYTHONPATH": str(TESTS.parent), **more}


def sigterm_a_running_tray(tmp_path: Path, *, open_settings: bool, timeout: float) -> tuple[int, str, str]:
    """Start the app, wait until it runs, send SIGTERM: (exit code, stdout, stderr). A clean
    quit prints `stopped True ['MainThread']`: the engine stopped, no thread left behind."""
    args = [sys.executable, "-c", SCRIPT, str(TESTS)] + (["--open-settings"] if open_settings else [])
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=tray_env(tmp_path))
    try:
        assert select.select([proc.stdout], [], [], timeout)[0], "the app did not start"
        assert proc.stdout is not None and proc.stdout.readline().strip() == "running"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, out, err
