"""Headless login: no keyring is no dead end. `--store file` keeps the token in a 0600 file (only
when asked), PLEX_TOKEN and systemd credentials need no storing; the server is always tested
and its URL saved; and the commands that said "run `plextray login`" then work."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from support.emulator_fixtures import TOKEN, emulator  # noqa: F401

NO_KEYRING = "keyring.backends.fail.Keyring"


def plextray(*args: str, home, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "PYTHON_KEYRING_BACKEND": NO_KEYRING, "PLEXTRAY_HOME": str(home), **env}
    for name in ("PLEX_TOKEN", "PLEX_URL", "CREDENTIALS_DIRECTORY"):
        if name not in env:
            full.pop(name, None)
    return subprocess.run([sys.executable, "-m", "plextray", *args], input=stdin, env=full, capture_output=True,
                          text=True, timeout=60)


def test_store_file_keeps_the_token_owner_only_and_every_command_then_works(emulator, plextray_home):
    result = plextray("login", "--url", emulator.url, "--token-stdin", "--store", "file", home=plextray_home,
                      stdin=TOKEN + "\n")
    assert result.returncode == 0, result.stderr
    token_file = plextray_home / "plex-token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert token_file.read_text().strip() == TOKEN
    assert json.loads((plextray_home / "config.json").read_text())["server_url"] == emulator.url
    assert "readable by you only" in result.stdout and TOKEN not in result.stdout + result.stderr
    # the commands that used to answer "run `plextray login`" now find the token
    debug = plextray("debug-logging", "status", home=plextray_home)
    assert debug.returncode == 0 and "debug logging is on" in debug.stdout, debug.stderr
    status = json.loads(plextray("status", "--json", home=plextray_home).stdout)
    assert status["server_reachable"] is True
    assert "plex-token" in plextray("config", "get", "plex.token", home=plextray_home).stdout


def test_without_a_keyring_the_default_refuses_before_asking_and_names_store_file(emulator, plextray_home):
    result = plextray("login", "--url", emulator.url, "--token-stdin", home=plextray_home, stdin=TOKEN + "\n")
    assert result.returncode != 0
    assert "--store file" in result.stderr and "PLEX_TOKEN" in result.stderr
    assert not (plextray_home / "plex-token").exists() and not (plextray_home / "config.json").exists()


def test_a_wrong_token_stores_no_file(emulator, plextray_home):
    result = plextray("login", "--url", emulator.url, "--token-stdin", "--store", "file", home=plextray_home,
                      stdin="not-the-token\n")
    assert result.returncode != 0 and "nothing was saved" in result.stderr
    assert not (plextray_home / "plex-token").exists() and not (plextray_home / "config.json").exists()


def test_plex_token_in_the_environment_is_tested_and_the_url_saved(emulator, plextray_home):
    result = plextray("login", "--url", emulator.url, home=plextray_home, PLEX_TOKEN=TOKEN)
    assert result.returncode == 0, result.stderr
    assert "token not stored" in result.stdout
    assert json.loads((plextray_home / "config.json").read_text())["server_url"] == emulator.url
    assert not (plextray_home / "plex-token").exists()
    wrong = plextray("login", "--url", emulator.url, home=plextray_home, PLEX_TOKEN="wrong-token-123")
    assert wrong.returncode != 0 and "token refused" in wrong.stderr


def test_a_systemd_credential_is_read(emulator, plextray_home, tmp_path):
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "plex-token").write_text(TOKEN + "\n")
    result = plextray("login", "--url", emulator.url, home=plextray_home, CREDENTIALS_DIRECTORY=str(creds))
    assert result.returncode == 0, result.stderr
    status = plextray("status", "--json", home=plextray_home, CREDENTIALS_DIRECTORY=str(creds))
    assert json.loads(status.stdout)["server_reachable"] is True
    without = json.loads(plextray("status", "--json", home=plextray_home).stdout)
    assert without["server_reachable"] is False and "--store file" in " ".join(without["problems"])


def test_a_token_file_others_can_read_is_refused(emulator, plextray_home):
    assert plextray("login", "--url", emulator.url, "--token-stdin", "--store", "file", home=plextray_home,
                    stdin=TOKEN).returncode == 0
    os.chmod(plextray_home / "plex-token", 0o644)
    result = plextray("debug-logging", "status", home=plextray_home)
    assert result.returncode != 0 and "chmod 600" in result.stderr and TOKEN not in result.stderr


@pytest.mark.parametrize("where", ["keyring", "file"])
def test_unset_plex_token_forgets_it(emulator, plextray_home, where):
    if where == "file":
        plextray("login", "--url", emulator.url, "--token-stdin", "--store", "file", home=plextray_home, stdin=TOKEN)
        assert (plextray_home / "plex-token").exists()
        assert plextray("config", "unset", "plex.token", home=plextray_home).returncode == 0
        assert not (plextray_home / "plex-token").exists()
    else:
        result = plextray("config", "set", "plex.token", TOKEN, home=plextray_home)
        assert result.returncode == 2 and "never as an argument" in result.stderr


def test_the_token_is_looked_for_in_the_documented_order(plextray_home, tmp_path, monkeypatch, use_keyring):
    """PLEX_TOKEN, then the systemd credential, then the keyring, then the --store file file."""
    from support.memkeyring import MemoryKeyring

    from plextray.config import AppConfig
    from plextray.plex.credentials import load_credentials, save_file_token

    keyring = use_keyring(MemoryKeyring())
    config = AppConfig(server_url="http://plex.lan:32400")
    save_file_token("from-the-file-0001")
    assert load_credentials(config).token == "from-the-file-0001"
    keyring.store[("plextray", "plex_token")] = "from-the-keyring-02"
    assert load_credentials(config).token == "from-the-keyring-02"
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "plex-token").write_text("from-systemd-0003\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    assert load_credentials(config).token == "from-systemd-0003"
    monkeypatch.setenv("PLEX_TOKEN", "from-the-env-0004")
    assert load_credentials(config).token == "from-the-env-0004"
