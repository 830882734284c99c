"""Settings tab "Today": per child, minutes watched and left, bedtime, and extra time in one click.

+15 / +30 / until HH:MM / no bedtime tonight are recorded at once (they are today's actions, not
settings: no Save needed) and answered with the new time left, with an Undo for the last one.
"""

from __future__ import annotations

import tkinter as tk
from datetime import datetime
from tkinter import ttk
from typing import Any

from plextray import today
from plextray.core.clockwords import normalise_clock
from plextray.core.rules import tonight_end
from plextray.profiles.store import ProfileStore
from plextray.today import next_clock
from plextray.ui.settings_common import ERROR_COLOUR, PAD


class TodayTab(ttk.Frame):
    def __init__(self, parent: tk.Misc, window: Any) -> None:
        super().__init__(parent, padding=8)
        self.window = window
        self.rows: dict[str, dict[str, Any]] = {}
        self.last_grant: int | None = None
        self.columnconfigure(0, weight=1)
        self.table = ttk.Frame(self)
        self.table.grid(row=0, column=0, sticky="nsew")
        bottom = ttk.Frame(self)
        bottom.grid(row=1, column=0, sticky="ew", pady=(10, 0))
        self.confirmation = ttk.Label(bottom, text="", wraplength=560)
        self.confirmation.pack(side="left", fill="x", expand=True)
        self.undo_button = ttk.Button(bottom, text="Undo", command=self.undo, state="disabled")
        self.undo_button.pack(side="right")
        self.refresh()

    def refresh(self) -> None:
        for child in self.table.winfo_children():
            child.destroy()
        self.rows = {}
        try:
            people = today.today(self.window.paths)
        except Exception as exc:  # a broken profiles.json: the other tabs say so too
            ttk.Label(self.table, text=f"Cannot show today: {exc}", foreground=ERROR_COLOUR, wraplength=560).grid(
                row=0, column=0, sticky="w")
            return
        if not people:
            ttk.Label(self.table, text="Nobody has a rule yet: add one on the Restrictions tab.").grid(row=0, column=0, sticky="w")
        now = datetime.now()
        for row, person in enumerate(people):
            box = ttk.LabelFrame(self.table, text=person.name, padding=6)
            box.grid(row=row, column=0, sticky="ew", **PAD)
            status = ttk.Label(box, text=person.sentence(now).split(": ", 1)[1], wraplength=560)
            status.grid(row=0, column=0, columnspan=6, sticky="w")
            buttons = {
                "+15": ttk.Button(box, text="+15 min", command=lambda n=person.name: self.give(n, minutes=15)),
                "+30": ttk.Button(box, text="+30 min", command=lambda n=person.name: self.give(n, minutes=30)),
            }
            until = ttk.Entry(box, width=7)
            until.insert(0, "21:00")
            buttons["until_button"] = ttk.Button(box, text="No bedtime until", command=lambda n=person.name: self.give_until(n))
            buttons["tonight"] = ttk.Button(box, text="No bedtime tonight", command=lambda n=person.name: self.no_bedtime(n))
            buttons["+15"].grid(row=1, column=0, sticky="w", **PAD)
            buttons["+30"].grid(row=1, column=1, sticky="w", **PAD)
            buttons["until_button"].grid(row=1, column=2, sticky="w", **PAD)
            until.grid(row=1, column=3, sticky="w")
            buttons["tonight"].grid(row=1, column=4, sticky="w", **PAD)
            self.rows[person.name] = {"status": status, "until": until, **buttons}

    # ---- grants ----------------------------------------------------------------------------

    def give(self, name: str, *, minutes: int = 0, lift_until: datetime | None = None) -> bool:
        now = datetime.now()
        try:
            granted = today.grant(self.window.paths, name, minutes=minutes, lift_until=lift_until, now=now)
        except Exception as exc:
            self._say(False, f"Not granted: {exc}")
            return False
        self.last_grant = granted.grant_id
        self.refresh()
        self._say(True, granted.sentence(now))
        self.undo_button.configure(state="normal")
        return True

    def give_until(self, name: str) -> bool:
        typed = self.rows[name]["until"].get()
        clock = normalise_clock(typed)
        if clock is None or clock == "24:00":
            self._say(False, f"Not granted: {typed!r} is not a time (e.g. 21:30 or 9:30pm)")
            return False
        return self.give(name, lift_until=next_clock(datetime.now(), clock))

    def no_bedtime(self, name: str) -> bool:
        person = ProfileStore(self.window.paths.profiles).load().person_named(name)
        return self.give(name, lift_until=tonight_end(person, datetime.now()))

    def undo(self) -> bool:
        if self.last_grant is None:
            return False
        removed = today.undo(self.window.paths, self.last_grant)
        self.last_grant = None
        self.undo_button.configure(state="disabled")
        self.refresh()
        self._say(removed, "Undone." if removed else "Nothing to undo (already gone).")
        return removed

    def _say(self, ok: bool, text: str) -> None:
        self.confirmation.configure(text=text, foreground="" if ok else ERROR_COLOUR)
