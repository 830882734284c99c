"""A StatusNotifierWatcher and host on the session bus, as a desktop panel is (KDE, GNOME's extension).

It owns `org.kde.StatusNotifierWatcher`, records each item that registers (its sender and path,
as Plasma's watcher does), and then acts as the host: reads the item's properties, fetches the
`com.canonical.dbusmenu` layout and clicks menu entries with `Event(id, "clicked", …)`.
Runs dbus-fast's asyncio bus on its own thread; the blocking methods are for tests.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from dbus_fast import BusType, Message, MessageType, RequestNameReply, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.service import PropertyAccess, ServiceInterface, dbus_property, method, signal

WATCHER = "org.kde.StatusNotifierWatcher"
ITEM = "org.kde.StatusNotifierItem"
DBUSMENU = "com.canonical.dbusmenu"


class _Watcher(ServiceInterface):
    def __init__(self) -> None:
        super().__init__(WATCHER)
        self.items: list[str] = []

    @method()
    def RegisterStatusNotifierItem(self, service: "s"):  # noqa: F821
        pass  # recorded with its sender by SniHost._observe

    @method()
    def RegisterStatusNotifierHost(self, service: "s"):  # noqa: F821
        pass

    @dbus_property(access=PropertyAccess.READ)
    def RegisteredStatusNotifierItems(self) -> "as":  # noqa: F821
        return list(self.items)

    @dbus_property(access=PropertyAccess.READ)
    def IsStatusNotifierHostRegistered(self) -> "b":  # noqa: F821
        return True

    @dbus_property(access=PropertyAccess.READ)
    def ProtocolVersion(self) -> "i":  # noqa: F821
        return 0

    @signal()
    def StatusNotifierItemRegistered(self, service: "s") -> "s":  # noqa: F821
        return service

    @signal()
    def StatusNotifierHostRegistered(self) -> None:
        return None


@dataclass
class MenuEntry:
    id: int
    props: dict[str, Any]
    children: list["MenuEntry"] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.props.get("label", "")).replace("_", "")

    def find(self, *labels: str) -> "MenuEntry":
        """The entry under this one at the path of labels ("Give extra time", "Emma", "+30 min")."""
        entry = self
        for wanted in labels:
            matches = [child for child in entry.children if child.label == wanted]
            if not matches:
                raise KeyError(f"no menu entry {wanted!r} under {entry.label!r}: {[c.label for c in entry.children]}")
            entry = matches[0]
        return entry


def _entry(raw: Any) -> MenuEntry:
    item_id, props, children = raw
    return MenuEntry(item_id, {k: v.value for k, v in props.items()},
                     [_entry(child.value) for child in children])


class SniHost:
    """Start with `SniHost().start()`; `stop()` when done."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sni-host", daemon=True)
        self._bus: MessageBus | None = None
        self._watcher = _Watcher()
        self.registrations: list[tuple[str, str]] = []  # (sender, argument as given)

    def start(self) -> "SniHost":
        self._thread.start()
        self._call(self._connect())
        return self

    async def _connect(self) -> None:
        self._bus = await MessageBus(bus_type=BusType.SESSION).connect()
        self._bus.add_message_handler(self._observe)
        self._bus.export("/StatusNotifierWatcher", self._watcher)
        reply = await self._bus.request_name(WATCHER)
        assert reply == RequestNameReply.PRIMARY_OWNER, reply

    def _observe(self, message: Message) -> None:
        if message.message_type == MessageType.METHOD_CALL and message.member == "RegisterStatusNotifierItem":
            self.registrations.append((message.sender, message.body[0]))
            service = message.body[0]
            full = message.sender + service if service.startswith("/") else service
            self._watcher.items.append(full)
            self._watcher.StatusNotifierItemRegistered(full)
        return None  # the exported interface answers the call

    def _call(self, coro: Any, timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def wait_for_item(self, timeout: float = 30.0) -> tuple[str, str]:
        """(bus name, object path) of the first item that registered."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.registrations:
                sender, service = self.registrations[0]
                return (sender, service) if service.startswith("/") else (service, "/StatusNotifierItem")
            time.sleep(0.05)
        raise AssertionError("no StatusNotifierItem registered with the watcher")

    async def _method(self, destination: str, path: str, interface: str, member: str, signature: str = "",
                      body: list[Any] | None = None) -> list[Any]:
        assert self._bus is not None
        reply = await self._bus.call(Message(destination=destination, path=path, interface=interface,
                                             member=member, signature=signature, body=body or []))
        if reply.message_type == MessageType.ERROR:
            raise RuntimeError(f"{member}: {reply.error_name}: {reply.body}")
        return reply.body

    def properties(self, name: str, path: str) -> dict[str, Any]:
        body = self._call(self._method(name, path, "org.freedesktop.DBus.Properties", "GetAll", "s", [ITEM]))
        return {key: value.value for key, value in body[0].items()}

    def layout(self, name: str, menu_path: str) -> MenuEntry:
        body = self._call(self._method(name, menu_path, DBUSMENU, "GetLayout", "iias", [0, -1, []]))
        return _entry(body[1])

    def click(self, name: str, menu_path: str, entry: MenuEntry) -> None:
        self._call(self._method(name, menu_path, DBUSMENU, "Event", "isvu",
                                [entry.id, "clicked", Variant("i", 0), int(time.time()) & 0xFFFFFFFF]))

    def click_path(self, name: str, menu_path: str, *labels: str, attempts: int = 5) -> None:
        """Click the entry at this label path in the menu as it is now. The item rebuilds its menu
        (new ids) whenever its state changes; a panel clicking an entry that just went away gets
        an error and shows the new menu, so the click is tried again on the new layout."""
        for attempt in range(attempts):
            try:
                self.click(name, menu_path, self.layout(name, menu_path).find(*labels))
                return
            except RuntimeError as exc:
                if "does not refer to a menu item" not in str(exc) or attempt == attempts - 1:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        async def close() -> None:
            if self._bus is not None:
                self._bus.disconnect()

        try:
            self._call(close(), timeout=5)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            self._loop.close()
