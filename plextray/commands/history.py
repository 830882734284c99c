"""`plextray history [--since DATE] [--device ID] [--json]`: who watched what, when, on which device."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import asdict
from datetime import datetime

from plextray.errors import PlexTrayError
from plextray.paths import AppPaths


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "history",
        help="show who watched what, when, on which device",
        description="List watch sessions from the history database (run `plextray import` first).",
    )
    parser.add_argument("--since", metavar="DATE", help="only sessions from this local date/time on (YYYY-MM-DD[THH:MM])")
    parser.add_argument("--device", metavar="ID", help="only this device (client id, or device name)")
    parser.add_argument("--json", action="store_true", help="one JSON object per session")
    parser.set_defaults(handler=run)


def _since(text: str | None) -> str:
    if not text:
        return ""
    try:
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        raise PlexTrayError(f"--since: {text!r} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM)") from None


def _minutes(ms: int) -> str:
    minutes = round(ms / 60000)
    return f"{minutes // 60}h{minutes % 60:02d}" if minutes >= 60 else f"{minutes} min"


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except BrokenPipeError:  # `plextray history | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run(args: argparse.Namespace) -> int:
    import json

    from plextray.safe_text import for_json, for_terminal as safe
    from plextray.store.db import connect
    from plextray.store.history import HistoryStore

    from plextray.core.identity import Evidence, describe, resolve
    from plextray.profiles.store import ProfileStore

    since = _since(args.since)
    paths = AppPaths.default()
    try:
        profiles = ProfileStore(paths.profiles).load()
    except Exception:  # no or broken profiles: history still lists what was watched
        profiles = None
    conn = connect(paths.database)
    try:
        store = HistoryStore(conn)
        client_ids = None
        if args.device:
            matching = [d.client_id for d in store.devices() if args.device in (d.client_id, d.device)]
            client_ids = matching or [args.device]
        sessions = store.sessions_between(since, "9999", client_ids=client_ids)
        titles = {
            row[0]: row[1]
            for row in conn.execute(
                "SELECT rating_key, CASE WHEN grandparent_title IS NOT NULL "
                "THEN grandparent_title || ' · ' || title ELSE title END FROM media"
            )
        }
    finally:
        conn.close()
    for session in sessions:
        if args.json:
            data = asdict(session)
            data["percent"] = session.percent
            data["title"] = titles.get(session.rating_key)
            print(for_json(json.dumps(data, ensure_ascii=False)))
            continue
        what = titles.get(session.rating_key) or f"item {session.rating_key}"
        device = session.device or session.product or session.client_id
        if profiles is not None:  # say which signal identified the person when not the account
            device = describe(resolve(profiles, Evidence(session.client_id, session.account)), device)
        percent = "" if session.percent is None else f" {session.percent:.0f}%"
        flags = " (resumed)" if session.resumed else ""
        flags += " LIVE" if session.live else ""
        # account, device and title come from clients and the library: each is cleaned, so none
        # can move the cursor, clear the screen or print a line of its own
        print(
            f"{session.start[:16].replace('T', ' ')} - {session.end[11:16]}  {safe(session.account or '?')} on "
            f"{safe(device)}: {safe(what)}, watched {_minutes(session.watched_ms)}{percent}{flags}"
        )
    if not sessions and not args.json:
        print("no watch sessions" + (f" since {args.since}" if args.since else ""))
    return 0
