"""`plextray debug-logging on|off|status`: Plex writes playback lines only with debug logging on."""

from __future__ import annotations

import argparse

from plextray.paths import AppPaths


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "debug-logging",
        help="show or switch Plex's debug logging (needed for playback lines in its log)",
        description="Plex Media Server writes the request and timeline lines plextray reads only while "
        "its debug logging is on (Settings → General). This shows or switches it through the server's "
        "preferences API.",
    )
    parser.add_argument("action", choices=("on", "off", "status"), nargs="?", default="status")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from plextray.app import connect_client
    from plextray.config import load_config

    client = connect_client(load_config(AppPaths.default().config))
    try:
        if args.action != "status":
            client.set_debug_logging(args.action == "on")
        state = "on" if client.debug_logging_enabled() else "off"
    finally:
        client.close()
    print(f"Plex debug logging is {state}.")
    return 0
