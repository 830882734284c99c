"""The token never reaches plextray's logs or errors, including through plexapi's own logger and config."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from plextray.plex.client import PlexClient, load_plexapi
from support.emulator_fixtures import TOKEN, emulator  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def plexapi_debug():
    """plexapi logs request URLs at DEBUG: let them through for these tests, then restore."""
    load_plexapi()
    plex_log = logging.getLogger("plexapi")
    level = plex_log.level
    plex_log.setLevel(logging.DEBUG)
    yield
    plex_log.setLevel(level)


def test_plexapi_records_are_redacted_before_any_handler(caplog):
    caplog.set_level(logging.DEBUG)
    PlexClient("http://127.0.0.1:9", "raw-token-abc123", timeout=1).close()  # registers the token
    plex_log = logging.getLogger("plexapi")
    plex_log.debug("GET %s", "http://127.0.0.1:32400/library?X-Plex-Token=another-token-xyz")
    plex_log.debug("header X-Plex-Token: %s and raw %s", "hdr-token-777", "raw-token-abc123")
    text = caplog.text
    for secret in ("another-token-xyz", "hdr-token-777", "raw-token-abc123"):
        assert secret not in text
    assert "X-Plex-Token=[REDACTED]" in text


def test_a_whole_session_logs_no_token(caplog, emulator):
    caplog.set_level(logging.DEBUG)
    with PlexClient(emulator.url, TOKEN, timeout=0.5) as client:
        session_id = emulator.play(emulator.devices["kid_tablet"], "2201")
        client.sessions()
        client.metadata("2201")
        client.set_debug_logging(False)
        client.stop(session_id, "bye")
        for fault in ("unauthorized", "server_error", "malformed"):
            emulator.set_fault(fault)
            with pytest.raises(Exception) as info:
                client.sessions()
            assert TOKEN not in str(info.value)
            logging.getLogger("plextray").exception("call failed")
        emulator.set_fault(None)
    assert "GET" in caplog.text  # plexapi did log its requests
    assert TOKEN not in caplog.text


def test_user_plexapi_config_is_ignored(tmp_path, emulator):
    """A ~/.config/plexapi/config.ini asking for a DEBUG file log with secrets shown has no effect."""
    home = tmp_path / "home"
    config = home / ".config" / "plexapi" / "config.ini"
    config.parent.mkdir(parents=True)
    leak_log = tmp_path / "plexapi.log"
    config.write_text(textwrap.dedent(f"""
        [log]
        path = {leak_log}
        level = DEBUG
        show_secrets = true
        [auth]
        server_token = config-file-token
    """))
    code = textwrap.dedent(f"""
        import logging
        from plextray.plex.client import PlexClient
        with PlexClient({emulator.url!r}, {TOKEN!r}, timeout=2) as client:
            client.server_info()
        import plexapi
        log = logging.getLogger("plexapi")
        print(plexapi.CONFIG.get("log.path"), plexapi.CONFIG.get("auth.server_token"))
        print(sorted(type(h).__name__ for h in log.handlers))
        print(plexapi.logfilter in log.filters)
    """)
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(ROOT), "PLEXAPI_LOG_SHOW_SECRETS": "true"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["None None", "['NullHandler']", "True"]
    assert not leak_log.exists()
