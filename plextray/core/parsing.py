"""Plex log lines -> playback events: one event per playback report, identity filled in from context.

A *report* is one client call saying "I am at t ms of item k, state s" (`/:/timeline`, or
`/:/progress` for old Plex Media Center). PMS logs it on several lines; which ones depends on
the era (see ../shared/pms/log-lines.txt):

  1.x   Request: [ip:port (Subnet)] GET /:/timeline?…state=playing… (4 live) #8ec76 … Token (user)
        [Req#8ec76] Client [<session ident>] reporting timeline state playing, progress of t/dms …
        [Req#8ec76] [Now] User is X (ID: n) / [Now] Device is <platform> (<name>).
        [Req#8ec76] Statistics: (<client id>) Reporting active playback … for account n
        Completed: [ip:port] 200 GET /:/timeline?… #8ec76 …
        (before ~2023 there is no `#id`/`[Req#id]`: follow-ups share the Request's thread id)
  0.9   Request: [ip:port] GET /:/timeline?… (6 live) GZIP  … Completed: … 158 bytes 200 (…)
  2013  Request: GET /:/timeline?<X-Plex-* identity in the query> [ip:port] …

**Which line creates the event**: the FIRST line of a report that is read, whichever it is
(usually the Request line), so the engine can act at once. Later lines of the same report
(tied by `[Req#id]`, else by thread id, else by ip:port + rating key + position + state within
a minute) never create a second report. They enrich it; and when a later line supplies a
`client_id` the emitted event lacked (or names another client than the connection suggested),
or an `account` it lacked, an *updated* event for the same report is emitted (same `time`;
usually none or one per report). `feed_reports` returns the report number with each event, so
a consumer that wants exactly one event per report (the `events` command) keeps the last
version per number; the session folder recognises updates by themselves.

Identity a line lacks is filled from earlier lines: the same connection (ip:port), the same
session identifier (`Client [id]` = X-Plex-Session-Identifier in 1.x; the client id itself in
0.9), what is known of that client (product, platform, device), and — for 2013 Plex/Web, whose
timeline calls carried no identity — the transcode `start` with `session=` from the same IP,
as the original tool did. IP alone is never used to name a client (127.0.0.1 is DLNA and web),
nor is "same user, same item": two devices of one account would be merged.

Speed: lines without one of a few byte markers are not decoded at all (`feed_block` finds the
markers in a whole block at C speed). Nor are lines that would add nothing (`_unread`): the
`Completed:` line of a report already made (found by its `#id`), and the `[Req#id]` [Now] User,
[Now] Device and Statistics lines that repeat what their report already holds, as every report
of a play does. Events are the same either way (tests/test_parsing_equivalence.py pins them);
only damage in such a line goes uncounted. Skips are counted in `stats`, nothing raises. A
well-formed ASCII 1.x line is read on the bytes (no decode, no general prefix parse), and a
follow-up line of a report already made (Client, [Now] User/Device, Statistics, Completed) is
applied straight to that report, as a report's own Request line makes it; `fast_paths = False`
turns these off, and
tests/test_parsing_equivalence.py holds the two paths to the same events and stats.
Transcode start/decision lines tie a `session=` (and, with a header dump, a connection) to a
client. `segmented/start`, `/:/progress`, transcode stop and `Terminated session` lines matter
only to 0.9.x correlation (they end the 2013 web link), so they are looked at only in 0.9.x
lines; none of them creates an event (the client's own `stopped` report does).
"""

from __future__ import annotations

import re
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from plextray.core.linear import BracketedAfter, DeviceShape
from plextray.core.logline import MAX_LINE_BYTES, LineError, LogLine, parse_line, split_request_prefix
from plextray.core.model import PLAYBACK_STATES, PlaybackEvent

# A line is decoded only if it holds one of these (found at C speed: a regex search per pass).
MARKERS: tuple[bytes, ...] = (
    b"timeline",
    b"[Now] User is ",
    b"[Now] Device is ",
    b"Statistics: (",
    b"universal/st",  # /video/:/transcode/universal/start… and …/stop (not …/session/ segments)
    b"universal/decision",
    b"segmented/start",  # 0.9.x iOS HLS
    b"Terminated session",
    b"/:/progress",  # 0.9.x Plex Media Center
)
# Every scan of a block costs a pass over it: 1.x blocks (".mmm" times) skip the markers that
# only matter to 0.9.x correlation (the web-by-IP link, /:/progress).
MODERN_MARKERS: tuple[bytes, ...] = MARKERS[:6]
_MODERN_COUNT = len(MODERN_MARKERS)
# What feed_block searches for, one regex search per marker pass (a literal head, found at C
# speed): each pass over a block costs about as much as the next, so the two [Now] markers and
# the two transcode markers share a pass each; the tail is checked in C, not in a Python loop.
_MODERN_SCAN: tuple[re.Pattern[bytes], ...] = (
    re.compile(re.escape(MARKERS[0])),
    re.compile(rb"\[Now\] (?:User|Device) is "),
    re.compile(re.escape(MARKERS[3])),
    re.compile(rb"universal/(?:st|decision)"),
)
_OLD_SCAN: tuple[re.Pattern[bytes], ...] = (*_MODERN_SCAN, *(re.compile(re.escape(m)) for m in MARKERS[6:]))
assert MODERN_MARKERS[1:3] == (b"[Now] User is ", b"[Now] Device is ")
assert MODERN_MARKERS[4:] == (b"universal/st", b"universal/decision")
_OLD_STAMP = re.compile(rb", \d{4} \d\d:\d\d:\d\d(?::\d{3})? \[")
_QUERY_KEYS = frozenset((
    "ratingKey", "key", "path", "state", "time", "duration", "session",
    "X-Plex-Client-Identifier", "X-Plex-Product", "X-Plex-Platform", "X-Plex-Client-Platform",
    "X-Plex-Device-Name", "X-Plex-Device", "X-Plex-Session-Identifier",
))  # fmt: skip
_IDENTITY_KEYS = frozenset(key for key in _QUERY_KEYS if key.startswith("X-Plex-"))  # what _identity_from reads
_CONTROL_BYTES = bytes((*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))  # bytes.translate deletes them

_REQUEST = re.compile(
    r"Request: \[(?P<addr>[^\]\s]+)(?: \((?P<tag>[^\]]*)\))?\] (?P<method>[A-Z]+) (?P<url>\S+)(?P<rest>.*)"
)
_REQUEST_2013 = re.compile(r"Request: (?P<method>[A-Z]+) (?P<url>\S+) \[(?P<addr>[^\]\s]+)\](?P<rest>.*)")
_COMPLETED = re.compile(
    r"Completed(?: after connection close)?: \[(?P<addr>[^\]\s]+)\] (?:(?P<status>-?\d+) )?"
    r"(?P<method>[A-Z]+) (?P<url>\S+)(?P<rest>.*)"
)
_CLIENT = re.compile(
    r"Client \[(?P<ident>[^\]]*)\] reporting timeline state (?P<state>\w+), "
    r"progress of (?P<time>-?\d+)/(?P<duration>-?\d+)ms(?P<rest>.*)"
)
_CLIENT_RATING = re.compile(r"ratingKey=([^\s,&]+)")
_STATISTICS = re.compile(
    r"Statistics: \((?P<client>[^)\s]+)\) Reporting (?P<what>\w+) playback(?:.*? for account (?P<account>-?\d+))?"
)
_NOW_USER = re.compile(r"\[Now\] User is (?P<user>.+) \(ID: (?P<id>-?\d+)\)\s*$")
_NOW_DEVICE = DeviceShape("[Now] Device is ")  # r"\[Now\] Device is (?P<platform>.+?) \((?P<name>.*)\)\.?\s*$"
_TERMINATED = re.compile(r"Terminated session (?P<session>\S+) with reason")
_REQ_ID = re.compile(r" #([0-9a-fA-F]+)\b")
_TOKEN_USER = BracketedAfter("Token ")  # r"Token \(([^)]*)\)", in linear time
_OLD_STATUS = re.compile(r" bytes (-?\d{3})\b")
_METADATA = re.compile(r"/library/metadata/([^/?&\s]+)")

# The 1.x prefix as PMS writes it (ASCII digits, ".mmm", a thread id, an ASCII level): read by
# slicing at fixed offsets, several times faster than the general logline.parse_line, which
# every other shape (and any field out of range) still goes to. Same LogLine either way.
_MODERN_PREFIX = re.compile(
    r"[A-Z][a-z]{2} [0-3][0-9], [0-9]{4} [0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{3} "
    r"\[([0-9]+|0x[0-9a-fA-F]+)\] ([A-Za-z]+) (?:-|\u2014)  ?"
)
# A well-formed 1.x line, read on the bytes exactly as _MODERN_PREFIX + _modern_line's range
# checks (+ split_request_prefix for a plain `[Req#hex] `) read the text: its LogLine is cut
# without the general checks, and a follow-up line that only confirms what its report knows
# (Client, [Now] User/Device, Statistics, the Completed line of a report already made) is
# handled without decoding or dispatching it. Anything else (an em dash, a non-ASCII line, a
# "\r", a control character) takes the general path.
_FAST_LINE = re.compile(
    rb"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?:0[1-9]|[12][0-9]|3[01]), [0-9]{4} "
    rb"(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)\.[0-9]{3} "
    rb"\[([0-9]+|0x[0-9a-fA-F]+)\] ([A-Za-z]+) -  ?()"
    rb"(?:\[Req#([0-9a-fA-F]+)\] )?"
    rb"(?:(\[Now\] User is )|(\[Now\] Device is )|(Statistics: \()|(Client \[)|(Completed: \[)|(Request: \[))?"
)
_USER, _DEVICE, _STATISTICS_LINE, _CLIENT_LINE, _COMPLETED_LINE, _REQUEST_LINE = 5, 6, 7, 8, 9, 10  # its groups
_FAST_CLIENT = re.compile(
    rb"(?P<ident>[^\]]*)\] reporting timeline state (?P<state>\w+), progress of (?P<time>-?\d+)/(?P<duration>-?\d+)ms"
)
_PLAYBACK_STATES_BYTES = frozenset(state.encode() for state in PLAYBACK_STATES)
_FAST_RATING = re.compile(rb"ratingKey=([^\s,&]+)")
_FAST_USER = re.compile(rb"(?P<user>.+) \(ID: (?P<id>-?\d+)\)\s*$")
_FAST_DEVICE = DeviceShape(b"")  # rb"(?P<platform>.+?) \((?P<name>.*)\)\.?\s*$", in linear time
_FAST_STATISTICS = re.compile(
    rb"(?P<client>[^)\s]+)\) Reporting (?P<what>\w+) playback(?:.*? for account (?P<account>-?\d+))?"
)
_FAST_COMPLETED = re.compile(rb"[^\] ]+\] (?:-?\d+ )?[A-Z]+ (?=[^ ])([^? ]*)[^ ]*")  # group 1: the URL's path
_FAST_REQ_ID = re.compile(rb" #([0-9a-fA-F]+)\b")
_FAST_REQUEST = re.compile(rb"([^\] ]+)(?: \([^\]]*\))?\] [A-Z]+ ([^ ]+)")  # _REQUEST after "Request: ["
_FAST_TOKEN_USER = BracketedAfter(b"Token ")  # rb"Token \(([^)]*)\)", in linear time
_REPORT_PATHS = frozenset((b"/:/timeline", b"/:/timeline/", b"/:/progress"))
# What a fast-path line may not hold (deleted by bytes.translate): control bytes, "\r" and tabs.
# So its only whitespace is " ", and the patterns above read URLs with `[^ ]`, as `\S` in the
# general path's: the same text, and several times faster in `re` (a one-byte class).
_CONTROL_OR_CR = bytes((*range(0x00, 0x0A), *range(0x0B, 0x20), 0x7F))
_MONTH_DIGITS = {
    "Jan": "01", "Feb": "02", "Mar": "03", "Apr": "04", "May": "05", "Jun": "06",
    "Jul": "07", "Aug": "08", "Sep": "09", "Oct": "10", "Nov": "11", "Dec": "12",
}  # fmt: skip

_CONTEXT_SECONDS = 2  # follow-ups of a request are logged within milliseconds
_MATCH_SECONDS = 60  # a Completed line can come many seconds after its Request
_WEB_LINK_SECONDS = 6 * 3600  # a 2013 web transcode session ties timelines from its IP this long
_MAP_SIZE = 4096
_TAIL_CACHED = 1024  # a longer [Now]/Statistics text is read again each time, never kept: 1,024 client-
# written lines of 1 MB each would otherwise hold a gigabyte


@dataclass(slots=True)
class ParseStats:
    """What was read and what was skipped (never fatal). Only lines carrying a playback marker
    are decoded (less those that would add nothing, see `_unread`), so `skipped_garbled`/
    `unknown_format`/`skipped_binary` count among those; NUL-carrying and over-long lines are
    counted among all."""

    lines: int = 0
    events: int = 0  # reports (first versions); `updates` counts the enriched re-emissions
    updates: int = 0
    skipped_garbled: int = 0
    skipped_too_long: int = 0
    skipped_binary: int = 0
    unknown_format: int = 0

    def skipped(self) -> int:
        return self.skipped_garbled + self.skipped_too_long + self.skipped_binary + self.unknown_format


@dataclass(slots=True)
class _Report:
    no: int
    time: str
    sec: int
    state: str
    rating_key: str | None
    position: int | None
    duration: int | None
    ip: str | None
    addr: str | None
    tid: str | None
    reqid: str | None
    client_id: str | None = None
    product: str | None = None
    platform: str | None = None
    device: str | None = None
    account: str | None = None
    session: str | None = None
    ident: str | None = None  # `Client [..]` / X-Plex-Session-Identifier
    emitted_client: str | None = None  # what the last emitted version said
    emitted_account: str | None = None
    emitted_device: str | None = None
    has_client_line: bool = False
    learned: tuple[Any, ...] | None = None  # what _learn last wrote for this report …
    learned_epoch: int = -1  # … and the parser's _learn_epoch right after
    # `Token ()`: no token presented. Plex logs the Request line before deciding, so the report
    # is held (no event, nothing learned) until a line shows Plex served it, or dropped if refused
    held: bool = False
    refused: bool = False
    anonymous: bool = False  # no token: never given an account learned from its (claimed) client id


@dataclass(frozen=True, slots=True)
class Rejected:
    """A playback report Plex refused (no token, completed 401/403): counted, never a play."""

    time: str  # ISO local of its Request line
    ip: str | None
    status: int
    client_id: str | None  # what the request claimed (untrusted)


@dataclass(slots=True)
class _Transcode:
    session: str
    sec: int
    rating_key: str | None
    client_id: str | None
    product: str | None
    platform: str | None
    device: str | None


class _Bounded(OrderedDict[Any, Any]):
    """A dict that forgets its oldest entries: parser memory stays flat on endless logs.

    "Oldest" is by last `put`; the parser's learning maps skip a put that would write the value
    an entry already holds, so there it means the entry least recently *changed*."""

    def __init__(self, limit: int = _MAP_SIZE) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: Any, value: Any) -> None:
        self[key] = value  # an existing key keeps its place: move it to the newest end
        self.move_to_end(key)
        if len(self) > self.limit:
            self.popitem(last=False)


def _query(text: str) -> dict[str, str]:
    """The query parameters the parser uses (a full parse_qsl of every query is wasted time)."""
    query: dict[str, str] = {}
    for part in text.split("&"):
        name, _, value = part.partition("=")
        if name in _QUERY_KEYS:
            if "%" in value or "+" in value:
                # `key=%2Flibrary%2Fmetadata%2F378` on every report: the one escape, replaced directly
                plain = value.replace("%2F", "/")
                value = plain if "%" not in plain and "+" not in plain else unquote_plus(value)
            query[name] = value
    return query


def _seconds(iso: str) -> int:
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


_MINUTES: dict[str, int] = {}  # "YYYY-MM-DDTHH:MM" -> _seconds of its :00 (a log stays in a few minutes)


def _int(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        try:
            return int(float(value))
        except ValueError:
            return None


def _split_addr(addr: str) -> tuple[str, str]:
    ip, _, port = addr.rpartition(":")
    if not ip:
        return addr, ""
    if ip.startswith("::ffff:"):
        ip = ip[7:]
    return ip.strip("[]"), port


def _modern_line(text: str) -> LogLine | None:
    """`parse_line(text)` for a well-formed 1.x line, else None (then parse_line decides)."""
    match = _MODERN_PREFIX.match(text)
    if match is None:
        return None
    month = _MONTH_DIGITS.get(text[0:3])
    day, hour, second = text[4:6], text[13:15], text[19:21]
    if month is None or not ("01" <= day <= "31" and hour <= "23" and second <= "60"):
        return None
    message = text[match.end() :]
    if message.endswith("\r"):
        message = message[:-1]
    return LogLine(f"{text[8:12]}-{month}-{day}T{text[13:25]}", match.group(1), match.group(2), message, True)


def _rating_from(query: dict[str, str]) -> str | None:
    rk = query.get("ratingKey")
    if rk:
        return rk
    for name in ("key", "path"):
        found = _METADATA.search(query.get(name, ""))
        if found:
            return found.group(1)
    return None


def _read_tail(kind: int, tail: bytes) -> tuple[str, str | None] | None:
    """What a [Now] User / [Now] Device / Statistics line says after its fixed head (ASCII);
    None when it does not read as one (the general path then decides)."""
    if kind == _USER:
        user = _FAST_USER.match(tail)
        return None if user is None else (user.group("id").decode(), user.group("user").decode())
    if kind == _DEVICE:
        device = _FAST_DEVICE.match(tail)
        if device is None:
            return None
        return device.group("platform").decode(), device.group("name").decode() or None
    statistics = _FAST_STATISTICS.match(tail)
    if statistics is None:
        return None
    account = statistics.group("account")
    return statistics.group("client").decode(), account.decode() if account is not None else None


def _learned_state(report: _Report) -> tuple[Any, ...]:
    """What _learn reads of a report: the same again (and no map changed since) means a new
    _learn would change nothing."""
    return (report.client_id, report.addr, report.ident, report.rating_key,
            report.product, report.platform, report.device, report.account)  # fmt: skip


def _completed_reqid(buf: bytes, start: int, pos: int, end: int) -> str | None:
    """The `#id` of the 1.x `Completed:` line `buf[start:end]`, whose URL holds the marker found
    at `pos`; None for any other line. (The URL has no spaces, so the first ` #id` after `pos`
    is the one after the URL.)"""
    if buf.find(b" - Completed: [", start, pos) < 0:
        return None
    found = _FAST_REQ_ID.search(buf, pos, end)
    return None if found is None else found.group(1).decode("ascii")


class PlaybackParser:
    """Stateful, pure correlator: feed lines in log order, get PlaybackEvents. Never raises."""

    fast_paths = True  # False: every line takes the general path (tests compare the two)

    def __init__(self) -> None:
        self.stats = ParseStats()
        self._count = 0
        self._out: list[tuple[int, PlaybackEvent]] = []
        self._by_req: _Bounded = _Bounded()
        self._by_thread: _Bounded = _Bounded(256)
        self._recent: deque[_Report] = deque(maxlen=256)
        self._addr_client: _Bounded = _Bounded()
        self._ident_client: _Bounded = _Bounded()
        self._client_info: _Bounded = _Bounded()
        self._account_names: _Bounded = _Bounded(256)
        self._web_by_ip: _Bounded = _Bounded(256)
        self._client_transcode: _Bounded = _Bounded()
        self._client_session: _Bounded = _Bounded()
        # bumped by every write to _addr_client, _ident_client, _client_session, _client_info:
        # unchanged since a report's last _learn means learning it again would change nothing
        self._learn_epoch = 0
        self._connections: dict[bytes, tuple[str, str]] = {}  # `ip:port` of a Request -> (it, ip)
        self._rejected: list[Rejected] = []  # refused reports since the last take_rejected()
        self.rejected_total = 0  # reports Plex refused (`Token ()` then 401/403): never events
        # what each distinct [Now] User / [Now] Device / Statistics text said (see _follow_up)
        self._tails: dict[int, dict[bytes, tuple[str, str | None] | None]] = {
            _USER: {},
            _DEVICE: {},
            _STATISTICS_LINE: {},
        }

    # ----------------------------------------------------------------- entry points
    def take_rejected(self) -> list[Rejected]:
        """The reports Plex refused since the last call (for the suspicious-requests count)."""
        out, self._rejected = self._rejected, []
        return out

    def feed(self, line: bytes | str) -> list[PlaybackEvent]:
        """One line (with or without its newline) -> the events it creates or updates."""
        return [event for _, event in self.feed_reports(line)]

    def feed_reports(self, line: bytes | str) -> list[tuple[int, PlaybackEvent]]:
        """Like feed, with each event's report number (an update repeats its report's number)."""
        self.stats.lines += 1
        try:
            self._feed_one(line)
        except Exception:  # a parser bug must not stop the import; count the line and go on
            self.stats.skipped_garbled += 1
        out, self._out = self._out, []
        return out

    def feed_block(self, block: bytes, begin: int = 0, stop: int | None = None) -> list[tuple[int, PlaybackEvent]]:
        """A block of whole lines (as from LineBlocks) -> (report number, event), in log order.

        `block[begin:stop]` is read, without copying it (the import hands over whole chunks of
        megabytes). Only lines carrying a marker are looked at, found by a search per marker."""
        stats = self.stats
        if stop is None:
            stop = len(block)
        if stop <= begin:
            return []
        stats.lines += block.count(b"\n", begin, stop) + (0 if block[stop - 1] == 10 else 1)
        has_nul = block.find(b"\x00", begin, stop) >= 0
        if has_nul:
            stats.skipped_binary += sum(1 for line in block[begin:stop].split(b"\n") if b"\x00" in line)
        spans: dict[int, int] = {}
        find, rfind = block.find, block.rfind
        old = _OLD_STAMP.search(block, begin, min(stop, begin + (1 << 16))) is not None
        # lines that may add nothing, then not read (see _unread): line start -> where to look
        completed: dict[int, str] = {}  # a Completed line: its #id
        follow: dict[int, int] = {}  # a `[Req#id] ` [Now] User/Device or Statistics line: its marker
        for index, marker in enumerate(_OLD_SCAN if old else _MODERN_SCAN):
            search = marker.search
            hit = search(block, begin, stop)
            while hit is not None:
                pos = hit.start()
                start = rfind(b"\n", begin, pos) + 1 or begin
                end = find(b"\n", pos, stop)
                if end < 0:
                    end = stop
                if index < 3 and end - start <= MAX_LINE_BYTES:  # the first marker of a line decides
                    if index == 0:
                        if find(b" - Completed: [", start, pos) >= 0:
                            reqid = _completed_reqid(block, start, pos, end)
                            if reqid is not None:
                                completed[start] = reqid
                    elif start not in spans and block[pos - 2 : pos] == b"] ":
                        follow[start] = pos
                spans[start] = end
                hit = search(block, end, stop)
        fast_line = _FAST_LINE.match if self.fast_paths else None
        follow_up, dispatch, general = self._follow_up, self._dispatch, self._examine_general
        by_req, adds_nothing = self._by_req, self._adds_nothing
        for start in sorted(spans):
            if start in completed:
                known = by_req.get(completed[start])
                if isinstance(known, _Report) and not known.held:
                    continue  # the Completed line of a report already made
            elif start in follow and adds_nothing(block, start, follow[start], spans[start]):
                continue
            line = block[start : spans[start]]
            if has_nul and b"\x00" in line:
                continue  # already counted above
            try:
                # _examine, inlined: this loop runs for every marker line
                fast = fast_line(line) if fast_line is not None else None
                if (
                    fast is not None
                    and line.isascii()
                    and len(line) <= MAX_LINE_BYTES
                    and line.translate(None, _CONTROL_OR_CR) == line
                ):
                    kind = fast.lastindex
                    if kind is not None and kind >= _USER and follow_up(fast, kind, line):
                        continue
                    text = line.decode("ascii")
                    iso = f"{text[8:12]}-{_MONTH_DIGITS[text[0:3]]}-{text[4:6]}T{text[13:25]}"
                    thread, level = fast.group(1).decode(), fast.group(2).decode()
                    dispatch(LogLine(iso, thread, level, text[fast.end(3) :], True))
                else:
                    general(line)
            except Exception:
                stats.skipped_garbled += 1
        out, self._out = self._out, []
        return out

    # ----------------------------------------------------------------- line dispatch
    def _feed_one(self, line: bytes | str) -> None:
        stats = self.stats
        if isinstance(line, str):
            line = line.encode("utf-8", "surrogatepass")
        if len(line) > MAX_LINE_BYTES:
            stats.skipped_too_long += 1
            return
        if b"\x00" in line:
            stats.skipped_binary += 1
            return
        for index, marker in enumerate(MARKERS):
            if marker in line:
                # 0.9.x-only markers count only on 0.9.x lines, as in feed_block
                if (index < _MODERN_COUNT or _OLD_STAMP.search(line)) and not self._unread(line):
                    self._examine(line)
                return

    def _unread(self, line: bytes) -> bool:
        """feed_block's choice, for one line: True for a line not read at all (nor its damage
        counted) because it would add nothing — the Completed line of a report already made,
        or a [Now] User / [Now] Device / Statistics line that says what its report and the
        parser already hold (_adds_nothing). Every report of a play repeats those lines."""
        end = len(line) - 1 if line.endswith(b"\n") else len(line)
        pos = line.find(MARKERS[0], 0, end)
        if pos >= 0:
            reqid = _completed_reqid(line, 0, pos, end)
            known = self._by_req.get(reqid) if reqid is not None else None
            return isinstance(known, _Report) and not known.held
        hit = _MODERN_SCAN[1].search(line, 0, end)
        pos = hit.start() if hit is not None else line.find(MARKERS[3], 0, end)
        return pos >= 0 and line[pos - 2 : pos] == b"] " and self._adds_nothing(line, 0, pos, end)

    def _adds_nothing(self, buf: bytes, start: int, pos: int, end: int) -> bool:
        """Whether reading `buf[start:end]`, a `[Req#id] ` [Now] User / [Now] Device /
        Statistics line (its marker at `pos`), would change nothing: its report holds what the
        line says, was emitted as it is, and was learned since the maps last changed. Then the
        line's one effect, the recency of a [Now] User's account name, is applied here."""
        opening = buf.rfind(b"[Req#", start, pos)
        if opening < 0:
            return False
        report = self._by_req.get(buf[opening + 5 : pos - 2].decode("latin-1"))  # ids are ASCII hex
        if report.__class__ is not _Report or report.held:
            return False
        client, account = report.client_id, report.account
        if client != report.emitted_client or account != report.emitted_account:
            return False
        if client is not None and not (  # as _learn's own test: a new _learn would change nothing
            report.learned_epoch == self._learn_epoch and report.learned == _learned_state(report)
        ):
            return False
        kind = _STATISTICS_LINE if buf[pos] == 83 else _USER if buf[pos + 6] == 85 else _DEVICE  # "S…", "[Now] U…"
        if kind == _DEVICE:  # fills the platform and device only where the report has none
            return report.platform is not None and report.device is not None
        tail = buf[pos + (13 if kind == _STATISTICS_LINE else 14) : end]  # after "Statistics: (" / "[Now] User is "
        tails = self._tails[kind]
        if tail in tails:
            said = tails[tail]
        elif tail.isascii() and tail.translate(None, _CONTROL_OR_CR) == tail:
            said = _read_tail(kind, tail)
            if len(tails) >= 1024:
                tails.clear()
            if len(tail) <= _TAIL_CACHED:
                tails[tail] = said
        else:
            return False
        if said is None:
            return False
        names = self._account_names
        if kind == _USER:
            number, user = said
            if account is None or names.get(number) != user:
                return False
            names.move_to_end(number)  # as the put of what it holds already
            return True
        named, account_id = said
        return named == client and (account is not None or account_id is None or names.get(account_id) is None)

    def _examine(self, line: bytes) -> None:
        if self.fast_paths:
            fast = _FAST_LINE.match(line)
            if (
                fast is not None
                and line.isascii()
                and len(line) <= MAX_LINE_BYTES
                and line.translate(None, _CONTROL_OR_CR) == line
            ):
                kind = fast.lastindex
                if kind is not None and kind >= _USER and self._follow_up(fast, kind, line):
                    return
                text = line.decode("ascii")
                iso = f"{text[8:12]}-{_MONTH_DIGITS[text[0:3]]}-{text[4:6]}T{text[13:25]}"
                thread, level = fast.group(1).decode(), fast.group(2).decode()
                self._dispatch(LogLine(iso, thread, level, text[fast.end(3) :], True))
                return
        self._examine_general(line)

    def _examine_general(self, line: bytes) -> None:
        line = line.rstrip(b"\r\n")
        if len(line) > MAX_LINE_BYTES:
            self.stats.skipped_too_long += 1
            return
        if line.translate(None, _CONTROL_BYTES) != line:
            self.stats.skipped_binary += 1
            return
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            text = line.decode("utf-8", "replace")
        self._examine_text(text)

    def _follow_up(self, fast: re.Match[bytes], kind: int, line: bytes) -> bool:
        """Handle a follow-up line _FAST_LINE recognised, as the general path would; False: not
        handled (then the general dispatch does it). `line` is ASCII without control characters,
        so the bytes patterns read exactly what the str patterns of the general path read."""
        if kind == _COMPLETED_LINE:
            completed = _FAST_COMPLETED.match(line, fast.end())
            if completed is None:
                return False
            if completed.group(1) not in _REPORT_PATHS:
                return True  # not a playback report: the general path ignores it too
            found = _FAST_REQ_ID.search(line, completed.end())
            known = self._by_req.get(found.group(1).decode()) if found is not None else None
            # the Request line already made this report: nothing to add (a held one: the
            # general path reads its status)
            return isinstance(known, _Report) and not known.held
        if kind == _REQUEST_LINE:
            return self._fast_request(fast, line)
        reqid = fast.group(4)
        if reqid is None:
            return False
        report = self._by_req.get(reqid.decode())
        if not isinstance(report, _Report):
            return False
        if report.held:
            if report.refused:
                return True  # a refused report: nothing it says counts
            self._release(report)  # Plex is handling it: it was accepted
        if kind == _CLIENT_LINE:
            client = _FAST_CLIENT.match(line, fast.end())
            if client is None:
                return False
            ident, state, duration = client.group(1, 2, 4)
            if state not in _PLAYBACK_STATES_BYTES:
                return False
            found = _FAST_RATING.search(line, client.end())
            rating_key = found.group(1).decode() if found else None
            if report.rating_key not in (None, rating_key):
                return False
            self._client_line(report, ident.decode() or None, int(duration))
            return True
        # [Now] User / [Now] Device / Statistics: the same few texts again and again (one per
        # client), so what each says is read once and remembered
        tails = self._tails[kind]
        tail = line[fast.end() :]
        if tail in tails:
            said = tails[tail]
        else:
            said = _read_tail(kind, tail)
            if len(tails) >= 1024:
                tails.clear()
            if len(tail) <= _TAIL_CACHED:
                tails[tail] = said
        if said is None:
            return False
        if kind == _USER:
            number, user = said
            self._account_names.put(number, user)
            self._enrich(report, account=user)
        elif kind == _DEVICE:
            platform, device = said
            if report.platform is None:
                report.platform = platform
            if report.device is None:
                report.device = device
            self._learn(report)
        else:
            named, account_id = said
            account = self._account_names.get(account_id) if account_id is not None else None
            self._enrich(report, client_id=named, account=account)
        return True

    def _fast_request(self, fast: re.Match[bytes], line: bytes) -> bool:
        """A 1.x `Request: [` line _FAST_LINE recognised, read on the bytes as _on_request reads
        the text; False (nothing done) for what only the general path handles (transcodes)."""
        match = _FAST_REQUEST.match(line, fast.end())
        if match is None:
            return False  # garbled: the general path counts it
        path, _, query_text = match.group(2).partition(b"?")
        if path not in _REPORT_PATHS:
            return b"/transcode/" not in path  # True: not playback, ignored as _on_request does
        head, _, dump = line[match.end() :].partition(b" / ")
        query = _query(query_text.decode("ascii"))
        ident = {**query, **self._headers(dump.decode("ascii"))} if dump else query
        req = _FAST_REQ_ID.search(head)
        user = _FAST_TOKEN_USER.search(head)
        connection = self._connections.get(match.group(1))  # a client keeps its connection open
        if connection is None:
            addr = match.group(1).decode("ascii")
            connection = addr, _split_addr(addr)[0]
            if len(self._connections) >= _MAP_SIZE:
                self._connections.clear()
            self._connections[match.group(1)] = connection
        addr, ip = connection
        stamp = line[:25].decode("ascii")
        report = self._report_from_query(
            f"{stamp[8:12]}-{_MONTH_DIGITS[stamp[0:3]]}-{stamp[4:6]}T{stamp[13:25]}",
            fast.group(1).decode("ascii"),
            query,
            addr,
            ip,
            req.group(1).decode("ascii") if req else None,
        )
        if report is not None:
            report.account = user.group(1).decode("ascii") or None if user else None
            # `Token ()` without `Signed-in`: no valid token presented (`Signed-in Token ()` was)
            report.held = report.anonymous = user is not None and not user.group(1) and b"Signed-in" not in head
            if not _IDENTITY_KEYS.isdisjoint(ident):  # most apps send their identity as headers
                self._identity_from(report, ident, modern=True)
            self._start_report(report)
        return True

    def _examine_text(self, text: str) -> None:
        parsed = _modern_line(text)
        if parsed is None:
            try:
                parsed = parse_line(text)
            except LineError as exc:
                if exc.garbled:
                    self.stats.skipped_garbled += 1
                else:
                    self.stats.unknown_format += 1
                return
        self._dispatch(parsed)

    def _dispatch(self, parsed: LogLine) -> None:
        reqid, message = split_request_prefix(parsed.message)
        if message.startswith("Request: "):
            self._on_request(parsed, message)
        elif message.startswith("Completed"):
            self._on_completed(parsed, message)
        elif message.startswith("Client ["):
            self._on_client(parsed, reqid, message)
        elif message.startswith("[Now] "):
            self._on_now(parsed, reqid, message)
        elif message.startswith("Statistics: ("):
            self._on_statistics(parsed, reqid, message)
        elif "Terminated session" in message:
            self._on_terminated(message)
        # anything else merely mentions a marker (e.g. /player/timeline/poll): not playback

    # ----------------------------------------------------------------- handlers
    def _on_request(self, line: LogLine, message: str) -> None:
        match = _REQUEST.match(message)
        if match is None:
            match = _REQUEST_2013.match(message)
            if match is None:
                self.stats.skipped_garbled += 1
                return
        path, _, query_text = match.group("url").partition("?")
        rest = match.group("rest")
        head, _, dump = rest.partition(" / ")
        kind = self._kind(path)
        if kind is None:
            return
        query = _query(query_text)
        ident = {**query, **self._headers(dump)} if dump else query
        req = _REQ_ID.search(head)
        reqid = req.group(1) if req else None
        user = _TOKEN_USER.search(head)
        account = user.group(1) or None if user else None
        addr = match.group("addr")
        ip, _ = _split_addr(addr)
        if kind == "transcode":
            self._on_transcode_start(line, query, ident, addr, ip, reqid)
            return
        if kind == "transcode-stop":
            self._forget_transcode(query.get("session"))
            return
        report = self._report_from_query(line.time, line.thread, query, addr, ip, reqid)
        if report is None:
            return
        report.account = account
        report.held = report.anonymous = user is not None and not user.group(1) and "Signed-in" not in head
        self._identity_from(report, ident, modern=line.modern)
        self._start_report(report)

    def _on_completed(self, line: LogLine, message: str) -> None:
        match = _COMPLETED.match(message)
        if match is None:
            self.stats.skipped_garbled += 1
            return
        path, _, query_text = match.group("url").partition("?")
        if self._kind(path) != "report":
            return
        rest = match.group("rest")
        status = _int(match.group("status"))
        if status is None:
            old = _OLD_STATUS.search(rest)
            status = _int(old.group(1)) if old else None
        req = _REQ_ID.search(rest)
        reqid = req.group(1) if req else None
        made = self._by_req.get(reqid) if reqid is not None else None
        if isinstance(made, _Report):
            if made.held:
                self._settle(made, status)
            return  # the Request line already made this report
        query = _query(query_text)
        addr = match.group("addr")
        ip, _ = _split_addr(addr)
        report = self._report_from_query(line.time, line.thread, query, addr, ip, reqid)
        if report is None:
            return
        known = self._match_recent(report, addr=addr)
        if known is not None:
            if known.held:
                self._settle(known, status)
                return
            if known.ip is None:  # e.g. the Client line came first: learn where it came from
                known.ip, known.addr = ip, addr
                self._learn(known)
            return
        if status is not None and (status >= 400 or status < 0):
            return  # a refused report that no earlier line announced: nothing happened
        self._identity_from(report, query, modern=line.modern)
        self._start_report(report)

    def _on_client(self, line: LogLine, reqid: str | None, message: str) -> None:
        match = _CLIENT.match(message)
        if match is None:
            self.stats.skipped_garbled += 1
            return
        state = match.group("state")
        if state not in PLAYBACK_STATES:
            self.stats.skipped_garbled += 1
            return
        found = _CLIENT_RATING.search(match.group("rest"))
        rating_key = found.group(1) if found else None
        position, duration = _int(match.group("time")), _int(match.group("duration"))
        ident = match.group("ident") or None
        report = self._context(line, reqid)
        if report is not None and report.rating_key not in (None, rating_key):
            report = None
        if report is None:
            probe = _Report(0, line.time, _seconds(line.time), state, rating_key, position, duration,
                            None, None, line.thread, reqid)
            report = self._match_recent(probe, ident=ident)
        if report is None:
            report = _Report(0, line.time, _seconds(line.time), state, rating_key, position, duration,
                             None, None, line.thread, reqid)
            report.has_client_line = True
            if line.modern:
                report.ident = ident
                report.session = ident
            else:
                report.client_id = ident  # 0.9.x: the bracket holds the client identifier
            self._start_report(report)
            return
        if not line.modern:
            report.has_client_line = True
            if report.duration is None:
                report.duration = duration
            self._enrich(report, client_id=ident)
            return
        self._client_line(report, ident, duration)

    def _client_line(self, report: _Report, ident: str | None, duration: int | None) -> None:
        """What a 1.x `Client [ident] reporting …` line adds to the report it belongs to."""
        report.has_client_line = True
        if report.duration is None:
            report.duration = duration
        if ident:
            report.ident = report.ident or ident
            report.session = report.session or ident
            client = self._ident_client.get(ident)
            if client:
                self._enrich(report, client_id=client)
            elif report.client_id:
                self._ident_client.put(ident, report.client_id)
                self._learn_epoch += 1

    def _on_now(self, line: LogLine, reqid: str | None, message: str) -> None:
        user = _NOW_USER.match(message)
        if user is not None:
            name, number = user.group("user"), user.group("id")
            self._account_names.put(number, name)
            report = self._context(line, reqid)
            if report is not None:
                self._enrich(report, account=name)
            return
        device = _NOW_DEVICE.match(message)
        if device is not None:
            report = self._context(line, reqid)
            if report is not None:
                if report.platform is None:
                    report.platform = device.group("platform")
                if report.device is None:
                    report.device = device.group("name") or None
                self._learn(report)
                if not line.modern:  # 1.x names the client (and re-emits) on its Statistics line
                    self._device_named(report)

    def _on_statistics(self, line: LogLine, reqid: str | None, message: str) -> None:
        match = _STATISTICS.match(message)
        if match is None:
            return
        report = self._context(line, reqid)
        if report is None:
            return
        account_id = match.group("account")
        name = self._account_names.get(account_id) if account_id is not None else None
        self._enrich(report, client_id=match.group("client"), account=name)

    def _on_terminated(self, message: str) -> None:
        match = _TERMINATED.search(message)
        if match is None:
            return
        session = match.group("session")
        session = session.rpartition(":")[2]
        self._forget_transcode(session.rpartition("-")[2] if "-r0-" in session else session)

    def _on_transcode_start(
        self, line: LogLine, query: dict[str, str], ident: dict[str, str], addr: str, ip: str, reqid: str | None
    ) -> None:
        if reqid is not None:
            self._by_req.put(reqid, None)
        session = query.get("session")
        if not session:
            return
        client = ident.get("X-Plex-Client-Identifier") or self._addr_client.get(addr)
        transcode = _Transcode(
            session=session,
            sec=_seconds(line.time),
            rating_key=_rating_from(query),
            client_id=client,
            product=ident.get("X-Plex-Product"),
            platform=ident.get("X-Plex-Platform") or ident.get("X-Plex-Client-Platform"),
            device=ident.get("X-Plex-Device-Name"),
        )
        if not line.modern:  # 2013 web playback only: never tie a 1.x client to an IP
            self._web_by_ip.put(ip, transcode)
        if client:
            self._client_transcode.put(client, transcode)
            self._addr_client.put(addr, client)
            self._learn_epoch += 1
            old = self._client_info.get(client) or (None, None, None, None)
            self._client_info.put(
                client,
                (transcode.product or old[0], transcode.platform or old[1], transcode.device or old[2], old[3]),
            )

    # ----------------------------------------------------------------- correlation
    @staticmethod
    def _kind(path: str) -> str | None:
        if path in ("/:/timeline", "/:/timeline/", "/:/progress"):
            return "report"
        if "/transcode/" in path:
            if path.endswith("/stop"):
                return "transcode-stop"
            if "/start" in path or path.endswith("/decision"):
                return "transcode"
        return None

    @staticmethod
    def _headers(dump: str) -> dict[str, str]:
        """The X-Plex-* values of PMS's header dump (` / Key => value / …`). A value is the
        client's own text and may hold ` / Key => v` itself, so one header could seem to set
        another: a key that appears twice is taken from neither part (the Statistics line and the
        server's sessions list name the client), and each of its parts stays in the value before
        it (a device name "Emma / X-Plex-Client-Identifier => tv" stays whole)."""
        parts = [(part, *part.partition(" => ")) for part in dump.split(" / ")]
        seen: dict[str, int] = {}
        for _, key, sep, _ in parts:
            if sep:
                seen[key] = seen.get(key, 0) + 1
        values: list[list[str]] = []  # [key, value] in order; a repeated key's parts join the one before
        for part, key, sep, value in parts:
            if sep and seen[key] == 1:
                values.append([key, value])
            elif values:
                values[-1][1] += " / " + part
        return {key: value.strip() for key, value in values if key.startswith("X-Plex-")}

    def _report_from_query(
        self, time: str, thread: str | None, query: dict[str, str], addr: str | None, ip: str | None,
        reqid: str | None,
    ) -> _Report | None:
        state = query.get("state")
        if state is None:
            if "time" not in query:
                self.stats.skipped_garbled += 1
                return None
            state = "playing"  # old /:/progress calls without a state
        if state not in PLAYBACK_STATES:
            self.stats.skipped_garbled += 1
            return None
        return _Report(
            0,
            time,
            _seconds(time),
            state,
            _rating_from(query),
            _int(query.get("time")),
            _int(query.get("duration")),
            ip,
            addr,
            thread,
            reqid,
        )

    def _identity_from(self, report: _Report, ident: dict[str, str], *, modern: bool) -> None:
        report.client_id = report.client_id or ident.get("X-Plex-Client-Identifier") or None
        report.product = report.product or ident.get("X-Plex-Product") or None
        report.platform = (
            report.platform or ident.get("X-Plex-Platform") or ident.get("X-Plex-Client-Platform") or None
        )
        report.device = report.device or ident.get("X-Plex-Device-Name") or ident.get("X-Plex-Device") or None
        session_ident = ident.get("X-Plex-Session-Identifier")
        if session_ident:
            report.ident = session_ident
            report.session = session_ident

    def _context(self, line: LogLine, reqid: str | None) -> _Report | None:
        """The report a follow-up line belongs to: by [Req#id], else by its thread."""
        if reqid is not None:
            found = self._by_req.get(reqid)
        elif line.thread is None:
            return None
        else:
            found = self._by_thread.get(line.thread)
            if isinstance(found, _Report) and _seconds(line.time) - found.sec > _CONTEXT_SECONDS:
                return None
        if not isinstance(found, _Report):
            return None
        if found.held:
            if found.refused:
                return None  # a refused report: nothing it says counts
            self._release(found)  # Plex is handling it: it was accepted
        return found

    def _match_recent(self, probe: _Report, *, addr: str | None = None, ident: str | None = None) -> _Report | None:
        for report in reversed(self._recent):
            if report.sec < probe.sec - _MATCH_SECONDS:
                break
            if report.refused:
                continue
            if (
                report.rating_key == probe.rating_key
                and report.state == probe.state
                and report.position == probe.position
                and (addr is None or report.addr in (None, addr))
                and (ident is None or report.ident in (None, ident))
            ):
                return report
        return None

    def _start_report(self, report: _Report) -> None:
        self._count += 1
        report.no = self._count
        self._fill_identity(report)
        if report.reqid is not None:
            self._by_req.put(report.reqid, report)
        if report.tid is not None:
            self._by_thread.put(report.tid, report)
        self._recent.append(report)
        if report.held:
            return  # until Plex shows it served it (_release) or refused it (_settle)
        self._learn(report)
        self.stats.events += 1
        self._emit(report)

    def _release(self, report: _Report) -> None:
        """A held report Plex served after all (a network allowed without a token): a play with
        no account, as before — the engine acts on it only once the server lists it."""
        report.held = False
        self._learn(report)
        self.stats.events += 1
        self._emit(report)

    def _settle(self, report: _Report, status: int | None) -> None:
        """The Completed line of a held report: served → released; refused → dropped (401/403
        counted as rejected: a forged report must make no play, no history, no stop)."""
        if status is not None and 0 <= status < 400:
            self._release(report)
            return
        report.refused = True
        if status in (401, 403):
            self.rejected_total += 1
            self._rejected.append(Rejected(report.time, report.ip, status, report.client_id))

    def _fill_identity(self, report: _Report) -> None:
        if report.client_id is None and report.addr is not None:
            report.client_id = self._addr_client.get(report.addr)
        if report.client_id is None and report.ident is not None:
            report.client_id = self._ident_client.get(report.ident)
        if report.client_id is None and report.product is None and report.device is None and report.ip:
            web = self._web_by_ip.get(report.ip)  # 2013 Plex/Web: no identity on its timeline calls
            if web is not None and report.sec - web.sec <= _WEB_LINK_SECONDS:
                report.client_id = web.client_id
                report.session = report.session or web.session
                report.product, report.platform, report.device = web.product, web.platform, web.device
        if report.client_id is not None:
            info = self._client_info.get(report.client_id)
            if info is not None:
                report.product = report.product or info[0]
                report.platform = report.platform or info[1]
                report.device = report.device or info[2]
                if not report.anonymous:  # an unauthenticated request never borrows an account
                    report.account = report.account or info[3]
            if report.session is None:
                known = self._client_session.get(report.client_id)
                if known is not None and known[1] == report.rating_key:
                    report.session = known[0]
            if report.session is None:
                transcode = self._client_transcode.get(report.client_id)
                if transcode is not None and transcode.rating_key == report.rating_key:
                    report.session = transcode.session

    def _learn(self, report: _Report) -> None:
        client = report.client_id
        if client is None or report.held:
            return
        state = _learned_state(report)
        if report.learned_epoch == self._learn_epoch and report.learned == state:
            return  # nothing changed in the maps or the report since its last _learn
        # a map entry is written only when its value changes: most reports repeat what their
        # client's previous report taught, and a write costs more than the look-up
        changed = False
        addr, ident = report.addr, report.ident
        if addr is not None and self._addr_client.get(addr) != client:
            self._addr_client.put(addr, client)
            changed = True
        if ident is not None:
            if self._ident_client.get(ident) != client:
                self._ident_client.put(ident, client)
                changed = True
            session = (ident, report.rating_key)
            if self._client_session.get(client) != session:
                self._client_session.put(client, session)
                changed = True
        old = self._client_info.get(client)
        if old is None:
            info = (report.product, report.platform, report.device, report.account)
        else:
            info = (
                report.product or old[0],
                report.platform or old[1],
                report.device or old[2],
                report.account or old[3],
            )
        if info != old:
            self._client_info.put(client, info)
            changed = True
        if changed:
            self._learn_epoch += 1
        report.learned, report.learned_epoch = state, self._learn_epoch

    def _enrich(self, report: _Report, *, client_id: str | None = None, account: str | None = None) -> None:
        """Add what a later line of the report says; re-emit if the client or account changed."""
        if report.held:
            if report.refused:
                return
            self._release(report)
        if client_id and report.client_id != client_id:
            report.client_id = client_id  # a line naming the client outranks a connection guess
            self._fill_identity(report)
        if account and report.account is None:
            report.account = account
        self._learn(report)
        if (report.client_id, report.account) != (report.emitted_client, report.emitted_account):
            self.stats.updates += 1
            self._emit(report)

    def _device_named(self, report: _Report) -> None:
        """A `[Now] Device is` line named the device of a report already emitted (0.9.x writes
        it right after the report, in the same thread and second): say the report again."""
        if report.device is not None and report.device != report.emitted_device:
            self.stats.updates += 1
            self._emit(report)

    def _emit(self, report: _Report) -> None:
        if report.held:
            return
        report.emitted_client = report.client_id
        report.emitted_account = report.account
        report.emitted_device = report.device
        self._out.append(
            (
                report.no,
                PlaybackEvent(  # positional (in field order): a keyword call costs more, per report
                    report.time,
                    report.state,
                    report.rating_key,
                    report.position,
                    report.duration,
                    report.client_id,
                    report.product,
                    report.platform,
                    report.device,
                    report.ip,
                    report.account,
                    report.session,
                ),
            )
        )

    def _forget_transcode(self, session: str | None) -> None:
        if not session:
            return
        for ip, transcode in list(self._web_by_ip.items()):
            if transcode.session == session:
                del self._web_by_ip[ip]
