"""`plextray config get|set|unset|list`: every setting of config.json from the command line.

Headless hosts have no settings window; this is the same settings with the same checks. The
keys come from AppConfig (plextray.config_keys); secrets (`plex.token`, `smtp.password`) are
never written to config.json: they go to the system keyring, and so do `alerts.urls` (apprise
URLs carry tokens) where there is one — else config.json keeps them, readable by its owner only.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from plextray.errors import ConfigError
from plextray.paths import AppPaths

SECRETS = {
    "plex.token": "the Plex token (system keyring; see also `plextray login`)",
    "smtp.password": "the SMTP password (system keyring, as smtp:<user>@<host>)",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "config",
        help="show or change a setting of config.json (dotted keys: smtp.host, digest.time, ...)",
        description=(
            "Read and change plextray's settings by name, with the same checks as the settings window. "
            "`list` shows every key with its value and meaning. Secrets (plex.token, smtp.password) go to "
            "the system keyring, never into config.json; give them on standard input or at the prompt."
        ),
    )
    sub = parser.add_subparsers(dest="config_action", metavar="ACTION", required=True)
    get = sub.add_parser("get", help="print one setting's value")
    get.add_argument("key")
    get.set_defaults(handler=run_get)
    setp = sub.add_parser("set", help="change a setting (lists take several values)")
    setp.add_argument("key")
    setp.add_argument("values", nargs="*", metavar="VALUE",
                      help="the value (secrets: leave out to be asked, or pipe it in)")
    setp.set_defaults(handler=run_set)
    unset = sub.add_parser("unset", help="put a setting back to its default")
    unset.add_argument("key")
    unset.set_defaults(handler=run_unset)
    listing = sub.add_parser("list", help="every setting with its value")
    listing.add_argument("--json", action="store_true", help="one JSON object, friendly key -> value")
    listing.set_defaults(handler=run_list)


def _load() -> tuple[Any, dict]:
    from plextray.config import load_config

    paths = AppPaths.default()
    config = load_config(paths.config)  # a broken file is reported before anything else
    return paths, config.to_dict()


def _value(key, data: dict):
    """A setting's value as the app sees it: alert URLs from the keyring and config.json both."""
    from plextray.config_keys import get_in

    if key.path == ("alert_urls",):
        from plextray.config import AppConfig
        from plextray.plex.credentials import load_alert_urls

        return list(load_alert_urls(AppConfig.from_dict(data)))
    return get_in(data, key)


def _masked(key, value):
    """apprise URLs carry tokens and passwords: listings show the scheme only (`get` shows all)."""
    if key.path == ("alert_urls",) and isinstance(value, list):
        return [item.split("://", 1)[0] + "://… (hidden; `plextray config get alerts.urls`)" for item in value]
    return value


def run_get(args: argparse.Namespace) -> int:
    from plextray.config_keys import find_key, show
    from plextray.safe_text import for_terminal

    if args.key.lower() in SECRETS:
        print(_secret_state(args.key.lower()))
        return 0
    _paths, data = _load()
    key = find_key(args.key)
    for line in show(_value(key, data)).split("\n"):  # lists: one item a line
        print(for_terminal(line, None))
    return 0


def run_set(args: argparse.Namespace) -> int:
    from plextray.config_keys import check_value, find_key, parse_value, set_in, show, validated
    from plextray.config_save import save_config

    if args.key.lower() in SECRETS:
        return _set_secret(args.key.lower(), args.values)
    paths, data = _load()
    key = find_key(args.key)
    value = parse_value(key, args.values)
    check_value(key, value)
    if key.path == ("log_dir",):
        from pathlib import Path

        from plextray.logs.locate import require_plex_log

        value = str(require_plex_log(Path(value).expanduser()))
    where = str(paths.config)
    if key.path == ("alert_urls",):  # apprise URLs carry secrets: the keyring only
        from plextray.plex.credentials import save_alert_urls

        validated(set_in(data, key, value), where)
        save_alert_urls(value)  # the keyring, never config.json (SecretStoreError says why not)
        value, where = [], "the system keyring"
        data = set_in(data, key, [])
    config = validated(set_in(data, key, value), str(paths.config))
    save_config(paths.config, config)
    shown = show(_masked(key, _value(key, config.to_dict()))).replace("\n", ", ")
    print(f"{key.name} = {shown}  (saved in {where})")
    if key.path[0] != "email" or key.path[-1] not in ("digest_time", "send_logs_daily"):
        print("A running plextray uses it after a restart.")
    return 0


def run_unset(args: argparse.Namespace) -> int:
    from plextray.config_keys import find_key, show, unset_in, validated
    from plextray.config_save import save_config

    if args.key.lower() in SECRETS:
        return _unset_secret(args.key.lower())
    paths, data = _load()
    key = find_key(args.key)
    if key.path == ("alert_urls",):
        from plextray.plex.credentials import save_alert_urls

        save_alert_urls([])
    save_config(paths.config, validated(unset_in(data, key), str(paths.config)))
    print(f"{key.name} is back to its default: {show(key.default if not isinstance(key.default, tuple) else list(key.default)) or '(empty)'}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    import json

    from plextray.config_keys import all_keys, show
    from plextray.safe_text import for_terminal

    _paths, data = _load()
    keys = all_keys()
    if args.json:
        out = {key.name: _masked(key, _value(key, data)) for key in keys}
        out.update({name: _secret_state(name) for name in SECRETS})
        print(json.dumps(out, indent=2))
        return 0
    width = max(len(k.name) for k in keys)
    for key in keys:
        value = show(_masked(key, _value(key, data))).replace("\n", ", ") or "(empty)"
        print(f"{key.name:<{width}}  {for_terminal(value)}")
    for name in SECRETS:
        print(f"{name:<{width}}  {_secret_state(name)}")
    return 0


def _secret_state(name: str) -> str:
    if name == "plex.token":
        from plextray.plex.credentials import describe_token_source

        return describe_token_source()
    from plextray.config import load_config
    from plextray.mail.smtp import get_password, keyring_user
    from plextray.paths import AppPaths

    settings = load_config(AppPaths.default().config).email
    if not settings.host or not settings.username:
        return "(not set: set smtp.host and smtp.username first)"
    try:
        stored = get_password(settings)
    except Exception as exc:  # no keyring: say so rather than fail the listing
        return f"(keyring unavailable: {type(exc).__name__})"
    return f"(set, in the keyring as {keyring_user(settings)})" if stored else "(not set)"


def _read_secret(name: str, values: list[str]) -> str:
    if values:
        raise ConfigError(f"{name} is a secret: give it on standard input or at the prompt, never as an "
                          "argument (arguments show in `ps` and in shell history)")
    secret = getpass.getpass(f"{name} (input hidden): ") if sys.stdin.isatty() else sys.stdin.readline()
    secret = secret.strip()
    if not secret:
        raise ConfigError(f"no {name} given; nothing stored")
    from plextray.secrets import register_secret

    register_secret(secret)
    return secret


def _set_secret(name: str, values: list[str]) -> int:
    secret = _read_secret(name, values)
    if name == "plex.token":
        from plextray.plex.credentials import TokenStore

        store = TokenStore()
        store.set(secret)
        print(f"plex.token stored in the system keyring ({store.backend_name}); `plextray login` also tests it")
        return 0
    from plextray.config import load_config
    from plextray.errors import ConfigError
    from plextray.mail.smtp import keyring_user, set_password
    from plextray.paths import AppPaths

    settings = load_config(AppPaths.default().config).email
    if not settings.host or not settings.username:
        raise ConfigError("set smtp.host and smtp.username first: the password is kept under both")
    set_password(settings, secret)
    print(f"smtp.password stored in the system keyring as {keyring_user(settings)}")
    return 0


def _unset_secret(name: str) -> int:
    if name == "plex.token":
        from plextray.plex.credentials import TokenStore, forget_file_token

        TokenStore().delete()
        forget_file_token()
        print("plex.token forgotten")
        return 0
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    from plextray import const
    from plextray.config import load_config
    from plextray.errors import SecretStoreError
    from plextray.mail.smtp import keyring_user
    from plextray.paths import AppPaths

    settings = load_config(AppPaths.default().config).email
    try:
        keyring.delete_password(const.KEYRING_SERVICE, keyring_user(settings))
    except PasswordDeleteError:
        pass
    except (KeyringError, RuntimeError) as exc:
        raise SecretStoreError(f"the system keyring refused to forget the SMTP password ({type(exc).__name__})") from None
    print("smtp.password forgotten")
    return 0
