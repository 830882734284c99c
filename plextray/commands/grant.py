"""`plextray grant NAME +30m`: give a person extra time today, or lift their time windows.

The grant goes into the history database; the running engine reads grants on every check,
so it takes effect within a second without talking to the engine.
"""

from __future__ import annotations

import argparse
import re
from datetime import datetime, timedelta

from plextray.errors import PlexTrayError

_AMOUNT = re.compile(r"^\+?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)(?:m|min)?)?$", re.IGNORECASE)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


class GrantError(PlexTrayError):
    """The grant asked for cannot be made (unknown person, bad amount)."""

    exit_status = 2


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


def parse_amount(text: str) -> int:
    """'+30m' → 30, '+1h' → 60, '+1h30m' → 90, '+90' → 90."""
    match = _AMOUNT.match(text.strip())
    if not match or not (match.group("h") or match.group("m")):
        raise GrantError(f"cannot read the amount {text!r} (use +30m, +1h, +1h30m or +90)")
    minutes = int(match.group("h") or 0) * 60 + int(match.group("m") or 0)
    if minutes <= 0:
        raise GrantError("the amount must be more than zero minutes")
    if minutes > 24 * 60:
        raise GrantError("at most 24 hours can be granted at once")
    return minutes


def next_clock(now: datetime, text: str) -> datetime:
    """The next moment the wall clock reads HH:MM after `now` (tomorrow if already past)."""
    match = _CLOCK.match(text.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise GrantError(f"bad time {text!r} (expected HH:MM, 00:00–23:59)")
    moment = datetime.combine(now.date(), datetime.min.time()).replace(hour=int(match.group(1)), minute=int(match.group(2)))
    return moment if moment > now else moment + timedelta(days=1)


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
