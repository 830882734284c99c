"""Daily archives `YYYY-MM-DD.log.gz`: multi-member gzip, read tolerantly, repaired, pruned.

Why multi-member gzip: every commit appends one complete gzip member per day touched, so an
archive only ever grows by whole, self-contained members — a crash can leave at most one
unfinished member at the end, which the checkpoint's committed size cuts off. Plain `zcat`
and Python's gzip module read all members as one stream. Members are compressed at level 6
and are as large as the saver's flush (MiBs), so they cost almost nothing over one `gzip -6`.

Reading never raises mid-way: a damaged member is reported to `on_problem`, decoding skips to
the next gzip header, and everything readable is still yielded. Repair (at start-up, before
appending) moves a damaged tail aside to `<name>.corrupt-<n>` and truncates the archive to its
last good member — the power-cut case. Damage in the middle with good members after it is left
in place and only reported: readers skip over it, and appending after it stays safe.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ARCHIVE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.log\.gz$")
GZIP_MAGIC = b"\x1f\x8b\x08"
LEVEL = 6
_READ = 1 << 20
_MAX_OUT = 4 << 20


def archive_name(day: str) -> str:
    return f"{day}.log.gz"


def archive_day(path: Path) -> date | None:
    match = ARCHIVE_RE.match(Path(path).name)
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def list_archives(archive_dir: Path) -> list[Path]:
    """Every daily archive in the folder, oldest day first."""
    folder = Path(archive_dir)
    if not folder.is_dir():
        return []
    found = [(day, path) for path in folder.iterdir() if (day := archive_day(path)) is not None]
    return [path for _, path in sorted(found)]


class MemberWriter:
    """Compresses one gzip member incrementally (level 6): feed raw bytes, `finish()` for the member."""

    __slots__ = ("_compressor", "_out", "raw_bytes")

    def __init__(self) -> None:
        self._compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, 31)  # gzip wrapper, zlib's default memLevel
        self._out: list[bytes] = []
        self.raw_bytes = 0

    def add(self, data: bytes) -> None:
        out = self._compressor.compress(data)
        if out:
            self._out.append(out)
        self.raw_bytes += len(data)

    def finish(self) -> bytes:
        self._out.append(self._compressor.flush())
        member = b"".join(self._out)
        self._out = [member]
        return member


def compress_member(data: bytes) -> bytes:
    writer = MemberWriter()
    writer.add(data)
    return writer.finish()


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a full decode of an archive found. `good_end`: end of the last good member such that
    only damage follows it (== size when the tail is sound)."""

    size: int
    good_end: int
    members: int
    problems: tuple[str, ...]

    @property
    def tail_damaged(self) -> bool:
        return self.good_end < self.size


def _decode(path: Path, on_problem: Callable[[str], None]) -> Iterator[tuple[str, object]]:
    """Events: ("data", bytes), ("end", offset after a member), ("bad", offset of a damaged member).

    Never raises for damage: a member that fails to decode (or is cut short) is reported and
    decoding resumes at the next gzip header after its start.
    """
    with open(path, "rb") as handle:
        pos = 0  # file offset of pending[0]
        pending = b""
        decoder = None
        member_start = 0
        while True:
            if not pending:
                pending = handle.read(_READ)
                if not pending:
                    break
            if decoder is None:
                if len(pending) < 3:
                    more = handle.read(_READ)
                    if more:
                        pending += more
                        continue
                if not pending.startswith(GZIP_MAGIC):
                    found = _find_magic(handle, pos + 1)
                    skipped = (found if found is not None else os.fstat(handle.fileno()).st_size) - pos
                    on_problem(f"{path.name}: {skipped} bytes at offset {pos} are not gzip data; skipped")
                    yield ("bad", pos)
                    if found is None:
                        return
                    handle.seek(found)
                    pos, pending = found, b""
                    continue
                decoder = zlib.decompressobj(31)
                member_start = pos
            try:
                out = decoder.decompress(pending, _MAX_OUT)
            except zlib.error as exc:
                on_problem(f"{path.name}: damaged gzip member at offset {member_start} ({exc}); skipped to the next one")
                yield ("bad", member_start)
                decoder = None
                found = _find_magic(handle, member_start + 1)
                if found is None:
                    return
                handle.seek(found)
                pos, pending = found, b""
                continue
            if out:
                yield ("data", out)
            if decoder.eof:
                rest = decoder.unused_data
                pos += len(pending) - len(rest)
                pending = rest
                decoder = None
                yield ("end", pos)
            else:
                tail = decoder.unconsumed_tail
                pos += len(pending) - len(tail)
                pending = tail
        if decoder is not None:
            out = decoder.flush()
            if out:
                yield ("data", out)
            on_problem(f"{path.name}: the gzip member at offset {member_start} is cut short (truncated file)")
            yield ("bad", member_start)


def _find_magic(handle, start: int) -> int | None:
    """Offset of the next gzip header at or after `start`, or None."""
    handle.seek(start)
    offset = start
    carry = b""
    while True:
        block = handle.read(_READ)
        if not block:
            return None
        data = carry + block
        index = data.find(GZIP_MAGIC)
        if index >= 0:
            return offset - len(carry) + index
        carry = data[-2:]
        offset += len(block)


def read_archive(path: Path, on_problem: Callable[[str], None] | None = None) -> Iterator[bytes]:
    """Every complete line in an archive, in order (b"...\\n"). Damage is reported, never raised;
    a line cut by damage is reported and dropped. Memory stays bounded (streamed)."""
    report = on_problem or (lambda message: None)
    path = Path(path)
    buffer = b""
    try:
        for kind, value in _decode(path, report):
            if kind == "data":
                data = buffer + value
                cut = data.rfind(b"\n") + 1
                if cut:
                    yield from data[:cut].splitlines(keepends=True) if b"\r" not in data[:cut] else _lf_lines(data[:cut])
                buffer = data[cut:]
            elif kind == "bad" and buffer:
                report(f"{path.name}: dropped an incomplete line of {len(buffer)} bytes cut by the damage")
                buffer = b""
    except OSError as exc:
        report(f"{path.name}: cannot be read ({exc.strerror or exc})")
    if buffer:
        report(f"{path.name}: ends with {len(buffer)} bytes without a newline")
        yield buffer


def _lf_lines(data: bytes) -> Iterator[bytes]:
    """Split on b"\\n" only (Plex lines may embed a bare \\r, which splitlines would cut)."""
    start = 0
    while True:
        stop = data.find(b"\n", start)
        if stop < 0:
            return
        yield data[start:stop + 1]
        start = stop + 1


def scan_archive(path: Path) -> ScanResult:
    """Decode a whole archive (streamed) and say where its sound part ends."""
    problems: list[str] = []
    last_end = 0
    members = 0
    damage_at_tail = False
    for kind, value in _decode(Path(path), problems.append):
        if kind == "end":
            members += 1
            last_end = value
            damage_at_tail = False  # good members after damage: the damage is mid-file
        elif kind == "bad":
            damage_at_tail = True
    size = Path(path).stat().st_size
    return ScanResult(size=size, good_end=last_end if damage_at_tail else size, members=members,
                      problems=tuple(problems))


def move_tail_aside(path: Path, good_end: int) -> Path:
    """Copy bytes after `good_end` to `<name>.corrupt-<n>` (0600) and truncate the archive there."""
    path = Path(path)
    n = 1
    while (target := path.with_name(f"{path.name}.corrupt-{n}")).exists():
        n += 1
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as out, open(path, "rb") as source:
        source.seek(good_end)
        while block := source.read(_READ):
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    os.truncate(path, good_end)
    return target


def prune_archives(archive_dir: Path, keep_days: int, today: date) -> list[Path]:
    """Delete archives older than the last `keep_days` days (today counts as one); returns them."""
    if keep_days < 1:
        raise ValueError("keep_days must be at least 1")
    oldest_kept = today - timedelta(days=keep_days - 1)
    removed = []
    for path in list_archives(archive_dir):
        day = archive_day(path)
        if day is not None and day < oldest_kept:
            path.unlink()
            removed.append(path)
    return removed
