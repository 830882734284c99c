"""`plextray status [--json]`: is this install protecting anyone, and if not, what is missing."""

from __future__ import annotations

import argparse

from plextray.paths import AppPaths


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "status",
        help="what plextray is doing now, or what it still needs to be set up",
        description=(
            "Prints the state of the running tray or service (what it publishes in "
            "$PLEXTRAY_HOME/status.json); when none runs, works the state out from the settings: a "
            "server signed in and answering, Plex's log folder found, someone with a rule. "
            "States: needs_setup, monitoring, paused, violation, unreachable, starting; stopped when "
            "everything is set up but nothing runs. Exit status 0 whatever the state."
        ),
    )
    parser.add_argument("--json", action="store_true", help="one JSON object (keys: state, problems, server, "
                        "log_dir, debug_logging, live_source, running, ...)")
    parser.add_argument("--timeout", type=float, default=5.0, metavar="S",
                        help="how long to wait for the server when nothing runs (default 5 s)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import json

    from plextray.setup_check import offline_status
    from plextray.status_file import read_status

    paths = AppPaths.default()
    published = read_status(paths.home)
    if published is not None and published.stale is None:
        status = {**published.data, "running": True, "home": str(paths.home)}
    else:
        status = offline_status(paths, timeout=args.timeout)
        if published is not None:
            status["stale_status"] = published.stale
    if args.json:
        print(json.dumps(status, indent=2))
    else:
        print(describe(status))
    return 0


def describe(status: dict) -> str:
    from plextray.safe_text import for_terminal

    running = f"running (pid {status.get('pid')})" if status.get("running") else "not running"
    lines = [f"plextray: {status['state'].replace('_', ' ')} — {running}"]

    def row(label: str, value: object) -> None:
        lines.append(f"  {label:<14} {for_terminal(value)}")

    row("server:", status.get("server") or "not set up")
    row("Plex's logs:", status.get("log_dir") or "not found")
    debug = status.get("debug_logging")
    row("debug logging:", "on" if debug else "unknown" if debug is None else "off")
    row("live source:", status.get("live_source"))
    if status.get("people"):
        row("people:", ", ".join(status["people"]))
    for playing in status.get("now_playing") or []:
        row("playing:", f"{playing.get('person') or 'unknown'}: {playing.get('title')} ({playing.get('device')})")
    if status.get("stale_status"):
        lines.append(f"  (a status file was left behind and ignored: {for_terminal(status['stale_status'])})")
    if status.get("problems"):
        lines.append("To do / problems:")
        lines += [f"  - {for_terminal(problem, None)}" for problem in status["problems"]]
    return "\n".join(lines)
