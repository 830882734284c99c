"""Is there a desktop to show a tray icon on? Answered without letting pystray crash the process.

`import pystray` opens the X display at import time on Linux and raises Xlib's DisplayNameError
(not ImportError) when there is none, so the check catches every exception and turns it into
one clear line that points to the headless mode.
"""

from __future__ import annotations

import importlib.util
import os
import sys

HEADLESS_HINT = "run `plextray run --headless` to monitor without a tray (or `plextray demo` to try it)"


def display_available() -> tuple[bool, str]:
    """(True, "") when the tray can start; otherwise (False, why) in a few words."""
    if sys.platform.startswith("linux") or sys.platform.startswith("freebsd"):
        if not os.environ.get("DISPLAY"):  # Tk is X11-only here: a Wayland session needs XWayland
            if os.environ.get("WAYLAND_DISPLAY"):
                return False, "no X display for the settings window (DISPLAY is not set; Tk needs XWayland)"
            return False, "no desktop display (DISPLAY is not set)"
    # python3-tk may be missing on servers. Found, not imported: Tk is loaded only when a window opens.
    try:
        found = importlib.util.find_spec("_tkinter") is not None
    except (ImportError, ValueError) as exc:
        return False, f"Tk is not available ({exc})"
    if not found:
        return False, "Tk is not available (no module named '_tkinter': install python3-tk)"
    from plextray.ui.backend import gtk_without_gl

    try:
        with gtk_without_gl():
            import pystray  # noqa: F401
    except Exception as exc:  # Xlib.error.DisplayNameError, ConnectionRefused, gi errors...
        detail = str(exc).strip() or type(exc).__name__
        return False, f"cannot open the desktop display ({detail})"
    return True, ""


def no_display_message(reason: str) -> str:
    """The single line printed instead of a traceback when the tray cannot start."""
    return f"plextray: cannot start the tray: {reason}; {HEADLESS_HINT}"
