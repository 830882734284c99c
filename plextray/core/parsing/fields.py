"""Reading the fields of a line: query strings, header dumps, times, addresses, the 1.x prefix."""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

from plextray.core.logline import LogLine

QUERY_KEYS = frozenset((
    "ratingKey", "key", "path", "state", "time", "duration", "session",
    "X-Plex-Client-Identifier", "X-Plex-Product", "X-Plex-Platform", "X-Plex-Client-Platform",
    "X-Plex-Device-Name", "X-Plex-Device", "X-Plex-Session-Identifier",
))  # fmt: skip
IDENTITY_KEYS = frozenset(key for key in QUERY_KEYS if key.startswith("X-Plex-"))  # what _identity_from reads
MONTH_DIGITS = {
    "Jan": "01", "Feb": "02", "Mar": "03", "Apr": "04", "May": "05", "Jun": "06",
    "Jul": "07", "Aug": "08", "Sep": "09", "Oct": "10", "Nov": "11", "Dec": "12",
}  # fmt: skip
REPORT_PATHS = ("/:/timeline", "/:/timeline/", "/:/progress")
_METADATA = re.compile(r"/library/metadata/([^/?&\s]+)")

# The 1.x prefix as PMS writes it (ASCII digits, ".mmm", a thread id, an ASCII level): read by
# slicing at fixed offsets, several times faster than the general logline.parse_line, which
# every other shape (and any field out of range) still goes to. Same LogLine either way.
_MODERN_PREFIX = re.compile(
    r"[A-Z][a-z]{2} [0-3][0-9], [0-9]{4} [0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{3} "
    r"\[([0-9]+|0x[0-9a-fA-F]+)\] ([A-Za-z]+) (?:-|\u2014)  ?"
)
STAMP_LENGTH = 25  # "Jan 12, 2022 13:42:24.403": the 1.x time stamp every 1.x line starts with


def iso_of_stamp(stamp: str) -> str:
    """ "Jan 12, 2022 13:42:24.403" -> "2022-01-12T13:42:24.403" (a stamp the 1.x prefix matched)."""
    return f"{stamp[8:12]}-{MONTH_DIGITS[stamp[0:3]]}-{stamp[4:6]}T{stamp[13:25]}"


def query_of(text: str) -> dict[str, str]:
    """The query parameters the parser uses (a full parse_qsl of every query is wasted time)."""
    query: dict[str, str] = {}
    for part in text.split("&"):
        name, _, value = part.partition("=")
        if name in QUERY_KEYS:
            if "%" in value or "+" in value:
                # `key=%2Flibrary%2Fmetadata%2F378` on every report: the one escape, replaced directly
                plain = value.replace("%2F", "/")
                value = plain if "%" not in plain and "+" not in plain else unquote_plus(value)
            query[name] = value
    return query


def seconds(iso: str) -> int:
    """Coarse, monotonic-enough seconds for "within N seconds" windows (no calendar needed)."""
    minute = iso[0:16]
    base = _MINUTES.get(minute)
    if base is None:
        base = (
            ((int(iso[0:4]) * 12 + int(iso[5:7])) * 31 + int(iso[8:10])) * 86400
            + int(iso[11:13]) * 3600
            + int(iso[14:16]) * 60
        )
        if len(_MINUTES) >= 4096:
            _MINUTES.clear()
        _MINUTES[minute] = base
    return base + int(iso[17:19])


_MINUTES: dict[str, int] = {}  # "YYYY-MM-DDTHH:MM" -> seconds of its :00 (a log stays in a few minutes)


def integer(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        try:
            return int(float(value))
        except ValueError:
            return None


def split_addr(addr: str) -> tuple[str, str]:
    ip, _, port = addr.rpartition(":")
    if not ip:
        return addr, ""
    if ip.startswith("::ffff:"):
        ip = ip[7:]
    return ip.strip("[]"), port


def modern_line(text: str) -> LogLine | None:
    """`parse_line(text)` for a well-formed 1.x line, else None (then parse_line decides)."""
    match = _MODERN_PREFIX.match(text)
    if match is None:
        return None
    month = MONTH_DIGITS.get(text[0:3])
    day, hour, second = text[4:6], text[13:15], text[19:21]
    if month is None or not ("01" <= day <= "31" and hour <= "23" and second <= "60"):
        return None
    message = text[match.end() :]
    if message.endswith("\r"):
        message = message[:-1]
    return LogLine(
        f"{text[8:12]}-{month}-{day}T{text[13:25]}",
        match.group(1),
        match.group(2),
        message,
        True,
    )


def rating_from(query: dict[str, str]) -> str | None:
    rk = query.get("ratingKey")
    if rk:
        return rk
    for name in ("key", "path"):
        found = _METADATA.search(query.get(name, ""))
        if found:
            return found.group(1)
    return None


def path_kind(path: str) -> str | None:
    """What a request path is to the parser: a playback report, a transcode start or stop."""
    if path in REPORT_PATHS:
        return "report"
    if "/transcode/" in path:
        if path.endswith("/stop"):
            return "transcode-stop"
        if "/start" in path or path.endswith("/decision"):
            return "transcode"
    return None


def headers(dump: str) -> dict[str, str]:
    """The X-Plex-* values of PMS's header dump (` / Key => value / …`). A value is the
    client's own text and may hold ` / Key => v` itself, so one header could seem to set
    another: a key that appears twice is taken from neither part (the Statistics line and the
    server's sessions list name the client), and each of its parts stays in the value before
    it (a device name "Emma / X-Plex-Client-Identifier => tv" stays whole)."""
    parts = dump.split(" / ")
    pairs = [part.partition(" => ") for part in parts]
    found = {key: value for key, sep, value in pairs if sep}
    if len(found) == len(pairs):  # the usual dump: every part a header, no key twice
        return {key: value.strip() for key, value in found.items() if key.startswith("X-Plex-")}
    seen: dict[str, int] = {}
    for key, sep, _ in pairs:
        if sep:
            seen[key] = seen.get(key, 0) + 1
    # (key, pieces) in order; a repeated key's parts join the value before. Pieces are joined once
    # at the end: adding to a string held in a list copies it each time (quadratic on ` / ` runs)
    values: list[tuple[str, list[str]]] = []
    for part, (key, sep, value) in zip(parts, pairs):
        if sep and seen[key] == 1:
            values.append((key, [value]))
        elif values:
            values[-1][1].append(part)
    return {key: " / ".join(pieces).strip() for key, pieces in values if key.startswith("X-Plex-")}
