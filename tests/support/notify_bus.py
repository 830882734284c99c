"""A private session bus with nothing on it (`private_bus`), and the fake notification server on it
(`notifyd`). Import them: `from support.notify_bus import notifyd, private_bus  # noqa: F401`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

SUPPORT = Path(__file__).resolve().parent


@pytest.fixture
def private_bus(tmp_path, monkeypatch):
    """A session bus with no service files: only what a test starts exists on it."""
    if not shutil.which("dbus-daemon"):
        pytest.fail("dbus-daemon is not installed (tests/run.sh installs dbus)")
    conf = tmp_path / "session-noservices.conf"
    conf.write_text(
        '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"'
        ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">\n'
        "<busconfig><type>session</type><keep_umask/>"
        f"<listen>unix:dir={tmp_path}</listen>"
        "<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>"
        "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n"
    )
    bus = subprocess.Popen(["dbus-daemon", f"--config-file={conf}", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    address = bus.stdout.readline().strip()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    yield address
    bus.terminate()
    bus.wait(5)


@pytest.fixture
def notifyd(private_bus, tmp_path):
    """The fake notification server on the private bus; returns a function reading what it got."""
    log = tmp_path / "notifications.jsonl"
    server = subprocess.Popen([sys.executable, str(SUPPORT / "fake_notifyd.py"), str(log)],
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout.readline().strip() == "fake-notifyd ready"

    def received(count: int = 1, timeout: float = 5.0) -> list[dict]:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            lines = log.read_text().splitlines() if log.exists() else []
            if len(lines) >= count:
                return [json.loads(line) for line in lines]
            time.sleep(0.02)
        return [json.loads(line) for line in (log.read_text().splitlines() if log.exists() else [])]

    yield received
    server.terminate()
    server.wait(5)
