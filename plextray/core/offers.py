"""What a notification offers the parent to do about it, as buttons where the desktop has them.

A minutes quota about to run out offers more time; a play stopped by a time window (bedtime)
offers to lift the windows tonight; a play stopped by a minutes quota offers more time; a device linked to nobody
offers to link it. A rating or library rule offers nothing: no grant changes what a title is.
Each offer also carries the sentence that says how to do the same without a button (desktops
whose notifications have no actions, Windows balloons, macOS): the menu path and the command.
Clicking runs exactly what the tray menu runs (EngineControl.grant; Settings… for linking).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from plextray.core.household import UNKNOWN_DEVICES_ID, Profiles

GRANT, LIFT, LINK = "grant", "lift", "link"
TONIGHT = "tonight"  # as the menu's "No bedtime tonight" and `plextray grant --no-bedtime-tonight`


@dataclass(frozen=True, slots=True)
class Offer:
    key: str  # the notification action's key: stable, ASCII ("grant-15:Emma")
    label: str  # the button: "+15 min", "Allow tonight", "Link to…"
    kind: str  # GRANT | LIFT | LINK
    hint: str  # how to do it without the button
    person: str | None = None
    minutes: int = 0
    lift_window_until: str | None = None
    client_id: str | None = None  # LINK: the device to link


def more_time(person: str) -> tuple[Offer, ...]:
    hint = (f"To give {person} more time: tray menu Give extra time ▸ {person}, "
            f"or `plextray grant {shlex.quote(person)} +15m`.")
    return tuple(Offer(f"grant-{minutes}:{person}", f"+{minutes} min", GRANT, hint, person=person, minutes=minutes)
                 for minutes in (15, 30))


def allow_tonight(person: str) -> tuple[Offer, ...]:
    return (Offer(f"lift-tonight:{person}", "Allow tonight", LIFT,
                  f"To allow {person} tonight: tray menu Give extra time ▸ {person} ▸ No bedtime tonight, "
                  f"or `plextray grant {shlex.quote(person)} --no-bedtime-tonight`.",
                  person=person, lift_window_until=TONIGHT),)


def link_device(client_id: str) -> tuple[Offer, ...]:
    return (Offer("link", "Link to…", LINK, "To link this device to a person: tray menu Settings… ▸ Devices.",
                  client_id=client_id),)


def offers_for_violation(profiles: Profiles | None, person: str | None, restriction_id: str,
                         client_id: str) -> tuple[Offer, ...]:
    """The offers on a notification about a broken rule (a stop, a warning before one)."""
    if restriction_id == UNKNOWN_DEVICES_ID:
        return link_device(client_id)
    if person is None or profiles is None:
        return ()
    found = profiles.person_named(person)
    if found is None:
        return ()
    restriction = next((r for r in found.restrictions if r.id == restriction_id), None)
    if restriction is None:
        return ()
    if restriction.kind == "time":
        return allow_tonight(found.name)
    if restriction.kind == "quota" and getattr(restriction.condition, "unit", None) == "minutes":
        return more_time(found.name)  # extra minutes do nothing for a count of titles
    return ()


def with_hints(message: str, offers: tuple[Offer, ...]) -> str:
    """The message for a desktop that cannot show buttons: what to do, in words."""
    hints = list(dict.fromkeys(offer.hint for offer in offers))
    return "\n".join([message, *hints]) if hints else message
