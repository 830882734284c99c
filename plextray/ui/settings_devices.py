"""Settings tab: every device seen in the history, and who it belongs to.

This is where a parent links the iPad, the phone's browser and the TV to one child. Devices that
profiles.json names but the history has not seen yet are listed too, so nothing silently vanishes.
"""

from __future__ import annotations

import logging
import tkinter as tk
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from tkinter import ttk
from typing import Any

from plextray.core.model import Device
from plextray.history.devices import read_devices
from plextray.safe_text import clean
from plextray.ui import settings_steps as steps
from plextray.ui.settings_common import PAD

log = logging.getLogger(__name__)

COLUMNS = (("device", "Device", 190), ("account", "Account", 80), ("product", "App", 130),
           ("first_seen", "First seen", 120), ("last_seen", "Last seen", 120), ("owner", "Belongs to", 100))
NEW_FOR_DAYS = 7  # a device first seen this recently and linked to nobody is marked "new"


def _when(iso: str | None) -> str:
    """'2026-11-24 19:02': what fits the column (seconds tell a parent nothing)."""
    return (iso or "").replace("T", " ")[:16]


def device_rows(devices: list[Device], doc: dict[str, Any], now: datetime) -> list[tuple[str, tuple[str, ...]]]:
    """(client id, column values) per device, newest first. Devices with the same name are told
    apart by the end of their client id; one first seen lately and linked to nobody is marked new."""
    names = Counter((d.device or d.client_id).casefold() for d in devices)
    recent = (now - timedelta(days=NEW_FOR_DAYS)).isoformat()
    rows = []
    for device in sorted(devices, key=lambda d: (d.last_seen or ""), reverse=True):
        name = device.device or device.client_id
        if names[name.casefold()] > 1:
            name = f"{name} · …{device.client_id[-6:]}"
        owner = steps.owner_of(doc, device.client_id)
        if owner is None and device.first_seen and device.first_seen >= recent:
            name = f"● new  {name}"
        app = " · ".join(part for part in (device.product, device.platform) if part)
        shown_owner = owner or steps.NOBODY
        if steps.is_shared(doc, "devices", device.client_id):
            shown_owner = f"{shown_owner} (shared)"
        values = (name, device.account or "", app, _when(device.first_seen), _when(device.last_seen), shown_owner)
        rows.append((device.client_id, tuple(clean(v) for v in values)))  # names are the clients' own
    return rows


class DevicesTab(ttk.Frame):
    def __init__(self, parent: tk.Misc, window: Any, devices: list[Device]) -> None:
        super().__init__(parent, padding=8)
        self.window = window
        self.devices = {d.client_id: d for d in devices}
        self.tree = ttk.Treeview(self, columns=[c[0] for c in COLUMNS], show="headings", height=9, selectmode="browse")
        for key, title, width in COLUMNS:
            self.tree.heading(key, text=title)
            self.tree.column(key, width=width, stretch=key == "device")
        self.tree.grid(row=0, column=0, columnspan=4, sticky="nsew", **PAD)
        self.tree.bind("<<TreeviewSelect>>", self._selected)
        self.rowconfigure(0, weight=1)
        self.columnconfigure(1, weight=1)
        ttk.Label(self, text="Belongs to").grid(row=1, column=0, sticky="w", **PAD)
        self.owner_combo = ttk.Combobox(self, state="readonly", width=20)
        self.owner_combo.grid(row=1, column=1, sticky="w", **PAD)
        self.assign_button = ttk.Button(self, text="Assign", command=self.assign)
        self.assign_button.grid(row=1, column=2, sticky="w", **PAD)
        self.shared_var = tk.BooleanVar(value=False)
        self.shared_check = ttk.Checkbutton(
            self, text="Shared device: tell who is watching by the account signed in on it",
            variable=self.shared_var, command=self.toggle_shared,
        )
        self.shared_check.grid(row=2, column=0, columnspan=4, sticky="w", **PAD)
        self.message = ttk.Label(self, text="")
        self.message.grid(row=3, column=0, columnspan=4, sticky="w", **PAD)
        self.refresh()

    def refresh(self) -> None:
        selected = self.selected()
        self.tree.delete(*self.tree.get_children())
        linked = {cid for p in self.window.doc.get("people", []) for cid in p.get("devices", [])}
        for cid in sorted(linked - set(self.devices)):
            self.devices[cid] = Device(client_id=cid, device="(not seen yet)")
        for client_id, values in device_rows(list(self.devices.values()), self.window.doc, datetime.now()):
            self.tree.insert("", "end", iid=client_id, values=values)
        self.owner_combo.configure(values=[steps.NOBODY, *steps.person_names(self.window.doc)])
        if not self.devices:
            self.message.configure(text="No devices yet: they appear here once something has been played.")
        if selected in self.devices:
            self.tree.selection_set(selected)

    def selected(self) -> str | None:
        picked = self.tree.selection()
        return str(picked[0]) if picked else None

    def select(self, client_id: str) -> None:
        self.tree.selection_set(client_id)
        self.tree.see(client_id)
        self._selected()

    def _selected(self, _event: object = None) -> None:
        cid = self.selected()
        if cid is not None:
            self.owner_combo.set(steps.owner_of(self.window.doc, cid) or steps.NOBODY)
            self.shared_var.set(steps.is_shared(self.window.doc, "devices", cid))

    def toggle_shared(self) -> bool:
        cid = self.selected()
        if cid is None:
            self.shared_var.set(False)
            self.message.configure(text="Select a device first.")
            return False
        shared = bool(self.shared_var.get())
        self.window.set_doc(steps.set_shared(self.window.doc, "devices", cid, shared))
        name = self.devices[cid].device or cid if cid in self.devices else cid
        how = "by the account signed in on it" if shared else "as its owner's unless the account says otherwise"
        self.message.configure(text=f"{name}: plays are told {how} (saved when you press Save)")
        return True

    def assign(self) -> bool:
        cid = self.selected()
        if cid is None:
            self.message.configure(text="Select a device first.")
            return False
        choice = self.owner_combo.get()
        owner = None if choice in ("", steps.NOBODY) else choice
        self.window.set_doc(steps.assign_device(self.window.doc, cid, owner))
        name = clean(self.devices[cid].device or cid)
        self.message.configure(text=f"{name} → {owner or 'nobody'} (saved when you press Save)")
        return True


def load_devices(database: Path) -> list[Device]:
    """Devices from the history database (read-only); an absent or unreadable history gives an
    empty list, since the window must open anyway."""
    try:
        return read_devices(database)
    except Exception:  # DatabaseError, or anything else a damaged file raises
        log.exception("could not read devices from %s", database)
        return []
