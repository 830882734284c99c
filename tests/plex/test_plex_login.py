"""`plextray login`: tests the server first, URL into config.json, token into the keyring only."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from plextray.cli import main
from support.emulator_fixtures import TOKEN, emulator  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("restore_root_logging")


def login(monkeypatch, *args: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(["login", *args])


def files_containing(root: Path, secret: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def test_login_stores_url_in_config_and_token_in_keyring(monkeypatch, capsys, memory_keyring, emulator,
                                                         plextray_home):
    assert login(monkeypatch, "--url", emulator.url, "--token-stdin", stdin=TOKEN + "\n") == 0
    assert memory_keyring.store == {("plextray", "plex_token"): TOKEN}
    config = json.loads((plextray_home / "config.json").read_text())
    assert config["server_url"] == emulator.url
    assert files_containing(plextray_home, TOKEN) == []
    out = capsys.readouterr()
    assert "Connected to Plex Emulator" in out.out and TOKEN not in out.out + out.err


def test_typed_token_via_getpass(monkeypatch, memory_keyring, emulator):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": TOKEN)
    assert login(monkeypatch, "--url", emulator.url) == 0
    assert memory_keyring.store[("plextray", "plex_token")] == TOKEN


def test_wrong_token_saves_nothing(monkeypatch, capsys, memory_keyring, emulator, plextray_home):
    assert login(monkeypatch, "--url", emulator.url, "--token-stdin", stdin="not-the-token\n") != 0
    err = capsys.readouterr().err
    assert "token refused or expired" in err and "nothing was saved" in err and "not-the-token" not in err
    assert memory_keyring.store == {}
    assert not (plextray_home / "config.json").exists()


def test_unreachable_server_saves_nothing(monkeypatch, capsys, memory_keyring, emulator, plextray_home):
    emulator.set_fault("down")
    assert login(monkeypatch, "--url", emulator.url, "--token-stdin", stdin=TOKEN) != 0
    assert "cannot reach" in capsys.readouterr().err
    assert memory_keyring.store == {} and not (plextray_home / "config.json").exists()


def test_notes_about_plex_pass_and_debug_logging(monkeypatch, capsys, memory_keyring, emulator):
    emulator.set_fault("no_plex_pass")
    emulator.set_pref("logDebug", False)
    assert login(monkeypatch, "--url", emulator.url, "--token-stdin", stdin=TOKEN) == 0
    out = capsys.readouterr().out
    assert "no Plex Pass" in out and "debug logging is off" in out


def test_no_keyring_means_a_clear_message_and_no_file(monkeypatch, capsys, emulator, plextray_home):
    old = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        status = login(monkeypatch, "--url", emulator.url, "--token-stdin", stdin=TOKEN)
    finally:
        keyring.set_keyring(old)
    assert status != 0
    err = capsys.readouterr().err
    assert "PLEX_URL" in err and "PLEX_TOKEN" in err and "Traceback" not in err
    assert not plextray_home.exists() or files_containing(plextray_home, TOKEN) == []
    assert not (plextray_home / "config.json").exists()


def test_no_keyring_from_the_real_command_line(emulator, tmp_path):
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
           "PLEXTRAY_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "plextray", "login", "--url", emulator.url, "--token-stdin"],
                            input=TOKEN + "\n", env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert result.stderr.startswith("plextray: no secure system keyring")
    assert "PLEX_TOKEN" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "home" / "config.json").exists()
