"""A fake org.freedesktop.Notifications server (dbus-fast) that records every Notify call as JSON.

Usage: python fake_notifyd.py LOG.jsonl [--no-actions]   (on the bus in DBUS_SESSION_BUS_ADDRESS)
Prints "fake-notifyd ready" once it owns the name, so tests know notifications will land.
A parent's click is `org.plextray.FakeNotifyd.Click(id, action_key)` on the same object: the
server then emits ActionInvoked as a real one does. --no-actions: a server without buttons;
--markup: one that renders body markup.
"""

from __future__ import annotations

import asyncio
import json
import sys

from dbus_fast import BusType, RequestNameReply
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, method, signal


class Notifications(ServiceInterface):
    def __init__(self, log_path: str, capabilities: list[str]) -> None:
        super().__init__("org.freedesktop.Notifications")
        self._log_path = log_path
        self._capabilities = capabilities
        self._next = 1

    @method()
    def Notify(self, app_name: "s", replaces_id: "u", app_icon: "s", summary: "s", body: "s",  # noqa: F821
               actions: "as", hints: "a{sv}", expire_timeout: "i") -> "u":  # noqa: F821
        nid = replaces_id or self._next
        self._next += 1
        record = {"id": nid, "app_name": app_name, "app_icon": app_icon, "summary": summary, "body": body,
                  "actions": list(actions), "hints": {k: repr(v.value) for k, v in hints.items()},
                  "expire_timeout": expire_timeout}
        with open(self._log_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        return nid

    @method()
    def CloseNotification(self, id: "u"):  # noqa: F821
        self.NotificationClosed(id, 3)

    @method()
    def GetCapabilities(self) -> "as":  # noqa: F821
        return list(self._capabilities)

    @method()
    def GetServerInformation(self) -> "ssss":  # noqa: F821
        return ["fake-notifyd", "plextray-tests", "0.1", "1.2"]

    @signal()
    def NotificationClosed(self, id: "u", reason: "u") -> "uu":  # noqa: F821
        return [id, reason]

    @signal()
    def ActionInvoked(self, id: "u", action_key: "s") -> "us":  # noqa: F821
        return [id, action_key]


class Clicks(ServiceInterface):
    def __init__(self, notifications: Notifications) -> None:
        super().__init__("org.plextray.FakeNotifyd")
        self._notifications = notifications

    @method()
    def Click(self, id: "u", action_key: "s"):  # noqa: F821
        self._notifications.ActionInvoked(id, action_key)


async def main(log_path: str, capabilities: list[str]) -> None:
    bus = await MessageBus(bus_type=BusType.SESSION).connect()
    notifications = Notifications(log_path, capabilities)
    bus.export("/org/freedesktop/Notifications", notifications)
    bus.export("/org/freedesktop/Notifications", Clicks(notifications))
    reply = await bus.request_name("org.freedesktop.Notifications")
    if reply != RequestNameReply.PRIMARY_OWNER:
        print(f"fake-notifyd: could not own the name ({reply})", flush=True)
        return
    print("fake-notifyd ready", flush=True)
    try:
        await bus.wait_for_disconnect()
    except EOFError:
        pass


if __name__ == "__main__":
    caps = ["body"] if "--no-actions" in sys.argv[2:] else ["body", "actions"]
    asyncio.run(main(sys.argv[1], caps + (["body-markup"] if "--markup" in sys.argv[2:] else [])))
