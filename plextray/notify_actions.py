"""Notifications with buttons: freedesktop `actions` over the session bus, and what a click runs.

A quota warning offers "+15 min"/"+30 min", a bedtime stop "Allow tonight", an unknown device
"Link to…" (plextray.core.offers). On Linux the notification server is asked for its
capabilities once; when it lists "actions", the offers become buttons and the server's
`ActionInvoked(id, key)` signal runs the offer — the same command the tray menu runs
(`OfferRunner`). Without "actions" (some minimal daemons, Windows balloons, macOS osascript),
DesktopNotifier puts the offers' hints in the text instead.

One jeepney connection, opened at the first notification with offers (an idle plextray pays
nothing for it); its receiver thread delivers the signals. Only signals from the current owner
of org.freedesktop.Notifications, for notification ids we sent, and with keys we offered, run
anything.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from plextray.core.offers import GRANT, LIFT, LINK, Offer

log = logging.getLogger(__name__)

NOTIFICATIONS = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
OFFER_TIMEOUT_MS = 60_000  # a button needs time to be seen: a minute, not the usual 10 s
_KEEP = 64  # notifications whose buttons are remembered (oldest forgotten first)


class OfferHandler(Protocol):
    def can_run(self, offer: Offer) -> bool: ...

    def run(self, offer: Offer) -> None: ...


class OfferRunner:
    """What a click on an offer does: exactly what the tray menu does."""

    def __init__(self, engine: Any, *, open_devices: Callable[[], None] | None = None) -> None:
        self._engine = engine
        self._open_devices = open_devices

    def can_run(self, offer: Offer) -> bool:
        return offer.kind in (GRANT, LIFT) or (offer.kind == LINK and self._open_devices is not None)

    def run(self, offer: Offer) -> None:
        if offer.kind == GRANT and offer.person:
            self._engine.grant(offer.person, minutes=offer.minutes)
        elif offer.kind == LIFT and offer.person:
            self._engine.grant(offer.person, lift_window_until=offer.lift_window_until)
        elif offer.kind == LINK and self._open_devices is not None:
            self._open_devices()
        log.info("notification button %r clicked", offer.label)


class _Deliver:
    """Stands in for the router filter's queue: each matching signal is handled as it arrives."""

    def __init__(self, handle: Callable[[Any], None]) -> None:
        self._handle = handle

    def put_nowait(self, message: Any) -> None:
        try:
            self._handle(message)
        except Exception:  # the receiver thread must live on
            log.exception("handling a notification signal failed")


class DbusActions:
    """Sends notifications with action buttons and runs the clicked offer via `handler`."""

    def __init__(self, handler: OfferHandler, *, bus: str = "SESSION") -> None:
        self._handler = handler
        self._bus = bus
        # _lock: connecting and calling (held across D-Bus calls); _state: the maps the receiver
        # thread reads — never held across a call, or a signal arriving mid-call would block the
        # receiver that must deliver the call's reply
        self._lock = threading.Lock()
        self._state = threading.Lock()
        self._router: Any = None
        self._conn: Any = None
        self._server: str | None = None  # unique name of the server that showed our notifications
        self._capabilities: tuple[str, ...] | None = None
        self._pending: dict[int, dict[str, Offer]] = {}

    def supports_actions(self) -> bool:
        with self._lock:
            self._connect()
            return "actions" in (self._capabilities or ())

    def notify(self, app_name: str, title: str, message: str, offers: tuple[Offer, ...],
               timeout_ms: int = OFFER_TIMEOUT_MS) -> bool:
        """Show it with buttons; False when the server has no actions (or there is no server)."""
        from jeepney import DBusAddress, new_method_call

        with self._lock:
            self._connect()
            if "actions" not in (self._capabilities or ()):
                return False
            if "body-markup" in (self._capabilities or ()):  # device names are anyone's text: no markup
                import html  # here: html.entities is a large table an idle service need not hold

                message = html.escape(message, quote=False)
            actions: list[str] = []
            for offer in offers:
                actions += [offer.key, offer.label]
            address = DBusAddress(PATH, bus_name=NOTIFICATIONS, interface=NOTIFICATIONS)
            call = new_method_call(address, "Notify", "susssasa{sv}i",
                                   (app_name, 0, "", title, message, actions, {}, timeout_ms))
            reply = self._router.send_and_get_reply(call, timeout=5)
        if reply.header.message_type.name == "error":
            log.debug("Notify failed: %s", reply.body)
            return False
        with self._state:
            self._pending[int(reply.body[0])] = {offer.key: offer for offer in offers}
            self._server = _field(reply, "sender")
            while len(self._pending) > _KEEP:
                self._pending.pop(next(iter(self._pending)))
        return True

    def _connect(self) -> None:
        """Open the connection and ask for the capabilities (once); raises when there is no bus."""
        if self._router is not None:
            return
        from jeepney import DBusAddress, MatchRule, message_bus, new_method_call
        from jeepney.io.threading import DBusRouter, Proxy, open_dbus_connection

        conn = open_dbus_connection(bus=self._bus)
        router = DBusRouter(conn)
        try:
            for member in ("ActionInvoked", "NotificationClosed"):
                # the bus resolves the well-known name to its owner; the local filter sees only the
                # owner's unique name, so it matches without it and _on_signal checks the sender
                on_bus = MatchRule(type="signal", sender=NOTIFICATIONS, interface=NOTIFICATIONS, member=member,
                                   path=PATH)
                Proxy(message_bus, router, timeout=5).AddMatch(on_bus)
                local = MatchRule(type="signal", interface=NOTIFICATIONS, member=member, path=PATH)
                router.filter(local, queue=_Deliver(self._on_signal))  # type: ignore[arg-type]
            address = DBusAddress(PATH, bus_name=NOTIFICATIONS, interface=NOTIFICATIONS)
            reply = router.send_and_get_reply(new_method_call(address, "GetCapabilities"), timeout=5)
            self._capabilities = tuple(reply.body[0]) if reply.header.message_type.name == "method_return" else ()
        except Exception:
            router.close()
            conn.close()
            raise
        self._router, self._conn = router, conn

    def _on_signal(self, message: Any) -> None:
        """The receiver thread: a click (ActionInvoked) runs its offer; a close forgets the buttons."""
        sender, member = _field(message, "sender"), _field(message, "member")
        with self._state:
            if self._server is None or sender != self._server:
                return  # not the server that showed our notifications
            if member == "NotificationClosed":
                self._pending.pop(int(message.body[0]), None)
                return
            nid, key = int(message.body[0]), str(message.body[1])
            offer = self._pending.get(nid, {}).get(key)
            if offer is None:
                return  # someone else's notification, or a key we never offered
            self._pending.pop(nid, None)  # one click per notification
        self._handler.run(offer)

    def close(self) -> None:
        with self._lock:
            router, conn, self._router, self._conn = self._router, self._conn, None, None
        if router is not None:
            try:
                router.close()
                conn.close()
            except Exception:
                log.debug("closing the notification connection failed", exc_info=True)


def _field(message: Any, name: str) -> Any:
    from jeepney.low_level import HeaderFields  # jeepney: Linux only (imported when used)

    return message.header.fields.get(getattr(HeaderFields, name))
