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


def _send_on_bus(make_message) -> None:
    """Send one message from a fresh dbus-fast connection of our own, and make sure it went out."""
    import asyncio

    from dbus_fast import BusType, Message, MessageType
    from dbus_fast.aio import MessageBus

    async def send() -> None:
        bus = await MessageBus(bus_type=BusType.SESSION).connect()
        try:
            message = make_message(Message)
            if message.message_type == MessageType.SIGNAL:
                await bus.send(message)
                await bus.call(Message(destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
                                       interface="org.freedesktop.DBus", member="GetId"))  # a round trip
            else:
                reply = await bus.call(message)
                assert reply.message_type == MessageType.METHOD_RETURN, reply.body
        finally:
            bus.disconnect()

    asyncio.run(send())


def click(nid: int, key: str) -> None:
    """A parent presses a button: the fake server emits ActionInvoked(nid, key), as a real one does."""
    _send_on_bus(lambda Message: Message(destination="org.freedesktop.Notifications",
                                         path="/org/freedesktop/Notifications",
                                         interface="org.plextray.FakeNotifyd", member="Click",
                                         signature="us", body=[nid, key]))


def forge_action(nid: int, key: str) -> None:
    """Any program on the session bus can emit an ActionInvoked signal of its own."""
    _send_on_bus(lambda Message: Message.new_signal("/org/freedesktop/Notifications",
                                                    "org.freedesktop.Notifications", "ActionInvoked", "us",
                                                    [nid, key]))
