"""The parser's fast reading of a 1.x line prefix gives exactly what logline.parse_line gives.

Why: parsing.py reads the common `Mon DD, YYYY HH:MM:SS.mmm [tid] LEVEL - msg` prefix by slicing
(the parse benchmark's hot path); anything it does not vouch for goes to parse_line. A fast path
that disagreed on a single odd line would silently change events.
"""

from __future__ import annotations

import random

import pytest

from plextray.core.logline import LineError, parse_line
from plextray.core.parsing import _modern_line

SEEDS = (
    "Feb 06, 2026 12:48:39.648 [136529588505400] INFO - Plex Media Server v1.43.0\r",
    "Jan 12, 2022 13:42:24.403 [0x7f829a4aa8] DEBUG -  two spaces",
    "Feb 06, 2026 12:48:39.648 [1] Debug \u2014 copied from the web console",
    "Feb 06, 2026 12:48:39.648 [1] DEBUG - ",
    "Feb 06, 2026 12:48:39.648 [1] DEBUG -no space",
    "Dec 31, 2026 23:59:60.999 [0x1] E - leap second",
    "Aug 07, 2026 06:40:46.096 [132687877618488] DEBUG - Request: [192.168.1.111:41052 (Subnet)] GET /",
)


@pytest.mark.parametrize("text", SEEDS)
def test_real_shapes_agree(text):
    fast = _modern_line(text)
    assert fast == parse_line(text) or (fast is None and "-no space" in text)


def test_mutated_lines_agree_or_fall_back():
    rng = random.Random(1)
    alphabet = "0123456789:. []-xJFab\r\u2014\u0663Z"
    vouched = 0
    for _ in range(30000):
        chars = list(rng.choice(SEEDS))
        for _ in range(rng.randint(0, 3)):
            chars[rng.randrange(len(chars))] = rng.choice(alphabet)
        text = "".join(chars)
        fast = _modern_line(text)
        if fast is None:
            continue  # parse_line decides (and may raise)
        vouched += 1
        try:
            slow = parse_line(text)
        except LineError:
            slow = None
        assert fast == slow, text
    assert vouched > 5000


@pytest.mark.parametrize("text", [
    "Feb 30, 2026 12:48:39.648 [1] DEBUG - x",  # parse_line does not check day-of-month either
    "Feb 32, 2026 12:48:39.648 [1] DEBUG - x",
    "Feb 06, 2026 24:00:00.000 [1] DEBUG - x",
    "Foo 06, 2026 12:48:39.648 [1] DEBUG - x",
    "Feb 06, 2026 12:48:39:648 [1] DEBUG - x",  # 0.9.x Windows ms
    "Feb 06, 2026 12:48:39.648 DEBUG - x",  # no thread
    "Feb 06, 2026 12:48:39.648 [1] Ladění - x",  # a non-ASCII level
    "Feb 0\u0663, 2026 12:48:39.648 [1] DEBUG - x",
])
def test_odd_prefixes_go_to_parse_line_or_agree(text):
    fast = _modern_line(text)
    try:
        slow = parse_line(text)
    except LineError:
        slow = None
    assert fast is None or fast == slow
