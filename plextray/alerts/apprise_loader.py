"""apprise, loaded without its desktop plugins (glib, gnome, dbus).

apprise imports every one of its plugin modules the first time it is asked anything. Three of
them import PyGObject or dbus-python, which bind GLib into the process from whatever thread asked
(the alert worker). With PyGObject installed — the StatusNotifierItem tray needs it — a later
garbage collection on another thread aborted the whole process inside GLib. plextray shows desktop
notifications itself (plextray.notify); apprise is only for alerts that leave the computer, so
its desktop plugins are kept from loading and a glib://, gnome:// or dbus:// alert URL is "not
understood", as the settings say.
"""

from __future__ import annotations

import importlib.abc
import logging
import sys
import threading
from types import ModuleType

log = logging.getLogger(__name__)

DESKTOP_BINDINGS = ("gi", "dbus")  # what apprise's glib, gnome and dbus plugins import
_lock = threading.Lock()
_loaded = False


class _RefuseDesktopBindings(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname.split(".")[0] in DESKTOP_BINDINGS:
            raise ImportError(f"{fullname}: apprise's desktop plugins are not used by plextray")
        return None


def load_apprise() -> ModuleType:
    """The apprise module, its plugins loaded once without the desktop bindings."""
    global _loaded
    import apprise

    with _lock:
        if not _loaded:
            refuse = _RefuseDesktopBindings()
            sys.meta_path.insert(0, refuse)
            try:
                from apprise.apprise import N_MGR

                N_MGR.load_modules()
            except (ImportError, AttributeError):  # an apprise without the plugin manager: as it comes
                log.debug("apprise has no plugin manager to load ahead", exc_info=True)
            finally:
                sys.meta_path.remove(refuse)
            _loaded = True
    return apprise
