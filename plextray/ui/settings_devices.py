"""Settings tab: every device seen in the history, and who it belongs to.

This is where a parent links the iPad, the phone's browser and the TV to one child. Devices that
profiles.json names but the history has not seen yet are listed too, so nothing silently vanishes.
"""

from __future__ import annotations

import logging
import tkinter as tk
from tkinter import ttk
from typing import Any

from plextray.core.model import Device
from plextray.safe_text import clean
from plextray.ui import settings_steps as steps
from plextray.ui.settings_common import PAD

log = logging.getLogger(__name__)

COLUMNS = (("device", "Device", 160), ("product", "Product", 120), ("platform", "Platform", 90),
           ("last_seen", "Last seen", 150), ("ip", "IP", 110), ("account", "Account", 90),
           ("first_seen", "First seen", 150), ("owner", "Belongs to", 100))


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
        ordered = sorted(self.devices.values(), key=lambda d: (d.last_seen or ""), reverse=True)
        for device in ordered:
            owner = steps.owner_of(self.window.doc, device.client_id) or steps.NOBODY
            if steps.is_shared(self.window.doc, "devices", device.client_id):
                owner = f"{owner} (shared)"
            values = tuple(clean(value) for value in (  # names are the clients' own: no controls, no bidi
                device.device or device.client_id, device.product or "", device.platform or "",
                (device.last_seen or "").replace("T", " ")[:19], device.ip or "", device.account or "",
                (device.first_seen or "").replace("T", " ")[:19], owner))
            self.tree.insert("", "end", iid=device.client_id, values=values)
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


def load_devices(database: Any) -> list[Device]:
    """Devices from the history database; an absent or unreadable history gives an empty list."""
    if not database.exists():
        return []
    try:
        from plextray.store.db import connect

        conn = connect(database)
        try:
            try:
                from plextray.store.history import HistoryStore
            except ImportError:  # an older build without the history store: read the table itself
                rows = conn.execute(
                    "SELECT client_id, product, platform, device, ip, account, first_seen, last_seen FROM devices"
                ).fetchall()
                return [Device(*row) for row in rows]
            return list(HistoryStore(conn).devices())
        finally:
            conn.close()
    except Exception:  # the window must open even when the history cannot be read
        log.exception("could not read devices from %s", database)
        return []
