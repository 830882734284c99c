"""One look for plextray's Tk windows: the Sun Valley ttk theme (sv-ttk, a native-looking modern
theme) when installed, else ttk's 'clam'; and the app icon at every size for HiDPI screens."""

from __future__ import annotations

import logging
import tkinter as tk
from tkinter import ttk
from typing import Any

from plextray.core.model import EngineState

log = logging.getLogger(__name__)
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)  # the window manager picks the sharpest for its scale


def apply_theme(widget: tk.Misc) -> str:
    """Use the modern theme on this Tk interpreter (once); returns the theme's name."""
    style = ttk.Style(widget)
    try:
        import sv_ttk

        if style.theme_use() not in ("sun-valley-light", "sun-valley-dark"):
            sv_ttk.set_theme("light", widget._root())  # sv-ttk wants the Tk root itself
        return str(style.theme_use())
    except Exception:  # not installed, or its Tcl files missing: the built-in fallback
        log.debug("sv-ttk unavailable; using clam", exc_info=True)
    if style.theme_use() == "default" and "clam" in style.theme_names():
        style.theme_use("clam")
    return str(style.theme_use())


def set_window_icon(window: tk.Misc) -> list[Any]:
    """The app icon at every size (kept alive by the caller: Tk does not own PhotoImages)."""
    try:
        from PIL import ImageTk

        from plextray.ui.icons import icon_image

        photos = [ImageTk.PhotoImage(icon_image(EngineState.MONITORING, size), master=window) for size in ICON_SIZES]
        window.iconphoto(False, *photos)  # type: ignore[attr-defined]
        return photos
    except Exception:
        log.debug("no window icon", exc_info=True)
        return []
