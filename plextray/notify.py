"""Desktop notifications that never raise: enforcement must go on without a notification daemon.

Backends, tried in order until one reports success:
- Linux: plyer's D-Bus backend when dbus-python is present; otherwise `notify-send`, run here
  rather than through plyer because plyer ignores its exit status (a missing daemon would look
  like success) and sends the icon and timeout under the wrong keys. plyer's Flatpak portal path
  is used only inside a real Flatpak (it is chosen for any `/app` folder and fails silently).
- Windows/macOS: the tray icon's own `notify` first (plyer adds a second tray icon per message on
  Windows and needs pyobjus on macOS), then plyer. Notifications with buttons go through
  desktop-notifier there (plextray.notify_toasts), and come back here as text when they cannot.
- Last: the log. Texts are truncated to each platform's limits (Windows balloons: 63/255 chars).
Lives outside plextray.ui because the headless service uses it too; plyer is imported lazily.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# (title, message) limits in characters, one less than the fixed-size buffers where there are some.
PLATFORM_LIMITS: dict[str, tuple[int, int]] = {
    "win32": (63, 255),  # NOTIFYICONDATAW szInfoTitle[64], szInfo[256]: longer raises ValueError
    "darwin": (120, 1000),  # Notification Center shows about two lines; osascript takes any length
    "linux": (200, 1000),  # the spec has no limit; daemons wrap, and long bodies are unreadable
}
DEFAULT_TIMEOUT_S = 10
_OWN_PROCESS_BACKENDS = frozenset({"notify-send"})  # a subprocess each: safe to run side by side


def limits_for(platform: str | None = None) -> tuple[int, int]:
    platform = platform or sys.platform
    key = "linux" if platform.startswith(("linux", "freebsd")) else platform
    return PLATFORM_LIMITS.get(key, PLATFORM_LIMITS["linux"])


def truncate(text: str, limit: int, *, utf16: bool = False) -> str:
    """Cut to `limit` characters (UTF-16 units with `utf16`: Windows' fixed WCHAR buffers) with an
    ellipsis; control characters become spaces."""
    text = "".join(ch if ch == "\n" or ch >= " " else " " for ch in str(text))

    def size(value: str) -> int:
        return len(value) + sum(1 for ch in value if ord(ch) > 0xFFFF) if utf16 else len(value)

    if size(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    while cut and size(cut) > limit - 1:
        cut = cut[:-1]
    return cut.rstrip() + "…"


class DesktopNotifier:
    """The app's Notifier: `notify(title, message) -> bool`, True when some backend took it."""

    def __init__(
        self,
        app_name: str = "plextray",
        tray_notify: Callable[[str, str], None] | None = None,
        *,
        platform: str | None = None,
        timeout_s: int = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.app_name = app_name
        self.platform = platform or sys.platform
        self.timeout_s = timeout_s
        self._tray_notify = tray_notify
        self._lock = threading.Lock()  # guards last_backend only: held for no backend call
        # plyer and the tray icon are in-process libraries not known to be re-entrant: one call at a
        # time. notify-send is a process per message and runs without any lock, so one slow
        # notification (a daemon that hangs) does not hold up every other caller.
        self._library_lock = threading.Lock()
        self.last_backend: str | None = None
        self._offer_handler: Any = None
        self._actions: Any = None  # DbusActions, made at the first notification with buttons
        self._toasts: Any = None  # ToastActions (Windows, macOS), likewise

    def attach_tray(self, tray_notify: Callable[[str, str], None] | None) -> None:
        """Give (or take away) the tray icon's notify once the icon exists."""
        self._tray_notify = tray_notify

    def attach_offers(self, handler: Any) -> None:
        """What runs a clicked button (plextray.notify_actions.OfferRunner); None: no buttons."""
        self._offer_handler = handler

    def notify_offers(self, title: str, message: str, offers: tuple[Any, ...]) -> bool:
        """With buttons where the desktop's notifications have actions; otherwise the offers'
        hints (menu path, command) are added to the text. Never raises."""
        from plextray.core.offers import with_hints

        handler = self._offer_handler
        runnable = tuple(o for o in offers if handler is not None and handler.can_run(o))
        rest = tuple(o for o in offers if o not in runnable)
        path = buttons_path(self.platform, in_flatpak=_in_flatpak(), has_tray=self._tray_notify is not None)
        if runnable and path == "toasts":
            return self._notify_toasts(title, message, runnable, rest, offers)
        if runnable and path == "dbus":
            from plextray.safe_text import clean_lines

            title_limit, body_limit = limits_for(self.platform)
            # no controls reach the desktop, as on the plain path; markup is escaped by DbusActions
            # where the server renders it (an escaped "<" reads as itself there)
            shown_title = truncate(clean_lines(title).replace("\n", " "), title_limit) or self.app_name
            body = truncate(clean_lines(with_hints(message, rest)), body_limit)
            try:
                if self._actions is None:
                    from plextray.notify_actions import DbusActions

                    self._actions = DbusActions(_Attached(self))
                shown = self._actions.notify(self.app_name, shown_title, body, runnable)
            except Exception as exc:  # no bus, no server: the plain paths below say it in words
                log.debug("notification with buttons failed: %s", exc)
                shown = False
            if shown:
                with self._lock:
                    self.last_backend = "dbus-actions"
                return True
        return self.notify(title, with_hints(message, offers))

    def _notify_toasts(self, title: str, message: str, runnable: tuple[Any, ...], rest: tuple[Any, ...],
                       offers: tuple[Any, ...]) -> bool:
        """Windows toasts / macOS notifications with buttons; the plain text when they cannot be shown."""
        from plextray.core.offers import with_hints
        from plextray.notify_toasts import BUTTONS, ToastActions
        from plextray.safe_text import for_notification

        if self._toasts is None:
            self._toasts = ToastActions(_Attached(self), app_name=self.app_name)
        title_limit, body_limit = limits_for(self.platform)
        utf16 = self.platform == "win32"
        shown_title = truncate(for_notification(title).replace("\n", " "), title_limit, utf16=utf16) or self.app_name
        # Windows keeps the words under its buttons: a toast click reaching an unpackaged app is unproven
        # (desktop-notifier's callback tests skip Windows; its issue #120 reports clicks not arriving)
        said = offers if self.platform == "win32" else rest
        body = truncate(for_notification(with_hints(message, said)), body_limit, utf16=utf16)
        how, shown = self._toasts.notify(shown_title, body, runnable,
                                         lambda: self.notify(title, with_hints(message, offers)))
        if how == BUTTONS:
            with self._lock:
                self.last_backend = "toast-actions"
        return bool(shown)

    def close(self) -> None:
        if self._actions is not None:
            self._actions.close()
        if self._toasts is not None:
            self._toasts.close()

    def notify(self, title: str, message: str) -> bool:
        from plextray.safe_text import for_notification

        title_limit, body_limit = limits_for(self.platform)
        utf16 = self.platform == "win32"
        # device names and titles inside come from clients: no controls, no markup reaches the desktop
        title, message = for_notification(title).replace("\n", " "), for_notification(message)
        title = truncate(title, title_limit, utf16=utf16) or self.app_name
        message = truncate(message, body_limit, utf16=utf16)
        for name, backend in self._backends():
            try:
                if name in _OWN_PROCESS_BACKENDS:
                    taken = backend(title, message)
                else:
                    with self._library_lock:
                        taken = backend(title, message)
            except Exception as exc:  # never let a notification stop enforcement
                log.debug("notification backend %s failed: %s", name, exc)
                continue
            if taken:
                with self._lock:
                    self.last_backend = name
                return True
        with self._lock:
            self.last_backend = "log"
        log.warning("notification (no desktop notifier available): %s: %s", title, message)
        return False

    # ---- backends -------------------------------------------------------------------------

    def _backends(self) -> list[tuple[str, Callable[[str, str], bool]]]:
        if self.platform.startswith(("linux", "freebsd")):
            order = [("plyer-dbus", self._plyer_dbus), ("notify-send", self._notify_send),
                     ("flatpak-portal", self._plyer_portal), ("tray", self._tray)]
        else:
            order = [("tray", self._tray), ("plyer", self._plyer)]
        return order

    def _tray(self, title: str, message: str) -> bool:
        if self._tray_notify is None:
            return False
        self._tray_notify(title, message)
        return True

    def _plyer(self, title: str, message: str) -> bool:
        from plyer import notification

        notification.notify(title=title, message=message, app_name=self.app_name, timeout=self.timeout_s)
        return True

    def _plyer_dbus(self, title: str, message: str) -> bool:
        if _in_flatpak():
            return False
        try:
            import dbus  # noqa: F401  (dbus-python; plyer's only backend that reports failures)
        except Exception:
            return False
        from plyer.platforms.linux.notification import NotifyDbus

        NotifyDbus().notify(title=title, message=message, app_name=self.app_name, timeout=self.timeout_s)
        return True

    def _plyer_portal(self, title: str, message: str) -> bool:
        if not _in_flatpak():
            return False  # plyer takes any /app folder (a Docker WORKDIR) for Flatpak and fails silently
        return self._plyer(title, message)

    def _notify_send(self, title: str, message: str) -> bool:
        exe = shutil.which("notify-send")
        if exe is None or not _session_bus_reachable():
            return False
        result = subprocess.run(
            [exe, "--app-name", self.app_name, "--expire-time", str(self.timeout_s * 1000), "--", title, message],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=self.timeout_s + 5,
            check=False,
        )
        if result.returncode != 0:
            log.debug("notify-send failed (%s): %s", result.returncode, result.stderr.decode(errors="replace").strip())
            return False
        return True


class _Attached:
    """The offer handler attached now: the tray rebuilds its engine (and handler) after first run,
    and a click on an earlier notification must reach the engine that runs."""

    def __init__(self, notifier: DesktopNotifier) -> None:
        self._notifier = notifier

    def can_run(self, offer: Any) -> bool:
        handler = self._notifier._offer_handler
        return handler is not None and bool(handler.can_run(offer))

    def run(self, offer: Any) -> None:
        handler = self._notifier._offer_handler
        if handler is not None:
            handler.run(offer)


def buttons_path(platform: str, *, in_flatpak: bool, has_tray: bool) -> str | None:
    """How buttons reach this desktop: "dbus" (freedesktop actions), "toasts" (desktop-notifier) or
    None (the offers in words). macOS delivers a click to the main thread's run loop, which only the
    tray app runs (Tk's Aqua loop): the headless service there says the offers in words."""
    if platform.startswith(("linux", "freebsd")):
        return None if in_flatpak else "dbus"  # a Flatpak talks to the portal, which has no actions here
    if platform == "win32":
        return "toasts"
    if platform == "darwin" and has_tray:
        return "toasts"
    return None


def _session_bus_reachable() -> bool:
    """A session bus to talk to, without letting notify-send autolaunch a stray one."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if address is not None:
        return address.startswith(("unix:", "tcp:"))
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return bool(runtime) and os.path.exists(os.path.join(runtime, "bus"))


def _in_flatpak() -> bool:
    return os.path.exists("/.flatpak-info")
