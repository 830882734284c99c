"""`plextray save-logs`: one-shot save of Plex's log into the daily archives (for cron / Task Scheduler)."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from plextray.paths import AppPaths


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "save-logs",
        help="save every new line of Plex's log into the daily gzip archives, once",
        description=(
            "Copies every complete line Plex Media Server logged since the last save (including lines in "
            "rotated files .1.log … .5.log) into $PLEXTRAY_HOME/archives/YYYY-MM-DD.log.gz, exactly once. "
            "Safe to run from cron; the tray app does the same continuously. Prints a one-line summary; "
            "lines Plex deleted before they could be saved are reported as gaps."
        ),
    )
    parser.add_argument("--log-dir", metavar="DIR", help="Plex's Logs folder (default: found automatically)")
    parser.add_argument("--keep-days", metavar="N", type=_positive, default=None,
                        help="delete archives older than N days (default: keep forever)")
    parser.set_defaults(handler=run)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, at least 1, got {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    from plextray.logs.locate import find_log_dir
    from plextray.logs.saver import LogSaver

    if not getattr(args, "verbose", 0):
        # gaps and archive problems are printed below, once; the log would say them twice
        logging.getLogger("plextray.logs").setLevel(logging.ERROR)
    log_dir = find_log_dir(Path(args.log_dir) if args.log_dir else None)
    paths = AppPaths.default().ensure()
    with LogSaver(log_dir, paths.archives) as saver:
        summary = saver.save_once()
        if args.keep_days:
            removed = saver.prune(args.keep_days, date.today())
            summary = replace(summary, pruned=tuple(path.name for path in removed))
    for gap in summary.gaps:
        print(f"plextray: {gap.describe()}", file=sys.stderr)
    for problem in summary.problems:
        print(f"plextray: {problem}", file=sys.stderr)
    print(summary.describe())
    return 0
