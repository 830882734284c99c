"""`plextray setup`: the first-run steps in the terminal — server, logs, a child, alerts.

The same steps as the first-run window (plextray.setup_flow does the work), as prompts with a
[default] that Enter keeps. Every answer can also be given as a flag; with --yes nothing is
asked and what is not given is skipped (for scripts and provisioning).
"""

from __future__ import annotations

import argparse

from plextray.paths import AppPaths


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "setup",
        help="set plextray up step by step in the terminal (server, logs, a child, alerts)",
        description=(
            "Walks through the first-run steps: find and sign in to the Plex server (a code to enter at "
            "plex.tv/link, the server's own token when readable, or a pasted one), find Plex's logs and turn "
            "on its debug logging, add a child with their devices and a starting rule set (" 
            "bedtime 20:30 on school nights, nothing above PG, 2 h a day), and optionally an alert URL. "
            "Enter keeps the [default]. With --yes nothing is asked: give the answers as options."
        ),
    )
    parser.add_argument("--url", metavar="URL", help="the Plex server (default: the one found)")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--pin", action="store_true", help="sign in with a code entered at plex.tv/link")
    how.add_argument("--server-token", action="store_true", help="use the server's own token (Preferences.xml)")
    how.add_argument("--token-stdin", action="store_true", help="read a token from standard input")
    parser.add_argument("--store", choices=("keyring", "file"), help="where the token goes (default: the keyring, "
                        "else a 0600 file after asking)")
    parser.add_argument("--log-dir", metavar="DIR", help="Plex's Logs folder (default: found)")
    parser.add_argument("--debug-logging", choices=("on", "keep"), help="turn on Plex's debug logging (default: ask)")
    parser.add_argument("--child", metavar="NAME", help="the child to protect")
    parser.add_argument("--device", action="append", default=[], metavar="ID", help="the child's device (client id); repeat")
    parser.add_argument("--account", action="append", default=[], metavar="NAME", help="the child's Plex account; repeat")
    parser.add_argument("--no-preset", action="store_true", help="add the child without the starting rules")
    parser.add_argument("--alert-url", metavar="URL", help="an apprise URL for alerts (ntfy://, mailto://, ...)")
    parser.add_argument("-y", "--yes", action="store_true", help="ask nothing; use the options and the defaults")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from plextray.setup_terminal import TerminalSetup

    return TerminalSetup(AppPaths.default().ensure(), args).run()
