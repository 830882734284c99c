"""The first-run window: the four steps of `plextray setup` for a parent at the desktop.

1 Server — found on its own; *Sign in with Plex* shows a code and opens plex.tv/link, then waits
  (or *Use this server's own token* on the Plex host); the connection and Plex Pass are shown.
2 Logs — found on their own; one click turns on Plex's debug logging, saying why.
3 People — a child's name, the devices and accounts seen recently to tick (watching now first),
  and the starting rules (bedtime 20:30 on school nights, nothing above PG, 2 h a day).
4 Alerts — optional: an apprise URL and *Send test*.
The work is plextray.setup_flow's (shared with the terminal); network calls run on worker
threads and come back through the dispatcher, so the window never freezes.
"""

from __future__ import annotations

import logging
import threading
import tkinter as tk
import webbrowser
from collections.abc import Callable
from pathlib import Path
from tkinter import filedialog, ttk
from typing import Any

from plextray import setup_flow as flow
from plextray.config import load_config
from plextray.errors import SecretStoreError
from plextray.paths import AppPaths
from plextray.plex.credentials import load_credentials
from plextray.plex.pinlogin import LINK_PAGE, pin_login
from plextray.ui.dispatch import Dispatcher
from plextray.ui.theme import apply_theme, set_window_icon

log = logging.getLogger(__name__)

STEPS = ("1  Server", "2  Logs", "3  People", "4  Alerts")
DISMISSED_FILE = "first-run-done"  # beside config.json: the window no longer opens by itself


class FirstRunWindow(tk.Toplevel):
    def __init__(self, master: tk.Misc, paths: AppPaths, *, dispatcher: Dispatcher,
                 on_done: Callable[[], None] | None = None, open_url: Callable[[str], Any] | None = None) -> None:
        super().__init__(master)
        apply_theme(self)
        self._photos = set_window_icon(self)
        self.title("Set up plextray")
        self.paths = paths
        self.dispatcher = dispatcher
        self.on_done = on_done
        self.open_url = open_url
        self.url: str | None = None
        self.token: str | None = None
        self.connected: flow.Connected | None = None
        self.log_dir: Path | None = None
        self.children_added: list[str] = []
        self.candidates: list[flow.Candidate] = []
        self.ticks: list[tk.BooleanVar] = []
        self.pin_code = tk.StringVar(master=self)
        self._cancel = threading.Event()
        self.protocol("WM_DELETE_WINDOW", self.later)
        self.bind("<Escape>", lambda _e: self.later())

        self.notebook = ttk.Notebook(self)
        self.notebook.pack(fill="both", expand=True, padx=12, pady=(12, 6))
        self.pages = [ttk.Frame(self.notebook, padding=12) for _ in STEPS]
        for page, title in zip(self.pages, STEPS):
            self.notebook.add(page, text=title)
        self._server_page(self.pages[0])
        self._logs_page(self.pages[1])
        self._people_page(self.pages[2])
        self._alerts_page(self.pages[3])
        bar = ttk.Frame(self, padding=(12, 0, 12, 12))
        bar.pack(fill="x")
        self.later_button = ttk.Button(bar, text="Later", command=self.later)
        self.later_button.pack(side="left")
        self.finish_button = ttk.Button(bar, text="Finish", command=self.finish, state="disabled")
        self.finish_button.pack(side="right")
        self.next_button = ttk.Button(bar, text="Next ›", command=self.next_step)
        self.next_button.pack(side="right", padx=6)
        self.notebook.bind("<<NotebookTabChanged>>", self._tab_changed)
        self._work(flow.discover, self._discovered)
        self._work(self._existing, self._connected_before)  # opened again from the menu: already signed in?
        self._refresh_logs()

    # ---- plumbing ---------------------------------------------------------------------------

    def _work(self, job: Callable[[], Any], done: Callable[[Any], Any]) -> None:
        """Run `job` on a worker thread; `done(result or exception)` on the Tk thread."""

        def run() -> None:
            try:
                result: Any = job()
            except Exception as exc:  # shown in the window, never a crash
                result = exc
            self.dispatcher.post(self._deliver, done, result)

        threading.Thread(target=run, name="plextray-first-run", daemon=True).start()

    def _deliver(self, done: Callable[[Any], Any], result: Any) -> None:
        if self.winfo_exists():
            done(result)

    def next_step(self) -> None:
        index = self.notebook.index("current")
        if index < len(STEPS) - 1:
            self.notebook.select(index + 1)

    def _tab_changed(self, _event: object = None) -> None:
        if self.notebook.index("current") == 2 and not self.candidates:
            self.load_candidates()

    # ---- 1 server ---------------------------------------------------------------------------

    def _server_page(self, page: ttk.Frame) -> None:
        ttk.Label(page, text="Which Plex server should plextray watch?", font=("TkDefaultFont", 11, "bold")).pack(anchor="w")
        self.found_label = ttk.Label(page, text="Looking for Plex on this computer and the network…", wraplength=460)
        self.found_label.pack(anchor="w", pady=(4, 8))
        row = ttk.Frame(page)
        row.pack(fill="x")
        ttk.Label(row, text="Address").pack(side="left")
        self.url_entry = ttk.Entry(row, width=40)
        self.url_entry.insert(0, flow.LOCAL_URL)
        self.url_entry.pack(side="left", padx=6, fill="x", expand=True)
        buttons = ttk.Frame(page)
        buttons.pack(fill="x", pady=8)
        self.sign_in_button = ttk.Button(buttons, text="Sign in with Plex", command=self.sign_in_with_plex)
        self.sign_in_button.pack(side="left")
        self.own_token = flow.server_own_token()
        self.own_button = ttk.Button(buttons, text="Use this server's own token", command=self.use_server_token,
                                     state="normal" if self.own_token else "disabled")
        self.own_button.pack(side="left", padx=6)
        self.keyring = flow.keyring_available()
        self.file_ok = tk.BooleanVar(master=self, value=True)
        if not self.keyring:  # asked, never by surprise: where the token goes without a keyring
            ttk.Checkbutton(page, variable=self.file_ok, text=(
                f"No system keyring here: keep the token in {self.paths.home / 'plex-token'}, "
                "readable by you only")).pack(anchor="w")
        ttk.Label(page, textvariable=self.pin_code, font=("TkFixedFont", 22, "bold")).pack(anchor="w")
        self.server_status = ttk.Label(page, text="", wraplength=460)
        self.server_status.pack(anchor="w", pady=(6, 0))

    def _discovered(self, found: Any) -> None:
        if isinstance(found, list) and found:
            self.url_entry.delete(0, "end")
            self.url_entry.insert(0, found[0])
            self.found_label.configure(text=f"Found Plex Media Server at {found[0]}.")
        else:
            self.found_label.configure(text="No Plex server found by itself: type its address (http://HOST:32400).")

    def _existing(self) -> tuple[flow.Connected, str] | None:
        """The server and token already set up (config + keyring / file / environment), if they work."""
        try:
            credentials = load_credentials(load_config(self.paths.config))
            return flow.connect(credentials.url, credentials.token, timeout=5), credentials.token
        except Exception:
            return None

    def _connected_before(self, result: Any) -> None:
        if not isinstance(result, tuple) or self.connected is not None:
            return
        self.connected, self.token = result
        self.url = self.connected.url
        self.url_entry.delete(0, "end")
        self.url_entry.insert(0, self.connected.url)
        plex_pass = "Plex Pass ✓" if self.connected.plex_pass else "no Plex Pass"
        self.server_status.configure(text=f"✓ Already connected to {self.connected.name} · {plex_pass}. "
                                     "Sign in again only to change it.")
        self._refresh_logs()

    def sign_in_with_plex(self) -> None:
        """The PIN flow: show the code, open plex.tv/link, wait for the parent to enter it."""
        self.sign_in_button.configure(state="disabled")
        self.server_status.configure(text="Asking plex.tv for a code…")
        self._cancel.clear()

        def show_code(code: str) -> None:
            self.dispatcher.post(self._show_code, code, LINK_PAGE)

        self._work(lambda: pin_login(lambda _text: None, on_code=show_code, cancelled=self._cancel.is_set),
                   self._signed_in)

    def _show_code(self, code: str, page: str) -> None:
        self.pin_code.set(code)
        self.server_status.configure(text=f"Enter this code at {page} (opened in your browser), signed in to "
                                     "your Plex account. Waiting…")
        try:
            (self.open_url or webbrowser.open)(page)
        except Exception:
            log.debug("no browser", exc_info=True)

    def _signed_in(self, result: Any) -> None:
        self.sign_in_button.configure(state="normal")
        if isinstance(result, Exception):
            self.server_status.configure(text=f"Sign-in failed: {result}")
            return
        self.test_connection(result)

    def use_server_token(self) -> None:
        if self.own_token:
            self.test_connection(self.own_token)

    def test_connection(self, token: str) -> None:
        url = self.url_entry.get().strip()
        if "://" not in url:
            url = f"http://{url}"
        self.server_status.configure(text=f"Connecting to {url}…")
        store = "keyring" if self.keyring else "file" if self.file_ok.get() else None  # read here: Tk thread only
        self._work(lambda: self._connect_and_save(url, token, store), self._connected)

    def _connect_and_save(self, url: str, token: str, store: str | None) -> tuple[flow.Connected, str, str]:
        connected = flow.connect(url, token)
        if store is None:
            raise SecretStoreError("no system keyring to keep the token in, and the file was not wanted "
                                   "(tick the box above, or set PLEX_URL and PLEX_TOKEN)")
        where = flow.save_server(self.paths, connected.url, token, store=store)
        return connected, token, where

    def _connected(self, result: Any) -> None:
        if isinstance(result, Exception):
            self.server_status.configure(text=f"Not connected: {result}. Nothing was saved.")
            return
        self.connected, self.token, where = result
        self.url = self.connected.url
        self.pin_code.set("")
        plex_pass = "Plex Pass ✓" if self.connected.plex_pass else "no Plex Pass: plextray can warn but not stop plays"
        self.server_status.configure(text=f"✓ Connected to {self.connected.name} (version {self.connected.version}) · "
                                     f"{plex_pass}. Token kept {where}.")
        self._refresh_logs()
        self.next_step()

    # ---- 2 logs -----------------------------------------------------------------------------

    def _logs_page(self, page: ttk.Frame) -> None:
        ttk.Label(page, text="Plex's logs", font=("TkDefaultFont", 11, "bold")).pack(anchor="w")
        self.logs_label = ttk.Label(page, text="", wraplength=460)
        self.logs_label.pack(anchor="w", pady=(4, 6))
        ttk.Button(page, text="Choose the Logs folder…", command=self.choose_logs).pack(anchor="w")
        ttk.Label(page, wraplength=460, text=(
            "Plex writes who plays what to its log only with its debug logging on. Without it plextray still "
            "enforces the rules (it asks the server what is playing), but keeps no history from the log.")).pack(
            anchor="w", pady=(10, 4))
        self.debug_button = ttk.Button(page, text="Turn on debug logging", command=self.turn_on_debug_logging,
                                       state="disabled")
        self.debug_button.pack(anchor="w")
        self.debug_label = ttk.Label(page, text="", wraplength=460)
        self.debug_label.pack(anchor="w", pady=(4, 0))

    def _refresh_logs(self) -> None:
        self.log_dir, sentence = flow.find_logs(self.paths)
        self.logs_label.configure(text=("✓ " if self.log_dir else "") + sentence)
        if self.connected is not None:
            if self.connected.debug_logging:
                self.debug_label.configure(text="✓ Debug logging is on.")
                self.debug_button.configure(state="disabled")
            else:
                self.debug_label.configure(text="Debug logging is off.")
                self.debug_button.configure(state="normal")

    def choose_logs(self, folder: str | None = None) -> None:
        chosen = folder or filedialog.askdirectory(parent=self, title="Plex's Logs folder")
        if not chosen:
            return
        try:
            self.log_dir = flow.save_log_dir(self.paths, Path(chosen))
        except Exception as exc:
            self.logs_label.configure(text=str(exc))
            return
        self.logs_label.configure(text=f"✓ Plex's logs are in {self.log_dir}")

    def turn_on_debug_logging(self) -> None:
        if self.url is None or self.token is None:
            return
        url, token = self.url, self.token
        self.debug_button.configure(state="disabled")
        self._work(lambda: flow.set_debug_logging(url, token, True), self._debug_done)

    def _debug_done(self, result: Any) -> None:
        if isinstance(result, Exception):
            self.debug_label.configure(text=f"Could not turn it on: {result}")
            self.debug_button.configure(state="normal")
            return
        self.debug_label.configure(text="✓ Debug logging is on.")

    # ---- 3 people ---------------------------------------------------------------------------

    def _people_page(self, page: ttk.Frame) -> None:
        ttk.Label(page, text="Who should plextray look after?", font=("TkDefaultFont", 11, "bold")).pack(anchor="w")
        row = ttk.Frame(page)
        row.pack(fill="x", pady=4)
        ttk.Label(row, text="Child's name").pack(side="left")
        self.name_entry = ttk.Entry(row, width=24)
        self.name_entry.pack(side="left", padx=6)
        ttk.Label(page, text="Their devices and accounts (seen recently; watching now first):").pack(anchor="w", pady=(6, 2))
        self.device_box = ttk.Frame(page)
        self.device_box.pack(fill="x")
        self.preset_var = tk.BooleanVar(master=self, value=True)
        ttk.Checkbutton(page, variable=self.preset_var,
                        text=f"Start with: {flow.PRESET_WORDS} (editable later in Settings)").pack(anchor="w", pady=6)
        self.add_button = ttk.Button(page, text="Add child", command=self.add_child)
        self.add_button.pack(anchor="w")
        self.people_label = ttk.Label(page, text="", wraplength=460)
        self.people_label.pack(anchor="w", pady=(6, 0))
        self.name_entry.bind("<Return>", lambda _e: self.add_child())

    def load_candidates(self) -> None:
        url, token = self.url, self.token
        self._work(lambda: flow.seen_recently(self.paths, url, token), self._show_candidates)

    def _show_candidates(self, seen: Any) -> None:
        for child in self.device_box.winfo_children():
            child.destroy()
        if isinstance(seen, Exception):
            ttk.Label(self.device_box, text=f"Could not list devices: {seen}").pack(anchor="w")
            return
        self.candidates, self.ticks = list(seen.candidates), []
        if not self.candidates:
            ttk.Label(self.device_box, text="None seen yet: they appear here once they play.").pack(anchor="w")
        for candidate in self.candidates:
            var = tk.BooleanVar(master=self, value=False)
            owner = f"  [now {candidate.owner}'s]" if candidate.owner else ""
            ttk.Checkbutton(self.device_box, text=candidate.label + owner, variable=var).pack(anchor="w")
            self.ticks.append(var)

    def tick(self, text: str) -> None:
        """Tick the first candidate whose label contains `text` (for keyboard-free use and tests)."""
        for candidate, var in zip(self.candidates, self.ticks):
            if text in candidate.label:
                var.set(True)
                return
        raise KeyError(text)

    def add_child(self) -> bool:
        name = self.name_entry.get().strip()
        if not name:
            self.people_label.configure(text="Type the child's name first.")
            return False
        picked = [c for c, var in zip(self.candidates, self.ticks) if var.get()]
        try:
            flow.add_child(self.paths, name, devices=[c.value for c in picked if c.kind == "device"],
                           accounts=[c.value for c in picked if c.kind == "account"],
                           rules=flow.preset() if self.preset_var.get() else [])
        except Exception as exc:
            self.people_label.configure(text=f"Not saved: {exc}")
            return False
        self.children_added.append(name)
        self.people_label.configure(text=f"✓ Added {', '.join(self.children_added)}. Add another, or go on.")
        self.name_entry.delete(0, "end")
        for var in self.ticks:
            var.set(False)
        self.finish_button.configure(state="normal")
        return True

    # ---- 4 alerts ---------------------------------------------------------------------------

    def _alerts_page(self, page: ttk.Frame) -> None:
        ttk.Label(page, text="Alerts on your phone or by e-mail (optional)", font=("TkDefaultFont", 11, "bold")).pack(anchor="w")
        ttk.Label(page, wraplength=460, text="An apprise URL, e.g. ntfy://ntfy.sh/your-topic (the ntfy app), "
                  "pover://user@token (Pushover) or mailto://user:password@example.org.").pack(anchor="w", pady=4)
        self.alert_entry = ttk.Entry(page, width=50)
        self.alert_entry.pack(anchor="w")
        self.test_button = ttk.Button(page, text="Send test", command=self.send_test)
        self.test_button.pack(anchor="w", pady=6)
        self.alert_label = ttk.Label(page, text="", wraplength=460)
        self.alert_label.pack(anchor="w")

    def send_test(self) -> None:
        url = self.alert_entry.get().strip()
        if not url:
            return
        try:
            flow.save_alert_url(self.paths, url)
        except Exception as exc:
            self.alert_label.configure(text=str(exc))
            return
        self.alert_label.configure(text="Saved; sending a test…")
        self._work(lambda: flow.send_test_alert(url), lambda text: self.alert_label.configure(text=str(text)))

    # ---- end --------------------------------------------------------------------------------

    def finish(self) -> None:
        url = self.alert_entry.get().strip()
        if url:
            try:
                flow.save_alert_url(self.paths, url)
            except Exception as exc:
                self.notebook.select(3)
                self.alert_label.configure(text=str(exc))
                return
        self._mark_done()
        self._close()
        if self.on_done is not None:
            self.on_done()

    def later(self) -> None:
        """Close; the tray keeps its needs-setup icon and the menu's Set up… opens this again."""
        self._mark_done()
        self._close()

    def _mark_done(self) -> None:
        try:
            self.paths.home.mkdir(parents=True, exist_ok=True)
            (self.paths.home / DISMISSED_FILE).touch()
        except OSError:
            pass

    def _close(self) -> None:
        self._cancel.set()
        self.destroy()


def first_run_pending(paths: AppPaths) -> bool:
    """Open by itself? Only until the parent finished it or said Later once."""
    return not (paths.home / DISMISSED_FILE).exists()
