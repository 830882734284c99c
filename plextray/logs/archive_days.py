"""Which daily archive each line goes to: the day of the line's own timestamp.

A line that does not start with a Plex timestamp (a continuation, a stray fragment) goes with
the line before it, so a multi-line message never straddles two archives. Works on whole chunks
of complete lines without per-line Python work in the common case: a chunk whose lines all
start with the same `Mon DD, YYYY` prefix is one day (two `bytes.count` calls prove it); only
chunks that cross midnight (or hold odd lines) are split further, by halving, down to a small
piece that is walked line by line.
"""

from __future__ import annotations

import re
from datetime import date

_TIMESTAMP = re.compile(rb"([A-Z][a-z]{2}) (\d{2}), (\d{4}) \d{2}:\d{2}:\d{2}(?:[.:]\d{3})?")
_MONTHS = {m: i + 1 for i, m in enumerate(
    (b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec"))}
_PREFIX_LEN = 12  # b"Feb 06, 2026"
_LINEWISE_BELOW = 64 * 1024
_day_cache: dict[bytes, str | None] = {}


def _day_of_prefix(prefix: bytes) -> str | None:
    """`b"Feb 06, 2026"` → `"2026-02-06"`; None when it is not a real date."""
    day = _day_cache.get(prefix)
    if day is None and prefix not in _day_cache:
        month = _MONTHS.get(prefix[:3])
        try:
            day = date(int(prefix[8:12]), month, int(prefix[4:6])).isoformat() if month else None
        except ValueError:
            day = None
        if len(_day_cache) < 4096:
            _day_cache[prefix] = day
    return day


def line_day(line: bytes) -> str | None:
    """The ISO day of a line's timestamp, or None when the line has no timestamp."""
    if _TIMESTAMP.match(line) is None:
        return None
    return _day_of_prefix(line[:_PREFIX_LEN])


def timestamp_text(line: bytes) -> str | None:
    """The timestamp at the start of a line, as written (for gap reports)."""
    match = _TIMESTAMP.match(line)
    return match.group(0).decode("ascii") if match else None


def last_timestamp(chunk: bytes, *, look_back: int = 64) -> str | None:
    """The timestamp of the last timestamped line among the chunk's last few lines."""
    end = len(chunk)
    for _ in range(look_back):
        if end <= 0:
            return None
        start = chunk.rfind(b"\n", 0, end - 1) + 1
        text = timestamp_text(chunk[start:start + 32])
        if text:
            return text
        end = start
    return None


def first_timestamp(chunk: bytes, *, look_ahead: int = 64) -> str | None:
    start = 0
    for _ in range(look_ahead):
        if start >= len(chunk):
            return None
        text = timestamp_text(chunk[start:start + 32])
        if text:
            return text
        start = chunk.find(b"\n", start)
        if start < 0:
            return None
        start += 1
    return None


def first_day(chunk: bytes) -> str | None:
    """The day of the first timestamped line among the chunk's first lines."""
    text = first_timestamp(chunk)
    return _day_of_prefix(text[:_PREFIX_LEN].encode()) if text else None


def split_by_day(chunk: bytes, carry_day: str, *, lines: int | None = None) -> tuple[list[tuple[str, bytes]], str]:
    """Cut a chunk of complete lines into (day, bytes) runs, in order.

    `carry_day` is the day of the line before the chunk (for a leading continuation line);
    `lines`, when the caller already counted the chunk's newlines, saves counting them again.
    Returns the runs and the day of the chunk's last line (the next chunk's carry).
    """
    runs: list[tuple[str, list[bytes]]] = []
    last = _split(chunk, carry_day, runs, lines)
    return [(day, parts[0] if len(parts) == 1 else b"".join(parts)) for day, parts in runs], last


def _add(runs: list[tuple[str, list[bytes]]], day: str, data: bytes) -> None:
    if runs and runs[-1][0] == day:
        runs[-1][1].append(data)
    else:
        runs.append((day, [data]))


def _split(chunk: bytes, carry: str, runs: list[tuple[str, list[bytes]]], lines: int | None = None) -> str:
    if not chunk:
        return carry
    prefix = chunk[:_PREFIX_LEN]
    day = line_day(chunk[:40])
    if day is not None and chunk.count(b"\n" + prefix) == (chunk.count(b"\n") if lines is None else lines) - 1:
        _add(runs, day, chunk)
        return day
    if len(chunk) > _LINEWISE_BELOW:
        middle = chunk.find(b"\n", len(chunk) // 2) + 1
        if 0 < middle < len(chunk):
            carry = _split(chunk[:middle], carry, runs)
            return _split(chunk[middle:], carry, runs)
    start = 0
    run_start = 0
    run_day = None
    end = len(chunk)
    while start < end:
        stop = chunk.find(b"\n", start)
        stop = end if stop < 0 else stop + 1
        day = line_day(chunk[start:start + 40]) or carry
        if day != run_day:
            if run_day is not None:
                _add(runs, run_day, chunk[run_start:start])
            run_day, run_start = day, start
        carry = day
        start = stop
    if run_day is not None:
        _add(runs, run_day, chunk[run_start:end])
    return carry
