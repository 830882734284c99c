"""Settings tab for alerts (apprise URLs) and e-mail (SMTP), with "Send test" buttons.

Validation is a pure step (`validate_delivery`) so it is testable without a window; the frame only
shows its messages next to the fields. The SMTP password goes to the OS keyring, never to
config.json. Tests run on worker threads and report back through a queue polled with `after()`,
so a slow or dead server never freezes the window.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import re
import threading
import tkinter as tk
from collections.abc import Callable
from datetime import datetime
from tkinter import ttk
from typing import Any

from plextray.alerts.dispatcher import AlertResult, validate_url
from plextray.alerts.probe import send_test
from plextray.config import AppConfig, EmailSettings, load_config
from plextray.config_save import save_config
from plextray.errors import PlexTrayError
from plextray.mail.messages import probe_message
from plextray.mail.schedule import parse_time_of_day
from plextray.mail.smtp import SmtpSender, get_password, set_password
from plextray.paths import AppPaths
from plextray.plex.credentials import load_alert_urls, save_alert_urls
from plextray.secrets import register_secret

log = logging.getLogger(__name__)

ERROR_COLOUR = "#b3261e"
OK_COLOUR = "#1b5e20"
PAD: dict[str, Any] = {"padx": 6, "pady": 3}
SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+$")
_HOST = re.compile(r"^[A-Za-z0-9.\-_\[\]:]+$")


def split_addresses(text: str) -> list[str]:
    return [part for part in re.split(r"[,;\s]+", text.strip()) if part]


def validate_delivery(values: dict[str, Any]) -> tuple[dict[str, str], tuple[str, ...], EmailSettings | None]:
    """Form values → (errors by field, alert URLs, EmailSettings). Errors empty means it may be saved."""
    errors: dict[str, str] = {}
    urls = tuple(line.strip() for line in str(values.get("alert_urls", "")).splitlines() if line.strip())
    problems = []
    for number, url in enumerate(urls, 1):
        problem = validate_url(url)
        if problem:
            problems.append(f"line {number}: {problem}")
    if problems:
        errors["alert_urls"] = "; ".join(problems)

    host = str(values.get("host", "")).strip()
    security = str(values.get("security", "starttls")).strip() or "starttls"
    username = str(values.get("username", "")).strip()
    sender = str(values.get("sender", "")).strip()
    recipients = tuple(split_addresses(str(values.get("recipients", ""))))
    digest_time = str(values.get("digest_time", "")).strip() or None
    send_logs = bool(values.get("send_logs_daily", False))
    wants_mail = bool(recipients or username or digest_time or send_logs or values.get("password"))
    if host and not _HOST.match(host):
        errors["host"] = "a host name or IP address, e.g. smtp.gmail.com (no scheme://)"
    elif wants_mail and not host:
        errors["host"] = "needed to send e-mail"
    port_text = str(values.get("port", "")).strip()
    port = DEFAULT_PORTS.get(security, 587)
    if port_text:
        try:
            port = int(port_text)
            if not 1 <= port <= 65535:
                raise ValueError
        except ValueError:
            errors["port"] = "a number from 1 to 65535"
    if security not in SECURITY:
        errors["security"] = "choose starttls, ssl or none"
    bad = [a for a in recipients if not _ADDRESS.match(a)]
    if bad:
        errors["recipients"] = f"not an e-mail address: {', '.join(bad)}"
    elif host and not recipients:
        errors["recipients"] = "at least one address to send to"
    if sender and not _ADDRESS.match(sender):
        errors["sender"] = "not an e-mail address"
    if values.get("password") and not username:
        errors["username"] = "needed to store the password"
    if digest_time:
        try:
            clock = parse_time_of_day(digest_time)
            digest_time = f"{clock.hour:02d}:{clock.minute:02d}"
        except PlexTrayError:
            errors["digest_time"] = "HH:MM (24 h), e.g. 20:30; empty for no digest"
    elif send_logs:
        errors["digest_time"] = "the daily logs mail goes out at this time: set one"
    if errors:
        return errors, urls, None
    email = EmailSettings(host=host, port=port, security=security, username=username, sender=sender,
                          recipients=recipients, digest_time=digest_time, send_logs_daily=send_logs)
    return errors, urls, email


class DeliveryFrame(ttk.Frame):
    """Alert URLs and SMTP settings; Save writes config.json (and the keyring), tests run off-thread."""

    def __init__(self, parent: tk.Misc, paths: AppPaths) -> None:
        super().__init__(parent, padding=8)
        self.paths = paths
        try:
            self.config_value = load_config(paths.config)
        except PlexTrayError as exc:
            self.config_value = AppConfig()
            log.warning("settings: %s", exc)
        self._results: queue.Queue[tuple[Callable[[Any], None], Any]] = queue.Queue()
        self._polling = False
        self._pending = 0
        self.errors: dict[str, ttk.Label] = {}
        self.columnconfigure(0, weight=1)
        self._build_alerts()
        self._build_email()
        bottom = ttk.Frame(self)
        bottom.grid(row=2, column=0, sticky="ew", pady=(8, 0))
        self.save_button = ttk.Button(bottom, text="Save alerts and e-mail", command=self.save)
        self.save_button.pack(side="left")
        self.status = ttk.Label(bottom, text="", wraplength=520)
        self.status.pack(side="left", padx=8)

    # ---------------------------------------------------------------- layout

    def _error_label(self, parent: tk.Misc, name: str, row: int, column: int = 2) -> None:
        label = ttk.Label(parent, text="", foreground=ERROR_COLOUR, wraplength=260)
        label.grid(row=row, column=column, sticky="w", **PAD)
        self.errors[name] = label

    def _build_alerts(self) -> None:
        box = ttk.LabelFrame(self, text="Alerts to your phone (apprise URLs, one per line)", padding=6)
        box.grid(row=0, column=0, sticky="nsew")
        box.columnconfigure(0, weight=1)
        self.urls_text = tk.Text(box, height=4, width=56, wrap="none")
        self.urls_text.insert("1.0", "\n".join(load_alert_urls(self.config_value)))  # from the keyring
        self.urls_text.grid(row=0, column=0, columnspan=2, sticky="ew", **PAD)
        self._error_label(box, "alert_urls", 0)
        ttk.Label(box, text="e.g. ntfy://my-family-topic, pover://user@token, tgram://bottoken/chat_id, "
                            "json://host/path", foreground="#555").grid(row=1, column=0, columnspan=3, sticky="w", **PAD)
        self.alert_test_button = ttk.Button(box, text="Send test alert", command=self.send_test_alert)
        self.alert_test_button.grid(row=2, column=0, sticky="w", **PAD)
        self.alert_result = ttk.Label(box, text="", wraplength=420)
        self.alert_result.grid(row=2, column=1, columnspan=2, sticky="w", **PAD)

    def _build_email(self) -> None:
        box = ttk.LabelFrame(self, text="E-mail (daily digest, logs by e-mail)", padding=6)
        box.grid(row=1, column=0, sticky="nsew", pady=(8, 0))
        box.columnconfigure(1, weight=1)
        e = self.config_value.email
        self.fields: dict[str, Any] = {}
        row = 0

        def add(name: str, label: str, widget: Any) -> None:
            nonlocal row
            ttk.Label(box, text=label).grid(row=row, column=0, sticky="w", **PAD)
            widget.grid(row=row, column=1, sticky="ew", **PAD)
            self._error_label(box, name, row)
            self.fields[name] = widget
            row += 1

        def entry(value: str, **options: Any) -> ttk.Entry:
            widget = ttk.Entry(box, width=36, **options)
            if value:
                widget.insert(0, value)
            return widget

        add("host", "SMTP server", entry(e.host))
        add("port", "Port", entry(str(e.port)))
        security = ttk.Combobox(box, values=SECURITY, state="readonly", width=12)
        security.set(e.security if e.security in SECURITY else "starttls")
        security.bind("<<ComboboxSelected>>", self._security_changed)
        add("security", "Security", security)
        add("username", "User name", entry(e.username))
        add("password", "Password", entry("", show="•"))
        ttk.Label(box, text="Kept in the system keyring. Leave empty to keep the stored one.",
                  foreground="#555").grid(row=row, column=1, columnspan=2, sticky="w", **PAD)
        row += 1
        add("sender", "From", entry(e.sender))
        add("recipients", "To (comma-separated)", entry(", ".join(e.recipients)))
        add("digest_time", "Daily digest at (HH:MM)", entry(e.digest_time or ""))
        self.send_logs_var = tk.BooleanVar(value=e.send_logs_daily)
        add("send_logs_daily", "", ttk.Checkbutton(box, text="Also e-mail yesterday's Plex logs every day",
                                                   variable=self.send_logs_var))
        self.mail_test_button = ttk.Button(box, text="Send test e-mail", command=self.send_test_email)
        self.mail_test_button.grid(row=row, column=0, sticky="w", **PAD)
        self.mail_result = ttk.Label(box, text="", wraplength=420)
        self.mail_result.grid(row=row, column=1, columnspan=2, sticky="w", **PAD)

    def _security_changed(self, _event: Any = None) -> None:
        port = self.fields["port"]
        if port.get().strip() in {str(p) for p in DEFAULT_PORTS.values()} | {""}:
            port.delete(0, "end")
            port.insert(0, str(DEFAULT_PORTS[self.fields["security"].get()]))

    # ---------------------------------------------------------------- values and saving

    def values(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: w.get() for name, w in self.fields.items() if name != "send_logs_daily"}
        data["send_logs_daily"] = bool(self.send_logs_var.get())
        data["alert_urls"] = self.urls_text.get("1.0", "end")
        return data

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, label in self.errors.items():
            label.configure(text=errors.get(name, ""))

    def error_text(self, name: str) -> str:
        return str(self.errors[name].cget("text"))

    def _validated(self) -> tuple[tuple[str, ...], EmailSettings] | None:
        errors, urls, email = validate_delivery(self.values())
        self.show_errors(errors)
        if errors or email is None:
            return None
        return urls, email

    def save(self) -> bool:
        """E-mail settings to config.json (other settings kept); the alert URLs and the password to the keyring."""
        checked = self._validated()
        if checked is None:
            self._say(self.status, False, "Not saved: fix the highlighted fields.")
            return False
        urls, email = checked
        try:
            current = load_config(self.paths.config)
            config = dataclasses.replace(current, alert_urls=(), email=email)
            password = self.fields["password"].get()
            if password:  # first: a keyring that refuses it means nothing is saved, as the status says
                set_password(email, password)
            save_alert_urls(urls)  # they hold tokens: the keyring, never the file
            save_config(self.paths.config, config)
            if password:
                self.fields["password"].delete(0, "end")
        except (PlexTrayError, OSError) as exc:
            self._say(self.status, False, f"Not saved: {exc}")
            return False
        self.config_value = config
        window = self.winfo_toplevel()
        if isinstance(getattr(window, "app_config", None), AppConfig):
            setattr(window, "app_config", config)  # so the settings window's own Save does not write stale values
        self._say(self.status, True, "Saved.")
        return True

    # ---------------------------------------------------------------- tests (worker threads)

    def _say(self, label: ttk.Label, ok: bool, text: str) -> None:
        label.configure(text=text, foreground=OK_COLOUR if ok else ERROR_COLOUR)

    def _run_in_background(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        def runner() -> None:
            try:
                outcome: Any = work()
            except Exception as exc:  # shown to the user; never kill the thread silently
                outcome = exc
            self._results.put((done, outcome))

        self._pending += 1
        threading.Thread(target=runner, name="plextray-delivery-test", daemon=True).start()
        if not self._polling:
            self._polling = True
            self.after(50, self._poll)

    def _poll(self) -> None:
        try:
            while True:
                done, outcome = self._results.get_nowait()
                self._pending -= 1
                done(outcome)
        except queue.Empty:
            pass
        try:
            alive = bool(self.winfo_exists())
        except tk.TclError:
            alive = False
        if alive and self._pending:
            self.after(50, self._poll)
        else:
            self._polling = False

    def send_test_alert(self) -> None:
        errors, urls, _ = validate_delivery({**self.values(), "host": "", "recipients": "", "username": "",
                                             "password": "", "digest_time": "", "send_logs_daily": False})
        self.errors["alert_urls"].configure(text=errors.get("alert_urls", ""))
        if errors:
            return self._say(self.alert_result, False, "Fix the URLs first.")
        if not urls:
            return self._say(self.alert_result, False, "Add at least one URL.")
        self.alert_test_button.state(["disabled"])
        self._say(self.alert_result, True, "Sending…")

        def work() -> list[AlertResult]:
            return send_test(urls, attempts=1, timeout=30)

        def done(outcome: Any) -> None:
            self.alert_test_button.state(["!disabled"])
            if isinstance(outcome, Exception):
                return self._say(self.alert_result, False, f"Failed: {outcome}")
            failed = [r for r in outcome if not r.delivered]
            if failed or len(outcome) < len(urls):
                detail = "; ".join(f"{r.url}: {r.error}" for r in failed) or "no answer in time"
                return self._say(self.alert_result, False, f"Failed: {detail}")
            self._say(self.alert_result, True, f"Sent to {len(outcome)} URL(s).")

        self._run_in_background(work, done)

    def send_test_email(self) -> None:
        checked = self._validated()
        if checked is None:
            return self._say(self.mail_result, False, "Fix the highlighted fields first.")
        _, email = checked
        typed = self.fields["password"].get()
        register_secret(typed)
        self.mail_test_button.state(["disabled"])
        self._say(self.mail_result, True, "Sending…")

        def work() -> None:
            sender = SmtpSender(email, password=lambda s: typed or get_password(s), timeout=20)
            sender.send(probe_message(email, now=datetime.now()))

        def done(outcome: Any) -> None:
            self.mail_test_button.state(["!disabled"])
            if isinstance(outcome, Exception):
                return self._say(self.mail_result, False, f"Failed: {outcome}")
            self._say(self.mail_result, True, f"Sent to {', '.join(email.recipients)}.")

        self._run_in_background(work, done)
