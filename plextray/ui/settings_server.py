"""Settings tab: the Plex server (URL, token, connection test) and Plex's log folder.

The token goes to the OS keyring only — never to config.json. When there is no secure keyring
the tab says so (and how to use PLEX_TOKEN instead) rather than writing it anywhere else.
The connection test runs on a worker thread; its answer comes back through the dispatcher.
"""

from __future__ import annotations

import os
from pathlib import Path
import threading
import tkinter as tk
from tkinter import filedialog, ttk
from typing import Any

from plextray import const
from plextray.logs.locate import find_log_dir
from plextray.ui.first_run import FirstRunWindow
from plextray.ui.settings_common import PAD, FieldGrid, entry
from plextray.ui.settings_steps import validate_server


class ServerTab(ttk.Frame):
    def __init__(self, parent: tk.Misc, window: Any) -> None:
        super().__init__(parent, padding=8)
        self.window = window
        config = window.app_config
        self.grid_fields = FieldGrid(self)
        self.url_entry = self.grid_fields.add("url", "Server URL", entry(self, config.server_url or "http://127.0.0.1:32400", width=36))
        self.token_entry = self.grid_fields.add("token", "Plex token", entry(self, "", width=36, show="•"))
        self.token_note = ttk.Label(self, text=self._token_note(), wraplength=460)
        self.token_note.grid(row=self.grid_fields.row, column=1, columnspan=2, sticky="w", **PAD)
        self.grid_fields.row += 1
        self.test_button = ttk.Button(self, text="Test connection", command=self.test_connection)
        self.test_button.grid(row=self.grid_fields.row, column=0, sticky="w", **PAD)
        self.test_result = ttk.Label(self, text="", wraplength=460)
        self.test_result.grid(row=self.grid_fields.row, column=1, columnspan=2, sticky="w", **PAD)
        self.grid_fields.row += 1
        # a parent has no token to paste: the first-run window signs in with a code at plex.tv/link
        self.sign_in_button = ttk.Button(self, text="Sign in with Plex…", command=self.sign_in)
        self.sign_in_button.grid(row=self.grid_fields.row, column=0, sticky="w", **PAD)
        ttk.Label(self, text="No token? Sign in with your Plex account instead.", wraplength=460).grid(
            row=self.grid_fields.row, column=1, columnspan=2, sticky="w", **PAD)
        self.grid_fields.row += 1
        self.first_run: Any = None
        ttk.Separator(self).grid(row=self.grid_fields.row, column=0, columnspan=3, sticky="ew", pady=8)
        self.grid_fields.row += 1
        detected, note = detect_log_dir(config.log_dir)
        self.log_dir_entry = self.grid_fields.add("log_dir", "Plex log folder", entry(self, config.log_dir or detected, width=36))
        self.browse_button = ttk.Button(self, text="Browse…", command=self.browse)
        self.browse_button.grid(row=self.grid_fields.row, column=0, sticky="w", **PAD)
        self.log_note = ttk.Label(self, text=note, wraplength=460)
        self.log_note.grid(row=self.grid_fields.row, column=1, columnspan=2, sticky="w", **PAD)
        self.grid_fields.row += 1
        self.auto_detected = detected if not config.log_dir else ""
        self._testing = False

    def sign_in(self) -> None:
        """The first-run window's sign-in (and the rest of its steps), over this window."""
        if self.first_run is not None and self.first_run.winfo_exists():
            self.first_run.lift()
            return
        self.first_run = FirstRunWindow(self.window, self.window.paths, dispatcher=self.window.dispatcher,
                                        on_done=self.window.on_saved)

    def _token_note(self) -> str:
        store = self.window.token_store
        if store is None or not getattr(store, "available", False):
            return (f"No secure system keyring: the token will not be remembered. "
                    f"Set {const.ENV_PLEX_TOKEN} in the environment instead.")
        has = False
        try:
            has = bool(store.get())
        except Exception:
            pass
        return "A token is stored in the system keyring; leave empty to keep it." if has else \
            "Stored in the system keyring, never in a file."

    def values(self) -> dict[str, str]:
        return {"url": self.url_entry.get().strip(), "token": self.token_entry.get().strip(),
                "log_dir": self.log_dir_entry.get().strip()}

    def log_dir_setting(self) -> str | None:
        """What goes to config.json: None while the user keeps the auto-detected folder."""
        value = self.log_dir_entry.get().strip()
        return None if not value or value == self.auto_detected else value

    def browse(self) -> None:
        chosen = filedialog.askdirectory(parent=self, initialdir=self.log_dir_entry.get() or os.path.expanduser("~"),
                                         title="Plex Media Server's Logs folder")
        if chosen:
            self.log_dir_entry.delete(0, "end")
            self.log_dir_entry.insert(0, chosen)

    def test_connection(self) -> None:
        if self._testing:
            return
        values = self.values()
        errors = {k: v for k, v in validate_server(values["url"], values["token"], "").items() if k != "log_dir"}
        self.grid_fields.show_errors(errors)
        if errors:
            return
        token = values["token"] or self._stored_token()
        if not token:
            self.grid_fields.show_errors({"token": "Enter the token to test with"})
            return
        self._testing = True
        self.test_result.configure(text="Connecting…")
        threading.Thread(target=self._probe, args=(values["url"], token), name="plextray-probe", daemon=True).start()

    def _stored_token(self) -> str:
        store = self.window.token_store
        try:
            return (store.get() if store is not None and store.available else None) or os.environ.get(const.ENV_PLEX_TOKEN, "")
        except Exception:
            return os.environ.get(const.ENV_PLEX_TOKEN, "")

    def _probe(self, url: str, token: str) -> None:
        """Worker thread: ask the server who it is; the answer goes back to the Tk thread."""
        try:
            from plextray.plex.client import PlexClient

            with PlexClient(url, token) as client:  # closes its HTTP session (sockets) when done
                info = client.server_info()
            pass_note = "Plex Pass: yes (can stop playback)" if info.plex_pass else "no Plex Pass: cannot stop playback"
            text = f"✔ Connected to {info.name} (Plex {info.version}); {pass_note}"
        except Exception as exc:  # PlexUnreachable, PlexAuthError, ... all end up as one line here
            text = f"✘ {describe_probe_error(exc)}"
        self.window.dispatcher.post(self._probe_done, text)

    def _probe_done(self, text: str) -> None:
        self._testing = False
        if self.winfo_exists():
            self.test_result.configure(text=text)


def describe_probe_error(exc: BaseException) -> str:
    name = type(exc).__name__
    if name == "PlexAuthError":
        return f"The server refused the token: {exc}"
    if name in ("PlexUnreachable", "PlexTimeout"):
        return f"No answer from the server: {exc}"
    if isinstance(exc, ImportError):
        return "This build cannot talk to Plex yet (plextray.plex.client is missing)"
    return str(exc) or name


def detect_log_dir(configured: str | None) -> tuple[str, str]:
    """(auto-detected folder or "", a note for the user)."""
    try:
        found = find_log_dir(Path(configured) if configured else None)
        return str(found), "Auto-detected." if not configured else "Using the folder you chose."
    except Exception as exc:  # LogDirError: say why, let the user pick
        return "", str(exc)
