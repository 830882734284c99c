"""Being told when Plex writes its log, instead of looking four times a second.

The operating system's own file-change notifications (inotify on Linux, FSEvents on macOS,
ReadDirectoryChangesW on Windows; `watchdog` off Linux, see plextray.logs.inotify), so an idle engine sleeps until Plex writes
a line — and reads it at once, quicker than a poll would. Only changes to Plex Media Server's
own log files count (the folder also holds the scanner's, the transcoder's and plug-ins' logs).

A burst of writes wakes the engine once: `changed()` is called again only after the engine has
taken the previous wake (`taken()`). When no native notifications are available (watchdog not
installed, the inotify watch limit reached, a network share that sends none), `start()` says so
and the engine keeps polling; it also looks now and then while watched, so a lost event costs a
delay, never a line.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from plextray import const

log = logging.getLogger(__name__)

_PREFIX = const.PLEX_LOG_NAME[: -len(".log")]  # "Plex Media Server": the live log and its .1 … .5


def concerns_plex_log(path: str | bytes) -> bool:
    """Whether a changed path is one of Plex Media Server's own log files."""
    if isinstance(path, bytes):
        path = path.decode("utf-8", "replace")
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.startswith(_PREFIX) and name.endswith(".log")


class LogWatch:
    """Calls `changed()` (from its own thread) when Plex's log files in `directory` change."""

    def __init__(self, directory: Path, *, observer_factory: Callable[[], Any] | None = None) -> None:
        self.directory = Path(directory)
        self._observer_factory = observer_factory
        self._observer: Any = None
        self._pending = threading.Event()
        self._changed: Callable[[], None] | None = None
        self.reason: str | None = None  # why it is not watching, when it is not

    @property
    def active(self) -> bool:
        return self._observer is not None

    def start(self, changed: Callable[[], None]) -> bool:
        """Begin watching; False (and `reason`) when the system offers no notifications here."""
        self._changed = changed
        remote = network_fs_type(self.directory)
        if remote is not None and self._observer_factory is None:
            # the kernel hears of this machine's writes only: Plex writing from another host
            # (an NFS/SMB mount of its folder) would never wake us
            self.reason = f"{self.directory} is on a network file system ({remote})"
            log.info("not watching Plex's log folder (%s); looking at it every poll instead", self.reason)
            return False
        try:
            factory = self._observer_factory or _native_observer
            observer = factory()
            if observer is None:
                self.reason = "no native file-change notifications on this system"
                return False
            observer.schedule(_Handler(self._on_change), str(self.directory), recursive=False)
            observer.daemon = True
            observer.start()
        except Exception as exc:  # ENOSPC (inotify limit), a folder gone, watchdog missing...
            self.reason = f"cannot watch {self.directory}: {exc}"
            log.info("not watching Plex's log folder (%s); looking at it every poll instead", self.reason)
            return False
        self._observer = observer
        log.debug("watching %s for Plex's log writes", self.directory)
        return True

    def taken(self) -> None:
        """The engine took the wake: the next change wakes it again."""
        self._pending.clear()

    def _on_change(self, path: str | bytes) -> None:
        if not concerns_plex_log(path) or self._pending.is_set():
            return
        self._pending.set()
        callback = self._changed
        if callback is not None:
            callback()

    def stop(self) -> None:
        observer, self._observer = self._observer, None
        if observer is None:
            return
        try:
            observer.stop()
            observer.join(5)
        except Exception:
            log.debug("stopping the log watch failed", exc_info=True)


_NETWORK_FS = ("nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "fuse.sshfs",
               "fuse.rclone", "davfs", "fuse.davfs2")


def network_fs_type(directory: Path, mounts: str | None = None) -> str | None:
    """The file-system type when `directory` is on a network mount (Linux /proc/mounts), else None."""
    if mounts is None:
        try:
            with open("/proc/mounts", encoding="utf-8", errors="replace") as handle:
                mounts = handle.read()
        except OSError:
            return None
    try:
        target = str(Path(directory).resolve())
    except OSError:
        target = str(directory)
    best, best_type = "", None
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, best_type = point, parts[2]
    return best_type if best_type in _NETWORK_FS else None


def _native_observer() -> Any:
    """The OS's own notifications: inotify directly on Linux (plextray.logs.inotify), watchdog's
    observer elsewhere; None when there are none (watchdog would only poll: we poll more cheaply)."""
    import sys

    if sys.platform.startswith("linux"):
        from plextray.logs import inotify

        if inotify.available():
            return inotify.InotifyObserver()
    try:
        from watchdog.observers import Observer
    except ImportError:
        return None
    if Observer.__name__ == "PollingObserver":
        return None
    return Observer()


_WRITES = frozenset({"modified", "created", "moved", "deleted", "closed"})  # "closed": after a write


class _Handler:
    """The part of watchdog's FileSystemEventHandler interface an observer calls."""

    def __init__(self, on_change: Callable[[str | bytes], None]) -> None:
        self._on_change = on_change

    def dispatch(self, event: Any) -> None:
        # not "opened"/"closed_no_write": our own reads of the log would wake us for ever
        if getattr(event, "is_directory", False) or event.event_type not in _WRITES:
            return
        self._on_change(event.src_path)
        dest = getattr(event, "dest_path", "")
        if dest:
            self._on_change(dest)
