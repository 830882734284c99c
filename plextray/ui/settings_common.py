"""Small Tk helpers shared by the settings tabs: a labelled field with its error shown beside it."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from typing import Any

ERROR_COLOUR = "#b3261e"
PAD = {"padx": 6, "pady": 3}


class FieldGrid:
    """Rows of label | widget | error message, in a grid on `parent`."""

    def __init__(self, parent: tk.Misc, *, start_row: int = 0) -> None:
        self.parent = parent
        self.row = start_row
        self.widgets: dict[str, Any] = {}
        self.errors: dict[str, ttk.Label] = {}
        parent.columnconfigure(1, weight=1)

    def add(self, name: str, label: str, widget: tk.Widget) -> tk.Widget:
        ttk.Label(self.parent, text=label).grid(row=self.row, column=0, sticky="w", **PAD)
        widget.grid(row=self.row, column=1, sticky="ew", **PAD)
        error = ttk.Label(self.parent, text="", foreground=ERROR_COLOUR, wraplength=260)
        error.grid(row=self.row, column=2, sticky="w", **PAD)
        self.widgets[name], self.errors[name] = widget, error
        self.row += 1
        return widget

    def show_errors(self, errors: dict[str, str]) -> None:
        """Put each message next to its field; clear the others."""
        for name, label in self.errors.items():
            label.configure(text=errors.get(name, ""))

    def error_text(self, name: str) -> str:
        return str(self.errors[name].cget("text"))


def entry(parent: tk.Misc, value: str = "", **options: Any) -> ttk.Entry:
    widget = ttk.Entry(parent, **options)
    if value:
        widget.insert(0, value)
    return widget


def set_entry(widget: Any, value: str) -> None:
    """Replace the text of an Entry, Spinbox or editable Combobox."""
    if isinstance(widget, ttk.Combobox) and str(widget.cget("state")) == "readonly":
        widget.set(value)
        return
    widget.delete(0, "end")
    widget.insert(0, value)
