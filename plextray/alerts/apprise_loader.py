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

import logging
import threading
from types import ModuleType

from plextray.desktop_bindings import refused

log = logging.getLogger(__name__)

_lock = threading.Lock()
_loaded = False


def load_apprise() -> ModuleType:
    """The apprise module, its plugins loaded once without the desktop bindings."""
    global _loaded
    import apprise

    with _lock:
        if not _loaded:
            with refused():
                try:
                    from apprise.apprise import N_MGR

                    N_MGR.load_modules()
                except (ImportError, AttributeError):  # an apprise without the plugin manager: as it comes
                    log.debug("apprise has no plugin manager to load ahead", exc_info=True)
            _loaded = True
    return apprise
