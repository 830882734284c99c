"""Which pystray backend draws the tray icon on this desktop, chosen before pystray is imported.

GNOME (with its AppIndicator extension), KDE, and every Wayland desktop show tray icons only
through StatusNotifierItem: a session bus with a StatusNotifierWatcher on it. There plextray
uses pystray's `appindicator` backend (PyGObject + the AppIndicator typelib), whose menu the
panel draws itself. Where no watcher exists, the desktop's tray (if any) is the old XEmbed one,
and the `xorg` backend (our Tk popup menu) serves it. When a watcher exists but PyGObject or the
typelib is missing, or the desktop has no tray at all, the choice says so in one sentence naming
what to install: an icon nobody can see must not be the only sign of it.

Windows and macOS: pystray's own backend; nothing to choose. `PYSTRAY_BACKEND`, when set, wins.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

WATCHER_NAMES = ("org.kde.StatusNotifierWatcher", "org.freedesktop.StatusNotifierWatcher")
SNI_DESKTOPS = ("gnome", "kde", "unity", "budgie", "cinnamon", "pantheon", "lxqt")  # trays through SNI
WATCHER_GRACE_SECONDS = 10.0
PROBLEM_KEY = "tray"


@dataclass(frozen=True)
class BackendChoice:
    name: str | None  # for PYSTRAY_BACKEND; None: pystray picks (Windows, macOS)
    problem: str | None = None  # what the parent must do for the icon to show, if anything


def choose_backend(
    *,
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
    has_watcher: Callable[[], bool] | None = None,
    appindicator_missing: Callable[[], str | None] | None = None,
    os_release: Mapping[str, str] | None = None,
    in_venv: bool | None = None,
    sleep: Callable[[float], None] | None = None,
) -> BackendChoice:
    """The backend for this session. The probes are parameters so that every branch is testable."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if env.get("PYSTRAY_BACKEND"):
        return BackendChoice(env["PYSTRAY_BACKEND"])
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return BackendChoice(None)
    probe = has_watcher or session_has_watcher
    desktop = env.get("XDG_CURRENT_DESKTOP", "").lower()
    wayland = env.get("XDG_SESSION_TYPE", "").lower() == "wayland" or (
        bool(env.get("WAYLAND_DISPLAY")) and not env.get("DISPLAY"))
    sni_desktop = wayland or any(name in desktop for name in SNI_DESKTOPS)
    watcher = probe()
    if not watcher and sni_desktop:
        # started at login, plextray can be quicker than the panel or the shell extension that
        # provides the watcher: give it a moment before settling for XEmbed
        pause = sleep or time.sleep
        for _ in range(int(WATCHER_GRACE_SECONDS / 0.5)):
            pause(0.5)
            watcher = probe()
            if watcher:
                break
    if not watcher:
        if wayland or "gnome" in desktop:
            return BackendChoice("xorg", no_tray_problem(os_release if os_release is not None else read_os_release()))
        return BackendChoice("xorg")  # an XEmbed tray (or none at all, which we cannot tell from here)
    missing = (appindicator_missing or appindicator_missing_part)()
    if missing is None:
        return BackendChoice("appindicator")
    release = os_release if os_release is not None else read_os_release()
    venv = (sys.prefix != sys.base_prefix) if in_venv is None else in_venv
    return BackendChoice("xorg", missing_problem(missing, release, in_venv=venv))


def install_command(release: Mapping[str, str]) -> str | None:
    """The command that installs PyGObject and the AppIndicator typelib on this distribution."""
    family = {release.get("ID", "")} | set(release.get("ID_LIKE", "").split())
    if family & {"debian", "ubuntu"}:
        return "sudo apt install python3-gi gir1.2-ayatanaappindicator3-0.1"
    if family & {"fedora", "rhel", "centos"}:
        return "sudo dnf install python3-gobject libayatana-appindicator-gtk3"
    if family & {"arch"}:
        return "sudo pacman -S python-gobject libayatana-appindicator"
    if family & {"opensuse", "suse"}:
        return "sudo zypper install python3-gobject typelib-1_0-AyatanaAppIndicator3-0_1"
    return None


def missing_problem(missing: str, release: Mapping[str, str], *, in_venv: bool) -> str:
    command = install_command(release)
    what = command or "install PyGObject and the AyatanaAppIndicator3 (or AppIndicator3) introspection data"
    text = (f"This desktop shows tray icons through StatusNotifierItem, but {missing}, so plextray's icon "
            f"may not appear: {what}")
    if in_venv and missing.startswith("PyGObject"):
        text += (", and run plextray from a virtual environment made with --system-site-packages "
                 "(installer/install.sh does this) or `pip install \"PyGObject<3.51\"` into it")
    return text + "; then restart plextray."


def no_tray_problem(release: Mapping[str, str]) -> str:
    family = {release.get("ID", "")} | set(release.get("ID_LIKE", "").split())
    if family & {"debian", "ubuntu"}:
        how = "sudo apt install gnome-shell-extension-appindicator, then log out and in"
    elif family & {"fedora", "rhel", "centos"}:
        how = "sudo dnf install gnome-shell-extension-appindicator, then log out and in"
    else:
        how = "install the GNOME extension \"AppIndicator and KStatusNotifierItem Support\""
    return (f"This desktop has no system tray to show plextray's icon (no StatusNotifierWatcher on the "
            f"session bus): {how}. Monitoring goes on; `plextray status` shows what is happening.")


def appindicator_missing_part() -> str | None:
    """None when pystray's appindicator backend can load; else what is missing, in words."""
    try:
        import gi
    except ImportError:
        return "PyGObject (the Python module gi) is not installed for this Python"
    try:
        gi.require_version("Gtk", "3.0")
    except ValueError:
        return "the GTK 3 introspection data (gir1.2-gtk-3.0) is not installed"
    for namespace in ("AppIndicator3", "AyatanaAppIndicator3"):
        try:
            gi.require_version(namespace, "0.1")
            return None
        except ValueError:
            continue
    return "the AppIndicator introspection data (AyatanaAppIndicator3 or AppIndicator3) is not installed"


def session_has_watcher(timeout: float = 1.0) -> bool:
    """Whether the session bus has a StatusNotifierWatcher (asked with jeepney; False on any failure)."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if address and not address.startswith(("unix:", "tcp:")):
        return False  # "disabled:" and the like: no session bus to ask
    try:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:
        return False
    bus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus")
    try:
        with open_dbus_connection(bus="SESSION") as conn:
            for name in WATCHER_NAMES:
                reply = conn.send_and_get_reply(new_method_call(bus, "NameHasOwner", "s", (name,)), timeout=timeout)
                if reply.body and reply.body[0]:
                    return True
    except Exception as exc:  # no bus, a refused connection, a timeout: treat as "no watcher"
        log.debug("could not ask the session bus for a StatusNotifierWatcher: %s", exc)
    return False


def read_os_release(path: Path = Path("/etc/os-release")) -> dict[str, str]:
    values: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return values
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip().strip('"').lower()
    return values


def apply_choice(choice: BackendChoice) -> None:
    """Set PYSTRAY_BACKEND for the coming `import pystray` (no effect once pystray is imported)."""
    if choice.name and "pystray" not in sys.modules:
        os.environ["PYSTRAY_BACKEND"] = choice.name
    if choice.problem:
        log.warning("%s", choice.problem)


@contextmanager
def gtk_without_gl() -> Iterator[None]:
    """Around `import pystray`: GDK's X11 backend asks GLX for its visuals as GTK starts, which
    loads the system's Mesa driver, and LLVM with it (tens of MB resident), into a process that
    never draws with GL: the panel draws the AppIndicator's icon and menu. GDK_GL=disable skips
    that. Only for the import (GDK reads it once, at start), so that a browser opened later does
    not inherit it; a value the user set is left alone. No effect on the other backends."""
    if "GDK_GL" in os.environ:
        yield
        return
    os.environ["GDK_GL"] = "disable"
    try:
        yield
    finally:
        os.environ.pop("GDK_GL", None)
