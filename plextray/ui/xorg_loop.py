"""Run icon changes on pystray's xorg loop thread, so its X connection is only used by that thread.

pystray's xorg icon marshals every change (image, title, show, stop) to its loop thread by having
the *calling* thread write a client message on the icon's own X connection and flush it.
python-xlib is not safe for that while the loop thread sits in its receive loop: reproduced here
under Xvfb, a flush from our thread returned without sending (stop() never stopped, 5 in 15
start/stop cycles), and a draw on the loop thread then deadlocked against our next change.

So the Tray never calls those methods from another thread: it queues the change here and wakes
the loop with a client message sent over a *separate* connection; the loop thread runs the
change itself, where pystray calls its implementation directly.

Docking: the icon asks the tray manager to embed it once, when shown. If the panel is not up yet
(autostart at login races the panel) or restarts, the icon stays invisible for good
(pystray#186). `DockWatcher` tells the Tray when to ask again.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
CALL_ATOM = "_PLEXTRAY_CALL"


def is_xorg(icon: Any) -> bool:
    return type(icon).__module__ == "pystray._xorg"


class XorgLoop:
    """Queue calls for the icon's loop thread. Install before `icon.run()`."""

    def __init__(self, icon: Any) -> None:
        import Xlib.X

        self.icon = icon
        self._calls: queue.Queue[Callable[[], None]] = queue.Queue()
        self._lock = threading.Lock()
        self._sender: Any = None  # our own connection, used under _lock only
        atom = icon._display.intern_atom(CALL_ATOM)  # the loop is not running yet: safe here
        pystray_handler = icon._message_handlers.get(Xlib.X.ClientMessage)

        def on_client_message(event: Any) -> None:  # the loop thread
            if event.client_type == atom:
                self._run_queued()
            elif pystray_handler is not None:
                pystray_handler(event)

        icon._message_handlers[Xlib.X.ClientMessage] = on_client_message

    def call(self, func: Callable[[], None]) -> None:
        """Run `func()` on the loop thread soon (fire and forget; failures are logged)."""
        self._calls.put(func)
        try:
            with self._lock:
                import Xlib.display
                import Xlib.protocol.event

                if self._sender is None:
                    self._sender = Xlib.display.Display()
                    self._sender.set_error_handler(lambda *args: None)  # the window may be gone: fine
                window = self._sender.create_resource_object("window", self.icon._window.id)
                event = Xlib.protocol.event.ClientMessage(
                    window=window, client_type=self._sender.intern_atom(CALL_ATOM), data=(32, [0, 0, 0, 0, 0])
                )
                window.send_event(event, event_mask=0)
                self._sender.flush()
        except Exception:
            log.exception("could not reach the tray icon's loop")

    def _run_queued(self) -> None:
        while True:
            try:
                func = self._calls.get_nowait()
            except queue.Empty:
                return
            try:
                func()
            except Exception:
                log.exception("tray icon update failed")

    def close(self) -> None:
        with self._lock:
            if self._sender is not None:
                try:
                    self._sender.close()
                except Exception:
                    pass
                self._sender = None


class DockWatcher:
    """Whether the icon should be (re)docked: a tray manager exists but the icon is not in it.

    Has its own X connection, used only by the thread that calls it (the Tk thread).
    """

    def __init__(self, icon: Any) -> None:
        import Xlib.display

        self.icon = icon
        self.display = Xlib.display.Display()
        self.display.set_error_handler(lambda *args: None)
        self.selection = self.display.intern_atom(f"_NET_SYSTEM_TRAY_S{self.display.get_default_screen()}")
        self.root = self.display.screen().root

    def needs_redock(self) -> bool:
        try:
            if self.display.get_selection_owner(self.selection) == 0:
                return False  # no tray manager at all: nothing to dock into (yet)
            window = self.display.create_resource_object("window", self.icon._window.id)
            return window.query_tree().parent.id == self.root.id
        except Exception:
            return False

    def close(self) -> None:
        try:
            self.display.close()
        except Exception:
            pass
