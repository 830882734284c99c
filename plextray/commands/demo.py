"""`plextray demo`: see plextray work end to end against a built-in Plex emulator."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="see plextray work end to end against a built-in Plex emulator (no server needed)",
        description="Runs an emulated Plex server on 127.0.0.1 and a family's evening against it: log "
        "saving, parsed events, a restricted play stopped with a message, a notification, today's report. "
        "Uses a throw-away folder unless --home is given. Shows the tray where there is a display.",
    )
    parser.add_argument("--terminal", action="store_true", help="stay in the terminal even where there is a display")
    parser.add_argument("--home", type=Path, metavar="DIR", help="keep the demo's state in DIR instead of a temporary folder")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from plextray import demo

    if not args.terminal:
        from plextray.ui.display import display_available

        ok, _ = display_available()
        if ok:
            return demo.run_tray(args.home)
    return demo.run_terminal(args.home)
