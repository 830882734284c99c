"""Render the app icons into assets/ (PNG, ICO, one PNG per tray state) and the tray's stored
64-px images into plextray/ui/icon_pixels.py: `python installer/make_icons.py [FOLDER]`."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plextray.ui.icons import pixels_module, write_assets  # noqa: E402

PIXELS_MODULE = ROOT / "plextray" / "ui" / "icon_pixels.py"


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else ROOT / "assets"
    for path in write_assets(folder):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    if not argv:  # the tray's stored images follow the drawings (not when rendering elsewhere)
        PIXELS_MODULE.write_text(pixels_module(), encoding="utf-8")
        print(PIXELS_MODULE.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
