"""Notifications with buttons on Windows (toasts) and macOS (UNUserNotificationCenter).

Linux keeps its own freedesktop path (plextray.notify_actions). Here the well-kept
`desktop-notifier` library does the platform work (WinRT toasts via the `winrt` packages,
UNUserNotificationCenter via rubicon-objc), so plextray holds no COM or Objective-C code.
The library is asyncio: its loop runs in one daemon thread, started at the first notification
with buttons (an idle plextray pays nothing). The caller (an action pool thread, never the engine
thread) waits at most `wait_s` for the outcome; the first macOS notification may sit behind the
permission prompt, and then finishes on its own.

Whenever buttons cannot be shown — no library, an unsupported system, permission refused, a
failed send — the same text goes out through the plain path with the offers' hints (what to do,
in words), exactly once. A click runs the offer through `handler` (DesktopNotifier hands the one
attached at click time: the tray may have rebuilt its engine since) on the loop thread, as
DbusActions runs it on its receiver thread: `OfferRunner.run` only queues a grant for the engine
or opens a window.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from plextray.core.offers import Offer
from plextray.notify_actions import OfferHandler

log = logging.getLogger(__name__)

WAIT_S = 5.0  # as DbusActions' reply timeout: how long a caller waits to learn what was shown
OFFER_TIMEOUT_S = 60  # a button needs time to be seen (Linux only; toasts and macOS keep their own)
BUTTONS, PLAIN, PENDING = "buttons", "plain", "pending"


def load_library() -> Any:
    """The `desktop_notifier` module; ImportError when it is not installed (tests replace this)."""
    import desktop_notifier

    return desktop_notifier


def _app_icon(library: Any) -> Any:
    """plextray's own icon (the library's default is Python's logo), from the frozen app or the checkout."""
    frozen = getattr(sys, "_MEIPASS", None)  # PyInstaller's folder (the spec ships assets/plextray.png)
    for root in ([Path(frozen)] if frozen else []) + [Path(__file__).resolve().parents[1]]:
        path = (root / "assets" / "plextray.png").resolve()  # absolute: the backends make a file URI of it
        if path.is_file():
            return library.Icon(path=path)
    return None


class ToastActions:
    """Shows a notification with the offers as buttons; a click runs `handler.run(offer)`."""

    def __init__(self, handler: OfferHandler, *, app_name: str = "plextray",
                 library: Callable[[], Any] | None = None, wait_s: float = WAIT_S) -> None:
        self._handler = handler
        self._app_name = app_name
        self._load = library or load_library
        self._wait_s = wait_s
        self._lock = threading.Lock()  # starting and stopping the loop thread
        self._module: Any = None
        self._missing = False  # the library is not installed, or cannot work on this system
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        # only touched on the loop thread:
        self._notifier: Any = None
        self._asked = False  # the permission was requested (macOS prompts once)

    def available(self) -> bool:
        """The library imports here (and has not proven unusable on this system)."""
        if self._module is None and not self._missing:
            try:
                self._module = self._load()
            except Exception as exc:  # ImportError, or a backend dependency that fails to load
                log.info("desktop-notifier is not available (%s): offers are said in words", exc)
                self._missing = True
        return not self._missing

    def notify(self, title: str, message: str, offers: tuple[Offer, ...],
               plain: Callable[[], bool]) -> tuple[str, bool]:
        """Show `title`/`message` with `offers` as buttons, else run `plain()` (the text with the
        hints) instead. Returns (BUTTONS | PLAIN | PENDING, shown); PENDING: still under way after
        `wait_s` (it then shows buttons or falls back by itself). Never raises."""
        if not offers or not self.available():
            return PLAIN, plain()
        try:
            loop = self._start()
            future = asyncio.run_coroutine_threadsafe(self._show(title, message, offers, plain), loop)
        except Exception as exc:  # the loop cannot start or has been closed
            log.debug("notification with buttons not sent: %s", exc)
            return PLAIN, plain()
        try:
            return future.result(timeout=self._wait_s)
        except concurrent.futures.TimeoutError:
            return PENDING, True

    # ---- on the loop thread -------------------------------------------------------------------

    async def _show(self, title: str, message: str, offers: tuple[Offer, ...],
                    plain: Callable[[], bool]) -> tuple[str, bool]:
        try:
            if await self._send(title, message, offers):
                return BUTTONS, True
        except Exception as exc:  # never let a notification take the loop (or the caller) down
            log.debug("notification with buttons failed: %s", exc, exc_info=True)
        return PLAIN, plain()

    async def _send(self, title: str, message: str, offers: tuple[Offer, ...]) -> bool:
        lib = self._module
        if self._notifier is None:
            # made on the loop thread: the Windows backend binds its click events to the running loop
            try:
                self._notifier = lib.DesktopNotifier(app_name=self._app_name, app_icon=_app_icon(lib))
            except Exception:
                self._missing = True  # no toast notifier on this system: words from now on, no loop trip
                raise
        notifier = self._notifier
        if lib.Capability.BUTTONS not in await notifier.get_capabilities():
            return False  # the library's dummy backend (macOS outside an app bundle, old Windows)
        if not self._asked:
            self._asked = True
            allowed = await notifier.request_authorisation()  # macOS asks the user, once
        else:
            allowed = await notifier.has_authorisation()
        if not allowed:
            log.info("notifications are not allowed for %s: offers are said in words", self._app_name)
            return False
        clicked: list[Offer] = []  # one click per notification, whatever the backend does
        buttons = tuple(lib.Button(title=offer.label, on_pressed=self._on_pressed(offer, clicked))
                        for offer in offers)
        dispatched: list[bool] = []
        await notifier.send(title=title, message=message, buttons=buttons,
                            on_dispatched=lambda: dispatched.append(True), timeout=OFFER_TIMEOUT_S)
        return bool(dispatched)  # the library logs a failed send instead of raising: this says it went

    def _on_pressed(self, offer: Offer, clicked: list[Offer]) -> Callable[[], None]:
        def pressed() -> None:  # the loop thread (Linux, Windows) or the main thread (macOS delegate)
            loop = self._loop
            if loop is None:
                return
            try:
                loop.call_soon_threadsafe(self._run, offer, clicked)
            except RuntimeError:  # closed meanwhile
                pass

        return pressed

    def _run(self, offer: Offer, clicked: list[Offer]) -> None:
        if clicked:
            return
        clicked.append(offer)
        try:
            self._handler.run(offer)
        except Exception:  # the loop must live on for the next click
            log.exception("running the notification button %r failed", offer.label)

    # ---- the loop thread ----------------------------------------------------------------------

    def _start(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=self._serve, args=(loop,), name="plextray-toasts", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    @staticmethod
    def _serve(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            loop.close()

    def close(self, timeout: float = 2.0) -> None:
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is None or thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._disconnect(), loop).result(timeout)
        except Exception:
            log.debug("closing the notification library failed", exc_info=True)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)

    async def _disconnect(self) -> None:
        """The Linux backend keeps a D-Bus connection (used here by the tests): close it."""
        bus = getattr(getattr(self._notifier, "_backend", None), "bus", None)
        if bus is not None and hasattr(bus, "disconnect"):
            bus.disconnect()
