"""Writes Plex Media Server's log the way PMS 1.4x does: same line shape, same rotation.

Why a faithful writer: the saver (and every parser) must survive what PMS really does to its
files — rename-shift rotation `.log → .1.log → … → .5.log` (oldest dropped, fresh `.log`), a
rotation at every start-up followed by the banner, rotation when the file grows too large,
partial lines not yet ended by a newline, and the odd truncation. Tests, the emulator and the
benchmarks all drive files through this one class so they see the same behaviour.

Line shape (real 1.43, see notes A4): `Feb 06, 2026 12:48:45.834 [136529439558456] DEBUG - msg`.
Month names are fixed English abbreviations whatever the process locale.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta
from pathlib import Path

from plextray import const

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DEFAULT_THREAD = "136529439558456"
BANNER_THREAD = "136529588505400"
DEFAULT_VERSION = "1.43.0.10467-2b1ba6e69"
DEFAULT_HOST = "Ubuntu ASUSTeK COMPUTER INC. PRIME H310M-A R2.0 x86_64"
BASE_NAME = const.PLEX_LOG_NAME  # "Plex Media Server.log"
ROTATED_COUNT = const.PLEX_ROTATED_COUNT  # 5


def format_timestamp(when: datetime) -> str:
    """`Feb 06, 2026 12:48:45.834` — local wall-clock time, milliseconds after a dot."""
    return (
        f"{MONTHS[when.month - 1]} {when.day:02d}, {when.year:04d} "
        f"{when.hour:02d}:{when.minute:02d}:{when.second:02d}.{when.microsecond // 1000:03d}"
    )


def format_line(when: datetime, message: str, *, level: str = "DEBUG", thread: str = DEFAULT_THREAD) -> str:
    """One log line without its newline, exactly as PMS 1.4x writes it."""
    return f"{format_timestamp(when)} [{thread}] {level} - {message}"


def gmt_offset(when: datetime, default: str = "-05:00") -> str:
    """The banner's `GMT -05:00` / `GMT 02:00` part (PMS writes no '+' for eastern offsets)."""
    offset = when.utcoffset()
    if offset is None:
        return default
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def banner_messages(
    when: datetime, *, version: str = DEFAULT_VERSION, host: str = DEFAULT_HOST, offset: str | None = None
) -> list[tuple[str, str]]:
    """The (level, message) lines PMS writes first after a start (shape of the real 1.43 log)."""
    return [
        ("INFO", f"Plex Media Server v{version} - {host} - build: linux-x86_64 debian - GMT {offset or gmt_offset(when)}"),
        ("INFO", "Linux version: 22.04.4 LTS (Jammy Jellyfish), language: en-US"),
        ("INFO", "Processor: 8-core Intel(R) Core(TM) i7-9700 CPU @ 3.00GHz"),
        ("INFO", "Compiler is - Clang 11.0.1 (https://plex.tv 9b997da8e5b47bdb4a9425b3a3b290be393b4b1f)"),
        ("INFO", "/usr/lib/plexmediaserver/Plex Media Server"),
    ]


class PlexLogWriter:
    """Appends to `<log_dir>/Plex Media Server.log` and rotates it like PMS. Thread-safe.

    Every write is flushed to the OS at once (PMS's log is tailed live by other processes).
    With `max_bytes`, the file is rotated as soon as a complete line takes it past that size;
    a rotation never splits a line (PMS writes whole lines; only `write_raw` can leave a
    partial one, and the rotation then waits for its newline).
    """

    def __init__(self, log_dir: Path, *, max_bytes: int | None = None) -> None:
        self.log_dir = Path(log_dir)
        self.max_bytes = max_bytes
        self._lock = threading.RLock()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._file = None
        self._size = 0
        self.rotations = 0

    # -- paths -------------------------------------------------------------------------
    @property
    def path(self) -> Path:
        return self.log_dir / BASE_NAME

    def rotated_path(self, n: int) -> Path:
        """`Plex Media Server.<n>.log` (n = 1 is the newest rotated copy); n = 0 is the live file."""
        if n == 0:
            return self.path
        return self.log_dir / f"{BASE_NAME[:-4]}.{n}.log"

    # -- writing -----------------------------------------------------------------------
    def _open(self):
        if self._file is None:
            self._file = open(self.path, "ab", buffering=0)
            self._size = self._file.seek(0, os.SEEK_END)
        return self._file

    def write_raw(self, data: bytes) -> None:
        """Append bytes as-is (partial lines, non-UTF-8 bytes, embedded \\r ...)."""
        if not data:
            return
        with self._lock:
            handle = self._open()
            view = memoryview(data)
            while view:
                written = handle.write(view)
                view = view[written:]
            self._size += len(data)
            if self.max_bytes is not None and self._size > self.max_bytes and data.endswith(b"\n"):
                self._rotate_locked()

    def write(self, when: datetime, message: str, *, level: str = "DEBUG", thread: str = DEFAULT_THREAD) -> None:
        """Append one complete line."""
        self.write_raw((format_line(when, message, level=level, thread=thread) + "\n").encode("utf-8"))

    def write_lines(self, lines: list[tuple[datetime, str, str]], *, thread: str = DEFAULT_THREAD) -> None:
        """Append (time, level, message) tuples as produced by `emulator.traffic`."""
        for when, level, message in lines:
            self.write(when, message, level=level, thread=thread)

    # -- what PMS does to its files ----------------------------------------------------
    def rotate(self) -> None:
        """`.4.log→.5.log` … `.log→.1.log` (the old `.5.log` is deleted), then a fresh `.log`."""
        with self._lock:
            self._rotate_locked()

    def _rotate_locked(self) -> None:
        self._close_locked()
        oldest = self.rotated_path(ROTATED_COUNT)
        if oldest.exists():
            oldest.unlink()
        for n in range(ROTATED_COUNT - 1, -1, -1):
            source = self.rotated_path(n)
            if source.exists():
                os.replace(source, self.rotated_path(n + 1))
        self._open()  # PMS creates the fresh, empty file at once
        self.rotations += 1

    def restart(self, when: datetime, *, thread: str = BANNER_THREAD, version: str = DEFAULT_VERSION) -> None:
        """PMS starting: rotate, then the start-up banner as the new file's first lines."""
        with self._lock:
            self._rotate_locked()
            for i, (level, message) in enumerate(banner_messages(when, version=version)):
                stamp = when + timedelta(milliseconds=min(i, 1))
                self.write(stamp, message, level=level, thread=thread)

    def truncate(self) -> None:
        """PMS truncating its log in place (same file, size back to zero)."""
        with self._lock:
            self._close_locked()
            with open(self.path, "r+b" if self.path.exists() else "wb") as handle:
                handle.truncate(0)
            self._open()

    def replace(self) -> None:
        """The live file deleted and recreated (new identity, no rotated copy kept)."""
        with self._lock:
            self._close_locked()
            if self.path.exists():
                self.path.unlink()
            self._open()

    def size(self) -> int:
        with self._lock:
            return self._size if self._file is not None else (self.path.stat().st_size if self.path.exists() else 0)

    def close(self) -> None:
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self._size = 0

    def __enter__(self) -> "PlexLogWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
