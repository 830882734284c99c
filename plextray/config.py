"""The app's settings file (config.json): server URL, log folder, e-mail. No secrets.

Secrets (the Plex token, the SMTP password, the alert URLs, which hold bot tokens) live in the
OS keyring only (plextray.plex.credentials). Saves are atomic
(temp file + replace); a broken file is reported with its path and never overwritten. This module
is the file alone: the app saves through plextray.config_save.save_config, which keeps alert URLs
out of it through the keyring.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from plextray.errors import ConfigError


@dataclass(frozen=True, slots=True)
class EmailSettings:
    host: str = ""
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    username: str = ""
    sender: str = ""
    recipients: tuple[str, ...] = ()
    digest_time: str | None = None  # "HH:MM" local; None: no daily digest
    send_logs_daily: bool = False
    weekly_digest: str | None = None  # "Sun 18:00" (weekday and local time); None: no weekly digest
    digest_include_parents: bool = False  # people with no rules (grown-ups) in the digests too

    @property
    def configured(self) -> bool:
        return bool(self.host and self.recipients)


@dataclass(frozen=True, slots=True)
class MqttSettings:
    """Home Assistant over MQTT; off while `url` is empty. The password lives in the OS keyring."""

    url: str = ""  # mqtt://HOST[:1883] or mqtts://HOST[:8883]; a user may be given as mqtt://USER@HOST
    username: str = ""  # when not in the URL
    discovery_prefix: str = "homeassistant"
    node_id: str = ""  # names this plextray in topics and ids; empty: the host's name

    @property
    def configured(self) -> bool:
        return bool(self.url.strip())


@dataclass(frozen=True, slots=True)
class AppConfig:
    server_url: str | None = None
    log_dir: str | None = None  # None: auto-detect
    # apprise URLs (ntfy://, pover://, tgram://, json://, mailto://): kept in the keyring
    # (credentials.load_alert_urls); here only those an older config.json still holds
    alert_urls: tuple[str, ...] = ()
    email: EmailSettings = field(default_factory=EmailSettings)
    poll_seconds: float = 0.25  # how often the engine looks for new log lines
    sessions_poll_seconds: float = 30.0  # how often the engine asks for live sessions while Plex's websocket is down
    websocket: bool = True  # listen to Plex's notification websocket (the live source without debug logging)
    keep_days: int | None = None  # archive retention; None keeps forever
    mqtt: MqttSettings = field(default_factory=MqttSettings)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["alert_urls"] = list(self.alert_urls)
        if not self.alert_urls:
            del data["alert_urls"]  # they belong in the keyring: config_save.save_config puts them there
        data["email"]["recipients"] = list(self.email.recipients)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "config.json") -> "AppConfig":
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: expected a JSON object at the top level")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"{source}: unknown setting(s): {', '.join(unknown)}")
        values = dict(data)
        email = values.get("email") or {}
        if not isinstance(email, dict):
            raise ConfigError(f"{source}: $.email must be an object")
        email_known = {f.name for f in fields(EmailSettings)}
        bad = sorted(set(email) - email_known)
        if bad:
            raise ConfigError(f"{source}: unknown e-mail setting(s): {', '.join(bad)}")
        for where, value in (("$.email.recipients", email.get("recipients", ())),
                             ("$.alert_urls", values.get("alert_urls", ()))):
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{source}: {where} must be a list of strings, e.g. [\"dad@example.org\"]")
        if not isinstance(values.get("websocket", True), bool):
            raise ConfigError(f"{source}: $.websocket must be true or false")
        port = email.get("port", 587)
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise ConfigError(f"{source}: $.email.port must be a number from 1 to 65535, not {port!r}")
        values["mqtt"] = _mqtt_from(values.get("mqtt"), source)
        try:
            values["email"] = EmailSettings(**{**email, "recipients": tuple(email.get("recipients", ()))})
            values["alert_urls"] = tuple(values.get("alert_urls", ()))
            return cls(**values)
        except TypeError as exc:
            raise ConfigError(f"{source}: {exc}") from exc


def _mqtt_from(data: Any, source: str) -> MqttSettings:
    if data is None:
        return MqttSettings()
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: $.mqtt must be an object")
    known = {f.name for f in fields(MqttSettings)}
    bad = sorted(set(data) - known)
    if bad:
        raise ConfigError(f"{source}: unknown mqtt setting(s): {', '.join(bad)}")
    for key, value in data.items():
        if not isinstance(value, str):
            raise ConfigError(f"{source}: $.mqtt.{key} must be a string, not {value!r}")
    return MqttSettings(**data)


def load_config(path: Path) -> AppConfig:
    """Read config.json; a missing file means defaults, a broken one is an error naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AppConfig()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    return AppConfig.from_dict(data, source=str(path))


def atomic_write_text(path: Path, text: str, *, mode: int = 0o600) -> None:
    """Write via a temp file in the same folder, fsync, then replace: a crash leaves old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def write_config(path: Path, config: AppConfig) -> None:
    """Write config.json exactly as given, alert URLs included: save through
    plextray.config_save.save_config, which moves them to the keyring first."""
    atomic_write_text(path, json.dumps(config.to_dict(), indent=2) + "\n")
