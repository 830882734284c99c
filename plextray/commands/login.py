"""`plextray login`: check the server URL and token, then keep the URL in config.json and the token
in the OS keyring (or, when asked, a 0600 file; or nowhere when PLEX_TOKEN / systemd provide it)."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import os
import sys

from plextray import const
from plextray.errors import ConfigError, PlexError, SecretStoreError
from plextray.paths import AppPaths


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "login",
        help="connect plextray to your Plex server (token kept in the system keyring)",
        description=(
            "Test the connection to the Plex server, then store its URL in config.json and the token "
            "in the system keyring. The token is typed (hidden), piped with --token-stdin, linked at "
            "plex.tv/link with --pin, or taken from PLEX_TOKEN or a systemd credential (LoadCredential="
            "plex-token:FILE). Without a keyring (headless hosts): --store file keeps it in a file only "
            "you can read (mode 0600) in PLEXTRAY_HOME; a token from PLEX_TOKEN or systemd needs no "
            "storing (--store none is then the default). The server is always tested first; nothing is "
            "saved when it does not answer or refuses the token."
        ),
    )
    parser.add_argument("--url", metavar="URL", help="the server's address, e.g. http://127.0.0.1:32400")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--token-stdin", action="store_true", help="read the token from standard input")
    source.add_argument("--pin", action="store_true", help="get a token by linking a code at plex.tv/link")
    parser.add_argument("--store", choices=("keyring", "file", "none"), default=None,
                        help="where the token is kept: the system keyring (default), a 0600 file in "
                        "PLEXTRAY_HOME, or nowhere (it comes from PLEX_TOKEN / systemd each time)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from plextray.config import load_config
    from plextray.config_save import save_config
    from plextray.plex.client import PlexClient
    from plextray.plex.credentials import TokenStore, save_file_token, systemd_credential
    from plextray.secrets import register_secret

    paths = AppPaths.default()
    config = load_config(paths.config)
    given = "" if (args.token_stdin or args.pin) else (
        (os.environ.get(const.ENV_PLEX_TOKEN) or "").strip() or systemd_credential() or "")
    where = args.store or ("none" if given else "keyring")
    store = TokenStore()
    if where == "keyring" and not store.available:  # before asking for anything: nothing will be written
        raise SecretStoreError(store.unavailable_message())

    url = (args.url or os.environ.get(const.ENV_PLEX_URL) or config.server_url or "").strip()
    if not url:
        if not sys.stdin.isatty():
            raise ConfigError("no server URL: pass --url http://HOST:32400")
        url = input("Plex server URL [http://127.0.0.1:32400]: ").strip() or "http://127.0.0.1:32400"
    if "://" not in url:
        url = f"http://{url}"

    if given:
        token = given
    elif args.token_stdin:
        token = sys.stdin.readline().strip()
    elif args.pin:
        from plextray.plex.pinlogin import pin_login

        token = pin_login(print)
    else:
        token = getpass.getpass("Plex token (input hidden): ").strip()
    if not token:
        raise ConfigError("no token given: nothing was saved")
    register_secret(token)

    with PlexClient(url, token, timeout=15) as client:
        try:
            info = client.server_info()
            debug_on = client.debug_logging_enabled()
        except PlexError as exc:
            raise type(exc)(f"{exc} — nothing was saved") from None

    if where == "keyring":
        store.set(token)
        kept = f"token stored in the system keyring ({store.backend_name})"
    elif where == "file":
        kept = f"token stored in {save_file_token(token)} (readable by you only)"
    else:
        kept = "token not stored (it is read from PLEX_TOKEN or the systemd credential each time)"
    save_config(paths.config, dataclasses.replace(config, server_url=url.rstrip("/")))
    print(f"Connected to {info.name or 'Plex Media Server'} (version {info.version}) at {url}.")
    print(f"Server URL saved in {paths.config}; {kept}.")
    if not info.plex_pass:
        print("Note: this server has no Plex Pass, so plextray can notify and alert but cannot stop streams.")
    if not debug_on:
        print("Note: Plex's debug logging is off, so plays do not appear in its log. Run "
              "`plextray debug-logging on`, or turn on Settings > General > 'Enable Plex Media Server debug logging'.")
    return 0
