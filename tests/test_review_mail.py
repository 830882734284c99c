"""Review findings in plextray.mail: the SMTP password never goes to a plaintext keyring."""

from __future__ import annotations

import keyring
import pytest

from plextray.config import EmailSettings
from plextray.errors import SecretStoreError
from plextray.mail.smtp import set_password
from support.memkeyring import MemoryKeyring


@pytest.fixture
def use_keyring():
    old = keyring.get_keyring()

    def install(backend):
        keyring.set_keyring(backend)
        return backend

    yield install
    keyring.set_keyring(old)


def test_smtp_password_is_refused_by_a_plaintext_keyring(use_keyring):
    # Stands in for keyrings.alt.file.PlaintextKeyring (same module path; not installed here).
    plaintext = use_keyring(type("PlaintextKeyring", (MemoryKeyring,), {"__module__": "keyrings.alt.file"})())
    settings = EmailSettings(host="smtp.example.org", username="dad", recipients=("dad@example.org",))
    with pytest.raises(SecretStoreError) as caught:
        set_password(settings, "hunter2-secret")
    assert plaintext.store == {}
    assert "hunter2-secret" not in str(caught.value)


def test_smtp_password_goes_to_a_secure_keyring(use_keyring):
    memory = use_keyring(MemoryKeyring())
    settings = EmailSettings(host="smtp.example.org", username="dad", recipients=("dad@example.org",))
    set_password(settings, "hunter2-secret")
    assert memory.store == {("plextray", "smtp:dad@smtp.example.org"): "hunter2-secret"}
