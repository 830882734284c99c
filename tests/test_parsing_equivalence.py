"""The fast block path (feed_block, with its skip-what-adds-nothing shortcuts) must say exactly
what the line-by-line path says, and exactly what the parser said before it was optimised.

The fixed expectations below were computed with the parser at commit f90e486 (before the
speed work of issue 3): counts, stats and a SHA-256 of the JSON of every (report number, event).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import datetime

import pytest

from plextray.core.parsing import PlaybackParser
from plextray.emulator.traffic import realistic_log

START = datetime(2026, 3, 28, 6, 0)
SIZE = 3_000_000

# seed -> (lines, events incl. updates, sha256 of the events' JSON, stats) at f90e486
EXPECTED = {
    7: (16089, 699, "da4e27cd98fef8d56846d8bfc37a7356df4b53a284d721dfac70ab1afcfbbb76",
        {"lines": 16089, "events": 694, "updates": 5, "skipped_garbled": 0, "skipped_too_long": 0,
         "skipped_binary": 0, "unknown_format": 0}),
    11: (15731, 936, "e0f68a7ab0812e3f1aaa0f8b22380504ea6f378fcb973392ee1113b9fff05e57",
         {"lines": 15731, "events": 927, "updates": 9, "skipped_garbled": 0, "skipped_too_long": 0,
          "skipped_binary": 0, "unknown_format": 0}),
}  # fmt: skip

_cache: dict[int, list[bytes]] = {}


def _lines(seed: int) -> list[bytes]:
    if seed not in _cache:
        _cache[seed] = list(realistic_log(START, SIZE, seed=seed))
    return _cache[seed]


def _digest(out: list) -> str:
    text = json.dumps([[no, dataclasses.asdict(event)] for no, event in out], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _blockwise(lines: list[bytes], step: int) -> tuple[list, PlaybackParser]:
    data = b"".join(lines)
    parser, out, pos = PlaybackParser(), [], 0
    while pos < len(data):
        end = data.rfind(b"\n", pos, pos + step) + 1
        if end <= pos:
            end = min(len(data), data.find(b"\n", pos) + 1 or len(data))
        out += parser.feed_block(data[pos:end])
        pos = end
    return out, parser


def _linewise(lines: list[bytes]) -> tuple[list, PlaybackParser]:
    parser, out = PlaybackParser(), []
    for line in lines:
        out += parser.feed_reports(line)
    return out, parser


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_block_path_matches_the_parser_before_optimisation(seed: int) -> None:
    lines = _lines(seed)
    count, events, digest, stats = EXPECTED[seed]
    out, parser = _blockwise(lines, 1 << 18)
    assert len(lines) == count
    assert len(out) == events
    assert dataclasses.asdict(parser.stats) == stats
    assert _digest(out) == digest


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_line_path_matches_the_parser_before_optimisation(seed: int) -> None:
    count, events, digest, stats = EXPECTED[seed]
    out, parser = _linewise(_lines(seed))
    assert len(out) == events
    assert dataclasses.asdict(parser.stats) == stats
    assert _digest(out) == digest


@pytest.mark.parametrize("step", [700, 4096, 1 << 20])
def test_block_sizes_and_line_path_agree(step: int) -> None:
    lines = _lines(7)
    by_line, line_parser = _linewise(lines)
    by_block, block_parser = _blockwise(lines, step)
    assert by_block == by_line
    assert block_parser.stats == line_parser.stats
