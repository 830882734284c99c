"""The HTML report rendered by real headless Chromium (Debian's `chromium`) to a PNG in the test run."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PIL import Image
from support.report_history import DAY, build_household

from plextray.paths import AppPaths
from plextray.reports.browser import chromium_screenshot, find_chromium
from plextray.reports.build import build_report, write_html

NOW = datetime(2026, 3, 10, 23, 0)


@pytest.fixture
def chromium():
    binary = find_chromium()
    if not binary:
        pytest.fail("chromium is not installed (tests/run.sh installs it)")
    return binary


def _colour_count(img: Image.Image, rgb: tuple[int, int, int], tolerance: int = 6) -> int:
    return sum(
        n for n, px in img.getcolors(maxcolors=1 << 20)
        if all(abs(a - b) <= tolerance for a, b in zip(px[:3], rgb))
    )


@pytest.mark.gui
@pytest.mark.parametrize("kind", ["day", "week"])
def test_report_renders_in_chromium(kind, plextray_home, chromium, tmp_path):
    build_household(plextray_home)
    paths = AppPaths.default()
    report = build_report(paths, date.fromisoformat(DAY), kind=kind, now=NOW)
    page = write_html(paths, report, tmp_path / f"{kind}.html")
    png = chromium_screenshot(page, tmp_path / f"{kind}.png", size=(1200, 1600), binary=chromium)
    img = Image.open(png).convert("RGB")
    assert img.size == (1200, 1600)
    colours = img.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50  # text, bars, antialiasing: not a blank page
    background = max(colours)[1]
    assert sum(n for n, c in colours if c != background) > 0.03 * 1200 * 1600
    counts = _colour_count(img, (0x0B, 0x62, 0xA4))  # Emma's colour (charts.PALETTE[0])
    assert counts > 900  # Emma's bars, not just her 16 px swatches (≈600 px)
    if kind == "day":
        assert _colour_count(img, (0xB9, 0x1C, 0x1C)) > 30  # the stopped-play marker ✕ and the "stopped" badge
