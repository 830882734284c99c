"""The pystray icon and its menu. The menu follows the engine's snapshots, not only clicks.

Threads: pystray runs its loop in its own thread on Linux/Windows and detached on macOS (where
Tk's Cocoa loop serves it). Menu callbacks run on that loop's thread; they call the engine
directly (EngineControl only posts to the engine's queue) and post everything else — settings,
report, autostart, quit — to the Tk dispatcher. Every icon mutation (image, tooltip, menu
refresh) happens on the Tk thread via `apply_snapshot`, which is what AppKit demands.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from plextray.control import EngineControl
from plextray.core.model import EngineSnapshot, EngineState, PersonStatus
from plextray.safe_text import clean, for_notification
from plextray.ui.dispatch import Dispatcher
from plextray.ui.xorg_loop import DockWatcher, XorgLoop, is_xorg

log = logging.getLogger(__name__)


class _UndockedIconFilter(logging.Filter):
    """pystray's xorg backend logs a full traceback each time no system tray takes the icon
    (a desktop without a panel, or one that starts after plextray). That is a state, not a
    crash: say it in one line; the DockWatcher docks the icon when a tray appears."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage() == "Failed to dock icon":
            record.msg = "the tray icon is not docked (no system tray yet); it will dock when one appears"
            record.args = ()
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


logging.getLogger("pystray._base").addFilter(_UndockedIconFilter())

GRANT_CHOICES: tuple[tuple[str, int], ...] = (("+15 min", 15), ("+30 min", 30), ("+1 h", 60))
NO_BEDTIME_LABEL = "No bedtime tonight"
NO_BEDTIME_UNTIL = "tonight"  # the engine lifts time windows until the night's bedtime windows end
TOOLTIP_LIMIT = 127  # Windows' szTip is 128 WCHARs including the NUL
REDOCK_CHECK_MS = 5000  # xorg: how often to check that the icon is still in the panel (each wakes Tk)

STATE_WORDS = {
    EngineState.MONITORING: "monitoring",
    EngineState.PAUSED: "paused",
    EngineState.VIOLATION: "rule broken",
    EngineState.UNREACHABLE: "server or logs unreachable",
    EngineState.STARTING: "starting",
    EngineState.NEEDS_SETUP: "needs setup",
}

MENU_PAUSE = "Pause monitoring"
MENU_REPORT = "Today's report"
MENU_GRANT = "Give extra time"
MENU_SETUP = "Set up…"
MENU_SETTINGS = "Settings…"
MENU_ARCHIVE = "Open archive folder"
MENU_EMAIL_LOGS = "E-mail today's logs"
MENU_AUTOSTART = "Start at login"
MENU_QUIT = "Quit"


def tooltip_text(snapshot: EngineSnapshot) -> str:
    """'plextray: monitoring · Emma: Bluey (iPad)' — state, then what is playing, within Windows' limit."""
    parts = [f"plextray: {STATE_WORDS.get(snapshot.state, snapshot.state.value)}"]
    if snapshot.detail and snapshot.state in (EngineState.UNREACHABLE, EngineState.VIOLATION, EngineState.NEEDS_SETUP):
        parts.append(snapshot.detail)
    for playing in snapshot.now_playing:
        who = playing.person or "unknown"
        # device and title are a client's and the library's words: one plain line each, no markup
        where = f" ({for_notification(clean(playing.device))})" if playing.device else ""
        paused = " [paused]" if playing.state == "paused" else ""
        parts.append(f"{who}: {for_notification(clean(playing.title))}{where}{paused}")
    if not snapshot.now_playing and snapshot.state is EngineState.MONITORING:
        parts.append("nothing playing")
    text = "\n".join(parts)
    units = len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)  # szTip counts UTF-16 units
    if units <= TOOLTIP_LIMIT:
        return text
    cut = text[: TOOLTIP_LIMIT - 1]
    while len(cut) + sum(1 for ch in cut if ord(ch) > 0xFFFF) > TOOLTIP_LIMIT - 1:
        cut = cut[:-1]
    return cut + "…"


def _duration(minutes: int) -> str:
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h" + (f" {minutes % 60} min" if minutes % 60 else "")


def today_line(status: PersonStatus) -> str:
    """'45 min watched today · 15 min left': the first, greyed line of a person's extra-time submenu."""
    watched = f"{_duration(status.minutes_today)} watched today"
    return watched if status.minutes_left is None else f"{watched} · {_duration(status.minutes_left)} left"


def grant_confirmation(person: str, minutes: int, before: PersonStatus | None) -> str:
    """What the parent is told after a grant from the menu: the new time left when a daily limit applies."""
    name = clean(person, 60)
    if not minutes:
        return f"{name}: no bedtime tonight."
    if before is None or before.minutes_left is None:
        return f"{name}: {minutes} more minutes today."
    return f"{name}: {minutes} more minutes — {_duration(before.minutes_left + minutes)} left today."


@dataclass(frozen=True)
class TrayActions:
    """What the menu does besides talking to the engine; each runs on the Tk thread."""

    open_report: Callable[[], None]
    open_settings: Callable[[], None]
    open_archive: Callable[[], None]
    email_logs: Callable[[], None]
    set_autostart: Callable[[bool], None]
    autostart_enabled: Callable[[], bool]
    quit: Callable[[], None]
    open_setup: Callable[[], None] | None = None  # the first-run window ("Set up…")
    # says what a grant did ("Emma: 15 more minutes — 30 min left today"); None: nothing said
    confirm: Callable[[str, str], None] | None = None


class Tray:
    """Owns the pystray Icon; create and mutate it only through this class."""

    def __init__(self, engine: EngineControl, dispatcher: Dispatcher, actions: TrayActions,
                 *, menu_root: Any = None) -> None:
        self.engine = engine
        # for the popup menu the xorg backend lacks: a Tk root, or a function that makes it when
        # first needed (an idle tray has no Tk)
        self.menu_root = menu_root
        self.popup: Any = None
        self._dock_watcher: DockWatcher | None = None
        self._dock_after: str | None = None
        self.dispatcher = dispatcher
        self.actions = actions
        self.snapshot: EngineSnapshot = engine.snapshot()
        self._autostart = bool(actions.autostart_enabled())
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        from plextray.ui.backend import gtk_without_gl

        with gtk_without_gl():
            import pystray  # only here: importing pystray needs a display on Linux

        from plextray.ui.icons import icon_image

        self._icon_image = icon_image
        self.icon: Any = pystray.Icon(
            "plextray", icon_image(self.snapshot.state), tooltip_text(self.snapshot), self.build_menu()
        )
        self._xorg: XorgLoop | None = XorgLoop(self.icon) if is_xorg(self.icon) else None

    # ---- menu ----------------------------------------------------------------------------

    def build_menu(self) -> Any:
        from pystray import Menu, MenuItem

        return Menu(
            MenuItem(MENU_PAUSE, self._toggle_pause, checked=lambda item: self.snapshot.paused),
            MenuItem(MENU_REPORT, self._post(self.actions.open_report), default=True),
            MenuItem(MENU_GRANT, Menu(self._grant_items)),
            Menu.SEPARATOR,
            MenuItem(MENU_SETUP, self._post(self.actions.open_setup or (lambda: None)),
                     visible=self.actions.open_setup is not None),
            MenuItem(MENU_SETTINGS, self._post(self.actions.open_settings)),
            MenuItem(MENU_ARCHIVE, self._post(self.actions.open_archive)),
            MenuItem(MENU_EMAIL_LOGS, self._post(self.actions.email_logs)),
            MenuItem(MENU_AUTOSTART, self._toggle_autostart, checked=lambda item: self._autostart),
            Menu.SEPARATOR,
            MenuItem(MENU_QUIT, self._post(self.actions.quit)),
        )

    def _grant_items(self) -> list[Any]:
        from pystray import Menu, MenuItem

        if not self.snapshot.people:
            return [MenuItem("(no people yet: add them in Settings…)", None, enabled=False)]
        items = []
        status = {s.name: s for s in self.snapshot.people_status}
        for person in self.snapshot.people:
            choices = []
            if person in status:  # where the day stands, as the settings window's Today tab says it
                choices += [MenuItem(today_line(status[person]), None, enabled=False), Menu.SEPARATOR]
            choices += [MenuItem(label, self._grant(person, minutes=minutes)) for label, minutes in GRANT_CHOICES]
            choices.append(MenuItem(NO_BEDTIME_LABEL, self._grant(person, lift_window_until=NO_BEDTIME_UNTIL)))
            items.append(MenuItem(person, Menu(*choices)))
        return items

    def _grant(self, person: str, *, minutes: int = 0, lift_window_until: str | None = None) -> Callable[[], None]:
        def action() -> None:
            before = next((s for s in self.snapshot.people_status if s.name == person), None)
            self.engine.grant(person, minutes=minutes, lift_window_until=lift_window_until)
            if self.actions.confirm is not None:
                self.actions.confirm("plextray", grant_confirmation(person, minutes, before))

        return action

    def _toggle_pause(self) -> None:
        if self.snapshot.paused:
            self.engine.resume()
        else:
            self.engine.pause()

    def _toggle_autostart(self) -> None:
        self.dispatcher.post(self._apply_autostart, not self._autostart)

    def _apply_autostart(self, enabled: bool) -> None:
        try:
            self.actions.set_autostart(enabled)
        finally:
            self._autostart = bool(self.actions.autostart_enabled())
            self.refresh_menu()

    def _post(self, func: Callable[[], None]) -> Callable[[], None]:
        def action() -> None:
            self.dispatcher.post(func)

        action.__name__ = getattr(func, "__name__", "action")
        return action

    # ---- icon state (Tk thread only) -----------------------------------------------------

    def apply_snapshot(self, snapshot: EngineSnapshot) -> None:
        old, self.snapshot = self.snapshot, snapshot
        image, title = self._icon_image(snapshot.state), tooltip_text(snapshot)
        if snapshot.state is not old.state:
            self._on_icon_thread(lambda: setattr(self.icon, "icon", image))
        if title != self.icon.title:
            self._on_icon_thread(lambda: setattr(self.icon, "title", title))
        self.refresh_menu()

    def _on_icon_thread(self, func: Callable[[], None]) -> None:
        """xorg: run on its loop thread (see xorg_loop); other backends take changes from this thread."""
        if self._xorg is not None:
            self._xorg.call(func)
        else:
            func()

    def refresh_menu(self) -> None:
        if self._ready.is_set():
            self.icon.update_menu()

    def notify(self, title: str, message: str) -> None:
        """The backend's own notification (Windows balloon, macOS osascript, GTK D-Bus)."""
        if not getattr(self.icon, "HAS_NOTIFICATION", False) or not self._ready.is_set():
            raise RuntimeError("this tray backend cannot show notifications")
        self.icon.notify(message, title or "plextray")  # darwin crashes on a None title

    # ---- lifecycle -----------------------------------------------------------------------

    def _setup(self, icon: Any) -> None:
        """pystray's setup thread. On xorg, showing happens on the loop thread (see xorg_loop)."""
        if self._xorg is not None:
            self._xorg.call(self._show_on_loop)
        else:
            _quiet_gtk_notifier(icon)
            icon.visible = True
            self._ready.set()

    def _show_on_loop(self) -> None:
        try:
            self.icon.visible = True
            if self.menu_root is not None:
                self._listen_for_clicks(self.icon)
        finally:
            self._ready.set()
            self.dispatcher.post(self._check_dock)

    def _check_dock(self) -> None:
        """Tk thread, xorg only: re-request docking when a panel exists but the icon is not in it
        (the panel started after us, restarted, or dropped the request); then check again later."""
        if not self._ready.is_set():
            return
        try:
            if self._dock_watcher is None:
                self._dock_watcher = DockWatcher(self.icon)
            if self._dock_watcher.needs_redock() and self._xorg is not None:
                log.info("tray icon not in the panel: asking to be docked again")
                self._xorg.call(lambda: setattr(self.icon, "icon", self.icon.icon))
        except Exception:
            log.debug("dock check failed", exc_info=True)
        if self._ready.is_set():
            self._dock_after = self.dispatcher.call_later(REDOCK_CHECK_MS, self._check_dock)

    # ---- xorg: clicks open a Tk popup menu -------------------------------------------------

    def _listen_for_clicks(self, icon: Any) -> None:
        """Ask X for button presses on the icon window (pystray's xorg forgets to) and route them here."""
        import Xlib.X

        def on_press(event: Any) -> None:  # pystray's loop thread
            if event.detail in (1, 2, 3):
                self.dispatcher.post(self.show_popup, event.root_x, event.root_y)

        icon._message_handlers[Xlib.X.ButtonPress] = on_press
        icon._window.change_attributes(
            event_mask=Xlib.X.ExposureMask | Xlib.X.StructureNotifyMask | Xlib.X.ButtonPressMask
        )
        icon._display.flush()

    def show_popup(self, x: int, y: int) -> None:
        """Tk thread: post the menu at the pointer (rebuilt each time, so it shows the current state)."""
        from plextray.ui.popup_menu import build_menu

        if self.popup is not None:
            try:
                self.popup.unpost()
                self.popup.destroy()
            except Exception:
                pass
        master = self.menu_root() if callable(self.menu_root) else self.menu_root
        self.popup = build_menu(master, self.icon.menu, self._invoke_from_popup)
        self.popup.tk_popup(x, y)

    def _invoke_from_popup(self, item: Any) -> None:
        item(self.icon)

    def start(self) -> None:
        if sys.platform == "darwin":  # pragma: no cover - macOS: Tk's NSApp loop drives the status item
            self.icon.run_detached(self._setup)
            return
        self._thread = threading.Thread(target=self.icon.run, args=(self._setup,), name="plextray-tray", daemon=True)
        self._thread.start()

    @contextmanager
    def loop_parked(self, timeout: float = 5.0) -> Iterator[None]:
        """Main thread, around creating Tk: hold the xorg loop thread still, outside any X request.
        pystray grabs the X server whenever it looks for the panel (each icon change), and Tk's
        interpreter is created with the GIL held while it talks to X: if that meets a grab, the
        grabbing thread can never take the GIL to finish, and both wait for good."""
        if self._xorg is None or self._thread is None or not self._thread.is_alive():
            yield
            return
        parked, release = threading.Event(), threading.Event()

        def park() -> None:  # the loop thread: between X requests, waiting without the GIL
            parked.set()
            release.wait(timeout)

        self._xorg.call(park)
        parked.wait(timeout)  # a loop that does not answer (not running yet, or ended) holds no grab
        try:
            yield
        finally:
            release.set()

    def wait_ready(self, timeout: float = 5.0) -> bool:
        return self._ready.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        self.dispatcher.cancel(self._dock_after)
        self._dock_after = None
        if self._dock_watcher is not None:
            self._dock_watcher.close()
            self._dock_watcher = None
        # stop() before the loop runs is a no-op and would leave the loop running: wait for it.
        if sys.platform == "darwin":
            self._ready.wait(timeout)
        elif self._thread is not None:
            deadline = time.monotonic() + timeout
            while self._thread.is_alive() and not self._ready.wait(0.05) and time.monotonic() < deadline:
                pass
        try:
            if self._xorg is not None and self._thread is not None and self._thread.is_alive():
                self._xorg.call(self.icon.stop)  # destroy the window from the loop thread itself
            else:
                self.icon.stop()
        except Exception:
            log.exception("stopping the tray icon failed")
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("tray thread did not stop within %.0f s", timeout)
            else:
                _release_xorg_display(self.icon)
        if self._xorg is not None:
            self._xorg.close()
        self._ready.clear()


def _quiet_gtk_notifier(icon: Any) -> None:
    """pystray's GTK backends close their last notification when the loop ends; with no
    notification daemon on the bus that raises in the tray thread (a traceback at every Quit)."""
    notifier = getattr(icon, "_notifier", None)
    hide = getattr(notifier, "hide", None)
    if hide is None:
        return

    def hide_quietly() -> None:
        try:
            hide()
        except Exception as exc:
            log.debug("closing the tray's last notification failed: %s", exc)

    notifier.hide = hide_quietly


class _ClosedDisplay:
    def close(self) -> None:
        pass


def _release_xorg_display(icon: Any) -> None:
    """Close the xorg backend's own X connection now, not in its __del__ (which may run after the X
    server is gone and then raises ConnectionClosedError from the garbage collector)."""
    display = getattr(icon, "_display", None)
    if display is None or type(icon).__module__ != "pystray._xorg":
        return
    try:
        display.close()
    except Exception:
        pass
    icon._display = _ClosedDisplay()
