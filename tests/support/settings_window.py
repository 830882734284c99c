"""The settings window opened on a fresh PLEXTRAY_HOME with two known devices, and what it saved."""

from __future__ import annotations

import gc
import json

import pytest

from conftest import pump
from plextray.core.model import Device
from plextray.paths import AppPaths

EMMA_IPAD = "C5B092C3-B261-4344-A09F-A6939E10A468"
TV = "xk4kbse0xxadzpvi"


@pytest.fixture(autouse=True)
def collect_tk_garbage_on_the_main_thread():
    """Free each test's Tk objects here: a Tcl interpreter freed by another thread's GC aborts."""
    gc.collect()
    yield
    gc.collect()


class FakeTokenStore:
    """The TokenStore interface (available / get / set) over a dict, like an unlocked keyring."""

    def __init__(self, available: bool = True) -> None:
        self.available = available
        self.saved: list[str] = []

    def get(self):
        return self.saved[-1] if self.saved else None

    def set(self, token: str) -> None:
        from plextray.errors import SecretStoreError

        if not self.available:
            raise SecretStoreError("no secure keyring: set PLEX_TOKEN instead")
        self.saved.append(token)


@pytest.fixture
def paths(plextray_home):
    return AppPaths(plextray_home).ensure()


DEVICES = [
    Device(client_id=EMMA_IPAD, product="Plex for iOS", platform="iOS", device="Emma's iPad",
           ip="192.168.1.23", last_seen="2026-11-24T19:02:11"),
    Device(client_id=TV, product="Plex Web", platform="Chrome", device="Living room TV",
           ip="192.168.1.40", last_seen="2026-11-23T21:15:00"),
]


def open_window(root, paths, **kwargs):
    from plextray.ui.settings import SettingsWindow

    kwargs.setdefault("token_store", FakeTokenStore())
    kwargs.setdefault("devices", list(DEVICES))
    window = SettingsWindow(root, paths, **kwargs)
    window.wait_visibility()
    assert pump(root, lambda: window.winfo_ismapped())
    return window


def saved_doc(paths):
    return json.loads(paths.profiles.read_text(encoding="utf-8"))
