"""The system keyring, its backends chosen once without keyring's PyGObject (libsecret) backend.

keyring picks its backend on first use by importing every backend module; the libsecret one
imports gi (see plextray.desktop_bindings). The Secret Service stays reachable through keyring's
own jeepney backend, which is what a desktop's GNOME Keyring or KWallet answers on anyway.
"""

from __future__ import annotations

import threading
from types import ModuleType

from plextray.desktop_bindings import refused

_lock = threading.Lock()
_chosen = False


def load_keyring() -> ModuleType:
    """The keyring module with its backend chosen (an explicitly set keyring is kept as it is)."""
    global _chosen
    import keyring

    with _lock:
        if not _chosen:
            with refused():
                try:
                    keyring.get_keyring()
                except Exception:  # a broken backend setting: the caller's own keyring call reports it
                    pass
            _chosen = True
    return keyring
