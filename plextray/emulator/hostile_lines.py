"""Pathological Plex log lines: every playback line shape, stretched to the 1 MB line cap with
the runs that make a backtracking regex slow (` (`, `[`, `=>`, ` / `, spaces, …).

Why here: a client chooses its device name, product, platform and client id, and PMS logs them
(in the query string, a header dump, `[Now] Device is …`), so anyone on the LAN can write such a
line into Plex's log. tests/core/test_parsing_linear.py feeds each one to the parser, and
benchmarks/pathological.py prints the slowest per shape. The heads are the real shapes of
../shared/pms/log-lines.txt (blocks A, D, F) with the filler where a client's text goes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from plextray.core.logline import MAX_LINE_BYTES

_STAMP = b"Jan 12, 2022 13:42:24.403 [0x7f829a4aa8] DEBUG - "
_OLD_STAMP = b"Jul 04, 2013 19:34:28:773 [4600] DEBUG - "
REQ_ID = b"8ec76"

# A real report the hostile follow-up lines belong to (by [Req#8ec76]): without it they would
# stop at the first look-up and never reach the field readers.
REPORT = _STAMP + (
    b"Request: [192.168.1.208:43890 (Subnet)] GET /:/timeline?ratingKey=378&state=playing&time=3039038"
    b"&duration=5568563&X-Plex-Client-Identifier=c1 (4 live) #8ec76 TLS GZIP Signed-in Token (emma)"
)


@dataclass(frozen=True, slots=True)
class Shape:
    name: str
    head: bytes  # up to where the client's text starts
    tail: bytes = b""  # what the real line has after it


SHAPES: tuple[Shape, ...] = (
    Shape("request query", _STAMP + b"Request: [10.0.0.5:51234 (Subnet)] GET /:/timeline?state=playing&time=1&X-Plex-Device-Name=",
          b" (4 live) #8ec77 TLS GZIP Signed-in Token (emma)"),
    Shape("request rest", _STAMP + b"Request: [10.0.0.5:51234 (Subnet)] GET /:/timeline?state=playing&time=1 (4 live) #8ec78 ",
          b" Token (emma)"),
    Shape("header dump", _STAMP + b"Request: [10.0.0.5:51234 (Subnet)] GET /:/timeline?state=playing&time=1 (4 live) #8ec79 "
          b"Signed-in Token (emma) / X-Plex-Product => Plex Web / X-Plex-Device-Name => ",
          b" / X-Plex-Client-Identifier => c9"),
    Shape("request 2013", _OLD_STAMP + b"Request: GET /:/timeline?state=playing&time=1&X-Plex-Device-Name=",
          b" [192.168.1.9:5123] (6 live) GZIP"),
    Shape("request address", _STAMP + b"Request: [", b"] GET /:/timeline?state=playing&time=1"),
    Shape("completed", _STAMP + b"Completed: [10.0.0.5:51234] 200 GET /:/timeline?state=playing&time=1&X-Plex-Device-Name=",
          b" (4 live) #8ec7a TLS GZIP 2ms 158 bytes"),
    Shape("completed 0.9", _OLD_STAMP + b"Completed: [10.0.0.5:51234] GET /:/timeline?state=playing&time=1 ",
          b" GZIP 2ms 158 bytes 200 (pipelined: 8)"),
    Shape("client", _STAMP + b"[Req#8ec76] Client [",
          b"] reporting timeline state playing, progress of 3039038/5568563ms for guid=, ratingKey=378 url="),
    Shape("client rest", _STAMP + b"[Req#8ec76] Client [s1] reporting timeline state playing, progress of 3039038/5568563ms",
          b" ratingKey=378"),
    Shape("now user", _STAMP + b"[Req#8ec76] [Now] User is ", b" (ID: 1)"),
    Shape("now device", _STAMP + b"[Req#8ec76] [Now] Device is ", b")."),
    Shape("now device name", _STAMP + b"[Req#8ec76] [Now] Device is Android (", b")."),
    Shape("statistics", _STAMP + b"[Req#8ec76] Statistics: (", b") Reporting active playback in state 0 for account 1"),
    Shape("statistics rest", _STAMP + b"[Req#8ec76] Statistics: (c1) Reporting active playback in state 0 ", b" for account 1"),
    Shape("terminated", _STAMP + b"[Req#34f592] Streaming Resource: Terminated session ", b" with reason Client stopped playback."),
    Shape("transcode", _STAMP + b"Request: [10.0.0.5:51234] GET /video/:/transcode/universal/start?session=s1&X-Plex-Device-Name=",
          b" (4 live) #8ec7b"),
    Shape("no prefix", b"", b" timeline"),
)

# Runs that make some regex try many starts or many splits; each also as a client could send
# it (the query-string ones percent-encoded: PMS logs the URL as sent).
FILLERS: tuple[bytes, ...] = (
    b" (", b"(", b")", b") (", b"[", b"]", b"=>", b" => ", b" / ", b" ", b"  \t", b"Token (", b" (ID: 1",
    b" #a", b"a", b"1", b"&", b"%20(", b"ratingKey=", b" for account ", b"X-Plex-Token => ", b"a://b:",
    b"Jan 12, 2022 13:", b"[Req#", b" with reason", b"timeline", b").",
)


def stretch(shape: Shape, filler: bytes, size: int = MAX_LINE_BYTES) -> bytes:
    """The shape with `filler` repeated so the whole line is `size` bytes (no newline)."""
    room = max(0, size - len(shape.head) - len(shape.tail))
    body = (filler * (room // len(filler) + 1))[:room]
    return shape.head + body + shape.tail


def lines(size: int = MAX_LINE_BYTES) -> Iterator[tuple[Shape, bytes, bytes]]:
    """Every (shape, filler, line)."""
    for shape in SHAPES:
        for filler in FILLERS:
            yield shape, filler, stretch(shape, filler, size)
