"""The system keyring, its backends chosen once without keyring's PyGObject (libsecret) backend.

keyring picks its backend on first use by importing every backend module; the libsecret one
imports gi (see plextray.desktop_bindings). The Secret Service stays reachable through keyring's
own jeepney backend, which is what a desktop's GNOME Keyring or KWallet answers on anyway.

That backend imports secretstorage, and with it cryptography (about 7 MB of resident memory),
only to find out whether a Secret Service answers on the session bus. On Linux plextray asks the
bus that same question first (secretstorage's own test: the name is owned or activatable) and,
when the answer is no (no session bus, as on a NAS, or a bus without a keyring daemon), lets
keyring choose without secretstorage: the backend it picks is the one it would have picked.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from types import ModuleType

from plextray.desktop_bindings import refused

log = logging.getLogger(__name__)

SECRET_SERVICE = "org.freedesktop.secrets"
_lock = threading.Lock()
_chosen = False


def load_keyring() -> ModuleType:
    """The keyring module with its backend chosen (an explicitly set keyring is kept as it is)."""
    global _chosen
    import keyring

    with _lock:
        if not _chosen:
            skip = () if _secret_service_may_answer() else ("secretstorage",)
            with refused(*skip):
                try:
                    keyring.get_keyring()
                except Exception:  # a broken backend setting: the caller's own keyring call reports it
                    pass
            _chosen = True
    return keyring


def _secret_service_may_answer(timeout: float = 2.0) -> bool:
    """False only when the session bus surely has no Secret Service (none owned, none activatable,
    or no session bus at all); True elsewhere, on doubt, and where the user named a backend."""
    if sys.platform != "linux" or os.environ.get("PYTHON_KEYRING_BACKEND"):
        return True
    try:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:
        return True
    bus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus")
    try:
        conn = open_dbus_connection(bus="SESSION")
    except (KeyError, OSError, ValueError, RuntimeError) as exc:  # what secretstorage calls "not available"
        log.debug("no session bus for a Secret Service: %s", exc)
        return False
    try:
        with conn:
            owned = conn.send_and_get_reply(new_method_call(bus, "NameHasOwner", "s", (SECRET_SERVICE,)), timeout=timeout)
            if owned.body and owned.body[0]:
                return True
            names = conn.send_and_get_reply(new_method_call(bus, "ListActivatableNames"), timeout=timeout)
            return bool(names.body) and SECRET_SERVICE in names.body[0]
    except Exception as exc:  # a timeout, an odd bus: let keyring find out for itself
        log.debug("could not ask the session bus for a Secret Service: %s", exc)
        return True
