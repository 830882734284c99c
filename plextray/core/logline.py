"""Split one Plex log line into time, thread, level and message — every era PMS has written.

Why a module of its own: the prefix is the one thing all eras share, and every consumer (the
playback parser, the archive saver's sanity checks, tests) needs the same tolerant reading.

Shapes accepted (see ../shared/notes/plex-formats.md A4 and ../shared/pms/log-lines.txt):
  `Jul 03, 2013 02:13:16:353 [4600] DEBUG - msg`             0.9.x Windows (ms after a colon)
  `Nov 11, 2015 01:03:09 [0x7f23b77fc700] DEBUG - msg`       0.9.x Linux/macOS (no ms, hex tid)
  `Jan 12, 2022 13:42:24.403 [0x7f829a4aa8] DEBUG - msg`     1.x (hex tid)
  `Feb 06, 2026 12:48:39.648 [136529588505400] INFO - msg`   1.41+ (decimal tid)
  `May 02, 2026 09:49:48.507 [278559438758112] Debug — msg`  Plex Web console copy (em dash)
  `Dec 13, 2025 13:58:30.480 msg`                             tid/level stripped by a quoting author
  `<syslog or grep prefix>Nov 09, 2017 07:41:12.751 [6184] ERROR - msg`   prefix before the date
The timestamp is returned as ISO 8601 *as written* (milliseconds kept only when present).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = {
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
    "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}  # fmt: skip

_PREFIX = re.compile(
    r"(?P<mon>[A-Z][a-z]{2}) (?P<day>\d{2}), (?P<year>\d{4}) "
    r"(?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2})(?:[.:](?P<ms>\d{3}))?"
    r"(?: \[(?P<tid>0x[0-9a-fA-F]+|\d+)\])?"
    r"(?: (?P<lvl>[^\W\d_]+) (?:-|\u2014) )?"
    r" ?(?P<msg>.*)",
    re.S,
)
# Something that starts like a Plex date but does not finish like one: a truncated line.
_DATE_START = re.compile(r"[A-Z][a-z]{2} \d")


class LineError(ValueError):
    """The line is not a Plex log line (``garbled`` tells a truncated one from a foreign one)."""

    def __init__(self, message: str, *, garbled: bool) -> None:
        super().__init__(message)
        self.garbled = garbled


@dataclass(frozen=True, slots=True)
class LogLine:
    time: str  # ISO 8601 local, as written: "2022-01-12T13:42:24.403"
    thread: str | None  # "0x7f829a4aa8" / "136529588505400"; None when stripped
    level: str | None  # "DEBUG", "Debug", "Ladění"…; None when stripped
    message: str
    modern: bool  # ".mmm" milliseconds (PMS 1.x); False for 0.9.x (no ms, or ":mmm")


def parse_line(text: str) -> LogLine:
    """Read a line's prefix. Raises LineError when there is no valid Plex prefix."""
    match = _PREFIX.match(text)
    if match is None:
        # syslog / grep prefixes put text before the date; look a little further in.
        found = _find_date(text)
        if found is None:
            garbled = bool(_DATE_START.match(text))
            raise LineError("no Plex timestamp", garbled=garbled)
        match = found
    return _build(match)


def _find_date(text: str) -> re.Match[str] | None:
    head = text[:200]
    for date in re.finditer(r"[A-Z][a-z]{2} \d{2}, \d{4} \d{2}:", head):
        match = _PREFIX.match(text, date.start())
        if match is not None and match.group("tid") is not None:
            return match
    return None


def _build(match: re.Match[str]) -> LogLine:
    month = MONTHS.get(match.group("mon"))
    day, hour, minute, second = int(match["day"]), int(match["h"]), int(match["m"]), int(match["s"])
    if month is None or not (1 <= day <= 31 and hour < 24 and minute < 60 and second < 61):
        raise LineError("impossible timestamp", garbled=True)
    iso = f"{match.group('year')}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
    ms = match.group("ms")
    modern = False
    if ms is not None:
        iso += "." + ms
        modern = match.string[match.start("ms") - 1] == "."
    message = match.group("msg")
    if message.endswith("\r"):
        message = message[:-1]
    return LogLine(iso, match.group("tid"), match.group("lvl"), message, modern)


def split_request_prefix(message: str) -> tuple[str | None, str]:
    """`[Req#8ec76] rest` / `[Req#124e/Transcode/<s>] rest` -> ("8ec76", "rest"); else (None, message)."""
    if message.startswith("[Req#"):
        end = message.find("]", 5)
        if end > 5:
            req = message[5:end]
            slash = req.find("/")
            if slash >= 0:
                req = req[:slash]
            return req, message[end + 2 :] if message[end + 1 : end + 2] == " " else message[end + 1 :]
    return None, message


MAX_LINE_BYTES = 1 << 20  # a longer "line" is not a log line (binary junk, a runaway dump)


class LineBlocks:
    """Cut a byte stream into blocks of whole lines, dropping lines longer than `max_line`.

    Why blocks and not lines: the parser scans a block for its few markers at C speed instead of
    looping over every line in Python. `consumed` counts the bytes handed out or dropped, so a
    caller can record exactly where it stopped (the import watermark).
    """

    def __init__(self, max_line: int = MAX_LINE_BYTES) -> None:
        self.max_line = max_line
        self.too_long = 0
        self.consumed = 0
        self._carry = b""
        self._skipping = False

    def push(self, chunk: bytes) -> bytes:
        """Whole lines (each ending in b"\\n") completed by `chunk`; may be b"". One copy, of
        what `push_spans` hands out in place."""
        pieces = self.push_spans(chunk)
        if len(pieces) == 1:
            data, begin, stop = pieces[0]
            return data[begin:stop]
        return b"".join(memoryview(data)[begin:stop] for data, begin, stop in pieces)

    def push_spans(self, chunk: bytes) -> list[tuple[bytes, int, int]]:
        """Like `push`, without copying the chunk: (data, begin, stop) pieces, in order, each
        `data[begin:stop]` whole lines (PlaybackParser.feed_block takes them as they are). Only
        the line the previous chunk left unfinished is copied, joined with its end."""
        begin = 0
        if self._skipping:
            cut = chunk.find(b"\n")
            if cut < 0:
                self.consumed += len(chunk)
                return []
            self.consumed += cut + 1
            begin = cut + 1
            self._skipping = False
        last = chunk.rfind(b"\n", begin)
        if last < 0:
            self._carry += chunk[begin:]
            self._check_carry()
            return []
        pieces: list[tuple[bytes, int, int]] = []
        if self._carry:
            first = chunk.find(b"\n", begin) + 1
            head = self._carry + chunk[begin:first]
            pieces.append((head, 0, len(head)))
            begin = first
        if begin <= last:
            pieces.append((chunk, begin, last + 1))
        self._carry = chunk[last + 1 :]
        self._check_carry()
        self.consumed += sum(stop - start for _, start, stop in pieces)
        return pieces

    def finish(self) -> bytes:
        """The trailing partial line (no newline), which the caller may still want to parse."""
        rest, self._carry = self._carry, b""
        self.consumed += len(rest)
        return rest

    @property
    def pending(self) -> int:
        """Bytes held back because their line has not ended yet."""
        return len(self._carry)

    def _check_carry(self) -> None:
        if len(self._carry) > self.max_line:
            self.consumed += len(self._carry)
            self._carry = b""
            self._skipping = True
            self.too_long += 1
