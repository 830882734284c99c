"""Work around a lost wake-up in pystray's xorg backend.

pystray's xorg icon marshals every change (image, title, show, stop) to its loop thread by
sending itself an X client message from the calling thread, then waits for the loop to run it.
python-xlib lets a flush return without sending when another thread is inside the
connection's receive loop, and that loop sleeps in select() with no timeout: the message then
sits in the request queue until some other X event arrives, and the caller (our Tk thread, or
stop() at Quit) hangs. Reproduced here: 5 of 15 start/stop cycles under Xvfb never stopped.

The fix: while such a call is in progress, a helper thread pokes the icon's window with a
harmless client message over a *separate* X connection, which wakes the loop; the loop then
sends the queued message and serves it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
POKE_INTERVAL_S = 0.05


def is_xorg(icon: Any) -> bool:
    return type(icon).__module__ == "pystray._xorg"


def poke(icon: Any) -> None:
    """Send an ignorable client message to the icon window from a fresh connection."""
    try:
        import Xlib.display
        import Xlib.protocol.event

        display = Xlib.display.Display()
    except Exception:
        return
    try:
        display.set_error_handler(lambda *args: None)  # the window may be gone already: fine
        window = display.create_resource_object("window", icon._window.id)
        event = Xlib.protocol.event.ClientMessage(
            window=window, client_type=display.intern_atom("_PLEXTRAY_WAKE"), data=(32, [0, 0, 0, 0, 0])
        )
        window.send_event(event, event_mask=0)
        display.sync()
    except Exception:
        log.debug("could not poke the xorg tray loop", exc_info=True)
    finally:
        try:
            display.close()
        except Exception:
            pass


def call_awake(icon: Any, func: Callable[[], T]) -> T:
    """Run `func` (which may block on the icon's loop), poking the loop until it returns."""
    if not is_xorg(icon):
        return func()
    done = threading.Event()

    def keep_awake() -> None:
        while not done.wait(POKE_INTERVAL_S):
            poke(icon)

    helper = threading.Thread(target=keep_awake, name="plextray-xwake", daemon=True)
    helper.start()
    try:
        return func()
    finally:
        done.set()
        helper.join()
