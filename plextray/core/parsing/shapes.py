"""The one table of line shapes the parser reads, and what is derived from it.

Each row says everything about one kind of Plex log line: the markers that get its line read
at all, the head its message starts with, the text patterns the general reader (the
specification) reads it with and the method that handles what they found, and optionally its
byte-level twin for the accelerator (`fast.py`). Kind numbers are row positions, and the fast
prefix pattern, its group numbers, the marker list and the scan passes are all built from the
table, so supporting a new line is one row (and, if the speed goal needs it, a fast twin).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from plextray.core.linear import BracketedAfter, DeviceShape


@dataclass(frozen=True, slots=True)
class LineShape:
    """One kind of line: how it is found, what reads it (text: the specification; bytes: the
    accelerator, which must read exactly what the text patterns read, or decline)."""

    name: str
    markers: tuple[bytes, ...]  # a line holding none of these is never decoded
    head: str  # the message (after an optional `[Req#id] `) starts with it (or holds it: `anywhere`)
    text: tuple[Any, ...]  # patterns tried in order on the message; the first match is handed to `read`
    read: str  # the GeneralReader method called with (LogLine, reqid, match)
    garbled_unless_read: bool = False  # a line with the head that no pattern reads is counted garbled
    anywhere: bool = False  # the head may be anywhere in the message (then the patterns `search`)
    old_markers: tuple[bytes, ...] = ()  # markers that bring a line only on 0.9.x lines
    fast_head: bytes | None = None  # the head right after the 1.x prefix (None: general reader only)
    fast: Any = None  # the byte twin of `text`, matched where fast_head ends
    fast_read: str | None = None  # the FastReader method called with (match, line, shape): True = handled
    repeats: bool = False  # repeated by every report of a play: left unread when it adds nothing


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
_STATISTICS = re.compile(
    r"Statistics: \((?P<client>[^)\s]+)\) Reporting (?P<what>\w+) playback(?:.*? for account (?P<account>-?\d+))?"
)
_NOW_USER = re.compile(r"\[Now\] User is (?P<user>.+) \(ID: (?P<id>-?\d+)\)\s*$")
_NOW_DEVICE = DeviceShape("[Now] Device is ")  # r"\[Now\] Device is (?P<platform>.+?) \((?P<name>.*)\)\.?\s*$"
_TERMINATED = re.compile(r"Terminated session (?P<session>\S+) with reason")

# The byte twins, matched after their head on an ASCII line without control characters or "\r"
# (so its only whitespace is " ", and `[^ ]` reads what `\S` reads: one-byte classes are faster)
_FAST_CLIENT = re.compile(
    rb"(?P<ident>[^\]]*)\] reporting timeline state (?P<state>\w+), progress of (?P<time>-?\d+)/(?P<duration>-?\d+)ms"
)
_FAST_USER = re.compile(rb"(?P<user>.+) \(ID: (?P<id>-?\d+)\)\s*$")
_FAST_DEVICE = DeviceShape(b"")  # rb"(?P<platform>.+?) \((?P<name>.*)\)\.?\s*$", in linear time
_FAST_STATISTICS = re.compile(
    rb"(?P<client>[^)\s]+)\) Reporting (?P<what>\w+) playback(?:.*? for account (?P<account>-?\d+))?"
)
_FAST_COMPLETED = re.compile(rb"[^\] ]+\] (?:-?\d+ )?[A-Z]+ (?=[^ ])([^? ]*)[^ ]*")  # group 1: the URL's path
_FAST_REQUEST = re.compile(rb"([^\] ]+)(?: \([^\]]*\))?\] [A-Z]+ ([^ ]+)")  # _REQUEST after "Request: ["

# Fields inside a line, text and bytes
REQ_ID = re.compile(r" #([0-9a-fA-F]+)\b")
FAST_REQ_ID = re.compile(rb" #([0-9a-fA-F]+)\b")
TOKEN_USER = BracketedAfter("Token ")  # r"Token \(([^)]*)\)", in linear time
FAST_TOKEN_USER = BracketedAfter(b"Token ")  # rb"Token \(([^)]*)\)", in linear time
CLIENT_RATING = re.compile(r"ratingKey=([^\s,&]+)")
FAST_RATING = re.compile(rb"ratingKey=([^\s,&]+)")
OLD_STATUS = re.compile(r" bytes (-?\d{3})\b")

TIMELINE = b"timeline"

# Row order fixes the marker order and so the scan order: `timeline` first (its pass finds the
# Completed lines of reports already made), then the repeated follow-ups, then the rest.
TABLE: tuple[LineShape, ...] = (
    LineShape("client", (TIMELINE,), "Client [", (_CLIENT,), "_on_client", garbled_unless_read=True,
              fast_head=b"Client [", fast=_FAST_CLIENT, fast_read="_fast_client"),
    LineShape("now_user", (b"[Now] User is ",), "[Now] ", (_NOW_USER,), "_on_now_user",
              fast_head=b"[Now] User is ", fast=_FAST_USER, fast_read="_fast_user", repeats=True),
    LineShape("now_device", (b"[Now] Device is ",), "[Now] ", (_NOW_DEVICE,), "_on_now_device",
              fast_head=b"[Now] Device is ", fast=_FAST_DEVICE, fast_read="_fast_device", repeats=True),
    LineShape("statistics", (b"Statistics: (",), "Statistics: (", (_STATISTICS,), "_on_statistics",
              fast_head=b"Statistics: (", fast=_FAST_STATISTICS, fast_read="_fast_statistics", repeats=True),
    LineShape("completed", (TIMELINE,), "Completed", (_COMPLETED,), "_on_completed", garbled_unless_read=True,
              old_markers=(b"/:/progress",),  # 0.9.x Plex Media Center
              fast_head=b"Completed: [", fast=_FAST_COMPLETED, fast_read="_fast_completed"),
    LineShape("request", (TIMELINE, b"universal/st", b"universal/decision"), "Request: ", (_REQUEST, _REQUEST_2013),
              "_on_request", garbled_unless_read=True,
              # universal/st: /video/:/transcode/universal/start… and …/stop (not …/session/ segments)
              old_markers=(b"segmented/start", b"/:/progress"),  # 0.9.x iOS HLS, Plex Media Center
              fast_head=b"Request: [", fast=_FAST_REQUEST, fast_read="_fast_request"),
    LineShape("terminated", (), "Terminated session", (_TERMINATED,), "_on_terminated", anywhere=True,
              old_markers=(b"Terminated session",)),
)  # fmt: skip

_FAST_PREFIX = (
    rb"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?:0[1-9]|[12][0-9]|3[01]), [0-9]{4} "
    rb"(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)\.[0-9]{3} "
    rb"\[([0-9]+|0x[0-9a-fA-F]+)\] ([A-Za-z]+) -  ?()"
    rb"(?:\[Req#([0-9a-fA-F]+)\] )?"
)
# the prefix's groups (the fast heads' groups follow, numbered by Shapes)
FAST_THREAD, FAST_LEVEL, FAST_MESSAGE, FAST_REQID = 1, 2, 3, 4  # fmt: skip


def _ordered(items: list[bytes]) -> tuple[bytes, ...]:
    return tuple(dict.fromkeys(items))


class Shapes:
    """What the parser needs of a table, compiled once: markers, scan passes, the fast prefix."""

    def __init__(self, table: tuple[LineShape, ...] = TABLE) -> None:
        if len({shape.name for shape in table}) != len(table):
            raise ValueError("two line shapes share a name")
        self.table = table
        self.kind = {shape.name: kind for kind, shape in enumerate(table)}  # kind = row position
        self.modern_markers = _ordered([m for shape in table for m in shape.markers])
        self.markers = _ordered([*self.modern_markers, *(m for shape in table for m in shape.old_markers)])
        self.modern_count = len(self.modern_markers)
        # One regex search per pass over a block (a literal head, found at C speed): markers with
        # the same first 6 bytes share a pass ("[Now] User|Device is ", "universal/st|decision").
        passes: list[list[bytes]] = []
        for marker in self.markers:
            if passes and passes[-1][0][:6] == marker[:6]:
                passes[-1].append(marker)
            else:
                passes.append([marker])
        scans = [re.compile(b"|".join(re.escape(m) for m in group)) for group in passes]
        modern = sum(1 for group in passes if group[0] in self.modern_markers)
        self.modern_scan: tuple[re.Pattern[bytes], ...] = tuple(scans[:modern])
        self.old_scan: tuple[re.Pattern[bytes], ...] = tuple(scans)
        # the pass whose hits may be the Completed line of a report already made, and the
        # passes whose hits may be repeated follow-ups (see PlaybackParser._unread)
        self.timeline_pass = passes.index([TIMELINE]) if [TIMELINE] in passes else -1
        repeated = {m: shape for shape in table if shape.repeats for m in shape.markers}
        for marker, shape in repeated.items():
            if marker != shape.fast_head:
                raise ValueError(f"{shape.name}: a repeated follow-up's marker must be its fast head")
        self.repeat_passes = frozenset(index for index, group in enumerate(passes) if all(m in repeated for m in group))
        self.repeated = repeated  # marker -> its shape
        # The fast prefix: a well-formed ASCII 1.x line, optionally `[Req#id] `, then one of the
        # fast heads, each its own group; group numbers map back to kinds, never hand-kept.
        fast = [(kind, shape) for kind, shape in enumerate(table) if shape.fast_head is not None]
        heads = b"|".join(b"(" + re.escape(shape.fast_head or b"") + b")" for _, shape in fast)
        self.fast_line = re.compile(_FAST_PREFIX + (b"(?:" + heads + b")?" if fast else b""))
        self.first_head_group = FAST_REQID + 1
        self.kind_of_group: tuple[int | None, ...] = (None,) * self.first_head_group + tuple(k for k, _ in fast)

    def shape_of(self, line: bytes) -> LineShape | None:
        """The shape whose fast head a well-formed 1.x line carries (tests and tools)."""
        match = self.fast_line.match(line)
        if match is None or match.lastindex is None or match.lastindex < self.first_head_group:
            return None
        kind = self.kind_of_group[match.lastindex]
        return None if kind is None else self.table[kind]


SHAPES = Shapes()
