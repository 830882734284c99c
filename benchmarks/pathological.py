"""The slowest pathological line per shape, against a plain line of the same size and shape.

    python benchmarks/pathological.py            # 1 MB lines (the cap), every filler
    python benchmarks/pathological.py --quick    # 256 kB lines

Each shape of plextray/emulator/hostile_lines.py is stretched with every filler and read the
three ways the parser reads a line (fast path, general path, a block); the worst time per shape
is printed beside the baseline: the same shape stretched with plain letters (`x`), same run.
A linear reader keeps the ratio near 1; the quadratic `[Now] Device` regex it replaced took
about 25 minutes on a 1 MB line. Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from plextray.core.logline import MAX_LINE_BYTES  # noqa: E402
from plextray.core.parsing import PlaybackParser  # noqa: E402
from plextray.emulator.hostile_lines import FILLERS, REPORT, SHAPES, stretch  # noqa: E402


def read_seconds(line: bytes) -> float:
    """The slowest of the three ways to read `line` (after the real report it follows)."""
    worst = 0.0
    for how in ("fast", "general", "block"):
        parser = PlaybackParser()
        parser.fast_paths = how != "general"
        block = REPORT + b"\n" + line + b"\n"
        start = time.perf_counter()
        if how == "block":
            parser.feed_block(block)
        else:
            parser.feed(REPORT)
            parser.feed(line)
        worst = max(worst, time.perf_counter() - start)
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="256 kB lines instead of 1 MB")
    size = MAX_LINE_BYTES // 4 if parser.parse_args().quick else MAX_LINE_BYTES
    print(f"pathological lines of {size:,} bytes; worst of fast/general/block reading, per shape")
    print(f"{'shape':<18} {'worst filler':<22} {'worst ms':>9} {'plain ms':>9} {'ratio':>6} {'growth':>7}")
    overall, steepest = 0.0, 0.0
    for shape in SHAPES:
        plain = read_seconds(stretch(shape, b"x", size))
        worst, which = max((read_seconds(stretch(shape, filler, size)), filler) for filler in FILLERS)
        # the same line a quarter as long: a linear reader takes about 4x less, a quadratic one 16x
        growth = worst / max(read_seconds(stretch(shape, which, size // 4)), 1e-9)
        overall, steepest = max(overall, worst), max(steepest, growth)
        print(f"{shape.name:<18} {which!r:<22} {worst * 1000:9.1f} {plain * 1000:9.1f} "
              f"{worst / max(plain, 1e-9):6.1f} {growth:6.1f}x")
    print(f"worst line of all: {overall * 1000:.1f} ms (a quadratic reader: minutes)")
    print(f"steepest growth for 4x the length: {steepest:.1f}x (linear ~4x, quadratic ~16x)")


if __name__ == "__main__":
    from _results import run_recorded

    raise SystemExit(run_recorded(main))
