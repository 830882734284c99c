"""One writer per archive folder: an OS lock, so cron's `save-logs` and the tray never write at once.

The lock is the kernel's (fcntl.flock on POSIX, msvcrt.locking on Windows), held on an open
file: it disappears with the process however it dies (kill -9, power cut), so there is no stale
lock to recover — the 2013 tool's `__lock__` spin-file had exactly that bug.
"""

from __future__ import annotations

import os
from pathlib import Path

from plextray.errors import ArchiveError

LOCK_NAME = ".plextray-saver.lock"


class ArchiveBusyError(ArchiveError):
    """Another saver (the tray app or a cron job) holds the archive folder."""


class ArchiveLock:
    """Exclusive, non-blocking lock on `<archive_dir>/.plextray-saver.lock`."""

    def __init__(self, archive_dir: Path) -> None:
        self.path = Path(archive_dir) / LOCK_NAME
        self._handle = None

    def acquire(self) -> "ArchiveLock":
        handle = open(self.path, "a+b")
        try:
            os.chmod(self.path, 0o600)
        except OSError:
            pass
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            holder = handle.read(32).decode("ascii", "replace").strip()
            handle.close()
            who = f" (process {holder})" if holder.isdigit() else ""
            raise ArchiveBusyError(
                f"another plextray saver{who} is already writing to {self.path.parent}; "
                "only one may run at a time (the tray app saves continuously, so a cron job is not needed while it runs)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()).encode())
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is not None:
            try:
                _unlock(self._handle)
            except OSError:
                pass
            self._handle.close()
            self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def __enter__(self) -> "ArchiveLock":
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
