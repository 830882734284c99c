"""Dotted names for every config.json setting, made from AppConfig's dataclasses (pure).

`plextray config get|set|unset|list` and the README's settings table both come from here. The
keys are found by walking the dataclasses, so a section another module adds to AppConfig (a
nested dataclass) gets its keys without any change here. A few settings have friendlier names
than their place in the file (`smtp.host` for `email.host`, `alerts.urls` for `alert_urls`);
the file's own dotted path is accepted too, and config.json keeps its format.
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from dataclasses import dataclass
from typing import Any

from plextray.config import AppConfig
from plextray.errors import ConfigError

# friendly name → JSON path in config.json; everything else is named by its path
ALIASES: dict[str, tuple[str, ...]] = {
    "server.url": ("server_url",),
    "alerts.urls": ("alert_urls",),
    "smtp.host": ("email", "host"),
    "smtp.port": ("email", "port"),
    "smtp.security": ("email", "security"),
    "smtp.username": ("email", "username"),
    "smtp.from": ("email", "sender"),
    "smtp.to": ("email", "recipients"),
    "digest.time": ("email", "digest_time"),
    "digest.send_logs": ("email", "send_logs_daily"),
    "digest.weekly": ("email", "weekly_digest"),
    "digest.include_parents": ("email", "digest_include_parents"),
}
_NAME_OF = {path: name for name, path in ALIASES.items()}

HELP: dict[tuple[str, ...], str] = {
    ("server_url",): "the Plex server's address, e.g. http://127.0.0.1:32400",
    ("log_dir",): "Plex's Logs folder (the one holding 'Plex Media Server.log'); unset: found automatically",
    ("alert_urls",): "apprise URLs alerts go to (ntfy://, pover://, tgram://, json://, mailto://...); several allowed",
    ("email", "host"): "SMTP server for the digest and alerts by e-mail",
    ("email", "port"): "SMTP port, 1-65535 (587 for STARTTLS, 465 for SSL)",
    ("email", "security"): "starttls, ssl or none",
    ("email", "username"): "SMTP user name (the password goes to the keyring: `smtp.password`)",
    ("email", "sender"): "the From address",
    ("email", "recipients"): "who gets the e-mails; several allowed",
    ("email", "digest_time"): "HH:MM local time of the daily digest e-mail; unset: no digest",
    ("email", "send_logs_daily"): "yes: the digest also carries yesterday's log archive",
    ("email", "weekly_digest"): "day and time of the weekly digest, e.g. 'Sun 18:00'; unset: none",
    ("email", "digest_include_parents"): "yes: the digests also show people with no rules (the parents)",
    ("mqtt", "url"): "the MQTT broker for Home Assistant, mqtt://HOST:1883 or mqtts://HOST; empty: off",
    ("mqtt", "username"): "the broker user (the password goes to the keyring: `plextray mqtt password`)",
    ("mqtt", "discovery_prefix"): "Home Assistant's discovery prefix (default homeassistant)",
    ("mqtt", "node_id"): "this plextray's name in topics; empty: the host's name",
    ("poll_seconds",): "how often the engine looks for new log lines (seconds)",
    ("sessions_poll_seconds",): "how often the engine asks the server for live sessions (seconds)",
    ("keep_days",): "delete archives older than this many days; unset: keep forever",
}

TRUE_WORDS = ("yes", "true", "on", "1")
FALSE_WORDS = ("no", "false", "off", "0")
SECURITY = ("starttls", "ssl", "none")


@dataclass(frozen=True, slots=True)
class Key:
    """One setting: the name users type, where it lives in config.json, and its type."""

    name: str
    path: tuple[str, ...]
    type: Any  # the dataclass field's resolved type
    default: Any
    help: str = ""

    @property
    def file_path(self) -> str:
        return ".".join(self.path)

    @property
    def kind(self) -> str:
        """The value's shape in words, for help and errors."""
        inner, optional = _unwrap(self.type)
        words = {str: "text", int: "whole number", float: "number", bool: "yes/no"}
        if _is_str_tuple(inner):
            text = "list of text"
        else:
            text = words.get(inner, "JSON value")
        return f"{text}, or unset" if optional else text


def all_keys(cls: type = AppConfig) -> list[Key]:
    """Every leaf setting of `cls`, nested dataclasses walked, in the file's order."""
    return list(_walk(cls, ()))


def _walk(cls: type, prefix: tuple[str, ...]) -> typing.Iterator[Key]:
    hints = typing.get_type_hints(cls)
    defaults = cls()
    for field in dataclasses.fields(cls):
        path = (*prefix, field.name)
        kind = hints[field.name]
        if dataclasses.is_dataclass(kind) and isinstance(kind, type):
            yield from _walk(kind, path)
            continue
        name = _NAME_OF.get(path, ".".join(path))
        yield Key(name, path, kind, getattr(defaults, field.name), HELP.get(path, ""))


def find_key(name: str, keys: list[Key] | None = None) -> Key:
    """The key called `name` (friendly or file path); ConfigError naming close ones otherwise."""
    keys = keys if keys is not None else all_keys()
    wanted = name.strip().lower()
    for key in keys:
        if wanted in (key.name.lower(), key.file_path.lower()):
            return key
    import difflib

    close = difflib.get_close_matches(wanted, [k.name for k in keys], n=3)
    hint = f" Did you mean {', '.join(close)}?" if close else " `plextray config list` shows them all."
    raise ConfigError(f"no setting called {name!r}.{hint}")


def _unwrap(kind: Any) -> tuple[Any, bool]:
    """(inner type, optional) for `X | None`."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if len(args) == 1:
            return args[0], len(args) < len(typing.get_args(kind))
    return kind, False


def _is_str_tuple(kind: Any) -> bool:
    return typing.get_origin(kind) in (tuple, list) and typing.get_args(kind)[:1] == (str,)


def parse_value(key: Key, texts: list[str]) -> Any:
    """The JSON value for `key` from what was typed; ConfigError saying what is expected."""
    inner, _optional = _unwrap(key.type)
    if _is_str_tuple(inner):
        items = [t.strip() for t in texts if t.strip()]
        if not items:
            raise ConfigError(f"{key.name}: give at least one value (to empty it: plextray config unset {key.name})")
        return items
    if len(texts) != 1:
        raise ConfigError(f"{key.name} takes one value ({key.kind}), got {len(texts)}")
    text = texts[0].strip()
    try:
        if inner is bool:
            if text.lower() in TRUE_WORDS:
                return True
            if text.lower() in FALSE_WORDS:
                return False
            raise ValueError
        if inner is int:
            return int(text)
        if inner is float:
            value = float(text)
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError
            return value
        if inner is str:
            return text
        return json.loads(text)
    except ValueError:
        raise ConfigError(f"{key.name}: expected a {key.kind}, not {text!r}") from None


def check_value(key: Key, value: Any) -> None:
    """Rules a type cannot say (ConfigError); the whole file is checked again by AppConfig."""
    path = key.path
    if path == ("email", "port") and not 1 <= value <= 65535:
        raise ConfigError(f"{key.name}: a port is a number from 1 to 65535, not {value}")
    if path == ("email", "security") and value not in SECURITY:
        raise ConfigError(f"{key.name}: one of {', '.join(SECURITY)}, not {value!r}")
    if path == ("email", "digest_time") and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ConfigError(f"{key.name}: a time as HH:MM (24-hour), e.g. 07:30, not {value!r}")
    if path == ("email", "recipients") or path == ("email", "sender"):
        for address in value if isinstance(value, list) else [value]:
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
                raise ConfigError(f"{key.name}: {address!r} is not an e-mail address")
    if path == ("server_url",) and not re.fullmatch(r"https?://[^\s/]+(:\d+)?/?", value):
        raise ConfigError(f"{key.name}: an address like http://192.168.1.10:32400, not {value!r}")
    if path == ("alert_urls",):
        for url in value:
            if "://" not in url:
                raise ConfigError(f"{key.name}: {url!r} is not an apprise URL (scheme://...)")
    if path in (("keep_days",),) and value < 1:
        raise ConfigError(f"{key.name}: at least 1 day, not {value}")
    if path in (("poll_seconds",), ("sessions_poll_seconds",)) and not 0 < value <= 3600:
        raise ConfigError(f"{key.name}: seconds between 0 and 3600, not {value}")


def get_in(data: dict[str, Any], key: Key) -> Any:
    node: Any = data
    for part in key.path:
        if not isinstance(node, dict) or part not in node:
            return _default_json(key)
        node = node[part]
    return node


def _default_json(key: Key) -> Any:
    value = key.default
    return list(value) if isinstance(value, tuple) else value


def set_in(data: dict[str, Any], key: Key, value: Any) -> dict[str, Any]:
    """A copy of `data` with `key` set (parents created)."""
    result = json.loads(json.dumps(data))
    node = result
    for part in key.path[:-1]:
        node = node.setdefault(part, {})
    node[key.path[-1]] = value
    return result


def unset_in(data: dict[str, Any], key: Key) -> dict[str, Any]:
    """A copy of `data` with `key` back at its default."""
    return set_in(data, key, _default_json(key))


def validated(data: dict[str, Any], source: str) -> AppConfig:
    """The whole file through AppConfig's own checks: what `set` writes always loads again."""
    return AppConfig.from_dict(data, source=source)


def show(value: Any) -> str:
    """A value as `get` prints it: text as is, lists one per line, none as 'unset'."""
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    if isinstance(value, (str, int, float)):
        return str(value)
    return json.dumps(value)
