"""Helpers for the archive tests: a Plex log writer that remembers what it wrote, and archive readers.

`RecordingWriter` keeps the exact bytes the saver must end up archiving: every complete line,
plus — when a rotation catches an unfinished line — that line with the newline the saver adds.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from plextray.emulator.logwriter import PlexLogWriter, format_line
from plextray.logs.archive import list_archives, read_archive

T0 = datetime(2026, 2, 6, 21, 0, 0)


class RecordingWriter:
    """PlexLogWriter + the list of complete lines it has produced, in order."""

    def __init__(self, log_dir: Path, *, max_bytes: int | None = None, start: datetime = T0) -> None:
        self.writer = PlexLogWriter(log_dir, max_bytes=max_bytes)
        self.lines: list[bytes] = []
        self.partial = b""
        self.now = start
        self.counter = 0

    def tick(self, seconds: float = 0.5) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now

    def line(self, message: str | None = None, *, seconds: float = 0.5) -> bytes:
        self.counter += 1
        text = format_line(self.tick(seconds), message or f"Request: [192.168.1.9:{1000 + self.counter % 60000} "
                           f"(Subnet)] GET /status/sessions (4 live) #{self.counter:x} GZIP Signed-in Token (kid)")
        return (text + "\n").encode()

    def write(self, data: bytes) -> None:
        """Raw bytes (may end mid-line); the writer may rotate after a newline (max_bytes)."""
        before = self.writer.rotations
        self.writer.write_raw(data)
        pieces = (self.partial + data).split(b"\n")
        self.partial = pieces.pop()
        self.lines += [piece + b"\n" for piece in pieces]
        assert self.writer.rotations == before or not self.partial

    def write_lines(self, count: int, **kw) -> None:
        for _ in range(count):
            self.write(self.line(**kw))

    def rotate(self) -> None:
        self._close_partial()
        self.writer.rotate()

    def restart(self) -> None:
        self._close_partial()
        self.writer.restart(self.tick(1))
        self.lines += self.writer.path.read_bytes().splitlines(keepends=True)  # the banner

    def _close_partial(self) -> None:
        if self.partial:
            self.lines.append(self.partial + b"\n")
            self.partial = b""

    @property
    def expected(self) -> bytes:
        return b"".join(self.lines)


def archived(archive_dir: Path) -> bytes:
    """All archived lines, archives in day order; fails on any reported problem."""
    problems: list[str] = []
    data = b"".join(line for path in list_archives(archive_dir) for line in read_archive(path, problems.append))
    assert not problems, problems
    return data


def checkpoint_json(archive_dir: Path) -> dict:
    return json.loads((archive_dir / ".plextray-checkpoint.json").read_bytes())
