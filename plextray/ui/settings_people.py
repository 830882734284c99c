"""Settings tab: the people of the household — add, rename, remove."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from typing import Any

from plextray.ui import settings_steps as steps
from plextray.ui.settings_common import PAD, FieldGrid, entry, set_entry


class PeopleTab(ttk.Frame):
    def __init__(self, parent: tk.Misc, window: Any) -> None:
        super().__init__(parent, padding=8)
        self.window = window
        ttk.Label(self, text="Everyone who watches: link their devices on the Devices tab.").grid(
            row=0, column=0, columnspan=3, sticky="w", **PAD
        )
        self.listbox = tk.Listbox(self, height=8, exportselection=False)
        self.listbox.grid(row=1, column=0, columnspan=3, sticky="nsew", **PAD)
        self.listbox.bind("<<ListboxSelect>>", self._selected)
        self.rowconfigure(1, weight=1)
        form = ttk.Frame(self)
        form.grid(row=2, column=0, columnspan=3, sticky="ew")
        self.grid_fields = FieldGrid(form)
        self.name_entry = self.grid_fields.add("name", "Name", entry(form, width=24))
        # the Plex accounts (user names) Plex signs this person in as: the strongest signal of
        # who is watching (plextray.core.identity); comma-separated
        self.accounts_entry = self.grid_fields.add("accounts", "Plex accounts", entry(form, width=32))
        self.shared_var = tk.BooleanVar(value=False)
        self.shared_check = ttk.Checkbutton(
            form, text="These accounts are shared by the family: tell people apart by device",
            variable=self.shared_var,
        )
        self.shared_check.grid(row=self.grid_fields.row, column=0, columnspan=3, sticky="w", **PAD)
        self.grid_fields.row += 1
        buttons = ttk.Frame(self)
        buttons.grid(row=3, column=0, columnspan=3, sticky="w")
        self.add_button = ttk.Button(buttons, text="Add", command=self.add)
        self.rename_button = ttk.Button(buttons, text="Rename", command=self.rename)
        self.remove_button = ttk.Button(buttons, text="Remove", command=self.remove)
        self.accounts_button = ttk.Button(buttons, text="Set accounts", command=self.set_accounts)
        for column, button in enumerate((self.add_button, self.rename_button, self.remove_button, self.accounts_button)):
            button.grid(row=0, column=column, **PAD)
        self.refresh()

    def refresh(self) -> None:
        self.listbox.delete(0, "end")
        for name in steps.person_names(self.window.doc):
            self.listbox.insert("end", name)

    def selected(self) -> str | None:
        picked = self.listbox.curselection()
        return str(self.listbox.get(picked[0])) if picked else None

    def select(self, name: str) -> None:
        names = steps.person_names(self.window.doc)
        self.listbox.selection_clear(0, "end")
        if name in names:
            self.listbox.selection_set(names.index(name))
            self._selected()

    def _selected(self, _event: object = None) -> None:
        name = self.selected()
        if name is not None:
            set_entry(self.name_entry, name)
            accounts = steps.accounts_of(self.window.doc, name)
            set_entry(self.accounts_entry, ", ".join(accounts))
            self.shared_var.set(bool(accounts) and all(steps.is_shared(self.window.doc, "accounts", a) for a in accounts))

    def set_accounts(self) -> bool:
        name = self.selected()
        if name is None:
            self.grid_fields.show_errors({"accounts": "Select the person first"})
            return False
        self.grid_fields.show_errors({})
        accounts = [a.strip() for a in self.accounts_entry.get().split(",") if a.strip()]
        doc = steps.set_accounts(self.window.doc, name, accounts)
        for account in accounts:
            doc = steps.set_shared(doc, "accounts", account, bool(self.shared_var.get()))
        self.window.set_doc(doc)
        return True

    def add(self) -> bool:
        name = self.name_entry.get().strip()
        errors = steps.validate_person_name(name, steps.person_names(self.window.doc))
        self.grid_fields.show_errors(errors)
        if errors:
            return False
        self.window.set_doc(steps.add_person(self.window.doc, name))
        set_entry(self.name_entry, "")
        return True

    def rename(self) -> bool:
        old = self.selected()
        if old is None:
            self.grid_fields.show_errors({"name": "Select the person to rename"})
            return False
        new = self.name_entry.get().strip()
        errors = steps.validate_person_name(new, steps.person_names(self.window.doc), current=old)
        self.grid_fields.show_errors(errors)
        if errors:
            return False
        self.window.set_doc(steps.rename_person(self.window.doc, old, new))
        self.select(new)
        return True

    def remove(self) -> bool:
        name = self.selected()
        if name is None:
            self.grid_fields.show_errors({"name": "Select the person to remove"})
            return False
        self.grid_fields.show_errors({})
        self.window.set_doc(steps.remove_person(self.window.doc, name))
        set_entry(self.name_entry, "")
        return True
