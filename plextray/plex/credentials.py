"""Where the Plex URL and token come from: config.json + the OS keyring, or PLEX_URL/PLEX_TOKEN.

The token lives in a secure OS keyring (service `plextray`, user `plex_token`). Backends
that would keep it in a plain file (keyrings.alt) or not at all (fail, null) are refused with
a message naming the headless routes, never used by surprise. Headless hosts have three:
PLEX_TOKEN, a systemd credential (`LoadCredential=plex-token:...`, read from
$CREDENTIALS_DIRECTORY), or — only when asked with `login --store file` — a 0600 file in
PLEXTRAY_HOME. They are read in that order, after PLEX_TOKEN and before the keyring.
Every token seen here is registered with plextray.secrets so no log line can show it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
import sys
from dataclasses import dataclass, field
from pathlib import Path

from plextray import const
from plextray.config import AppConfig
from plextray.errors import ConfigError, SecretStoreError
from plextray.secrets import register_secret

ENV_ROUTE = (
    "run `plextray login --store file` to keep the token in a file only you can read, or "
    f"set {const.ENV_PLEX_URL} and {const.ENV_PLEX_TOKEN} in the environment instead "
    "(e.g. in the service unit of a headless host)"
)
TOKEN_FILE = "plex-token"  # in PLEXTRAY_HOME (mode 0600), and the systemd credential's name
ENV_CREDENTIALS_DIRECTORY = "CREDENTIALS_DIRECTORY"
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
        from plextray.keyring_loader import load_keyring

        self._keyring = load_keyring()
        self.backend: object | None = None
        try:
            self.backend = self._keyring.get_keyring()
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


def token_file() -> Path:
    from plextray.paths import app_home

    return app_home() / TOKEN_FILE


def systemd_credential() -> str | None:
    """The token systemd handed over with LoadCredential=plex-token:FILE, if any."""
    folder = os.environ.get(ENV_CREDENTIALS_DIRECTORY)
    if not folder:
        return None
    return _read_token(Path(folder) / TOKEN_FILE)


def _read_token(path: Path) -> str | None:
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read the Plex token from {path}: {exc.strerror}") from None
    register_secret(token)
    return token or None


def save_file_token(token: str) -> Path:
    """`login --store file`: the token in PLEXTRAY_HOME, readable by its owner only (0600)."""
    from plextray.config import atomic_write_text

    token = token.strip()
    if not token:
        raise SecretStoreError("refusing to store an empty Plex token")
    register_secret(token)
    path = token_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, token + "\n", mode=0o600)
    return path


def forget_file_token() -> bool:
    try:
        token_file().unlink()
    except FileNotFoundError:
        return False
    return True


def file_token() -> str | None:
    """The token `login --store file` kept; a file others can read is refused, not used."""
    path = token_file()
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    if os.name != "nt" and mode & 0o077:
        raise SecretStoreError(f"{path} can be read by other users (mode {mode & 0o777:o}): "
                               f"run `chmod 600 '{path}'` or `plextray login --store file` again")
    return _read_token(path)


def describe_token_source(store: TokenStore | None = None) -> str:
    """Where the token would come from, in words, without showing it."""
    if (os.environ.get(const.ENV_PLEX_TOKEN) or "").strip():
        return f"(set: {const.ENV_PLEX_TOKEN} in the environment)"
    if systemd_credential():
        return f"(set: systemd credential {TOKEN_FILE})"
    store = store or TokenStore()
    if store.get():
        return f"(set, in the system keyring: {store.backend_name})"
    if file_token():
        return f"(set, in {token_file()}, mode 0600)"
    return "(not set: run `plextray login`)"


def load_credentials(config: AppConfig, *, store: TokenStore | None = None) -> Credentials:
    """URL and token: PLEX_URL / PLEX_TOKEN win; then config.json's URL and a systemd credential,
    the keyring, or the token file `login --store file` wrote."""
    url = (os.environ.get(const.ENV_PLEX_URL) or config.server_url or "").strip()
    token = (os.environ.get(const.ENV_PLEX_TOKEN) or "").strip() or systemd_credential() or ""
    register_secret(token)
    if not url:
        raise ConfigError(
            "no Plex server URL: run `plextray login --url http://HOST:32400`, "
            f"or set {const.ENV_PLEX_URL}"
        )
    if not token:
        store = store or TokenStore()
        token = store.get() or file_token() or ""
        if not token:
            why = "" if store.available else f" ({store.unavailable_message()})"
            if sys.platform == "win32":
                from plextray.plex.windows_registry import token_hint

                why += token_hint()
            raise ConfigError(
                "no Plex token: run `plextray login` to store one in the system keyring "
                f"(`plextray login --store file` where there is none), or set {const.ENV_PLEX_TOKEN}{why}"
            )
    return Credentials(url=url.rstrip("/"), token=token)


# ---------------------------------------------------------------------------------------------
# Alert URLs: apprise URLs carry bot tokens and passwords (tgram://BOT:TOKEN/chat, pover://user@
# token, mailtos://user:pass@…), so they live in the keyring too, as one JSON list under
# (`plextray`, `alert_urls`). config.json held them before: they move on the first start
# (migrate_alert_urls), and a config.json without a secure keyring keeps them where they are,
# with a warning, rather than losing them.

ALERT_URLS_USER = "alert_urls"


def _register_alert_secrets(urls: tuple[str, ...]) -> None:
    if not urls:  # no alert set up: the alerts package stays unloaded
        return
    from plextray.alerts.dispatcher import register_url_secrets

    for url in urls:
        register_url_secrets(url)


def stored_alert_urls(*, store: TokenStore | None = None) -> tuple[str, ...]:
    """The alert URLs in the keyring (none when there is no secure keyring or it is locked)."""
    import json

    from keyring.errors import KeyringError

    store = store or TokenStore()
    if not store.available:
        return ()
    try:
        raw = store._keyring.get_password(const.KEYRING_SERVICE, ALERT_URLS_USER)
    except (KeyringError, RuntimeError):
        return ()
    try:
        urls = tuple(url for url in json.loads(raw or "[]") if isinstance(url, str) and url.strip())
    except (ValueError, TypeError):
        return ()
    _register_alert_secrets(urls)
    return urls


def load_alert_urls(config: AppConfig | None = None, *, store: TokenStore | None = None) -> tuple[str, ...]:
    """Every alert URL to deliver to: the keyring's, then any still in `config` (a config.json
    not migrated yet, or kept there for want of a secure keyring), without repeats."""
    legacy = tuple(config.alert_urls) if config is not None else ()
    _register_alert_secrets(legacy)
    return tuple(dict.fromkeys((*stored_alert_urls(store=store), *legacy)))


def save_alert_urls(urls: Sequence[str], *, store: TokenStore | None = None, config_path: Path | None = None) -> None:
    """Keep exactly `urls` as the alert URLs, in the keyring (an empty list removes the entry).
    With `config_path`, URLs an older plextray left in config.json are removed from it, since
    the keyring's list is now the whole truth. SecretStoreError without a secure keyring."""
    import json

    from keyring.errors import KeyringError, PasswordDeleteError

    cleaned = tuple(dict.fromkeys(url.strip() for url in urls if url.strip()))
    _register_alert_secrets(cleaned)
    store = store or TokenStore()
    if not store.available and not cleaned:  # nothing to keep: no keyring needed (e-mail-only settings)
        if config_path is not None:
            _drop_from_file(config_path)
        return
    if not store.available:
        raise SecretStoreError(
            f"no secure system keyring to keep alert URLs in (they hold tokens; found {store.backend_name}): "
            "unlock or install one (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Manager)"
        )
    try:
        if cleaned:
            store._keyring.set_password(const.KEYRING_SERVICE, ALERT_URLS_USER, json.dumps(list(cleaned)))
        else:
            try:
                store._keyring.delete_password(const.KEYRING_SERVICE, ALERT_URLS_USER)
            except PasswordDeleteError:
                pass
    except (KeyringError, RuntimeError) as exc:
        raise SecretStoreError(
            f"the system keyring ({store.backend_name}) refused to store the alert URLs ({type(exc).__name__}: "
            "it may be locked); unlock it and retry"
        ) from None
    if config_path is not None:
        _drop_from_file(config_path)


def _drop_from_file(config_path: Path) -> None:
    import dataclasses
    import json

    from plextray.config import load_config, write_config

    try:
        raw = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(raw, dict) and "alert_urls" in raw:  # rewritten without them (an empty list included)
        write_config(config_path, dataclasses.replace(load_config(config_path), alert_urls=()))


def migrate_alert_urls(config_path: Path, *, store: TokenStore | None = None) -> str | None:
    """Move alert URLs from config.json to the keyring and rewrite the file without them (first
    start after an upgrade). None when there was nothing to do or it worked; else why they stay."""
    from plextray.config import load_config

    try:
        legacy = load_config(config_path).alert_urls
    except ConfigError:
        return None  # a broken config.json is reported where it is loaded, and never rewritten
    if not legacy:
        _drop_from_file(config_path)  # an empty "alert_urls": [] is no secret, but no use either
        return None
    try:
        save_alert_urls((*stored_alert_urls(store=store), *legacy), store=store, config_path=config_path)
    except SecretStoreError as exc:
        return f"alert URLs stay in {config_path} for now: {exc}"
    return None


def keep_alert_urls_out(config: AppConfig, *, store: TokenStore | None = None) -> AppConfig:
    """`config` ready for config.json: alert URLs it carries go to the keyring (added to those
    there) and leave the config; without a secure keyring they stay in it, never lost."""
    import dataclasses

    if not config.alert_urls:
        return config
    try:
        save_alert_urls((*stored_alert_urls(store=store), *config.alert_urls), store=store)
    except SecretStoreError:
        return config
    return dataclasses.replace(config, alert_urls=())
