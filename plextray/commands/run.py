"""`plextray run [--headless] [--log-dir DIR]` (also what bare `plextray` does): start monitoring."""

from __future__ import annotations

import argparse
from pathlib import Path

from plextray.paths import AppPaths


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="start monitoring: the tray app, or the headless service with --headless",
        description="Start plextray: the tray icon where there is a desktop; with --headless, the same "
        "engine as a service (for NAS boxes, servers and systemd), logging to the app log and stderr.",
    )
    parser.add_argument("--headless", action="store_true", help="no tray icon or windows; stops on SIGTERM/Ctrl-C")
    parser.add_argument("--log-dir", type=Path, metavar="DIR", help="Plex's log folder (default: auto-detect)")
    parser.add_argument("--minimized", action="store_true", help=argparse.SUPPRESS)  # autostart entries pass it
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    paths = AppPaths.default()
    if args.headless:
        from plextray.service import run_headless

        return run_headless(paths, log_dir=args.log_dir)
    from plextray.tray_main import run_tray

    return run_tray(paths, log_dir=args.log_dir)
