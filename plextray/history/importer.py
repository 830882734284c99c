"""Archives and live lines -> parser -> session folder -> history store. Never reads a byte twice.

Resuming: each archive has a watermark, the number of *uncompressed* bytes already imported
(up to the last complete line). Sessions and watermark are committed in the same transaction,
so a crash or a second run never counts a line twice nor loses one.

Folder state across runs: sessions still live are stored with `live = 1` and everything the
folder needs to continue them (last report time, state, positions, watched time); a new
Importer restores them into its SessionFolder, so a playback that spans two runs (or two
archives, or midnight) stays one session. The folder also ignores reports older than what a
session already holds, so feeding lines the live path already saw is harmless.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any, BinaryIO

from plextray.core.logline import LineBlocks
from plextray.core.model import PlaybackEvent, WatchSession
from plextray.core.parsing import PlaybackParser
from plextray.core.sessions import SessionFolder
from plextray.localzone import local_zone
from plextray.store.history import HistoryStore

log = logging.getLogger(__name__)

try:  # ISA-L's inflate reads the same gzip several times as fast as zlib's (benchmarks/parse.py)
    from isal.igzip_lib import DECOMP_GZIP as _ISAL_GZIP
    from isal.igzip_lib import IgzipDecompressor as _isal_decompressobj
    from isal.isal_zlib import error as _isal_error
except ImportError:  # not installed (no wheel for the platform): the standard library's
    _isal_decompressobj, _isal_error, _ISAL_GZIP = None, zlib.error, 0

READ_SIZE = 1 << 20  # compressed bytes per read: big chunks keep the Python overhead small
OUT_SIZE = 2 << 20  # uncompressed bytes per chunk handed on: bounded memory whatever the ratio
FLUSH_BYTES = 16 << 20  # commit sessions + watermark about this often (uncompressed), at a member boundary
# On resuming, the parser re-reads this much before the watermark (its events are discarded) so
# that a report cut by the previous run's end still finds its Request line and its client.
WARM_UP_BYTES = 256 << 10


class _Member:
    """One gzip member's inflater, as the member loop uses it: `decompress(data)` gives at most
    OUT_SIZE bytes, input it could not take yet is held, and `wants_input` says when to read more."""

    _inflater: Any

    def decompress(self, data: bytes) -> bytes:
        raise NotImplementedError

    @property
    def wants_input(self) -> bool:
        raise NotImplementedError

    @property
    def eof(self) -> bool:
        return self._inflater.eof

    @property
    def unused_data(self) -> bytes:
        return self._inflater.unused_data


class _ZlibMember(_Member):
    """zlib's inflater, which hands back what it could not take (`unconsumed_tail`)."""

    def __init__(self) -> None:
        self._inflater = zlib.decompressobj(31)

    def decompress(self, data: bytes) -> bytes:
        inflater = self._inflater
        return inflater.decompress(data or inflater.unconsumed_tail, OUT_SIZE)

    @property
    def wants_input(self) -> bool:
        return not self._inflater.unconsumed_tail


class _IsalMember(_Member):
    """ISA-L's inflater. Why this one and not isal_zlib's decompressobj: it fills each output
    chunk in one call without the GIL, so the read-ahead thread inflates while the importer
    parses (zlib-style objects hand the GIL back per output block and then wait behind the
    parsing thread: little overlap), and it is faster on its own."""

    def __init__(self) -> None:
        assert _isal_decompressobj is not None
        self._inflater = _isal_decompressobj(flag=_ISAL_GZIP)

    def decompress(self, data: bytes) -> bytes:
        return self._inflater.decompress(data, OUT_SIZE)

    @property
    def wants_input(self) -> bool:
        return self._inflater.needs_input


@dataclass(slots=True)
class ImportSummary:
    archives: int = 0  # files looked at
    bytes: int = 0  # uncompressed bytes imported this run
    lines: int = 0
    events: int = 0  # playback reports found
    sessions: int = 0  # sessions created or updated
    skipped: int = 0  # garbled / binary / too long / unknown lines
    problems: list[str] = field(default_factory=list)  # e.g. a truncated or corrupt archive


class ChunkReader:
    """The uncompressed bytes of a plain or gzip file, in big chunks.

    Tolerant: concatenated gzip members (the saver's archives) are read one after another; a
    member cut short (a crash) yields what it holds; corrupt data ends the file with a problem
    noted instead of an exception. `complete` counts the uncompressed bytes of whole members:
    data from a member cut short may be dropped by the saver's repair, so the import watermark
    never passes `complete`."""

    def __init__(self, path: Path, problems: list[str] | None = None, *, isal: bool = True) -> None:
        self.path = Path(path)
        self.problems = problems if problems is not None else []
        self.complete = 0
        self.cut_short = False
        # the same decoder API and results either way (tests/history/test_import.py holds them equal)
        use_isal = isal and _isal_decompressobj is not None
        self._member: type[_Member] = _IsalMember if use_isal else _ZlibMember
        self._errors = (zlib.error, _isal_error)

    def __iter__(self) -> Iterator[bytes]:
        with open(self.path, "rb") as handle:
            if handle.read(2) != b"\x1f\x8b":
                handle.seek(0)
                while chunk := handle.read(READ_SIZE):
                    self.complete += len(chunk)
                    yield chunk
                return
            handle.seek(0)
            new_inflater = self._member
            inflater = new_inflater()
            member = 0  # uncompressed bytes of the member being read
            member_start = 0  # its file offset
            fed = False
            while data := handle.read(READ_SIZE):
                data_end = handle.tell()
                while True:  # until the inflater wants more input than `data` gave
                    fed = True
                    try:
                        out = inflater.decompress(data)
                    except self._errors as exc:
                        found = _next_member(handle, member_start + 1)
                        self.problems.append(
                            f"{self.path.name}: damaged gzip member at offset {member_start} ({exc}); "
                            + ("skipped to the next one" if found is not None else "the rest is skipped")
                        )
                        if found is None:
                            return
                        handle.seek(found)
                        member_start, member = found, 0
                        inflater = new_inflater()
                        fed = False
                        break
                    data = b""
                    member += len(out)
                    if out:
                        yield out
                    if not inflater.eof:
                        if inflater.wants_input:
                            break
                        continue  # more output from the input it holds
                    self.complete += member
                    member = 0
                    data = inflater.unused_data
                    member_start = data_end - len(data)
                    inflater = new_inflater()
                    fed = False
                    if not data:
                        break
                    if not data.startswith(b"\x1f\x8b"):
                        if data.strip(b"\x00"):
                            self.problems.append(f"{self.path.name}: trailing bytes that are not gzip")
                        return
            if fed and not inflater.eof:
                self.cut_short = True
                self.problems.append(f"{self.path.name}: its last gzip member is cut short")


class ReadAhead:
    """A ChunkReader iterated in a thread, a few chunks ahead of its consumer.

    Why: ISA-L inflates a whole chunk without the GIL, so the next chunk is inflated while this
    one is parsed, on the other core (zlib gets the GIL back after each output block and waits
    for it behind the parser: little overlap). Memory stays bounded (`depth` chunks).
    The consumer sees exactly what iterating the reader itself would show: the same chunks, its
    exceptions, and `complete` as it was when each chunk was handed out."""

    _END = object()

    def __init__(self, reader: ChunkReader, depth: int = 2) -> None:
        self.reader = reader
        self.depth = depth
        self.complete = 0

    @property
    def cut_short(self) -> bool:
        return self.reader.cut_short

    def __iter__(self) -> Iterator[bytes]:
        items: queue.Queue[Any] = queue.Queue(self.depth)
        stop = threading.Event()

        def hand(item: Any) -> bool:
            while not stop.is_set():
                try:
                    items.put(item, timeout=0.05)
                    return True
                except queue.Full:
                    continue
            return False

        def produce() -> None:
            chunks = iter(self.reader)
            try:
                for chunk in chunks:
                    if not hand((chunk, self.reader.complete)):
                        return
                hand((self._END, self.reader.complete))
            except BaseException as exc:  # handed to the consumer, raised there
                hand((exc, self.reader.complete))
            finally:
                chunks.close()  # type: ignore[attr-defined]

        worker = threading.Thread(target=produce, name="plextray-read-ahead", daemon=True)
        worker.start()
        try:
            while True:
                item, self.complete = items.get()
                if item is self._END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            worker.join()


def _next_member(handle: BinaryIO, start: int) -> int | None:
    """File offset of the next gzip member header at or after `start`, or None."""
    handle.seek(start)
    offset, carry = start, b""
    while block := handle.read(READ_SIZE):
        data = carry + block
        index = data.find(b"\x1f\x8b\x08")
        if index >= 0:
            return offset - len(carry) + index
        carry = data[-2:]
        offset += len(block)
    return None


def decompressed_chunks(path: Path, problems: list[str] | None = None) -> Iterator[bytes]:
    """Shorthand for iterating a ChunkReader."""
    return iter(ChunkReader(path, problems))


def default_archives(archive_dir: Path) -> list[Path]:
    """The saver's daily archives (`YYYY-MM-DD.log.gz`), oldest first."""
    from plextray.logs.archive import list_archives

    return [Path(p) for p in list_archives(archive_dir)]


class Importer:
    """Owns one parser and one folder; one writer thread should use it."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        tz: tzinfo | None = None,
        silence_seconds: int = 600,
        archive_dir: Path | None = None,
    ) -> None:
        self.store = HistoryStore(conn)
        self._archive_dir = archive_dir
        self.tz = tz or local_zone()
        self.parser = PlaybackParser()
        self.folder = SessionFolder(self.tz, silence_seconds=silence_seconds)
        self.folder.restore(self.store.live_sessions())

    # ----------------------------------------------------------------- archives
    def import_archives(self, paths: list[Path] | None = None, *, now_utc: float | None = None) -> ImportSummary:
        """Import what is new in each archive (default: all of them, oldest first)."""
        summary = ImportSummary()
        if paths is None:
            paths = default_archives(self.archive_dir)
        before = self.parser.stats.skipped()
        for path in paths:
            summary.archives += 1
            self._import_one(Path(path), summary)
        closed = self.folder.expire(time.time() if now_utc is None else now_utc)
        self._persist({s.key: s for s in closed}, [])
        summary.sessions += len(closed)
        summary.skipped = self.parser.stats.skipped() - before
        return summary

    @property
    def archive_dir(self) -> Path:
        if self._archive_dir is None:
            from plextray.paths import AppPaths

            self._archive_dir = AppPaths.default().archives
        return self._archive_dir

    def source_name(self, path: Path) -> str:
        """The watermark's key: a daily archive of plextray's own by its name (the folder may
        move with PLEXTRAY_HOME), any other file by its full path, so that a file of the same
        name from elsewhere is not taken for one already imported."""
        path = Path(path)
        if path.parent.resolve() == Path(self.archive_dir).resolve():
            return f"archive:{path.name}"
        return f"file:{path.resolve()}"

    def _import_one(self, path: Path, summary: ImportSummary) -> None:
        source = self.source_name(path)
        mark = self.store.get_watermark(source)
        blocks = LineBlocks()
        pending: dict[str, WatchSession] = {}
        written: set[str] = set()
        retired: list[str] = []
        seen = 0  # uncompressed bytes passed so far, including the skipped ones
        before = b""  # the last bytes before the watermark, to re-learn the parser's context
        since_flush = 0
        lines_before, events_before = self.parser.stats.lines, self.parser.stats.events
        reader = ReadAhead(ChunkReader(path, summary.problems))
        try:
            for chunk in reader:
                if seen + len(chunk) <= mark:
                    seen += len(chunk)
                    before = (before + chunk)[-WARM_UP_BYTES:]
                    continue
                if seen < mark:
                    before = (before + chunk[: mark - seen])[-WARM_UP_BYTES:]
                    chunk = chunk[mark - seen :]
                    seen = mark
                if before:
                    self._warm_up(before)
                    before = b""
                position = mark + blocks.consumed
                if since_flush >= FLUSH_BYTES and position <= reader.complete:
                    # the sessions stored and the watermark must name the same place, and it
                    # must lie in whole gzip members (a member cut short may be repaired away):
                    # so a flush waits for a member boundary. Storing sessions folded past the
                    # watermark would make a crashed import fold those lines again on resuming.
                    written.update(pending)
                    self._persist(pending, retired, source, position)
                    pending, retired, since_flush = {}, [], 0
                seen += len(chunk)
                for data, begin, stop in blocks.push_spans(chunk):
                    self._fold(self.parser.feed_block(data, begin, stop), pending, retired)
                    since_flush += stop - begin
        except OSError as exc:
            summary.problems.append(f"{path.name}: {exc}")
        written.update(pending)
        end = mark + blocks.consumed
        if reader.cut_short:
            end = max(mark, min(end, reader.complete))
        if seen < mark:
            # the archive is shorter than what was imported (repaired, or replaced): start again
            # from its end, so what is appended from now on is imported
            summary.problems.append(
                f"{path.name}: shorter ({seen} bytes) than already imported ({mark}); "
                "continuing from its current end"
            )
            end = seen
        self._persist(pending, retired, source, end)
        self.parser.stats.skipped_too_long += blocks.too_long
        summary.bytes += blocks.consumed
        summary.lines += self.parser.stats.lines - lines_before
        summary.events += self.parser.stats.events - events_before
        summary.sessions += len(written)

    def _warm_up(self, data: bytes) -> None:
        start = data.find(b"\n") + 1 if len(data) >= WARM_UP_BYTES else 0
        lines = data[start:]
        if lines:
            saved = dataclasses.replace(self.parser.stats)
            self.parser.feed_block(lines)
            self.parser.stats = saved

    # ----------------------------------------------------------------- live path
    def feed_lines(
        self, lines: Iterable[bytes], *, source: str | None = None, position: int | None = None
    ) -> list[WatchSession]:
        """Lines as they are saved (the engine's path): fold, store, return the sessions changed.

        With `source` and `position` the watermark of that archive moves too (same transaction)."""
        pending: dict[str, WatchSession] = {}
        retired: list[str] = []
        for line in lines:
            self._fold(self.parser.feed_reports(line), pending, retired)
        self._persist(pending, retired, source, position)
        return list(pending.values())

    def feed_block(
        self, block: bytes, *, source: str | None = None, position: int | None = None
    ) -> list[WatchSession]:
        """Like feed_lines for a block of whole lines (plextray.core.logline.LineBlocks): faster."""
        pending: dict[str, WatchSession] = {}
        retired: list[str] = []
        self._fold(self.parser.feed_block(block), pending, retired)
        self._persist(pending, retired, source, position)
        return list(pending.values())

    def expire(self, now_utc: float) -> list[WatchSession]:
        """Close (and store) sessions silent for too long at `now_utc`."""
        closed = self.folder.expire(now_utc)
        self._persist({s.key: s for s in closed}, [])
        return closed

    # ----------------------------------------------------------------- helpers
    def _fold(
        self, reports: list[tuple[int, PlaybackEvent]], pending: dict[str, WatchSession], retired: list[str]
    ) -> None:
        for session in self.folder.feed_many(event for _, event in reports):
            pending[session.key] = session
        for key in self.folder.retired():
            pending.pop(key, None)
            retired.append(key)

    def _persist(
        self,
        pending: dict[str, WatchSession],
        retired: list[str],
        source: str | None = None,
        position: int | None = None,
    ) -> None:
        if not pending and not retired and source is None:
            return
        with self.store.transaction():
            if retired:
                self.store.delete_sessions(retired)
            if pending:
                self.store.upsert_sessions(list(pending.values()))
            if source is not None and position is not None:
                self.store.set_watermark(source, position)
