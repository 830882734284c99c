"""Shared fixtures. Every test runs with PLEXTRAY_HOME in a temporary folder, never the user's.

A private D-Bus session bus is started before any code can touch D-Bus (dbus-python and keyring
would otherwise autolaunch a stray bus and cache it), and an Xvfb display is started on demand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(Path(__file__).parent))

os.environ.setdefault("PYSTRAY_BACKEND", "xorg")  # must be set before pystray is imported
os.environ.pop("PLEX_URL", None)
os.environ.pop("PLEX_TOKEN", None)


def shared_path(*parts: str) -> Path:
    """A file under ../shared; skips (saying so) when the shared material is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared not present: conformance test needs {path}")
    return path


@pytest.fixture(autouse=True)
def plextray_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "plextray-home"
    monkeypatch.setenv("PLEXTRAY_HOME", str(home))
    return home


@pytest.fixture(scope="session", autouse=True)
def private_session_bus():
    """A private session bus for the whole run (unless already under dbus-run-session)."""
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS", "").startswith("unix:") and os.environ.get(
        "PLEXTRAY_TEST_KEEP_BUS"
    ):
        yield os.environ["DBUS_SESSION_BUS_ADDRESS"]
        return
    if not shutil.which("dbus-daemon"):
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = "disabled:"
        yield None
        return
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
    yield os.environ["DBUS_SESSION_BUS_ADDRESS"]
    bus.terminate()
    bus.wait(5)


@pytest.fixture(scope="session")
def xdisplay():
    """An X display: the one given, or a private Xvfb started here."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    if not shutil.which("Xvfb"):
        pytest.fail("Xvfb is not installed (tests/run.sh installs it)")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        os.environ["DISPLAY"] = ":" + pipe.readline().strip()
    yield os.environ["DISPLAY"]
    import gc

    gc.collect()
    proc.terminate()
    proc.wait(5)
    os.environ.pop("DISPLAY", None)


@pytest.fixture
def use_keyring():
    """Install a keyring backend for one test (`use_keyring(backend)`); the old one comes back."""
    import keyring

    old = keyring.get_keyring()

    def install(backend):
        keyring.set_keyring(backend)
        return backend

    yield install
    keyring.set_keyring(old)


@pytest.fixture
def memory_keyring(use_keyring):
    """An empty in-memory keyring for one test (support.memkeyring), never the user's."""
    from support.memkeyring import MemoryKeyring

    return use_keyring(MemoryKeyring())


@pytest.fixture
def restore_root_logging():
    """cli.main adds a stderr handler to the root logger: drop any a test added, so that later
    tests' records go to no stale (closed) capture stream."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def tk_root(xdisplay):
    """A withdrawn Tk root for one test, destroyed after it; garbage is collected on this (the Tk)
    thread before and after, since a Tcl interpreter freed by another thread's GC aborts."""
    import gc
    import tkinter as tk

    gc.collect()
    root = tk.Tk()
    root.withdraw()
    yield root
    try:
        root.destroy()
    except tk.TclError:
        pass
    gc.collect()


def pump(root, until, timeout: float = 5.0) -> bool:
    """Run Tk's event loop — or, given a plextray Dispatcher, one turn of the app's main loop (Tk's
    or its own) — until `until()` is true (tests never call mainloop)."""
    end = time.monotonic() + timeout
    turn = root.update if hasattr(root, "update") else root.run_once
    while time.monotonic() < end:
        turn()
        if until():
            return True
        time.sleep(0.01)
    return False


def pytest_sessionstart(session):
    """Test modules share fixtures through this file and tests/support/, never by importing each
    other: such an import ties a test's fixtures to another file's place and name."""
    import re

    found = [f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
             for path in sorted((ROOT / "tests").rglob("test_*.py"))
             for match in re.finditer(r"^\s*(?:from|import) (?:tests\.|test_)\w*", path.read_text(encoding="utf-8"), re.M)]
    if found:
        raise pytest.UsageError("a test module imports another test module (move what it shares to "
                                "tests/support/ or tests/conftest.py):\n  " + "\n  ".join(found))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """A test that uses the X display is a `gui` test, marked or not: the Windows and macOS CI jobs
    run `-m "not gui"` (no Xvfb there); Linux runs everything. (tryfirst: before -m deselects.)
    So is one on a private session bus (support.notify_bus): dbus-daemon is Linux's too."""
    for item in items:
        if {"xdisplay", "tk_root", "private_bus"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def no_tray_thread_left_behind():
    """A tray test ends with every plextray thread joined, and Tk's garbage collected on the main
    thread (a Tcl interpreter freed from another thread aborts the process)."""
    import gc
    import threading

    gc.collect()
    yield
    gc.collect()
    leftover = [t.name for t in threading.enumerate() if t.name.startswith("plextray")]
    assert leftover == [], f"threads left running: {leftover}"
