"""Fixtures of the e-mail command tests: mail settings in config.json with the password in a memory
keyring (`setup`), and no log handler outliving a test (`restore_log_handlers`, autouse where imported)."""

from __future__ import annotations

import keyring
import pytest
from support.mail_server import USER, MemoryKeyring, free_port
from support.report_history import build_household

from plextray.config import AppConfig, EmailSettings
from plextray.config_save import save_config
from plextray.paths import AppPaths


@pytest.fixture(autouse=True)
def restore_log_handlers():
    """cli.main adds a stderr handler per call; drop them so no handler outlives capsys' stream."""
    import logging

    root = logging.getLogger()
    # handlers left by earlier tests' main() calls write to capture streams that are closed by now
    root.handlers[:] = [h for h in root.handlers if not getattr(getattr(h, "stream", None), "closed", False)]
    before = list(root.handlers)
    yield
    root.handlers[:] = before


@pytest.fixture
def setup(plextray_home):
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    build_household(plextray_home)
    port = free_port()
    email = EmailSettings(host="127.0.0.1", port=port, security="none", username=USER,
                          sender="plextray@example.org", recipients=("mum@example.org",))
    save_config(AppPaths.default().config, AppConfig(email=email))
    backend.set_password("plextray", f"smtp:{USER}@127.0.0.1", "right-horse-battery")
    servers = []
    yield port, servers
    for s in servers:
        s.stop()
    keyring.set_keyring(previous)
