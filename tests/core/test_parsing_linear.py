"""A client-written log line, however long and however shaped, is read in linear time.

Before: `[Now] Device is ` + 32,000 × ` (` took 5.8 s and a 1 MB line about 25 minutes (the
engine reads lines before it acts, so a stop waited that long). Each test feeds every line shape
of plextray/emulator/hostile_lines.py at the 1 MB cap with every pathological filler, through
the three ways the parser reads a line; a quadratic reader would hold a test for minutes, so the
per-test timeout (far above the fraction of a second a linear reader needs) fails it. The
linear stand-ins are also held to the exact regexes they replaced, on generated text.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plextray.core import parsing
from plextray.core.linear import BracketedAfter, DeviceShape
from plextray.core.logline import MAX_LINE_BYTES
from plextray.core.parsing import PlaybackParser
from plextray.emulator.hostile_lines import FILLERS, REPORT, SHAPES, stretch
from plextray.secrets import redact

OLD_DEVICE = re.compile(r"\[Now\] Device is (?P<platform>.+?) \((?P<name>.*)\)\.?\s*$")
OLD_FAST_DEVICE = re.compile(rb"(?P<platform>.+?) \((?P<name>.*)\)\.?\s*$")
OLD_TOKEN = re.compile(r"Token \(([^)]*)\)")
OLD_FAST_TOKEN = re.compile(rb"Token \(([^)]*)\)")


def _read(line: bytes, how: str) -> PlaybackParser:
    parser = PlaybackParser()
    if how == "general":
        parser.fast_paths = False
    if how == "block":
        parser.feed_block(REPORT + b"\n" + line + b"\n")
    else:
        parser.feed(REPORT)
        parser.feed(line)
    return parser


@pytest.mark.timeout(120)
@pytest.mark.parametrize("shape", SHAPES, ids=[shape.name for shape in SHAPES])
def test_every_pathological_megabyte_line_of_a_shape_is_read_or_skipped_quickly(shape):
    for filler in FILLERS:
        line = stretch(shape, filler)
        assert len(line) == MAX_LINE_BYTES
        for how in ("fast", "general", "block"):
            parser = _read(line, how)
            assert parser.stats.lines == 2, (filler, how)
            assert parser.stats.events >= 1  # the real report before it still counts


@pytest.mark.timeout(60)
def test_a_megabyte_device_name_is_read_whole():
    name = "Kid's TV" + " (" * 400_000 + "x"
    for how in ("fast", "general", "block"):
        parser = _read(f"Jan 12, 2022 13:42:24.407 [0x7f829a4aa8] DEBUG - [Req#8ec76] [Now] Device is Android ({name}).".encode(), how)
        later = parser.feed(
            b"Jan 12, 2022 13:42:34.403 [0x7f829a4aa8] DEBUG - Request: [192.168.1.208:43890 (Subnet)] GET "
            b"/:/timeline?ratingKey=378&state=playing&time=3049038&duration=5568563&X-Plex-Client-Identifier=c1 #8ec80"
        )
        assert [(event.platform, event.device) for event in later] == [("Android", name)], how


@pytest.mark.timeout(60)
def test_a_megabyte_of_token_brackets_still_names_the_signed_in_account():
    line = (
        b"Jan 12, 2022 13:42:24.403 [0x7f829a4aa8] DEBUG - Request: [10.0.0.5:51234 (Subnet)] GET "
        b"/:/timeline?ratingKey=1&state=playing&time=1&X-Plex-Client-Identifier=c2 (4 live) #8ec90 Token (emma)"
        + b" Token (" * 120_000
    )
    for how in ("fast", "general", "block"):
        parser = PlaybackParser()
        parser.fast_paths = how != "general"
        events = parser.feed_block(line + b"\n") if how == "block" else parser.feed_reports(line)
        assert [event.account for _, event in events] == ["emma"], how


@pytest.mark.timeout(60)
def test_redacting_a_megabyte_log_record_is_linear_and_still_masks():
    text = "a" * MAX_LINE_BYTES + " smtp://user:hunter2@mail.example"
    assert redact(text).endswith("smtp://user:[REDACTED]@mail.example")


def test_the_parser_uses_the_linear_readers():
    assert isinstance(parsing._NOW_DEVICE, DeviceShape) and isinstance(parsing._FAST_DEVICE, DeviceShape)
    assert isinstance(parsing._TOKEN_USER, BracketedAfter) and isinstance(parsing._FAST_TOKEN_USER, BracketedAfter)


_TRICKY = st.text(alphabet=st.sampled_from(list("ab ().\n\r\t\x0b\x1c\u2003é[]T")) , max_size=40)


def _groups(match, names):
    return None if match is None else tuple(match.group(name) for name in names)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(_TRICKY, st.builds(lambda a, b: a + " (" + b, _TRICKY, _TRICKY)))
def test_device_reader_matches_exactly_what_the_regex_matched(body):
    text = "[Now] Device is " + body
    names = (0, "platform", "name")
    assert _groups(parsing._NOW_DEVICE.match(text), names) == _groups(OLD_DEVICE.match(text), names)
    raw = body.encode("utf-8")
    assert _groups(parsing._FAST_DEVICE.match(raw), names) == _groups(OLD_FAST_DEVICE.match(raw), names)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(["Token (", "Token", " (", ")", "a", " ", "(", "\n"]), max_size=12).map("".join))
def test_token_reader_finds_exactly_what_the_regex_found(text):
    assert _groups(parsing._TOKEN_USER.search(text), (0, 1)) == _groups(OLD_TOKEN.search(text), (0, 1))
    raw = text.encode()
    assert _groups(parsing._FAST_TOKEN_USER.search(raw), (0, 1)) == _groups(OLD_FAST_TOKEN.search(raw), (0, 1))
    found = OLD_FAST_TOKEN.search(raw)
    assert parsing._FAST_TOKEN_USER.inside(raw) == (None if found is None else found.group(1))


@pytest.mark.timeout(120)
def test_megabyte_follow_up_lines_are_not_kept_in_memory():
    parser = PlaybackParser()
    parser.feed(REPORT)
    for number in range(20):
        parser.feed(stretch(SHAPES[[s.name for s in SHAPES].index("now device name")], b"%d (" % number))
    assert all(len(tail) <= 1024 for tails in parser._tails.values() for tail in tails)


def test_header_dumps_are_remembered_within_a_bound():
    """Each distinct header dump is read once, but what clients send cannot grow the parser:
    at most 256 dumps of at most 4 KB each are kept, and a megabyte dump is never kept."""
    parser = PlaybackParser()
    dumps = [b" / X-Plex-Product => Plex Web / X-Plex-Device-Name => TV %d" % n for n in range(300)]
    dumps.append(b" / X-Plex-Device-Name => " + b"x" * (MAX_LINE_BYTES // 2))
    for number, dump in enumerate(dumps):
        line = REPORT.replace(b"#8ec76", b"#%x" % (0x10000 + number)) + dump
        events = parser.feed(line)
        assert [e.device for e in events] == [dump.rpartition(b"=> ")[2].decode()]
    assert 0 < len(parser._dumps) <= 256
    assert all(len(dump) <= 4096 for dump in parser._dumps)
