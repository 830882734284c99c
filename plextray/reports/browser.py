"""Render an HTML report to a PNG with headless Chromium (README screenshot, browser tests).

Chromium runs with a throw-away profile and every background-network feature off, so rendering
the report touches nothing but the file itself.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from plextray.errors import PlexTrayError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_screenshot(
    html: Path, png: Path, *, size: tuple[int, int] = (1200, 1600), binary: str | None = None, timeout: float = 60.0
) -> Path:
    """Screenshot `html` (a local file) into `png` at `size` (width, height); raises with Chromium's output."""
    binary = binary or find_chromium()
    if not binary:
        raise PlexTrayError("Chromium is not installed (Debian: apt install chromium)")
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="plextray-chromium-") as profile:
        command = [
            binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
            f"--user-data-dir={profile}", f"--screenshot={png}", f"--window-size={size[0]},{size[1]}",
            html.resolve().as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 or not png.exists():
        raise PlexTrayError(f"Chromium could not render {html} (exit {done.returncode}): {done.stderr[-500:]}")
    return png
