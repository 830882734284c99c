"""The tray icon, drawn with Pillow: one look per EngineState, recognisable at 16 px.

A rounded square in the state's colour carries a glyph: a play triangle (monitoring), two bars
(paused), an exclamation mark (a violation just happened), a cross (server unreachable or logs
unreadable), three dots (starting), a question mark (needs setup: no server, or nobody to protect). Colour alone is not enough for colour-blind users, hence
the glyphs. `write_assets()` renders the same drawings to PNG/ICO for installers and README.

The tray's own size (64 px) is not drawn at run time: plextray.ui.icon_pixels stores those six
images, generated from these drawings by `python installer/make_icons.py` (a test checks they
still match). Drawing needs ImageDraw, whose import loads FreeType and HarfBuzz for its text
support: about 1.5 MB an idle tray would carry for good, plus the 256-px canvases. Windows'
icons (other sizes) are still drawn, when a window first opens.
"""

from __future__ import annotations

import base64
import zlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

from plextray.core.model import EngineState

if TYPE_CHECKING:
    from PIL import ImageDraw

TRAY_SIZE = 64  # what the tray icon is given (the backends scale it to the panel)

COLOURS: dict[EngineState, tuple[int, int, int]] = {
    EngineState.MONITORING: (46, 160, 67),  # green
    EngineState.PAUSED: (120, 124, 130),  # grey
    EngineState.VIOLATION: (208, 48, 48),  # red
    EngineState.UNREACHABLE: (229, 140, 20),  # amber
    EngineState.STARTING: (52, 110, 200),  # blue
    EngineState.NEEDS_SETUP: (128, 78, 196),  # violet: not protecting anyone yet
}
GLYPH = (255, 255, 255, 255)


@lru_cache(maxsize=32)
def icon_image(state: EngineState, size: int = TRAY_SIZE) -> Image.Image:
    """The RGBA icon for `state` (cached: the tray asks for the same few images over and over)."""
    if size == TRAY_SIZE:
        from plextray.ui.icon_pixels import PIXELS

        if state.value in PIXELS:
            raw = zlib.decompress(base64.b85decode(PIXELS[state.value]))
            return Image.frombytes("RGBA", (size, size), raw)
    return draw_icon(state, size)


def draw_icon(state: EngineState, size: int) -> Image.Image:
    """Draw the icon (big, then downsampled): what icon_image stores at the tray's size."""
    from PIL import ImageDraw

    scale = 4  # draw big, then downsample: smooth edges without antialiasing primitives
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    pad = big // 16
    draw.rounded_rectangle((pad, pad, big - pad, big - pad), radius=big // 5, fill=COLOURS[state] + (255,))
    _draw_glyph(draw, state, big)
    return image.resize((size, size), Image.LANCZOS)


def _draw_glyph(draw: ImageDraw.ImageDraw, state: EngineState, big: int) -> None:
    c = big / 2
    if state is EngineState.MONITORING:
        draw.polygon([(c - big * 0.17, c - big * 0.24), (c - big * 0.17, c + big * 0.24), (c + big * 0.25, c)], fill=GLYPH)
    elif state is EngineState.PAUSED:
        w, h = big * 0.11, big * 0.24
        for x in (c - big * 0.15, c + big * 0.04):
            draw.rectangle((x, c - h, x + w, c + h), fill=GLYPH)
    elif state is EngineState.VIOLATION:
        w = big * 0.06
        draw.rectangle((c - w, c - big * 0.28, c + w, c + big * 0.08), fill=GLYPH)
        draw.ellipse((c - w * 1.2, c + big * 0.15, c + w * 1.2, c + big * 0.15 + 2.4 * w), fill=GLYPH)
    elif state is EngineState.UNREACHABLE:
        r, width = big * 0.22, int(big * 0.1)
        draw.line((c - r, c - r, c + r, c + r), fill=GLYPH, width=width)
        draw.line((c - r, c + r, c + r, c - r), fill=GLYPH, width=width)
    elif state is EngineState.NEEDS_SETUP:
        r, width = big * 0.15, int(big * 0.085)
        top = c - big * 0.3
        draw.arc((c - r, top, c + r, top + 2 * r), start=180, end=90, fill=GLYPH, width=width)
        stem = width / 2
        draw.rectangle((c - stem, top + 2 * r - stem, c + stem, c + big * 0.1), fill=GLYPH)
        dot = width * 0.7
        draw.ellipse((c - dot, c + big * 0.17, c + dot, c + big * 0.17 + 2 * dot), fill=GLYPH)
    else:  # STARTING
        r = big * 0.06
        for x in (c - big * 0.2, c, c + big * 0.2):
            draw.ellipse((x - r, c - r, x + r, c + r), fill=GLYPH)


def pixels_module() -> str:
    """The source of plextray/ui/icon_pixels.py: each state's tray-size drawing, compressed."""
    lines = ['"""The tray icon of each state at 64 px, RGBA, zlib + base85. Generated from the drawings in',
             'plextray.ui.icons by `python installer/make_icons.py`: do not edit."""', "",
             "PIXELS: dict[str, str] = {"]
    for state in EngineState:
        text = base64.b85encode(zlib.compress(draw_icon(state, TRAY_SIZE).tobytes(), 9)).decode("ascii")
        lines.append(f'    "{state.value}": (')
        lines += [f'        "{text[i:i + 88]}"' for i in range(0, len(text), 88)]
        lines.append("    ),")
    return "\n".join(lines + ["}", ""])


def write_assets(folder: Path) -> list[Path]:
    """Write plextray.png (256 px), plextray.ico (multi-size) and one PNG per state into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    main = icon_image(EngineState.MONITORING, 256)
    png = folder / "plextray.png"
    main.save(png)
    ico = folder / "plextray.ico"
    main.save(ico, sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    written += [png, ico]
    for state in EngineState:
        path = folder / f"state-{state.value}.png"
        icon_image(state, 64).save(path)
        written.append(path)
    return written
