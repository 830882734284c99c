"""A self-pipe that wakes the main thread: for a posted call, and for a signal.

The main thread sleeps either in Tk's loop (a window is open) or, with no Tk at all, in
`wait()`. Either way what wakes it is one byte on this pipe: a post writes it, and the pipe is
also Python's signal wake-up fd, so SIGTERM/Ctrl-C reach their Python handlers although the
thread sleeps in C. POSIX uses a pipe (Tk can watch it); Windows, whose select() and
set_wakeup_fd() only take sockets, a socket pair.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import socket
import threading

log = logging.getLogger(__name__)


class Waker:
    def __init__(self) -> None:
        # a wake() never writes to a descriptor close() has closed; reentrant, for a signal handler
        # that posts while the main thread is inside wake()
        self._lock = threading.RLock()
        self._sockets: tuple[socket.socket, socket.socket] | None = None
        if os.name == "nt":  # pragma: no cover - Windows
            reader, writer = socket.socketpair()
            reader.setblocking(False)
            writer.setblocking(False)
            self._sockets = (reader, writer)
            self.read_fd, self.write_fd = reader.fileno(), writer.fileno()
        else:
            self.read_fd, self.write_fd = os.pipe()
            os.set_blocking(self.read_fd, False)
            os.set_blocking(self.write_fd, False)
        self._closed = False
        self._old_wakeup_fd: int | None = None

    def catch_signals(self) -> None:
        """Main thread only: make this the signal wake-up fd (the previous one is given back on close)."""
        if threading.current_thread() is not threading.main_thread():
            return
        try:
            self._old_wakeup_fd = signal.set_wakeup_fd(self.write_fd, warn_on_full_buffer=False)
        except (ValueError, OSError):
            self._old_wakeup_fd = None

    def wake(self) -> None:
        """Any thread: wake the sleeper (a full pipe already will)."""
        with self._lock:
            if self._closed:
                return
            try:
                if self._sockets is not None:  # pragma: no cover - Windows
                    self._sockets[1].send(b"\0")
                else:
                    os.write(self.write_fd, b"\0")
            except OSError:  # full (BlockingIOError): wake-ups enough
                pass

    def clear(self) -> None:
        """Empty the pipe (the sleeper is awake now)."""
        try:
            while True:
                if self._sockets is not None:  # pragma: no cover - Windows
                    chunk = self._sockets[0].recv(4096)
                else:
                    chunk = os.read(self.read_fd, 4096)
                if not chunk:
                    return
        except OSError:  # empty (BlockingIOError) or closed
            return

    def wait(self, timeout: float | None) -> None:
        """Sleep until woken or `timeout` seconds (None: no limit). A signal's handler runs in here."""
        if self._closed:
            return
        try:
            select.select([self.read_fd], [], [], timeout)
        except (OSError, ValueError):  # closed under us by stop() from a handler
            return
        self.clear()

    def close(self) -> None:
        """Give the signal wake-up fd back and close the pipe. Closing from another thread leaves
        the write end open: only the main thread can take the wake-up fd back, and a signal must
        not write into whatever file reuses the number."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        keep_write_end = False
        if self._old_wakeup_fd is not None:
            if threading.current_thread() is threading.main_thread():
                try:
                    current = signal.set_wakeup_fd(-1)
                    signal.set_wakeup_fd(self._old_wakeup_fd if current == self.write_fd else current)  # theirs stays
                except (ValueError, OSError):
                    pass
            else:
                keep_write_end = True
        self._old_wakeup_fd = None
        if self._sockets is not None:  # pragma: no cover - Windows
            self._sockets[0].close()
            if not keep_write_end:
                self._sockets[1].close()
            return
        os.close(self.read_fd)
        if not keep_write_end:
            os.close(self.write_fd)
