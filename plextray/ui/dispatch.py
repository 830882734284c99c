"""One queue between the worker threads and the main thread, and the main thread's loop.

Tk belongs to the thread that created it (and on macOS so do AppKit and pystray's icon), so the
engine and tray threads never touch widgets or the icon: they `post()` a call, and it runs on
the main thread. Posting is safe from any thread, before or during `run()`.

Tk is created only when something needs it (a window, the xorg popup menu; on macOS at start,
since Tk's Cocoa loop serves the status item): an idle tray has no Tcl interpreter, which is
most of its memory. `run()` is the main thread's loop: while no Tk root is attached it sleeps
on a self-pipe (plextray.ui.waker) until a post, a due timer or a signal; once `attach()`ed it
runs Tk's mainloop. Waking Tk: where Tk can watch a file descriptor (Linux, macOS) it watches
the same pipe; elsewhere (Windows) an `after()` tick polls the queue every `interval_ms`, but
only while Tk exists. Timers (`call_later`) are the dispatcher's own, so they outlive the
switch from one loop to the other.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from plextray.ui.waker import Waker

log = logging.getLogger(__name__)


class Dispatcher:
    """Runs posted calls on the main (Tk) thread, in order, a batch per turn."""

    def __init__(self, root: Any = None, *, interval_ms: int = 50) -> None:
        self._root = root
        self._interval_ms = interval_ms
        self._queue: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]]] = queue.Queue()
        self._after_id: str | None = None  # the polling tick, where Tk cannot watch the pipe
        self._closed = threading.Event()
        self._tk_thread = threading.get_ident()
        self._waker: Waker | None = None
        self._tk_watches = False  # Tk's loop watches the waker's pipe
        self._timers: list[tuple[float, int, Callable[..., Any], tuple[Any, ...]]] = []
        self._timer_ids = itertools.count(1)
        self._cancelled: set[int] = set()
        self._timer_after: str | None = None  # Tk's after() for the earliest timer

    @property
    def root(self) -> Any:
        """The Tk root the loop serves, or None while there is none."""
        return self._root

    @property
    def woken_by_fd(self) -> bool:
        """True when posts wake the main thread through a pipe (no polling tick)."""
        return self._waker is not None and (self._root is None or self._tk_watches)

    def post(self, func: Callable[..., Any], *args: Any) -> None:
        """Queue `func(*args)` for the main thread. Ignored once stopped."""
        if not self._closed.is_set():
            self._queue.put((func, args))
            if self._waker is not None:
                self._waker.wake()

    def call_later(self, delay_ms: int, func: Callable[..., Any], *args: Any) -> str | None:
        """Main thread only: post `func(*args)` after `delay_ms` (None once stopped). For periodic checks."""
        if self._closed.is_set():
            return None
        ident = next(self._timer_ids)
        heapq.heappush(self._timers, (time.monotonic() + delay_ms / 1000, ident, func, args))
        self._arm_tk_timer()
        return f"timer#{ident}"

    def cancel(self, after_id: str | None) -> None:
        if after_id is not None and after_id.startswith("timer#"):
            ident = int(after_id[6:])
            if any(timer[1] == ident for timer in self._timers):
                self._cancelled.add(ident)

    def on_tk_thread(self) -> bool:
        return threading.get_ident() == self._tk_thread

    # ---- the loop ------------------------------------------------------------------------

    def start(self) -> None:
        """Begin pumping (call on the main thread): the pipe, the signal wake-up, Tk if given."""
        self._tk_thread = threading.get_ident()
        self._waker = Waker()
        self._waker.catch_signals()
        if self._root is not None:
            self._hook_tk()
        if not self._queue.empty():
            self._waker.wake()  # posted before start: run it once the loop turns

    def attach(self, root: Any) -> None:
        """Main thread: a Tk root now exists; from here on `run()` runs its mainloop."""
        self._root = root
        if self._waker is not None and not self._closed.is_set():
            self._hook_tk()
            self._arm_tk_timer()
            if not self._queue.empty():
                self._waker.wake()

    def run(self) -> None:
        """The main thread's loop, until `stop()`: Tk's mainloop while a root is attached, else a
        sleep on the pipe that ends at a post, the next timer or a signal."""
        while not self._closed.is_set():
            root = self._root
            if root is not None:
                root.mainloop()  # returns on quit() (app quit) or when the root is destroyed
                if not self._closed.is_set() and not _alive(root):
                    self._unhook_tk()
                    self._root = None
            else:
                self.run_once(None)

    def run_once(self, timeout: float | None = 0.0) -> None:
        """One turn of the loop: Tk's pending events if attached, else wait up to `timeout`
        (None: until something happens) and run what is due. Tests pump the app with this."""
        if self._closed.is_set():
            return
        if self._root is not None:
            self._root.update()
            return
        if self._waker is None:
            self._post_due_timers()
            self.drain()
            return
        due = self._next_due()
        if due is not None:
            until_due = max(0.0, due - time.monotonic())
            timeout = until_due if timeout is None else min(timeout, until_due)
        if self._queue.empty():
            self._waker.wait(timeout)
        else:
            self._waker.clear()
        self._post_due_timers()
        self.drain()

    def stop(self) -> None:
        """Stop pumping and drop whatever is still queued."""
        self._closed.set()
        self._unhook_tk()
        if self._waker is not None:
            self._waker.close()
        self._timers.clear()
        self._cancelled.clear()
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break

    def drain(self, limit: int = 1000) -> int:
        """Run queued calls now (on the main thread); returns how many ran."""
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

    # ---- timers --------------------------------------------------------------------------

    def _next_due(self) -> float | None:
        while self._timers and self._timers[0][1] in self._cancelled:
            self._cancelled.discard(heapq.heappop(self._timers)[1])
        return self._timers[0][0] if self._timers else None

    def _post_due_timers(self) -> None:
        now = time.monotonic()
        while (due := self._next_due()) is not None and due <= now:
            _, _, func, args = heapq.heappop(self._timers)
            self.post(func, *args)

    def _arm_tk_timer(self) -> None:
        """With Tk attached: one after() at the earliest timer (Tk's loop sleeps until then)."""
        if self._root is None or self._closed.is_set():
            return
        if self._timer_after is not None:
            _cancel_after(self._root, self._timer_after)
            self._timer_after = None
        due = self._next_due()
        if due is not None:
            delay = max(0, round((due - time.monotonic()) * 1000))
            self._timer_after = self._root.after(delay, self._on_tk_timer)

    def _on_tk_timer(self) -> None:
        self._timer_after = None
        self._post_due_timers()
        self._arm_tk_timer()

    # ---- Tk ------------------------------------------------------------------------------

    def _hook_tk(self) -> None:
        """Tk watches the pipe where it can; else (Windows) a polling tick while Tk exists."""
        create = getattr(getattr(self._root, "tk", None), "createfilehandler", None)
        if create is not None and os.name != "nt" and self._waker is not None:
            import tkinter

            try:
                create(self._waker.read_fd, tkinter.READABLE, self._on_readable)
                self._tk_watches = True
                return
            except Exception:
                log.debug("Tk cannot watch a pipe here; polling the queue instead", exc_info=True)
        self._schedule()

    def _unhook_tk(self) -> None:
        root = self._root
        if root is None:
            return
        if self._tk_watches and self._waker is not None:
            try:
                root.tk.deletefilehandler(self._waker.read_fd)
            except Exception:  # the root may already be gone
                pass
        self._tk_watches = False
        for after_id in (self._after_id, self._timer_after):
            if after_id is not None:
                _cancel_after(root, after_id)
        self._after_id = self._timer_after = None

    def _on_readable(self, _fd: int, _mask: int) -> None:
        if self._waker is not None:
            self._waker.clear()
        self.drain()

    def _tick(self) -> None:
        self._after_id = None
        if self._waker is not None:
            self._waker.clear()
        self.drain()
        if not self._closed.is_set():
            self._schedule()

    def _schedule(self) -> None:
        if self._root is not None:
            self._after_id = self._root.after(self._interval_ms, self._tick)


def _cancel_after(root: Any, after_id: str) -> None:
    try:
        root.after_cancel(after_id)
    except Exception:  # the root may already be gone
        pass


def _alive(root: Any) -> bool:
    try:
        return bool(root.winfo_exists())
    except Exception:
        return False
