"""TrayApp: the main thread runs the dispatcher's loop, the tray icon its own thread, the engine its own.

`run()` blocks in the dispatcher's loop. The engine's snapshots arrive on the engine thread and
are posted to the dispatcher; menu clicks arrive on the tray thread and are posted too. So Tk
widgets and the icon are only ever touched from the main thread. Tk itself (about a sixth of
the tray's memory) is created only when a window or the popup menu first needs it, and then
kept; until then the main thread sleeps on the dispatcher's pipe. Quit stops the engine, the
icon and Tk, and joins their threads: nothing is left running.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from plextray.autostart import Autostart
from plextray.control import EngineControl, Notifier
from plextray.core.model import EngineSnapshot, EngineState
from plextray.mail.service import email_now
from plextray.paths import AppPaths
from plextray.ui.backend import PROBLEM_KEY, apply_choice, choose_backend
from plextray.ui.dispatch import Dispatcher
from plextray.ui.opener import open_folder
from plextray.ui.tray import Tray, TrayActions

log = logging.getLogger(__name__)


class TrayApp:
    def __init__(
        self,
        engine: EngineControl,
        paths: AppPaths,
        *,
        open_report: Callable[[], None],
        notifier: Notifier,
        opener: Callable[[Path], None] | None = None,
        autostart: Any = None,
        email: Callable[[str], str] | None = None,
        restart_engine: Callable[[], EngineControl] | None = None,
        backend: Any = None,
    ) -> None:
        self.engine = engine
        self._restart_engine = restart_engine  # after first-run setup: an engine on the new settings
        self.first_run: Any = None
        self._setup_offered = False
        self.paths = paths
        self.notifier = notifier
        self._open_report = open_report
        self._opener = opener if opener is not None else open_folder
        if email is None:

            def email(what: str) -> str:
                return email_now(self.paths, what)

        self._email = email
        self.autostart = autostart if autostart is not None else Autostart()
        self.root: Any = None
        self.dispatcher: Dispatcher | None = None
        self.tray: Tray | None = None
        self.settings: Any = None
        self._unsubscribe: Callable[[], None] | None = None
        self._closed = False
        self._quit_requested = False
        self.backend_problem: str | None = None
        self._backend = backend  # a plextray.ui.backend.BackendChoice made earlier, or None: choose here

    # ---- lifecycle -----------------------------------------------------------------------

    def start(self) -> Any:
        """Create the dispatcher and the tray (no Tk yet, except on macOS); returns the Tk root or
        None. No main loop yet."""
        self.dispatcher = Dispatcher()
        self.dispatcher.start()
        if sys.platform == "darwin":  # pragma: no cover - Tk's Cocoa loop is what serves the status item
            self.tk_root()
        actions = TrayActions(
            open_report=self.open_report,
            open_settings=self.open_settings,
            open_archive=self.open_archive,
            email_logs=self.email_logs,
            set_autostart=self.set_autostart,
            autostart_enabled=self.autostart.is_enabled,
            quit=self.quit,
            open_setup=self.open_setup,
            confirm=self._confirm,
        )
        self._choose_backend()
        self.tray = Tray(self.engine, self.dispatcher, actions, menu_root=self.tk_root)
        if hasattr(self.notifier, "attach_tray"):
            self.notifier.attach_tray(self.tray_notify)
        self._unsubscribe = self.engine.subscribe(self._on_snapshot)
        self.dispatcher.post(self._apply_snapshot, self.engine.snapshot())  # one published before we listened
        self.tray.start()
        return self.root

    def tk_root(self) -> Any:
        """Main thread: the hidden Tk root, created when a window or the popup menu first needs it."""
        if self.root is None:
            if self._closed or self.dispatcher is None:
                raise RuntimeError("the tray app is not running")
            import tkinter as tk

            parked = self.tray.loop_parked() if self.tray is not None else contextlib.nullcontext()
            with parked:  # see Tray.loop_parked: Tk must not start while pystray holds an X grab
                root = tk.Tk(className="plextray")
            root.withdraw()
            root.title("plextray")
            self.root = root
            self.dispatcher.attach(root)
        return self.root

    def _confirm(self, title: str, message: str) -> None:
        """A grant from the menu answered with the new time left (a desktop notification)."""
        if self.notifier is not None:
            self.notifier.notify(title, message)

    def _choose_backend(self) -> None:
        """StatusNotifierItem where the desktop has a watcher, XEmbed where that is its tray; a
        missing piece becomes a problem in the engine's snapshot (and so a notification and a
        line in `plextray status`) naming what to install."""
        choice = self._backend
        if choice is None:
            try:
                choice = choose_backend()
            except Exception:
                log.exception("could not choose a tray backend; leaving it to pystray")
                return
            apply_choice(choice)
        self.backend_problem = choice.problem
        report = getattr(self.engine, "report_problem", None)
        if choice.problem and report is not None:
            report(PROBLEM_KEY, choice.problem)

    def run(self) -> None:
        """Start and block in the dispatcher's loop (main thread) until Quit, SIGTERM or Ctrl-C."""
        previous = self._install_signal_handlers()  # before start(): a SIGTERM during start-up counts too
        try:
            self.start()
            if self._quit_requested:
                self.dispatcher.post(self.quit)
            self.dispatcher.run()
        finally:
            self.quit()
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _on_signal(self, *_: Any) -> None:
        self._quit_requested = True
        if self.dispatcher is not None:
            self.dispatcher.post(self.quit)

    def _install_signal_handlers(self) -> dict[int, Any]:
        """SIGTERM/SIGINT quit cleanly. Tk would swallow a KeyboardInterrupt raised inside a callback,
        so the handler only posts Quit; the dispatcher's pipe (the signal wake-up fd) wakes the
        main thread, in Tk's loop or its own, so that Python runs to see it."""
        if threading.current_thread() is not threading.main_thread():
            return {}
        previous: dict[int, Any] = {}
        for name in ("SIGTERM", "SIGINT"):
            signum = getattr(signal, name, None)
            if signum is None:
                continue
            try:
                previous[signum] = signal.signal(signum, self._on_signal)
            except (ValueError, OSError):
                pass
        return previous

    def quit(self) -> None:
        """Stop the engine, the icon and Tk; join their threads. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._unsubscribe is not None:
            self._unsubscribe()
        if hasattr(self.notifier, "attach_tray"):
            self.notifier.attach_tray(None)
        try:
            self.engine.stop()
        except Exception:
            log.exception("stopping the engine failed")
        if self.tray is not None:
            self.tray.stop()
        if self.dispatcher is not None:
            self.dispatcher.stop()
        if self.root is not None:
            try:
                self.root.quit()
                self.root.destroy()
            except Exception:  # already destroyed (window manager closed it)
                pass

    @property
    def closed(self) -> bool:
        return self._closed

    # ---- what the menu does (Tk thread) --------------------------------------------------

    def _on_snapshot(self, snapshot: EngineSnapshot) -> None:
        """Engine thread: hand the snapshot over to the Tk thread."""
        if self.dispatcher is not None and not self._closed:
            self.dispatcher.post(self._apply_snapshot, snapshot)

    def _apply_snapshot(self, snapshot: EngineSnapshot) -> None:
        if self.tray is not None and not self._closed:
            self.tray.apply_snapshot(snapshot)
            self._offer_setup(snapshot)

    def _offer_setup(self, snapshot: EngineSnapshot) -> None:
        """The first start with nothing set up opens the first-run window by itself, once. (The
        window's module, about 1 MB with the setup flow, is loaded only when it may open.)"""
        if snapshot.state is EngineState.NEEDS_SETUP and not self._setup_offered:
            from plextray.ui.first_run import first_run_pending

            self._setup_offered = True
            if first_run_pending(self.paths):
                self.open_setup()

    def open_setup(self) -> None:
        """The first-run window (one at a time), from the menu or on the first start."""
        if self.first_run is not None and self.first_run.winfo_exists():
            self.first_run.lift()
            return

        def build() -> None:
            from plextray.ui.first_run import FirstRunWindow

            self.first_run = FirstRunWindow(self.tk_root(), self.paths, dispatcher=self.dispatcher, on_done=self._setup_done)

        self._guard("open the first-run window", build)

    def _setup_done(self) -> None:
        """A server or log folder chosen in the window needs an engine built on them: restart it."""
        if self._restart_engine is None:
            self._settings_saved()
            return

        def restart() -> None:
            if self._unsubscribe is not None:
                self._unsubscribe()
            engine = self._restart_engine()
            self.engine = engine
            if self.tray is not None:
                self.tray.engine = engine
            self._unsubscribe = engine.subscribe(self._on_snapshot)
            report = getattr(engine, "report_problem", None)
            if self.backend_problem and report is not None:  # the new engine must say it too
                report(PROBLEM_KEY, self.backend_problem)
            self._apply_snapshot(engine.snapshot())

        self._guard("restart monitoring on the new settings", restart)

    def open_report(self) -> None:
        self._guard("open today's report", self._open_report)

    def open_archive(self) -> None:
        self._guard("open the archive folder", lambda: self._opener(self.paths.archives))

    def email_logs(self) -> None:
        """E-mail today's archive (the original tool's "logs by e-mail"). SMTP blocks, so it runs
        on a worker thread; the outcome, good or bad, comes back as a notification."""

        def send() -> None:
            try:
                sentence = self._email("logs")
            except Exception as exc:  # DeliveryError, ConfigError...: say it, never kill the tray
                log.warning("e-mailing the logs failed: %s", exc)
                self.notifier.notify("plextray", f"Could not e-mail the logs: {exc}")
            else:
                self.notifier.notify("plextray", sentence)

        threading.Thread(target=send, name="plextray-email", daemon=True).start()

    def set_autostart(self, enabled: bool) -> None:
        self._guard("change start at login", lambda: self.autostart.set_enabled(enabled))

    def open_settings_from_anywhere(self) -> None:
        """Any thread (a notification's "Link to…"): the settings window, where devices are linked."""
        if self.dispatcher is not None and not self._closed:
            self.dispatcher.post(self._open_devices)

    def _open_devices(self) -> None:
        self.open_settings()
        try:
            self.settings.notebook.select(self.settings.devices)
        except Exception:  # the window did not open (already said) or has no such tab
            log.debug("could not show the devices tab", exc_info=True)

    def open_settings(self) -> None:
        """Show the settings window (one at a time: a second click raises the open one)."""
        if self.settings is not None and self.settings.exists():
            self.settings.lift()
            return

        def build() -> None:
            from plextray.ui.settings import SettingsWindow

            self.settings = SettingsWindow(
                self.tk_root(), self.paths, dispatcher=self.dispatcher, on_saved=self._settings_saved
            )

        self._guard("open the settings", build)

    def _settings_saved(self) -> None:
        try:
            self.engine.reload_profiles()
        except Exception:
            log.exception("engine could not reload the profiles")

    def tray_notify(self, title: str, message: str) -> None:
        """Notifier hook: the icon's own notification, always issued from the Tk thread."""
        if self.tray is None or self.dispatcher is None:
            raise RuntimeError("no tray icon")
        if self.dispatcher.on_tk_thread():
            self.tray.notify(title, message)
        else:
            if not getattr(self.tray.icon, "HAS_NOTIFICATION", False):
                raise RuntimeError("this tray backend cannot show notifications")
            self.dispatcher.post(self._guard, "show a notification", lambda: self.tray.notify(title, message))

    def _guard(self, what: str, func: Callable[[], None]) -> None:
        """Run a menu action; a failure becomes a notification, never a dead tray."""
        try:
            func()
        except Exception as exc:
            log.exception("could not %s", what)
            self.notifier.notify("plextray", f"Could not {what}: {exc}")
