"""The log saver: every complete line of Plex's log, exactly once, into daily gzip archives.

Cycle: `read_new()` takes the complete new lines (PlexLogSource follows rotations), splits them
by day (days.py) and compresses them straight into one pending gzip member per day (so what
waits in memory is already compressed). `flush()` commits:

  1. append each day's member to `archives/YYYY-MM-DD.log.gz` (created 0600) and fsync it;
  2. atomically replace the checkpoint (temp + fsync + rename + dir fsync) with the new source
     position AND every archive's committed size.

Start-up first cuts every archive back to its committed size (an uncommitted member left by a
crash between 1 and 2; an archive newer than the checkpoint and unknown to it is moved aside to
`<name>.orphan-<n>`, never deleted) and re-reads Plex's files from the committed position: a
kill -9 or a power cut at any instant loses nothing and duplicates nothing. A failed commit (disk full,
EFBIG, I/O error) is rolled back the same way in-process, the reader rewinds to the committed
position, and DiskFullError/ArchiveError is raised; the lines stay in Plex's files and are saved
once space returns. Lines already handed to the caller by read_new() are not handed out twice
after such a rewind.

Damage: the archives touched by the last commit, and any archive before this session's first
append to it, are decoded in full; a damaged end (power cut) is moved aside to
`<name>.corrupt-<n>` and saving goes on behind the good part (reported in `problems`).

One saver per archive folder (lock.py). The idle cost of read_new() is one stat().
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from plextray.errors import ArchiveError, DiskFullError
from plextray.logs import archive as archives
from plextray.logs.checkpoint import (
    Checkpoint, checkpoint_path, fsync_dir, load_checkpoint, remove_stale_temps, save_checkpoint,
)
from plextray.logs.archive_days import first_day, split_by_day
from plextray.logs.lock import ArchiveLock
from plextray.logs.source import Gap, PlexLogSource

log = logging.getLogger(__name__)

_FULL = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
_O_BINARY = getattr(os, "O_BINARY", 0)


@dataclass(frozen=True, slots=True)
class ReadBatch:
    """New complete lines (each ending in b"\\n", file order), staged for the next flush."""

    lines: list[bytes]
    gaps: list[Gap]


@dataclass(frozen=True, slots=True)
class FlushResult:
    lines: int
    bytes: int
    archives: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SaveSummary:
    lines: int
    bytes: int
    archives: tuple[str, ...]
    gaps: tuple[Gap, ...]
    problems: tuple[str, ...] = ()
    pruned: tuple[str, ...] = field(default=())
    files: int = 0  # Plex log files that gave lines

    def describe(self) -> str:
        source = f" from {self.files} Plex log file(s)" if self.files else ""
        where = f" into {len(self.archives)} archive(s) ({', '.join(self.archives)})" if self.archives else ""
        gaps = f"{len(self.gaps)} gap(s) reported" if self.gaps else "no gaps"
        text = f"saved {self.lines} line(s), {self.bytes} bytes{source}{where}; {gaps}"
        if self.problems:
            text += f"; {len(self.problems)} archive problem(s)"
        if self.pruned:
            text += f"; pruned {len(self.pruned)} old archive(s)"
        return text


def _locked(method):
    """Run a public method under the saver's mutex."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._mutex:
            return method(self, *args, **kwargs)

    return wrapper


class LogSaver:
    """Archives a Plex log folder into `archive_dir`. Holds the folder's lock while open."""

    def __init__(
        self,
        log_dir: Path,
        archive_dir: Path,
        *,
        flush_bytes: int = 4 << 20,
        flush_seconds: float = 60.0,
        read_bytes: int = 2 << 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.log_dir = Path(log_dir)
        self.archive_dir = Path(archive_dir)
        self.flush_bytes = flush_bytes
        self.flush_seconds = flush_seconds
        self.read_bytes = read_bytes
        self._clock = clock
        self.gaps: list[Gap] = []
        self.problems: list[str] = []
        self._mutex = threading.RLock()  # the engine may read and flush from different threads
        self._committed: dict[str, int] = {}
        self._verified: set[str] = set()
        self._staged: dict[str, archives.MemberWriter] = {}
        self._staged_bytes = 0
        self._staged_lines = 0
        self._staged_since: float | None = None
        self._read_lines = 0  # lines read since the committed position
        self._delivered = 0  # of those, how many read_new() already handed out
        self._lock = ArchiveLock(self.archive_dir)
        try:
            self.archive_dir.mkdir(parents=True, exist_ok=True)
            try:
                self.archive_dir.chmod(0o700)
            except OSError:
                pass
            self._lock.acquire()
            self._checkpoint = self._recover(load_checkpoint(self.archive_dir))
            self._committed = dict(self._checkpoint.archives)
            self._day = self._checkpoint.last_day
            for name in self._checkpoint.touched:
                self._verify(name)
            self._source = PlexLogSource(self.log_dir, self._checkpoint)
        except OSError as exc:
            self._lock.release()
            raise _translate(exc, self.archive_dir, "open the archive folder") from None
        except BaseException:
            self._lock.release()
            raise

    # -- start-up ------------------------------------------------------------------------
    def _recover(self, checkpoint: Checkpoint | None) -> Checkpoint:
        """Cut archives back to their committed size; a first run writes an empty checkpoint."""
        remove_stale_temps(self.archive_dir)
        on_disk = {path.name: path for path in archives.list_archives(self.archive_dir)}
        if checkpoint is None:
            if on_disk:
                log.warning("archives exist in %s but the saver's checkpoint does not; keeping them as they are "
                            "(lines still in Plex's files may be archived a second time)", self.archive_dir)
            checkpoint = Checkpoint(archives={name: path.stat().st_size for name, path in on_disk.items()})
            save_checkpoint(self.archive_dir, checkpoint)
            return checkpoint
        committed = dict(checkpoint.archives)
        checkpoint_mtime = checkpoint_path(self.archive_dir).stat().st_mtime
        for name, size in list(committed.items()):
            path = self.archive_dir / name
            try:
                actual = path.stat().st_size
            except FileNotFoundError:
                log.info("archive %s is gone (pruned or deleted); forgetting it", name)
                del committed[name]
                continue
            if actual > size:
                log.info("%s: removing %d bytes of an unfinished save (interrupted before its commit)", name, actual - size)
                os.truncate(path, size)
            elif actual < size:
                self._problem(f"{name} is {size - actual} bytes shorter than when it was saved "
                              "(lost in a crash or changed outside plextray)")
                committed[name] = actual
                checkpoint = _replace(checkpoint, touched=(*checkpoint.touched, name))
        for name, path in on_disk.items():
            if name in committed:
                continue
            if path.stat().st_mtime >= checkpoint_mtime:
                # Most likely made by a save killed before its commit, whose lines are read
                # again from Plex's files into a fresh archive. But it is the user's data (it
                # may be a restored copy): moved aside under a name no reader takes for a daily
                # archive, never deleted, and never read twice.
                target = _move_aside(path, "orphan")
                log.warning("%s is newer than the saver's checkpoint (a save interrupted before its commit?); "
                            "moved aside to %s. Its lines still in Plex's log files are saved again into a "
                            "fresh %s", name, target, name)
            else:
                log.warning("%s is not in the saver's checkpoint; keeping it as it is", name)
                committed[name] = path.stat().st_size
        return _replace(checkpoint, archives=committed)

    def _verify(self, name: str) -> None:
        """Decode an archive once per session before appending; move a damaged end aside."""
        if name in self._verified:
            return
        self._verified.add(name)
        path = self.archive_dir / name
        if not path.exists():
            return
        result = archives.scan_archive(path)
        for problem in result.problems:
            self._problem(problem)
        if result.tail_damaged:
            target = archives.move_tail_aside(path, result.good_end)
            self._problem(f"{name}: its damaged end ({result.size - result.good_end} bytes) was moved aside to "
                          f"{target.name}; the {result.members} good part(s) stay readable and saving goes on")
            self._committed[name] = result.good_end

    def _problem(self, message: str) -> None:
        log.warning("%s", message)
        self.problems.append(message)

    # -- reading -------------------------------------------------------------------------
    @_locked
    def read_new(self) -> ReadBatch:
        """New complete lines since the last call (stat only when nothing changed)."""
        data, gaps = self._read(self.read_bytes)
        lines = _split_lines(data) if data else []
        first = self._read_lines - len(lines)  # index of lines[0] since the committed position
        if self._delivered > first:
            lines = lines[self._delivered - first:]
        self._delivered = max(self._delivered, self._read_lines)
        return ReadBatch(lines=lines, gaps=gaps)

    def _read(self, max_bytes: int) -> tuple[bytes, list[Gap]]:
        data, gaps = self._source.read(max_bytes)
        self.gaps.extend(gaps)
        if data:
            self._stage(data)
        return data, gaps

    def _stage(self, data: bytes) -> None:
        # A headless line with nothing before it joins the first dated line after it.
        carry = self._day or first_day(data) or self._source.fallback_day()
        count = data.count(b"\n")
        runs, self._day = split_by_day(data, carry, lines=count)
        for day, part in runs:
            writer = self._staged.get(day)
            if writer is None:
                writer = self._staged[day] = archives.MemberWriter()
            writer.add(part)
        self._staged_bytes += len(data)
        self._staged_lines += count
        self._read_lines += count
        if self._staged_since is None:
            self._staged_since = self._clock()

    # -- committing ----------------------------------------------------------------------
    @_locked
    def maybe_flush(self) -> FlushResult | None:
        """Flush when `flush_bytes` are staged or the oldest staged line waited `flush_seconds`."""
        if self._staged_bytes >= self.flush_bytes or (
            self._staged_since is not None and self._clock() - self._staged_since >= self.flush_seconds
        ):
            return self.flush()
        return None

    @_locked
    def flush(self) -> FlushResult:
        """Commit everything staged (see module docstring). Raises DiskFullError / ArchiveError."""
        current, offset, seen = self._source.position()
        old = self._checkpoint
        if not self._staged and (current, offset, seen) == (old.current, old.offset, old.seen):
            return FlushResult(0, 0, ())
        sizes = dict(self._committed)
        written: list[str] = []
        created = False
        try:
            for day, writer in self._staged.items():
                name = archives.archive_name(day)
                self._verify(name)
                sizes[name] = self._committed.get(name, 0)
                written.append(name)
                path = self.archive_dir / name
                created |= not path.exists()
                sizes[name] = _append_durably(path, writer.finish())
            if created:
                fsync_dir(self.archive_dir)
            checkpoint = Checkpoint(
                current=current, offset=offset, seen=seen, last_day=self._day, last_time=self._source.last_time,
                archives=sizes, touched=tuple(written),
            )
            save_checkpoint(self.archive_dir, checkpoint)
        except OSError as exc:
            self._roll_back(written)
            self._rewind()
            raise _translate(exc, self.archive_dir, "save Plex's logs") from None
        result = FlushResult(self._staged_lines, self._staged_bytes, tuple(written))
        self._checkpoint = checkpoint
        self._committed = sizes
        self._delivered = max(0, self._delivered - self._read_lines)
        self._read_lines = 0
        self._clear_staged()
        return result

    def _roll_back(self, names: list[str]) -> None:
        for name in names:
            path = self.archive_dir / name
            size = self._committed.get(name, 0)
            try:
                if size == 0 and name not in self._committed:
                    path.unlink(missing_ok=True)
                elif path.exists() and path.stat().st_size > size:
                    os.truncate(path, size)
            except OSError as exc:
                log.error("could not roll %s back to %d bytes: %s (it is cut back at the next start)", name, size, exc)

    def _rewind(self) -> None:
        self._clear_staged()
        self._day = self._checkpoint.last_day
        self._read_lines = 0
        self._source.reset(self._checkpoint)

    def _clear_staged(self) -> None:
        self._staged = {}
        self._staged_bytes = 0
        self._staged_lines = 0
        self._staged_since = None

    # -- one-shot ------------------------------------------------------------------------
    @_locked
    def save_once(self) -> SaveSummary:
        """Read everything available and commit it (the `save-logs` command)."""
        gaps_before, problems_before = len(self.gaps), len(self.problems)
        self._source.files_read.clear()
        lines = size = 0
        touched: list[str] = []
        while True:
            data, _gaps = self._read(self.read_bytes)
            if self._staged_bytes >= self.flush_bytes or not data:
                result = self.flush()
                lines, size = lines + result.lines, size + result.bytes
                touched += [name for name in result.archives if name not in touched]
            if not data:
                break
        return SaveSummary(lines, size, tuple(sorted(touched)), tuple(self.gaps[gaps_before:]),
                           tuple(self.problems[problems_before:]), files=len(self._source.files_read))

    @_locked
    def prune(self, keep_days: int, today: date) -> list[Path]:
        """Delete archives older than `keep_days` days, under the lock, and forget them."""
        removed = archives.prune_archives(self.archive_dir, keep_days, today)
        for path in removed:
            self._committed.pop(path.name, None)
        return removed

    # -- lifetime ------------------------------------------------------------------------
    @_locked
    def close(self) -> None:
        """Commit what is staged, then let go of the files and the lock."""
        try:
            if self._lock.held and self._staged:
                self.flush()
        finally:
            self._source.close()
            self._lock.release()

    def __enter__(self) -> "LogSaver":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _translate(exc: OSError, folder: Path, doing: str) -> ArchiveError:
    if exc.errno in _FULL:
        return DiskFullError(
            f"no space left to save Plex's logs in {folder} ({exc.strerror}). Saving stopped with "
            "nothing lost: the lines stay in Plex's log files and are saved once space is freed "
            "(if Plex rotates them away first, the gap is reported)."
        )
    where = f" ({exc.filename})" if exc.filename else ""
    return ArchiveError(f"could not {doing} in {folder}: {exc.strerror or exc}{where}")


def _append_durably(path: Path, data: bytes) -> int:
    """Append and fsync; returns the file's new size."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | _O_BINARY, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
        return os.fstat(fd).st_size
    finally:
        os.close(fd)


def _move_aside(path: Path, why: str) -> Path:
    """Rename `path` to `<name>.<why>-<n>` (the first free n) in its folder, durably."""
    n = 1
    while (target := path.with_name(f"{path.name}.{why}-{n}")).exists():
        n += 1
    os.rename(path, target)
    fsync_dir(path.parent)
    return target


def _split_lines(data: bytes) -> list[bytes]:
    """Lines ending in b"\\n" (only \\n ends a line: Plex lines can embed a bare \\r)."""
    parts = data.split(b"\n")
    parts.pop()  # data ends with b"\n": the last part is empty
    return [part + b"\n" for part in parts]


def _replace(checkpoint: Checkpoint, **changes) -> Checkpoint:
    from dataclasses import replace

    return replace(checkpoint, **changes)
