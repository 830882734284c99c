"""Where the Plex URL and token come from: config.json + the OS keyring, or PLEX_URL/PLEX_TOKEN.

The token lives only in a secure OS keyring (service `plextray`, user `plex_token`). Backends
that would keep it in a plain file (keyrings.alt) or not at all (fail, null) are refused with
a message naming the environment-variable route for headless hosts, never used by surprise.
Every token seen here is registered with plextray.secrets so no log line can show it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from plextray import const
from plextray.config import AppConfig
from plextray.errors import ConfigError, SecretStoreError
from plextray.secrets import register_secret

ENV_ROUTE = (
    f"set {const.ENV_PLEX_URL} and {const.ENV_PLEX_TOKEN} in the environment instead "
    "(e.g. in the service unit of a headless host)"
)
_INSECURE_PREFIXES = ("keyrings.alt.", "keyring.backends.null.", "keyring.backends.fail.")


@dataclass(frozen=True, slots=True)
class Credentials:
    url: str
    token: str = field(repr=False)  # never in a repr, a log line or a traceback's locals dump


def backend_name(backend: object) -> str:
    kind = type(backend)
    return f"{kind.__module__}.{kind.__qualname__}"


def is_secure_backend(backend: object) -> bool:
    """True for real OS keyrings; False for plaintext files, fail/null, and chains that include them."""
    from keyring.backends.chainer import ChainerBackend

    if isinstance(backend, ChainerBackend):
        chained = list(backend.backends)
        return bool(chained) and all(is_secure_backend(b) for b in chained)
    return not backend_name(backend).startswith(_INSECURE_PREFIXES)


class TokenStore:
    """The Plex token in the OS keyring. `available` says whether a secure keyring exists."""

    def __init__(self) -> None:
        import keyring

        self._keyring = keyring
        self.backend: object | None = None
        try:
            self.backend = keyring.get_keyring()
            self.backend_name = backend_name(self.backend)
            self.available = is_secure_backend(self.backend)
        except Exception as exc:  # a broken backend configuration must not crash the app
            self.backend_name = f"unusable keyring ({type(exc).__name__})"
            self.available = False

    def unavailable_message(self) -> str:
        if self.backend_name.startswith("keyrings.alt."):
            found = f"only {self.backend_name}, which would keep the token in a plain file"
        else:
            found = f"none usable (found {self.backend_name})"
        return (
            f"no secure system keyring to keep the Plex token in: {found}. "
            f"Unlock or install one (GNOME Keyring, KWallet, macOS Keychain, Windows Credential "
            f"Manager), or {ENV_ROUTE}."
        )

    def get(self) -> str | None:
        """The stored token, or None (no keyring, nothing stored, or the keyring is locked)."""
        if not self.available:
            return None
        from keyring.errors import KeyringError

        try:
            token = self._keyring.get_password(const.KEYRING_SERVICE, const.KEYRING_TOKEN_USER)
        except (KeyringError, RuntimeError):
            return None
        register_secret(token)
        return token or None

    def set(self, token: str) -> None:
        """Store the token; SecretStoreError (with the env-var route) when it cannot be kept safely."""
        token = token.strip()
        if not token:
            raise SecretStoreError("refusing to store an empty Plex token")
        register_secret(token)
        if not self.available:
            raise SecretStoreError(self.unavailable_message())
        from keyring.errors import KeyringError

        try:
            self._keyring.set_password(const.KEYRING_SERVICE, const.KEYRING_TOKEN_USER, token)
        except (KeyringError, RuntimeError) as exc:
            raise SecretStoreError(
                f"the system keyring ({self.backend_name}) refused to store the token "
                f"({type(exc).__name__}: it may be locked); unlock it and retry, or {ENV_ROUTE}"
            ) from None

    def delete(self) -> None:
        """Forget the stored token (nothing stored is fine)."""
        if not self.available:
            return
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            self._keyring.delete_password(const.KEYRING_SERVICE, const.KEYRING_TOKEN_USER)
        except PasswordDeleteError:
            return
        except (KeyringError, RuntimeError) as exc:
            raise SecretStoreError(
                f"the system keyring ({self.backend_name}) refused to delete the token ({type(exc).__name__})"
            ) from None


def load_credentials(config: AppConfig, *, store: TokenStore | None = None) -> Credentials:
    """URL and token: PLEX_URL / PLEX_TOKEN win; else config.json's URL and the keyring's token."""
    url = (os.environ.get(const.ENV_PLEX_URL) or config.server_url or "").strip()
    token = (os.environ.get(const.ENV_PLEX_TOKEN) or "").strip()
    register_secret(token)
    if not url:
        raise ConfigError(
            "no Plex server URL: run `plextray login --url http://HOST:32400`, "
            f"or set {const.ENV_PLEX_URL}"
        )
    if not token:
        store = store or TokenStore()
        token = store.get() or ""
        if not token:
            why = "" if store.available else f" ({store.unavailable_message()})"
            if sys.platform == "win32":
                from plextray.plex.windows_registry import token_hint

                why += token_hint()
            raise ConfigError(
                "no Plex token: run `plextray login` to store one in the system keyring, "
                f"or set {const.ENV_PLEX_TOKEN}{why}"
            )
    return Credentials(url=url.rstrip("/"), token=token)
