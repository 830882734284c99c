"""The `plextray` command line: discovers subcommands in plextray.commands and turns errors into messages."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence

from plextray import __version__, commands
from plextray.errors import PlexTrayError

log = logging.getLogger("plextray")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plextray",
        description=(
            "Keep Plex Media Server's logs, see who watched what and when, and enforce "
            "per-person viewing rules. With no command, starts the tray app."
        ),
    )
    parser.add_argument("--version", action="version", version=f"plextray {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(subparsers)
    return parser


def configure_logging(verbosity: int) -> None:
    """stderr gets warnings (more with -v); every handler redacts secrets. Safe to call again."""
    from plextray.log_format import OneLineFormatter
    from plextray.secrets import install_redaction

    level = logging.WARNING - 10 * min(verbosity, 2)
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "_plextray_stderr", False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(OneLineFormatter())  # a client's newline never splits a record
        handler._plextray_stderr = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    handler.setLevel(level)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    install_redaction()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)
    if args.command is None:
        args = parser.parse_args([*(sys.argv[1:] if argv is None else argv), "run"])
    try:
        return int(args.handler(args) or 0)
    except PlexTrayError as exc:
        print(f"plextray: {exc}", file=sys.stderr)
        return exc.exit_status
    except OSError as exc:  # an I/O failure no module foresaw (disk full, a folder that is a file...)
        where = f": {exc.filename}" if exc.filename else ""
        print(f"plextray: {exc.strerror or exc}{where}", file=sys.stderr)
        log.debug("unexpected I/O error", exc_info=True)
        return 1
    except KeyboardInterrupt:
        return 130
