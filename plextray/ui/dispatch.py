"""One queue between the worker threads and the Tk main thread.

Tk belongs to the thread that created it (and on macOS so do AppKit and pystray's icon), so the
engine and tray threads never touch widgets or the icon: they `post()` a call, and a Tk `after()`
pump runs it on the main thread. Posting is safe from any thread, before or during mainloop.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class Dispatcher:
    """Runs posted calls on the Tk thread, in order, a batch per tick."""

    def __init__(self, root: Any, *, interval_ms: int = 50) -> None:
        self._root = root
        self._interval_ms = interval_ms
        self._queue: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]]] = queue.Queue()
        self._after_id: str | None = None
        self._closed = threading.Event()
        self._tk_thread = threading.get_ident()

    def post(self, func: Callable[..., Any], *args: Any) -> None:
        """Queue `func(*args)` for the Tk thread. Ignored once stopped."""
        if not self._closed.is_set():
            self._queue.put((func, args))

    def call_later(self, delay_ms: int, func: Callable[..., Any], *args: Any) -> str | None:
        """Tk thread only: run `func(*args)` after `delay_ms` (None once stopped). For periodic checks."""
        if self._closed.is_set():
            return None
        return self._root.after(delay_ms, lambda: self.post(func, *args))

    def cancel(self, after_id: str | None) -> None:
        if after_id is not None:
            try:
                self._root.after_cancel(after_id)
            except Exception:
                pass

    def on_tk_thread(self) -> bool:
        return threading.get_ident() == self._tk_thread

    def start(self) -> None:
        """Begin pumping (call on the Tk thread)."""
        self._tk_thread = threading.get_ident()
        self._schedule()

    def stop(self) -> None:
        """Stop pumping and drop whatever is still queued."""
        self._closed.set()
        if self._after_id is not None:
            try:
                self._root.after_cancel(self._after_id)
            except Exception:  # the root may already be gone
                pass
            self._after_id = None
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break

    def drain(self, limit: int = 1000) -> int:
        """Run queued calls now (on the Tk thread); returns how many ran."""
        ran = 0
        while ran < limit and not self._closed.is_set():
            try:
                func, args = self._queue.get_nowait()
            except queue.Empty:
                break
            ran += 1
            try:
                func(*args)
            except Exception:  # one bad callback must not kill the pump
                log.exception("UI callback %r failed", getattr(func, "__qualname__", func))
        return ran

    def _tick(self) -> None:
        self._after_id = None
        self.drain()
        if not self._closed.is_set():
            self._schedule()

    def _schedule(self) -> None:
        self._after_id = self._root.after(self._interval_ms, self._tick)
