"""Fuzz: the parser never raises, whatever bytes it is fed (bounded hypothesis runs)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plextray.core.logline import LineBlocks
from plextray.core.parsing import PlaybackParser

REAL = [
    b"Aug 07, 2026 06:37:34.400 [132688110742328] DEBUG - Request: [192.168.1.208:43890 (Subnet)] GET /:/timeline?ratingKey=378&state=playing&time=3039038&duration=5568563 (4 live) #8ec76 TLS GZIP Signed-in Token (masyllis)",
    b"Aug 07, 2026 06:37:34.402 [132688110742328] DEBUG - [Req#8ec76] Client [s1] reporting timeline state playing, progress of 3039038/5568563ms for guid=, ratingKey=378 url=",
    b"Aug 07, 2026 06:37:34.406 [132688110742328] DEBUG - [Req#8ec76] Statistics: (c1) Reporting active playback in state 0 of type 4 (scrobble: 0) for account 3",
    b"Jul 04, 2013 19:34:28:773 [0] DEBUG - Request: GET /video/:/transcode/universal/start.m3u8?session=x&path=%2Flibrary%2Fmetadata%2F1 [127.0.0.1:1] x",
    b"Mar 02, 2016 12:29:37 [0x7000005b2000] DEBUG - Completed: [1.2.3.4:5] GET /:/timeline?state=paused&time=1 (6 live) GZIP 2ms 158 bytes 200 (pipelined: 8)",
    b"Jan 12, 2022 13:42:24.407 [0x7f829a4aa8] DEBUG - [Now] Device is windows (Net-Hunter).",
]

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Real lines cut, spliced and mutated: far more likely to reach deep code than random bytes.
mutated = st.builds(
    lambda line, cut, insert, at: (line[:at] + insert + line[at:])[:cut],
    st.sampled_from(REAL),
    st.integers(0, 400),
    st.binary(max_size=12),
    st.integers(0, 200),
)


@FUZZ
@given(st.lists(st.one_of(st.binary(max_size=300), mutated, st.text(max_size=200)), max_size=30))
def test_feed_never_raises(lines):
    parser = PlaybackParser()
    for line in lines:
        result = parser.feed(line)
        assert isinstance(result, list)
    assert parser.stats.lines == len(lines)


@FUZZ
@given(st.lists(st.one_of(st.binary(max_size=300), mutated), max_size=30), st.integers(1, 500))
def test_feed_block_never_raises_and_counts_every_line(lines, size):
    data = b"".join(line.replace(b"\n", b" ") + b"\n" for line in lines)
    parser = PlaybackParser()
    splitter = LineBlocks()
    for start in range(0, len(data), size):
        parser.feed_block(splitter.push(data[start : start + size]))
    assert parser.stats.lines == len(lines)


class _CopyingLines:
    """The line splitter as first written (every block copied out), kept as the reference."""

    def __init__(self, max_line: int) -> None:
        self.max_line, self.too_long, self.consumed = max_line, 0, 0
        self.carry, self.skipping = b"", False

    @property
    def pending(self) -> int:
        return len(self.carry)

    def _check(self) -> None:
        if len(self.carry) > self.max_line:
            self.consumed += len(self.carry)
            self.carry, self.skipping = b"", True
            self.too_long += 1

    def push(self, chunk: bytes) -> bytes:
        if self.skipping:
            cut = chunk.find(b"\n")
            if cut < 0:
                self.consumed += len(chunk)
                return b""
            self.consumed += cut + 1
            chunk, self.skipping = chunk[cut + 1 :], False
        last = chunk.rfind(b"\n")
        if last < 0:
            self.carry += chunk
            self._check()
            return b""
        block = self.carry + chunk[: last + 1]
        self.carry = chunk[last + 1 :]
        self._check()
        self.consumed += len(block)
        return block


@FUZZ
@given(
    st.lists(st.one_of(st.binary(max_size=120), mutated), max_size=40),
    st.lists(st.integers(1, 700), min_size=1, max_size=12),
    st.integers(40, 400),
)
def test_push_spans_hands_out_what_push_does_and_the_parser_reads_them_in_place(lines, sizes, max_line):
    """The import reads chunks in place (push_spans + feed_block with bounds): the same lines,
    `consumed` and `too_long` as the splitter first written (and `push`, now built on
    push_spans), and the same events and stats as parsing the copied-out blocks."""
    data = b"".join(lines)  # lines of any length, some with no newline at all
    reference, copied, in_place = _CopyingLines(max_line), LineBlocks(max_line), LineBlocks(max_line)
    by_copy, by_bounds = PlaybackParser(), PlaybackParser()
    out_copy: list = []
    out_bounds: list = []
    pos, turn = 0, 0
    while pos < len(data):
        chunk = data[pos : pos + sizes[turn % len(sizes)]]
        pos, turn = pos + len(chunk), turn + 1
        block = reference.push(chunk)
        assert copied.push(chunk) == block
        pieces = in_place.push_spans(chunk)
        assert b"".join(piece[begin:stop] for piece, begin, stop in pieces) == block
        for splitter in (copied, in_place):
            assert (splitter.consumed, splitter.too_long, splitter.pending) == (
                reference.consumed, reference.too_long, reference.pending)
        out_copy += by_copy.feed_block(block)
        for piece, begin, stop in pieces:
            out_bounds += by_bounds.feed_block(piece, begin, stop)
    assert out_bounds == out_copy
    assert by_bounds.stats == by_copy.stats
