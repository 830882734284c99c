"""Fixtures for tests that talk to the emulated Plex server over real HTTP on 127.0.0.1.

Import them into a test module: `from support.emulator_fixtures import emulator, plex_client  # noqa: F401`.
"""

from __future__ import annotations

import pytest

from plextray.emulator.household import demo_household
from plextray.emulator.server import PlexEmulator

TOKEN = "emu-Secret-Token-4242"


@pytest.fixture
def emulator(tmp_path):
    """A running emulator with the demo household, writing PMS's log into tmp_path/Logs."""
    with PlexEmulator(token=TOKEN, log_dir=tmp_path / "Logs") as emu:
        emu.devices = demo_household(emu)
        yield emu


@pytest.fixture
def plex_client(emulator):
    from plextray.plex.client import PlexClient

    client = PlexClient(emulator.url, emulator.token, timeout=2.0)
    yield client
    client.close()
