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


def _mutated(seed: int) -> list[bytes]:
    """Realistic lines, damaged the ways logs get damaged: out of order, lost, doubled, cut
    short, CRLF, an em dash, non-ASCII and control bytes, a follow-up whose Request is gone."""
    import random

    rng = random.Random(seed)
    lines = list(realistic_log(START, 600_000, seed=seed))
    out: list[bytes] = []
    for line in lines:
        roll = rng.random()
        if roll < 0.02:
            continue  # lost
        if roll < 0.04:
            out.append(line)  # doubled
        elif roll < 0.06:
            line = line[: rng.randrange(len(line))] + b"\n"  # cut short
        elif roll < 0.08:
            line = line.rstrip(b"\n") + b"\r\n"
        elif roll < 0.09:
            line = line.replace(b" - ", " \u2014 ".encode(), 1)
        elif roll < 0.10:
            line = line.replace(b"User is ", "User is J\u00f6rg ".encode()).replace(b"(", b"(\xc3", 1)
        elif roll < 0.11:
            line = line.replace(b" ", b"\x07", 1) if rng.random() < 0.5 else line.replace(b"#", b"# ", 1)
        elif roll < 0.12 and out:
            out[-1], line = line, out[-1]  # swapped with the previous line
        elif roll < 0.13:
            line = line.replace(b"Completed: ", b"Completed after connection close: ", 1)
        elif roll < 0.14:
            line = line.replace(b"timeline?", b"timeline/?", 1).replace(b"state=playing", b"state=flying", 1)
        out.append(line)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_paths_change_nothing_on_damaged_logs(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _mutated(seed)
    fast_block, fast_block_parser = _blockwise(lines, 8192)
    fast_line, fast_line_parser = _linewise(lines)
    monkeypatch.setattr(PlaybackParser, "fast_paths", False)
    slow_block, slow_block_parser = _blockwise(lines, 8192)
    slow_line, slow_line_parser = _linewise(lines)
    assert len(slow_block) > 50
    assert fast_block == slow_block
    assert fast_line == slow_line
    assert fast_block_parser.stats == slow_block_parser.stats
    assert fast_line_parser.stats == slow_line_parser.stats


def test_fast_paths_change_nothing_on_the_real_samples(monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import shared_path

    files = [
        shared_path("pms", "log-lines.txt"),
        shared_path("pms", "plex-reporter-2013", "reconstructed-raw-lines-2013.txt"),
        *sorted(shared_path("pms", "logs").rglob("*")),
    ]
    lines = [line for path in files if path.is_file() for line in path.read_bytes().splitlines(keepends=True)]
    fast, fast_parser = _blockwise(lines, 8192)
    monkeypatch.setattr(PlaybackParser, "fast_paths", False)
    slow, slow_parser = _blockwise(lines, 8192)
    assert len(slow) > 5
    assert fast == slow
    assert fast_parser.stats == slow_parser.stats


# seed -> (events, sha256) on _mutated(seed), by the parser at 9550d59: before lines that add
# nothing (Completed lines of reports already made, repeated [Now] and Statistics lines) were
# left unread. Leaving them unread may change what is counted as skipped, never an event.
DAMAGED_EXPECTED = {
    1: (181, "1c23c8352a1014b464a44edb55449ada403460340d2116d2f7cae99388d035d7"),
    2: (215, "193d6ddd192c24f65c41f52fbb32d65712e134e2a9a72deb7baf411496312b9e"),
    3: (91, "825030989f2d1393573029a9fc15d2587abd3397aeb470e6fb66785e8a0870e1"),
}


@pytest.mark.parametrize("seed", sorted(DAMAGED_EXPECTED))
def test_lines_left_unread_change_no_event_on_damaged_logs(seed: int) -> None:
    count, digest = DAMAGED_EXPECTED[seed]
    lines = _mutated(seed)
    by_block, _ = _blockwise(lines, 8192)
    by_line, _ = _linewise(lines)
    assert len(by_block) == len(by_line) == count
    assert _digest(by_block) == _digest(by_line) == digest
