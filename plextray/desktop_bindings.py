"""Keep PyGObject (gi) and dbus-python out of libraries that only probe for them.

apprise's desktop plugins and keyring's libsecret backend import gi when it is installed (the
StatusNotifierItem tray needs it), binding GLib into the process from whichever thread asked: a
later garbage collection on another thread aborted the test process inside GLib, and the headless
service grew by about 20 MB it never uses. plextray has its own desktop notifications and reaches
the Secret Service through keyring's jeepney backend, so those probes are refused while the
libraries load.
"""

from __future__ import annotations

import importlib.abc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BINDINGS = ("gi", "dbus")
_lock = threading.Lock()


class _Refuse(importlib.abc.MetaPathFinder):
    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname.split(".")[0] in self.names:
            raise ImportError(f"{fullname}: not loaded for a library's optional desktop backend")
        return None


@contextmanager
def refused(*also: str) -> Iterator[None]:
    """While inside, importing gi or dbus (or a submodule not yet loaded) raises ImportError;
    so does importing any of the top-level packages named in `also`."""
    with _lock:
        refuse = _Refuse(BINDINGS + also)
        sys.meta_path.insert(0, refuse)
        try:
            yield
        finally:
            sys.meta_path.remove(refuse)
