"""Following `Plex Media Server.log` through Plex's rotations, restarts and truncations.

PMS rotates by renaming (`.log → .1.log → … → .5.log`, the old `.5` deleted, a fresh `.log`),
at every start and when the file grows large. The reader therefore follows *files*, not the
name: each is known by inode + a hash of its first bytes (checkpoint.FileIdentity). After a
rotation it finishes the file it was reading (wherever the rename put it: on POSIX through the
still-open handle, even if Plex already deleted it) and then reads every newer file oldest-first
— the same rule catches up after downtime from whatever `.1`…`.5` still exist.

Only complete lines are returned; a partial last line waits for its newline. A rotated file can
no longer grow, so an unfinished tail there (PMS died mid-line) is returned with a newline added
rather than lost. Lines that Plex deleted or truncated away before they were read are reported
as a Gap — never silently skipped; how many lines they were cannot be known.

Cheap when idle: with nothing new, a read costs one stat() of the live file.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections import deque
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from plextray import const
from plextray.logs.checkpoint import HEAD_BYTES, Checkpoint, FileIdentity, read_file_head
from plextray.logs.archive_days import first_timestamp, last_timestamp
from plextray.logs.safe_open import open_log_file

log = logging.getLogger(__name__)

_ROTATED = re.compile(r"^" + re.escape(const.PLEX_LOG_NAME[:-4]) + r"\.(\d+)\.log$")
_KEEP_SEEN = 8
_SETTLE_LOOKS = 8  # looks at the folder before giving up waiting for a rotation to be over
_OPEN_TRIES = 3  # looks for a renamed file before taking it for deleted
_HOLD_HANDLES = os.name != "nt"  # Windows: an open handle would stop Plex renaming its log


@dataclass(frozen=True, slots=True)
class _Found:
    """One of Plex's files as seen through ONE open handle: status and first bytes belong together."""

    n: int  # 0: the live `.log`; n: `.n.log`
    path: Path
    st: os.stat_result
    head: bytes  # up to HEAD_BYTES


@dataclass(frozen=True, slots=True)
class Gap:
    """Lines Plex deleted (rotated away, truncated, replaced) before plextray could save them."""

    after: str | None  # timestamp of the last line saved before the gap (None: unknown)
    before: str | None  # timestamp of the first line saved after it (None: none yet)
    files_missed: int | None  # whole rotated files lost; None when it cannot be known
    reason: str

    def describe(self) -> str:
        files = {None: "an unknown number of whole files", 0: "no whole file"}.get(
            self.files_missed, f"{self.files_missed} whole file(s)")
        return (
            f"possible gap in Plex's log between {self.after or 'the start'} and {self.before or 'now'}: "
            f"{self.reason} ({files} lost; how many lines is unknowable)"
        )


class _OpenFile:
    """One physical log file being read: identity, read position, first bytes, handle."""

    def __init__(self, path: Path, st: os.stat_result, pos: int = 0) -> None:
        self.path = path
        self.dev = st.st_dev
        self.ino = st.st_ino
        self.pos = pos
        self.size_seen = -1
        self.head = b""
        self.handle = None

    def identity(self) -> FileIdentity:
        return FileIdentity.of(self.dev, self.ino, self.head[: min(self.pos, HEAD_BYTES)])

    def is_inode(self, st: os.stat_result | None) -> bool:
        return st is not None and st.st_dev == self.dev and st.st_ino == self.ino

    def open(self, locate) -> bool:
        """Ensure a handle on this very file (found again via `locate` if renamed). False if gone."""
        if self.handle is not None:
            return True
        paths = [self.path]
        for _look in range(_OPEN_TRIES):  # a rotation running meanwhile can move it past us: look again
            for path in paths:
                try:
                    handle = open_log_file(path)  # a regular file of the folder, never a link out or a FIFO
                except OSError:
                    continue
                if self.is_inode(os.fstat(handle.fileno())):
                    self.path, self.handle = path, handle
                    return True
                handle.close()
            paths = locate()
        return False

    def pread(self, offset: int, size: int) -> bytes:
        self.handle.seek(offset)
        return self.handle.read(size)

    def read_lines(self, budget: int) -> tuple[bytes, bytes, bool]:
        """(complete lines, unfinished tail, at end of file) from `pos`, about `budget` bytes."""
        self.handle.seek(self.pos)
        data = self.handle.read(budget)
        eof = len(data) < budget
        while not eof and b"\n" not in data:  # a line longer than the budget: read on
            more = self.handle.read(budget)
            eof = len(more) < budget
            data += more
        cut = data.rfind(b"\n") + 1
        if len(self.head) < HEAD_BYTES and self.pos <= len(self.head):
            self.head = (self.head + data[len(self.head) - self.pos:])[:HEAD_BYTES]
        return data[:cut], data[cut:], eof

    def head_intact(self) -> bool:
        """False when the bytes already read at the start of the file have changed (truncated and rewritten)."""
        known = self.head[: min(self.pos, HEAD_BYTES)]
        return not known or self.pread(0, len(known)) == known

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


class PlexLogSource:
    """Reads complete new lines from a Plex log folder, resuming from a checkpoint."""

    def __init__(self, log_dir: Path, checkpoint: Checkpoint | None = None) -> None:
        self.log_dir = Path(log_dir)
        self.live_path = self.log_dir / const.PLEX_LOG_NAME
        self._cur: _OpenFile | None = None
        self._seen: deque[FileIdentity] = deque(maxlen=_KEEP_SEEN)
        self._pending_gaps: list[tuple[Gap, int]] = []
        self._pieces: list[bytes] = []
        self.files_read: set[tuple[int, int]] = set()  # files that gave lines (for summaries)
        self.last_time: str | None = None
        self.reset(checkpoint)

    # -- position ------------------------------------------------------------------------
    def position(self) -> tuple[FileIdentity | None, int, tuple[FileIdentity, ...]]:
        """(file being read, offset of its first unread byte, files read to their end) for a checkpoint."""
        cur = self._cur
        if cur is None or cur.pos == 0:
            # Nothing read from it yet, and it may still grow: "the file after the last one
            # finished" says the same thing without an empty-head identity that a reused inode
            # number would match.
            return None, 0, tuple(self._seen)
        return cur.identity(), cur.pos, tuple(self._seen)

    def fallback_day(self) -> str:
        """Day for a timestamp-less line with nothing before it: the file's modification day."""
        try:
            path = self._cur.path if self._cur else self.live_path
            return date.fromtimestamp(path.stat().st_mtime).isoformat()
        except OSError:
            return date.today().isoformat()

    def reset(self, checkpoint: Checkpoint | None) -> None:
        """(Re)start from a checkpoint: at start-up, and to re-read what a failed commit had staged."""
        self.close()
        self._seen = deque(checkpoint.seen if checkpoint else (), maxlen=_KEEP_SEEN)
        self.last_time = checkpoint.last_time if checkpoint else None
        if checkpoint is None or checkpoint.current is None:
            return
        wanted = checkpoint.current
        chain = self._chain()
        for found in chain:
            if wanted.matches_file(found.st, found.head):
                if found.st.st_size < checkpoint.offset:
                    self._cur = _OpenFile(found.path, found.st, 0)
                    self._gap(files_missed=0, reason="Plex truncated its log while plextray was not running")
                    return
                cur = _OpenFile(found.path, found.st, checkpoint.offset)
                # The head comes from the look that recognised the file, not from opening its
                # name again: Plex may have renamed it since. Without it the file would be known
                # by its inode number alone, which the next file Plex creates may reuse.
                cur.head = found.head[: min(checkpoint.offset, HEAD_BYTES)]
                if cur.open(self._locate) and not _HOLD_HANDLES:
                    cur.release()
                self._cur = cur
                return
        # The file we were reading is gone: truncated and rewritten, replaced, or rotated away.
        # (inode numbers are reused at once after a delete, so unknown rotated files decide first)
        if self._last_known_index(chain) is None and any(found.n > 0 for found in chain):
            missed, reason = None, "Plex rotated its log more than 5 times while plextray was not running"
        elif any(wanted.same_inode(found.st) for found in chain):
            missed, reason = 0, "Plex truncated and rewrote its log while plextray was not running"
        else:
            missed, reason = 0, "Plex replaced its log file while plextray was not running"
        self._seen.append(wanted)
        self._gap(files_missed=missed, reason=reason)
        self._open_next(report=False)

    # -- reading -------------------------------------------------------------------------
    def read(self, max_bytes: int) -> tuple[bytes, list[Gap]]:
        """Complete lines not read before (up to about `max_bytes`), and any gap found on the way."""
        pieces: list[bytes] = []
        self._pieces = pieces
        budget = max_bytes
        transitions = 0
        try:
            while budget > 0 and transitions < 4 * _KEEP_SEEN:  # (a safety bound, never reached normally)
                transitions += 1
                cur = self._cur
                if cur is None:
                    cur = self._open_next()
                    if cur is None:
                        break
                live = _stat(self.live_path)
                if live is None and not _missing(self.live_path):
                    break  # cannot tell whether the live log was rotated: look again next time
                if cur.is_inode(live):
                    if live.st_size == cur.size_seen:
                        break  # nothing new: the idle path costs one stat()
                    if not cur.open(self._locate):
                        break
                    if live.st_size < cur.pos or not cur.head_intact():
                        self._truncated(cur, live)
                        continue
                    lines, _tail, eof = cur.read_lines(budget)
                    # "seen" only once read to the end; a read cut short by the budget goes on next time
                    cur.size_seen = live.st_size if eof else -1
                    cur.pos += len(lines)
                    if lines:
                        self._take(cur, lines)
                        budget -= len(lines)
                    if eof or not lines:
                        break
                else:
                    # Rotated away, replaced or deleted: it can no longer grow. Finish it.
                    if not cur.open(self._locate):
                        self._lost(cur)
                        continue
                    lines, tail, eof = cur.read_lines(budget)
                    cur.pos += len(lines)
                    if eof and tail:
                        log.warning("a rotated Plex log (was %s) ended with an unfinished line (%d bytes); "
                                    "saved with a newline added", cur.path.name, len(tail))
                        cur.pos += len(tail)
                        lines += tail + b"\n"
                    if lines:
                        self._take(cur, lines)
                        budget -= len(lines)
                    if eof:
                        self._finish(cur)
        finally:
            if not _HOLD_HANDLES and self._cur is not None:
                self._cur.release()
        gaps = []
        for gap, mark in self._pending_gaps:
            if gap.before is None and mark < len(pieces):
                gap = Gap(gap.after, first_timestamp(pieces[mark]), gap.files_missed, gap.reason)
            if _ends_before_it_starts(gap):
                # lines older than the last one saved came next: read again, not lost
                log.warning("Plex's log was read again from %s after %s (%s); not a gap", gap.before, gap.after,
                            gap.reason)
                continue
            log.warning("%s", gap.describe())
            gaps.append(gap)
        self._pending_gaps = []
        self._pieces = []
        return b"".join(pieces), gaps

    def _take(self, cur: _OpenFile, lines: bytes) -> None:
        self._pieces.append(lines)
        self.files_read.add((cur.dev, cur.ino))
        self.last_time = last_timestamp(lines) or self.last_time

    def close(self) -> None:
        if self._cur is not None:
            self._cur.release()
        self._cur = None

    # -- files -------------------------------------------------------------------------
    def _chain(self) -> list[_Found]:
        """Plex's log files that exist, oldest first (`.5.log` … `.1.log`, then `.log`), as one
        settled picture of the folder.

        A rotation is a run of renames. A look taken while it runs can meet a file under its
        old name and, a moment later, the next file under that same name; or miss a file that
        moved past the look; or meet one twice. A file already read would then look unknown (a
        false "rotated more than 5 times" gap, and the oldest files read a second time), or
        the file being read look gone. So the folder is looked at until two looks in a row
        agree, each file's status and first bytes taken through one open handle.
        """
        chain = self._look()
        for attempt in range(_SETTLE_LOOKS):
            again = self._look()
            if _same_files(chain, again):
                return again
            chain = again
            if attempt:
                time.sleep(0.001 * attempt)  # Plex is mid-rotation: give it a moment to finish
        log.info("Plex's log folder kept changing while plextray looked at it; going on with the last look")
        return chain

    def _look(self) -> list[_Found]:
        chain = []
        for n, path in self._names():
            seen = read_file_head(path)
            if seen is not None:
                chain.append(_Found(n, path, *seen))
        return chain

    def _names(self) -> list[tuple[int, Path]]:
        found = []
        try:
            names = os.listdir(self.log_dir)
        except OSError:
            names = []
        for name in names:
            match = _ROTATED.match(name)
            if match:
                found.append((int(match.group(1)), self.log_dir / name))
        found.sort(reverse=True)
        found.append((0, self.live_path))
        return found

    def _locate(self) -> list[Path]:
        return [path for _n, path in self._names()]

    def _last_known_index(self, chain: list[_Found]) -> int | None:
        last = None
        for index, found in enumerate(chain):
            if any(known.matches_file(found.st, found.head) for known in self._seen):
                last = index
        return last

    def _open_next(self, *, report: bool = True) -> _OpenFile | None:
        """The oldest file newer than every file already read, or None (none exists yet)."""
        chain = self._chain()
        last = self._last_known_index(chain)
        candidates = chain[last + 1:] if last is not None else chain
        if report and last is None and self._seen and any(found.n > 0 for found in candidates):
            self._gap(files_missed=None, reason="Plex rotated its log more than 5 times since plextray last read it")
        # An empty rotated file has no line and never will: skip it, remembering it as read.
        while candidates and candidates[0].n > 0 and candidates[0].st.st_size == 0:
            self._seen.append(FileIdentity.of_empty(candidates.pop(0).st))
        if not candidates:
            return None
        self._cur = _OpenFile(candidates[0].path, candidates[0].st, 0)
        return self._cur

    def _finish(self, cur: _OpenFile) -> None:
        if cur.pos > 0:
            self._seen.append(cur.identity())
        else:  # empty: known by inode + modification time (see FileIdentity)
            try:
                self._seen.append(FileIdentity.of_empty(os.fstat(cur.handle.fileno())))
            except (OSError, AttributeError):
                pass
        cur.release()
        self._cur = None

    def _lost(self, cur: _OpenFile) -> None:
        """The file vanished (or cannot be opened) before we finished it (Windows, or between runs)."""
        self._gap(files_missed=0, reason=f"{cur.path.name} was deleted before plextray finished reading it")
        cur.release()
        self._seen.append(cur.identity())  # even if empty-headed: never pick it again
        self._cur = None

    def _truncated(self, cur: _OpenFile, live: os.stat_result) -> None:
        unread = max(cur.size_seen - cur.pos, 0)
        if unread:
            self._gap(files_missed=0, reason=f"Plex truncated its log; {unread} unsaved bytes were lost")
        else:
            log.info("Plex truncated %s; reading it again from the start", cur.path.name)
        cur.pos, cur.head, cur.size_seen = 0, b"", -1

    def _gap(self, *, files_missed: int | None, reason: str) -> None:
        self._pending_gaps.append((Gap(self.last_time, None, files_missed, reason), len(self._pieces)))


def _ends_before_it_starts(gap: Gap) -> bool:
    """The first line after the "gap" is older than the last line before it, under every reading
    of the two local times (the repeated autumn hour read both ways): no line can be missing."""
    if not gap.after or not gap.before:
        return False
    from plextray.core.localtime import to_utc
    from plextray.core.logline import LineError, parse_line
    from plextray.localzone import local_zone

    try:
        after = datetime.fromisoformat(parse_line(f"{gap.after} [0] DEBUG - x").time)
        before = datetime.fromisoformat(parse_line(f"{gap.before} [0] DEBUG - x").time)
    except (LineError, ValueError):
        return False
    zone = local_zone()
    return to_utc(before, zone, fold=1) < to_utc(after, zone, fold=0)


def _same_files(one: list[_Found], other: list[_Found]) -> bool:
    """Two looks at the folder found the same files under the same names."""
    return [(f.n, f.st.st_dev, f.st.st_ino) for f in one] == [(f.n, f.st.st_dev, f.st.st_ino) for f in other]


def _missing(path: Path) -> bool:
    """True only when `path` is really not there. A transient stat error (EACCES, ESTALE, EIO)
    must not be taken for "rotated away": the live file would be finished, and every line
    written to it afterwards never read."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False  # there again: decide on the next read


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None

