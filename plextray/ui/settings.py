"""The settings window: server, people, devices, restrictions (and alerts when available).

It edits the profiles.json document in memory; Save writes it through the profile store (atomic,
validated: on an error nothing is written and the message is shown), writes config.json (URL,
log folder) and puts the token in the OS keyring. Every tab's logic lives in settings_steps so
it is testable without a window; the tabs only display it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import tkinter as tk
from collections.abc import Callable
from tkinter import messagebox, ttk
from typing import Any

from plextray.config import AppConfig, load_config
from plextray.config_save import save_config
from plextray.errors import PlexTrayError
from plextray.paths import AppPaths
from plextray.plex.credentials import TokenStore
from plextray.profiles.store import ProfileStore
from plextray.ui import settings_steps as steps
from plextray.ui.dispatch import Dispatcher
from plextray.ui.settings_common import ERROR_COLOUR, PAD
from plextray.ui.settings_devices import DevicesTab, load_devices
from plextray.ui.settings_people import PeopleTab
from plextray.ui.settings_restrictions import RestrictionsTab
from plextray.ui.settings_server import ServerTab
from plextray.ui.settings_today import TodayTab
from plextray.ui.theme import apply_theme

log = logging.getLogger(__name__)


class SettingsWindow(tk.Toplevel):
    def __init__(
        self,
        parent: tk.Misc,
        paths: AppPaths,
        *,
        dispatcher: Dispatcher | None = None,
        on_saved: Callable[[], None] | None = None,
        store: Any = None,
        token_store: Any = None,
        devices: list | None = None,
    ) -> None:
        super().__init__(parent)
        self.title("plextray settings")
        _pick_theme(self)
        self.paths = paths
        self.on_saved = on_saved
        self._own_dispatcher = dispatcher is None
        self.dispatcher = dispatcher or Dispatcher(self)
        if self._own_dispatcher:
            self.dispatcher.start()
        self.store = store if store is not None else _profile_store(paths)
        self.token_store = token_store if token_store is not None else _token_store()
        self.app_config, config_error = _load_config(paths)
        self.doc, load_error = self._load_doc()
        self.profiles_editable = load_error is None

        self.notebook = ttk.Notebook(self)
        self.notebook.grid(row=0, column=0, columnspan=3, sticky="nsew", padx=8, pady=8)
        self.rowconfigure(0, weight=1)
        self.columnconfigure(0, weight=1)
        self.server = ServerTab(self.notebook, self)
        self.people = PeopleTab(self.notebook, self)
        self.devices = DevicesTab(self.notebook, self, devices if devices is not None else load_devices(paths.database))
        self.restrictions = RestrictionsTab(self.notebook, self)
        for tab, title in ((self.server, "Server"), (self.people, "People"), (self.devices, "Devices"),
                           (self.restrictions, "Restrictions")):
            self.notebook.add(tab, text=title)
        self.delivery = self._delivery_tab()
        self.today = TodayTab(self.notebook, self)  # extra time today: acts at once, no Save needed
        self.notebook.insert(0, self.today, text="Today")
        self.notebook.select(self.today)

        self.status = ttk.Label(self, text=load_error or config_error or "", foreground=ERROR_COLOUR if (load_error or config_error) else "", wraplength=620)
        self.status.grid(row=1, column=0, sticky="w", **PAD)
        self.save_button = ttk.Button(self, text="Save", command=self.save)
        self.save_button.grid(row=1, column=1, sticky="e", **PAD)
        self.close_button = ttk.Button(self, text="Close", command=self.close)
        self.close_button.grid(row=1, column=2, sticky="e", **PAD)
        self.protocol("WM_DELETE_WINDOW", self.close)
        self.saved_count = 0
        if self.delivery is not None:  # one Save for the whole window: the tab's own button goes
            self.delivery.save_button.pack_forget()
        self.notebook.enable_traversal()  # Ctrl+Tab / Ctrl+Shift+Tab switch tabs
        self.bind("<Escape>", lambda _e: self.close())
        self.bind("<Return>", self._on_return)
        self.ask_unsaved: Callable[[], bool | None] = self._ask_unsaved  # replaced in tests
        self._clean = self._fingerprint()
        self._watch_id: str | None = None
        self._watch()

    # ---- unsaved changes -----------------------------------------------------------------

    def _fingerprint(self) -> str:
        """Everything Save would write, as one string: differs from the saved one = unsaved changes."""
        delivery = self.delivery.values() if self.delivery is not None else None
        return json.dumps([self.doc, self.server.values(), delivery], sort_keys=True, default=str)

    @property
    def dirty(self) -> bool:
        return self._fingerprint() != self._clean

    def _watch(self) -> None:
        """Keep the title saying whether there is anything unsaved (typing in any field counts)."""
        try:
            title = "plextray settings — unsaved changes" if self.dirty else "plextray settings"
            if self.title() != title:
                self.title(title)
            self._watch_id = self.after(250, self._watch)
        except tk.TclError:  # destroyed meanwhile
            self._watch_id = None

    def _on_return(self, event: Any) -> None:
        widget = event.widget
        if isinstance(widget, (tk.Text, tk.Listbox)):
            return  # Enter belongs to the widget (a new line of alert URLs)
        if str(widget).startswith(str(self.restrictions)):
            self.restrictions.add()  # Enter in the rule form adds the rule
        else:
            self.save()

    def _ask_unsaved(self) -> bool | None:
        return messagebox.askyesnocancel("Unsaved changes", "Save your changes before closing?", parent=self)

    # ---- the document --------------------------------------------------------------------

    def _load_doc(self) -> tuple[dict[str, Any], str | None]:
        try:
            doc = self.store.load_raw()
        except Exception as exc:  # ProfileError (broken JSON): never overwrite it from here
            return steps.new_document(), f"profiles.json cannot be edited here until it is fixed: {exc}"
        issues = self.validate(doc)  # valid JSON, wrong shapes: the tabs cannot show it either
        if issues:
            problems = "; ".join(f"{getattr(i, 'path', '$')}: {getattr(i, 'message', i)}" for i in issues[:5])
            return steps.new_document(), f"profiles.json cannot be edited here until it is fixed: {problems}"
        return doc, None

    def set_doc(self, doc: dict[str, Any]) -> None:
        """Replace the edited document and let every tab show it."""
        self.doc = doc
        self.people.refresh()
        self.devices.refresh()
        self.restrictions.refresh()

    def validate(self, doc: dict[str, Any]) -> list[Any]:
        """The profile store's issues for `doc` (empty when it would save)."""
        try:
            return list(self.store.validate(doc))
        except Exception as exc:
            log.exception("profile validation failed")
            return [type("Issue", (), {"path": "$", "message": str(exc)})()]

    # ---- saving --------------------------------------------------------------------------

    def save(self) -> bool:
        values = self.server.values()
        # the folder found by itself is not checked again: only one typed or chosen by hand must hold the log
        errors = steps.validate_server(values["url"], values["token"], self.server.log_dir_setting() or "")
        self.server.grid_fields.show_errors(errors)
        if errors:
            self.notebook.select(self.server)
            return self._report(False, "Not saved: fix the highlighted fields on the Server tab.")
        if self.delivery is not None and self.delivery._validated() is None:
            self.notebook.select(self.delivery)
            return self._report(False, "Not saved: fix the highlighted fields on the Alerts tab.")
        fingerprint = self._fingerprint()  # what is being saved (the token field empties below)
        if self.delivery is not None and not self.delivery.save():  # alerts and e-mail: its own file writes
            self.notebook.select(self.delivery)
            return self._report(False, f"Not saved: {self.delivery.status.cget('text')}")
        try:
            # Re-read first: the Alerts tab saves the same file, and its settings must survive ours.
            # Before profiles.json is written: an unreadable config.json means nothing is saved.
            current = load_config(self.paths.config) if self.paths.config.exists() else self.app_config
            if self.profiles_editable:
                self.store.save_raw(self.doc)
            config = dataclasses.replace(current, server_url=values["url"], log_dir=self.server.log_dir_setting())
            if config != current or not self.paths.config.exists():
                save_config(self.paths.config, config)
            self.app_config = config
        except PlexTrayError as exc:  # ProfileError names the JSON path; nothing was written
            return self._report(False, f"Not saved: {exc}")
        except OSError as exc:
            return self._report(False, f"Not saved: {exc}")
        message = "Saved."
        if values["token"]:
            token_error = self._save_token(values["token"])
            if token_error:
                self.server.grid_fields.show_errors({"token": token_error})
                message = "Saved, except the token."
            else:
                self.server.token_entry.delete(0, "end")
                self.server.token_note.configure(text="A token is stored in the system keyring; leave empty to keep it.")
        self.saved_count += 1
        self._clean = self._fingerprint() if message == "Saved." else fingerprint
        if self.on_saved is not None:
            self.on_saved()
        return self._report(True, message)

    def _save_token(self, token: str) -> str | None:
        store = self.token_store
        if store is None:
            return "No keyring support in this build"
        try:
            store.set(token)
        except PlexTrayError as exc:  # SecretStoreError: explains PLEX_TOKEN
            return str(exc)
        except Exception as exc:
            return f"The keyring refused the token: {exc}"
        return None

    def _report(self, ok: bool, message: str) -> bool:
        self.status.configure(text=message, foreground="" if ok else ERROR_COLOUR)
        return ok

    # ---- misc ----------------------------------------------------------------------------

    def _delivery_tab(self) -> Any:
        """The alerts/e-mail tab, when that module is part of this build."""
        try:
            from plextray.ui.delivery_frame import DeliveryFrame
        except ImportError:
            return None
        try:
            frame = DeliveryFrame(self.notebook, self.paths)
        except Exception:
            log.exception("the alerts tab could not be built")
            return None
        self.notebook.add(frame, text="Alerts")
        return frame

    def exists(self) -> bool:
        try:
            return bool(self.winfo_exists())
        except tk.TclError:
            return False

    def close(self) -> bool:
        """Close; with unsaved changes, ask first (Save / Discard / Cancel). False: still open."""
        if self.dirty:
            answer = self.ask_unsaved()
            if answer is None or (answer and not self.save()):
                return False
        if self._watch_id is not None:
            self.after_cancel(self._watch_id)
            self._watch_id = None
        if self._own_dispatcher:
            self.dispatcher.stop()
        self.destroy()
        return True


def _pick_theme(widget: tk.Misc) -> None:
    """Tk's bare 'default' theme looks dated on Linux: the modern one (plextray.ui.theme)."""
    apply_theme(widget)


def _load_config(paths: AppPaths) -> tuple[AppConfig, str | None]:
    try:
        return load_config(paths.config), None
    except PlexTrayError as exc:
        return AppConfig(), f"{exc} (the server settings are shown with defaults)"


def _profile_store(paths: AppPaths) -> Any:
    return ProfileStore(paths.profiles)


def _token_store() -> Any:
    try:
        return TokenStore()
    except Exception:  # no keyring module, or the store could not initialise
        log.exception("no token store")
        return None
