"""`plextray grant NAME +30m`: give a person extra time today, or lift their time windows.

The grant goes into the history database; the running engine reads grants on every check,
so it takes effect within a second without talking to the engine.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from plextray.today import GrantError, next_clock, parse_amount

__all__ = ["GrantError", "next_clock", "parse_amount", "register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "grant",
        help="give a person extra minutes today or lift their bedtime",
        description=(
            "Record a grant for today: extra minutes for the person's quotas (+30m, +1h, +90), "
            "and/or lift their time windows until a time (--until 22:30) or for the rest of tonight "
            "(--no-bedtime-tonight). The running engine picks it up from the database."
        ),
    )
    parser.add_argument("name", metavar="NAME", help="the person, as named in profiles.json")
    parser.add_argument("amount", nargs="?", metavar="+MINUTES", help="extra minutes: +30m, +1h, +1h30m or +90")
    lift = parser.add_mutually_exclusive_group()
    lift.add_argument("--until", metavar="HH:MM", help="lift time windows until this time (next occurrence)")
    lift.add_argument("--no-bedtime-tonight", action="store_true", help="lift time windows until tonight's windows end")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from plextray.core.rules import tonight_end
    from plextray.paths import AppPaths
    from plextray.profiles.store import ProfileStore
    if not args.amount and not args.until and not args.no_bedtime_tonight:
        raise GrantError("say what to grant: +30m (extra minutes), --until HH:MM or --no-bedtime-tonight")
    minutes = parse_amount(args.amount) if args.amount else 0
    paths = AppPaths.default()
    profiles = ProfileStore(paths.profiles).load()
    person = profiles.person_named(args.name)
    if person is None:
        names = ", ".join(p.name for p in profiles.people) or "none yet"
        raise GrantError(f"no person named {args.name!r} in {paths.profiles} (people: {names})")
    now = datetime.now()
    lift_until = None
    if args.until:
        lift_until = next_clock(now, args.until)
    elif args.no_bedtime_tonight:
        lift_until = tonight_end(person, now)
    from plextray.safe_text import for_terminal
    from plextray.today import grant

    granted = grant(paths, person.name, minutes=minutes, lift_until=lift_until, now=now)
    parts = []
    if minutes:
        parts.append(f"{minutes} extra minutes today")
    if lift_until is not None:
        parts.append(f"time windows lifted until {lift_until:%H:%M}" + (" tomorrow" if lift_until.date() > now.date() else ""))
    print(f"Granted {for_terminal(person.name)}: {' and '.join(parts)}.")
    print(for_terminal(granted.after.sentence(now), None))  # where it leaves them: the new time left
    return 0
