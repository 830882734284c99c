"""The app's settings file (config.json): server URL, log folder, alert URLs, e-mail. No secrets.

Secrets (the Plex token, the SMTP password) live in the OS keyring only. Saves are atomic
(temp file + replace); a broken file is reported with its path and never overwritten.
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

    @property
    def configured(self) -> bool:
        return bool(self.host and self.recipients)


@dataclass(frozen=True, slots=True)
class AppConfig:
    server_url: str | None = None
    log_dir: str | None = None  # None: auto-detect
    alert_urls: tuple[str, ...] = ()  # apprise URLs (ntfy://, pover://, tgram://, json://, mailto://)
    email: EmailSettings = field(default_factory=EmailSettings)
    poll_seconds: float = 0.25  # how often the engine looks for new log lines
    sessions_poll_seconds: float = 30.0  # how often the engine asks for live sessions while Plex's websocket is down
    websocket: bool = True  # listen to Plex's notification websocket (the live source without debug logging)
    keep_days: int | None = None  # archive retention; None keeps forever

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["alert_urls"] = list(self.alert_urls)
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
        try:
            values["email"] = EmailSettings(**{**email, "recipients": tuple(email.get("recipients", ()))})
            values["alert_urls"] = tuple(values.get("alert_urls", ()))
            return cls(**values)
        except TypeError as exc:
            raise ConfigError(f"{source}: {exc}") from exc


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


def save_config(path: Path, config: AppConfig) -> None:
    atomic_write_text(path, json.dumps(config.to_dict(), indent=2) + "\n")
