"""Linux's inotify for one folder, in a few lines of ctypes: the watch LogWatch uses on Linux.

watchdog serves macOS and Windows (FSEvents, ReadDirectoryChangesW). On Linux — NAS boxes and
servers running the headless service, where memory is the scarce thing — its import costs about
2 MB of the service's 40 MB budget for one non-recursive watch; this costs ctypes (0.3 MB).
It offers the part of watchdog's observer that LogWatch uses: schedule / start / stop / join,
and events with `event_type`, `src_path`, `dest_path`, `is_directory`.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import select
import struct
import threading
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

IN_MODIFY, IN_CLOSE_WRITE, IN_MOVED_FROM, IN_MOVED_TO = 0x2, 0x8, 0x40, 0x80
IN_CREATE, IN_DELETE, IN_DELETE_SELF, IN_MOVE_SELF = 0x100, 0x200, 0x400, 0x800
IN_ISDIR, IN_CLOEXEC, IN_NONBLOCK = 0x40000000, 0o2000000, 0o4000
_MASK = IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF
_TYPES = ((IN_MODIFY, "modified"), (IN_CLOSE_WRITE, "closed"), (IN_CREATE, "created"), (IN_DELETE, "deleted"),
          (IN_MOVED_FROM, "moved"), (IN_MOVED_TO, "moved"), (IN_DELETE_SELF, "deleted"), (IN_MOVE_SELF, "moved"))
_HEADER = struct.Struct("iIII")  # wd, mask, cookie, len


@dataclass(frozen=True, slots=True)
class FileEvent:
    event_type: str
    src_path: str
    dest_path: str = ""
    is_directory: bool = False


def available() -> bool:
    return hasattr(_libc(), "inotify_init1") if os.uname().sysname == "Linux" else False


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


class InotifyObserver:
    """One thread blocked in poll() on the inotify descriptor (and a pipe that stops it)."""

    def __init__(self) -> None:
        self.daemon = True
        self._watches: list[tuple[str, Any]] = []
        self._thread: threading.Thread | None = None
        self._fd = -1
        self._stop_r, self._stop_w = -1, -1

    def schedule(self, handler: Any, path: str, recursive: bool = False) -> None:
        if recursive:
            raise ValueError("only one folder, not recursive")
        self._watches.append((path, handler))

    def start(self) -> None:
        libc = _libc()
        fd = libc.inotify_init1(IN_CLOEXEC | IN_NONBLOCK)
        if fd < 0:
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
        handlers: dict[int, tuple[str, Any]] = {}
        for path, handler in self._watches:
            wd = libc.inotify_add_watch(fd, os.fsencode(path), _MASK)
            if wd < 0:
                err = ctypes.get_errno()
                os.close(fd)
                hint = " (the inotify watch limit: fs.inotify.max_user_watches)" if err == errno.ENOSPC else ""
                raise OSError(err, f"{os.strerror(err)}{hint}", path)
            handlers[wd] = (path, handler)
        self._fd = fd
        self._stop_r, self._stop_w = os.pipe()
        self._thread = threading.Thread(target=self._run, args=(handlers,), name="plextray-inotify", daemon=self.daemon)
        self._thread.start()

    def _run(self, handlers: dict[int, tuple[str, Any]]) -> None:
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        poller.register(self._stop_r, select.POLLIN)
        while True:
            ready = {fd for fd, _ in poller.poll()}  # sleeps until the kernel has news
            if self._stop_r in ready:
                return
            try:
                data = os.read(self._fd, 64 * 1024)
            except BlockingIOError:
                continue
            for event, handler in _parse(data, handlers):
                try:
                    handler.dispatch(event)
                except Exception:
                    log.exception("a file-change handler failed")

    def stop(self) -> None:
        if self._stop_w >= 0:
            os.write(self._stop_w, b"x")

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                return
        for fd in (self._fd, self._stop_r, self._stop_w):
            if fd >= 0:
                os.close(fd)
        self._fd = self._stop_r = self._stop_w = -1


def _parse(data: bytes, handlers: dict[int, tuple[str, Any]]) -> list[tuple[FileEvent, Any]]:
    events = []
    offset = 0
    while offset + _HEADER.size <= len(data):
        wd, mask, _cookie, length = _HEADER.unpack_from(data, offset)
        name = data[offset + _HEADER.size: offset + _HEADER.size + length].rstrip(b"\0")
        offset += _HEADER.size + length
        if wd not in handlers:
            continue
        folder, handler = handlers[wd]
        path = os.path.join(folder, os.fsdecode(name)) if name else folder
        for bit, kind in _TYPES:
            if mask & bit:
                events.append((FileEvent(kind, path, is_directory=bool(mask & IN_ISDIR)), handler))
                break
    return events
