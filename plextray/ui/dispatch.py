"""One queue between the worker threads and the Tk main thread.

Tk belongs to the thread that created it (and on macOS so do AppKit and pystray's icon), so the
engine and tray threads never touch widgets or the icon: they `post()` a call, and it runs on
the main thread. Posting is safe from any thread, before or during mainloop.

Waking Tk: where Tk can watch a file descriptor (Linux, macOS), a post writes a byte to a pipe
Tk's loop watches, so an idle app sleeps in Tk's loop and runs a posted call at once. The same
pipe is Python's signal wake-up fd, so SIGTERM/Ctrl-C reach their Python handlers although Tk
sleeps in C. Elsewhere (Windows) an `after()` tick polls the queue every `interval_ms`.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
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
        self._pipe: tuple[int, int] | None = None  # (read end watched by Tk, write end) when woken by fd
        self._pipe_lock = threading.Lock()  # a post never writes to a descriptor stop() has closed
        self._old_wakeup_fd: int | None = None

    @property
    def woken_by_fd(self) -> bool:
        """True when posts wake Tk through a pipe (no polling tick)."""
        return self._pipe is not None

    def post(self, func: Callable[..., Any], *args: Any) -> None:
        """Queue `func(*args)` for the Tk thread. Ignored once stopped."""
        if not self._closed.is_set():
            self._queue.put((func, args))
            with self._pipe_lock:
                if self._pipe is not None:
                    try:
                        os.write(self._pipe[1], b"\0")
                    except OSError:  # full (BlockingIOError): Tk has wake-ups enough
                        pass

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
        if not self._watch_pipe():
            self._schedule()
        elif not self._queue.empty():
            os.write(self._pipe[1], b"\0")  # posted before start: run it once the loop turns

    def _watch_pipe(self) -> bool:
        create = getattr(getattr(self._root, "tk", None), "createfilehandler", None)
        if create is None or os.name == "nt":
            return False
        import tkinter

        read_fd, write_fd = os.pipe()
        os.set_blocking(read_fd, False)
        os.set_blocking(write_fd, False)
        try:
            create(read_fd, tkinter.READABLE, self._on_readable)
        except Exception:
            log.debug("Tk cannot watch a pipe here; polling the queue instead", exc_info=True)
            os.close(read_fd)
            os.close(write_fd)
            return False
        self._pipe = (read_fd, write_fd)
        if threading.current_thread() is threading.main_thread():
            try:
                self._old_wakeup_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
            except (ValueError, OSError):
                self._old_wakeup_fd = None
        return True

    def _on_readable(self, fd: int, _mask: int) -> None:
        try:
            while os.read(fd, 4096):
                pass
        except (BlockingIOError, OSError):
            pass
        self.drain()

    def _unwatch_pipe(self) -> None:
        with self._pipe_lock:
            pipe, self._pipe = self._pipe, None
        if pipe is None:
            return
        keep_write_end = False
        if self._old_wakeup_fd is not None:
            if threading.current_thread() is threading.main_thread():
                try:
                    current = signal.set_wakeup_fd(-1)
                    signal.set_wakeup_fd(self._old_wakeup_fd if current == pipe[1] else current)  # theirs stays
                except (ValueError, OSError):
                    pass
            else:  # only the main thread can take it back: leave it open rather than let a signal
                keep_write_end = True  # write into whatever file reuses the number
        self._old_wakeup_fd = None
        try:
            self._root.tk.deletefilehandler(pipe[0])
        except Exception:  # the root may already be gone
            pass
        for fd in pipe[:1] if keep_write_end else pipe:
            os.close(fd)

    def stop(self) -> None:
        """Stop pumping and drop whatever is still queued."""
        self._closed.set()
        self._unwatch_pipe()
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
