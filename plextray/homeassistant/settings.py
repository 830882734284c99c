"""Where the broker is and how to log in: config.json's `mqtt` section + the OS keyring.

`mqtt.url` is `mqtt://HOST[:PORT]` or `mqtts://HOST[:PORT]` (TLS, system CAs); a user may be
named in it (`mqtt://ha@HOST`) or in `mqtt.username`. A password in the URL is refused: it would
sit in config.json in the clear. The password is kept in the keyring (service `plextray`, user
`mqtt:<user>@<host>`) and registered with plextray.secrets, so no log line can show it.
"""

from __future__ import annotations

import re
import socket
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from plextray import const
from plextray.config import MqttSettings
from plextray.errors import ConfigError, SecretStoreError
from plextray.secrets import register_secret

DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}
_TOPIC_SAFE = re.compile(r"^[^#+\x00]+$")


@dataclass(frozen=True, slots=True)
class Broker:
    host: str
    port: int
    tls: bool
    username: str = ""
    password: str | None = field(default=None, repr=False)  # never in a repr or a log line
    discovery_prefix: str = "homeassistant"
    node: str = "plextray"  # slug naming this plextray: topics plextray/<node>/..., node id plextray_<node>

    def describe(self) -> str:
        """For log lines and errors: no password, ever."""
        scheme = "mqtts" if self.tls else "mqtt"
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"


def slug(text: str) -> str:
    """'Zoë Ann' -> 'zoe_ann': what MQTT topics and Home Assistant ids allow ([a-z0-9_])."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def keyring_user(host: str, username: str) -> str:
    return f"mqtt:{username}@{host}"


def parse_broker(settings: MqttSettings) -> Broker:
    """The broker from the settings; ConfigError with the fix when the URL cannot be used."""
    url = settings.url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ConfigError(f"mqtt.url must start with mqtt:// or mqtts://, e.g. mqtt://homeassistant.local:1883 (not {url!r})")
    if parts.password is not None:
        raise ConfigError(
            "mqtt.url holds a password, which config.json would keep in the clear: give the URL without it "
            "and store the password with `plextray mqtt password`"
        )
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise ConfigError(f"mqtt.url has a bad port: {url!r}") from None
    host = parts.hostname or ""
    if not host or parts.path not in ("", "/"):
        raise ConfigError(f"mqtt.url must be mqtt://HOST[:PORT] with nothing after the port (not {url!r})")
    prefix = settings.discovery_prefix.strip().strip("/") or "homeassistant"
    if not _TOPIC_SAFE.match(prefix):
        raise ConfigError(f"mqtt.discovery_prefix cannot hold '+' or '#': {settings.discovery_prefix!r}")
    node = slug(settings.node_id) or slug(socket.gethostname()) or "plextray"
    username = unquote(parts.username) if parts.username else settings.username.strip()
    return Broker(host=host, port=port, tls=scheme == "mqtts", username=username, discovery_prefix=prefix, node=node)


def with_password(broker: Broker) -> Broker:
    """The broker with its password from the keyring (None when no user or nothing stored)."""
    if not broker.username:
        return broker
    from keyring.errors import KeyringError
    from plextray.keyring_loader import load_keyring

    keyring = load_keyring()

    try:
        password = keyring.get_password(const.KEYRING_SERVICE, keyring_user(broker.host, broker.username))
    except (KeyringError, RuntimeError) as exc:
        raise SecretStoreError(f"cannot read the MQTT password from the OS keyring ({type(exc).__name__})") from None
    register_secret(password)
    return Broker(broker.host, broker.port, broker.tls, broker.username, password or None,
                  broker.discovery_prefix, broker.node)


def store_password(broker: Broker, password: str) -> None:
    """Keep the MQTT password in a secure OS keyring (never a plain file)."""
    from keyring.errors import KeyringError
    from plextray.keyring_loader import load_keyring

    keyring = load_keyring()

    from plextray.plex.credentials import backend_name, is_secure_backend

    if not broker.username:
        raise ConfigError("name the MQTT user first: mqtt://USER@HOST in mqtt.url, or mqtt.username")
    register_secret(password)
    try:
        backend = keyring.get_keyring()
        secure = is_secure_backend(backend)
    except Exception as exc:
        raise SecretStoreError(f"no usable OS keyring for the MQTT password ({type(exc).__name__})") from None
    if not secure:
        raise SecretStoreError(
            f"no secure system keyring to keep the MQTT password in (found {backend_name(backend)}); "
            "unlock or install one (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Manager)"
        )
    try:
        keyring.set_password(const.KEYRING_SERVICE, keyring_user(broker.host, broker.username), password)
    except (KeyringError, RuntimeError) as exc:
        raise SecretStoreError(f"the OS keyring refused the MQTT password ({type(exc).__name__})") from None
