"""The tray's 64-px icons are stored, not drawn at run time (drawing loads ImageDraw and with it
FreeType and HarfBuzz, memory an idle tray would carry for good): the stored images must stay
the drawings, and reading them must not load the drawing code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from plextray.core.model import EngineState

ROOT = Path(__file__).resolve().parents[2]


def test_the_stored_tray_icons_are_the_drawings():
    """After a change to the drawings, `python installer/make_icons.py` regenerates icon_pixels.py."""
    from plextray.ui.icon_pixels import PIXELS
    from plextray.ui.icons import TRAY_SIZE, draw_icon, icon_image

    assert sorted(PIXELS) == sorted(state.value for state in EngineState)
    for state in EngineState:
        stored, drawn = icon_image(state), draw_icon(state, TRAY_SIZE)
        assert stored.mode == "RGBA" and stored.size == (TRAY_SIZE, TRAY_SIZE)
        # (a Pillow release may resample a level differently; a changed drawing differs by far more)
        worst = max(abs(a - b) for a, b in zip(stored.tobytes(), drawn.tobytes()))
        assert worst <= 8, f"{state.value}: stored icon differs from the drawing (run installer/make_icons.py)"


def test_reading_the_tray_icons_does_not_load_the_drawing_code():
    code = ("import sys\nfrom plextray.core.model import EngineState\nfrom plextray.ui.icons import icon_image\n"
            "sizes = {icon_image(state).size for state in EngineState}\n"
            "print(sizes, sorted(m for m in sys.modules if m in ('PIL.ImageDraw', 'PIL.ImageFont', 'PIL._imagingft')))\n"
            "icon_image(EngineState.MONITORING, 32)\n"
            "print('PIL.ImageDraw' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["{(64, 64)} []", "True"]  # other sizes (windows' icons) are drawn
