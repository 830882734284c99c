"""The token store (OS keyring only, insecure backends refused) and where URL/token come from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from keyring.backends import fail, null

from plextray.config import AppConfig
from plextray.errors import ConfigError, SecretStoreError
from plextray.plex.credentials import Credentials, TokenStore, is_secure_backend, load_credentials
from plextray.secrets import redact
from support.memkeyring import MemoryKeyring

TESTS = Path(__file__).resolve().parents[1]


def plaintext_keyring() -> MemoryKeyring:
    """Stands in for keyrings.alt.file.PlaintextKeyring (same module path; not installed here)."""
    cls = type("PlaintextKeyring", (MemoryKeyring,), {"__module__": "keyrings.alt.file"})
    return cls()


def test_store_round_trip_in_the_plextray_entry(memory_keyring):
    store = TokenStore()
    assert store.available
    assert store.get() is None
    store.set("  abcd-TOKEN-1234\n")
    assert memory_keyring.store == {("plextray", "plex_token"): "abcd-TOKEN-1234"}
    assert store.get() == "abcd-TOKEN-1234"
    assert redact("sent abcd-TOKEN-1234 to plex") == "sent [REDACTED] to plex"
    store.delete()
    assert store.get() is None
    store.delete()  # deleting nothing is fine


def test_empty_token_is_refused(memory_keyring):
    with pytest.raises(SecretStoreError, match="empty"):
        TokenStore().set("   ")
    assert memory_keyring.store == {}


def test_locked_keyring(memory_keyring):
    memory_keyring.store[("plextray", "plex_token")] = "stored-token"
    memory_keyring.locked = True
    store = TokenStore()
    assert store.get() is None
    with pytest.raises(SecretStoreError, match="locked") as info:
        store.set("new-token-value")
    assert "PLEX_TOKEN" in str(info.value) and "new-token-value" not in str(info.value)


@pytest.mark.parametrize("backend, words", [
    (fail.Keyring(), "fail.Keyring"),
    (null.Keyring(), "null.Keyring"),
    (plaintext_keyring(), "plain file"),
])
def test_insecure_backends_are_refused(use_keyring, backend, words):
    use_keyring(backend)
    store = TokenStore()
    assert not store.available
    assert store.get() is None
    with pytest.raises(SecretStoreError) as info:
        store.set("would-be-plaintext")
    message = str(info.value)
    assert words in message and "PLEX_URL" in message and "PLEX_TOKEN" in message
    assert "would-be-plaintext" not in message
    if isinstance(backend, MemoryKeyring):
        assert backend.store == {}  # nothing reached the plaintext backend
    store.delete()


def test_secure_backend_detection():
    assert is_secure_backend(MemoryKeyring())
    assert not is_secure_backend(plaintext_keyring())
    assert not is_secure_backend(fail.Keyring())


def test_credentials_never_show_the_token():
    assert "s3cret" not in repr(Credentials("http://h:32400", "s3cret-token"))


def test_env_overrides_config_and_keyring(memory_keyring, monkeypatch):
    memory_keyring.store[("plextray", "plex_token")] = "keyring-token"
    monkeypatch.setenv("PLEX_URL", "http://env-host:32400/")
    monkeypatch.setenv("PLEX_TOKEN", "env-token-9")
    creds = load_credentials(AppConfig(server_url="http://config-host:32400"))
    assert (creds.url, creds.token) == ("http://env-host:32400", "env-token-9")


def test_config_url_and_keyring_token(memory_keyring):
    memory_keyring.store[("plextray", "plex_token")] = "keyring-token"
    creds = load_credentials(AppConfig(server_url="http://plex.lan:32400"))
    assert (creds.url, creds.token) == ("http://plex.lan:32400", "keyring-token")


def test_missing_url_says_how_to_fix(memory_keyring):
    with pytest.raises(ConfigError, match=r"plextray login --url .*PLEX_URL"):
        load_credentials(AppConfig())


def test_missing_token_says_how_to_fix(memory_keyring):
    with pytest.raises(ConfigError, match=r"plextray login.*PLEX_TOKEN"):
        load_credentials(AppConfig(server_url="http://plex.lan:32400"))


def test_missing_token_without_keyring_points_to_the_env(use_keyring):
    use_keyring(fail.Keyring())
    with pytest.raises(ConfigError) as info:
        load_credentials(AppConfig(server_url="http://plex.lan:32400"))
    assert "no secure system keyring" in str(info.value) and "PLEX_TOKEN" in str(info.value)


def test_env_token_works_without_any_keyring(use_keyring, monkeypatch):
    use_keyring(fail.Keyring())
    monkeypatch.setenv("PLEX_TOKEN", "headless-token")
    assert load_credentials(AppConfig(server_url="http://plex.lan:32400")).token == "headless-token"


def test_memory_keyring_can_be_chosen_by_name():
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "support.memkeyring.MemoryKeyring",
           "PYTHONPATH": os.pathsep.join([str(TESTS), str(TESTS.parent)])}
    code = ("from plextray.plex.credentials import TokenStore; s = TokenStore(); s.set('tok-by-name'); "
            "print(s.available, s.backend_name, s.get())")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["True", "support.memkeyring.MemoryKeyring", "tok-by-name"], result.stderr
