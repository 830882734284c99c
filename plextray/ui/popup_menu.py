"""The tray menu as a Tk popup, for pystray's xorg backend (what a plain venv gets on Linux).

The xorg backend has no menu of its own and never asks X for button presses, so a click on the
icon does nothing (pystray#151). Tray asks for ButtonPress on the icon window and, on a click,
posts this menu at the pointer: the same pystray Menu objects, so texts, check marks, the
per-person submenu and every action are exactly those of the native menus elsewhere.
Also used by installer/screenshots.py to draw the menu.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from typing import Any

_SEPARATOR_TEXT = "- - - -"


def build_menu(master: tk.Misc, menu: Any, invoke: Callable[[Any], None]) -> tk.Menu:
    """A Tk menu mirroring a pystray Menu; choosing an entry calls `invoke(item)`."""
    tk_menu = tk.Menu(master, tearoff=False)
    for item in menu.items:
        if not item.visible:
            continue
        if item.text == _SEPARATOR_TEXT or item is getattr(menu, "SEPARATOR", None):
            tk_menu.add_separator()
            continue
        state = "normal" if item.enabled else "disabled"
        if item.submenu:
            tk_menu.add_cascade(label=item.text, menu=build_menu(tk_menu, item.submenu, invoke), state=state)
        elif item.checked is not None:
            # A plain Tcl variable per entry (no tk.Variable: its __del__ may run on another thread).
            name = f"plextray_menu_{id(tk_menu)}_{tk_menu.index('end') or 0}_{id(item)}"
            master.setvar(name, "1" if item.checked else "0")
            tk_menu.add_checkbutton(label=item.text, variable=name, onvalue="1", offvalue="0", state=state,
                                    command=lambda item=item: invoke(item))
        else:
            options: dict[str, Any] = {}
            if item.default:
                options["font"] = ("TkMenuFont", 10, "bold")
            tk_menu.add_command(label=item.text, state=state, command=lambda item=item: invoke(item), **options)
    return tk_menu


def labels(tk_menu: tk.Menu) -> list[str]:
    """The entry labels (separators as '-'), for tests and screenshots."""
    end = tk_menu.index("end")
    out = []
    for index in range(0 if end is None else end + 1):
        out.append("-" if tk_menu.type(index) == "separator" else str(tk_menu.entrycget(index, "label")))
    return out
