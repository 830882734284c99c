"""The weekly window shared by the `time` and `streak` types: `days`, `from`, `to`.

One place for its JSON reading, its words and its form fields, so both types say and check the
same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plextray.core.clockwords import normalise_clock
from plextray.core.time_windows import (
    ScheduleError,
    TimeWindow,
    describe_days,
    clock_minutes,
    parse_days,
)
from plextray.core.restriction_types.base import FormField
from plextray.core.specs import Reader

DAY_CHOICES = ("everyday", "weekdays", "weeknights", "weekend", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
WINDOW_KEYS = ("days", "from", "to")
WEEK_MINUTES = 7 * 24 * 60
_SLOT = 5  # minutes: every window boundary is on a whole minute; 5 keeps the sets small


def window_fields(days: str, start: str, end: str) -> tuple[FormField, ...]:
    """The form's days / from / to fields with these defaults."""
    return (
        FormField("days", "Days", days, "choice", DAY_CHOICES, typed=True),
        FormField("from", "From (HH:MM)", start),
        FormField("to", "To (HH:MM)", end),
    )


def read_window(reader: Reader, *, required: bool) -> TimeWindow | None:
    """`from`, `to` and `days` (default everyday) → a TimeWindow; None if absent or broken."""
    if not required and not reader.has("from") and not reader.has("to"):
        if reader.has("days"):
            reader.issues.add(reader.at("days"), "days needs \"from\" and \"to\"")
        return None
    start = end = None
    for key in ("from", "to"):
        value = reader.raw(key)
        if value is None and not reader.has(key):
            continue
        try:
            minutes = clock_minutes(value, allow_24=(key == "to"))
        except ScheduleError as exc:
            reader.issues.add(reader.at(key), str(exc))
            continue
        if key == "from":
            start = minutes
        else:
            end = minutes
    if start is None or end is None:
        return None
    if start == end:
        reader.issues.add(reader.at("to"), "\"from\" and \"to\" are the same time (use 00:00 to 24:00 for a whole day)")
        return None
    overnight = end <= start
    try:
        days = parse_days(reader.raw("days", required=False) if reader.has("days") else "everyday", overnight=overnight)
    except ScheduleError as exc:
        reader.issues.add(reader.at("days"), str(exc))
        return None
    return TimeWindow(days, start, end)


def window_words(window: TimeWindow) -> str:
    nights = "nights starting " if window.overnight else ""
    return f"{window.describe()} on {nights}{describe_days(window.days)}"


def window_from_form(text: Mapping[str, str], errors: dict[str, str]) -> dict[str, Any]:
    """The form's days / from / to → JSON keys; "8pm" is written 20:00."""
    days = text.get("days", "") or "everyday"
    start, end = text.get("from", ""), text.get("to", "")
    start, end = normalise_clock(start) or start, normalise_clock(end) or end
    for key, value in (("from", start), ("to", end)):
        try:
            clock_minutes(value)
        except (ScheduleError, ValueError, TypeError):
            errors[key] = "Use HH:MM (e.g. 20:30) or a time like 8:30pm"
    if "from" not in errors and "to" not in errors and start == end:
        errors["to"] = "The window must not start and end at the same time"
    try:
        overnight = "from" not in errors and "to" not in errors and clock_minutes(end) < clock_minutes(start)
        parse_days(days, overnight=overnight)
    except (ScheduleError, ValueError, TypeError) as exc:
        errors["days"] = str(exc) or "Unknown days"
    return {"days": days, "from": start, "to": end}


def window_summary(spec: Mapping[str, Any]) -> str:
    return f"{spec.get('days', 'everyday')} {spec.get('from')}–{spec.get('to')}"


def window_slots(spec: Mapping[str, Any]) -> frozenset[int] | None:
    """The minutes of the week a window forbids (in _SLOT steps), or None when it does not read."""
    try:
        start = clock_minutes(spec.get("from"))
        end = clock_minutes(spec.get("to"), allow_24=True)
        days = parse_days(spec.get("days", "everyday"), overnight=end <= start)
    except (ScheduleError, ValueError, TypeError):
        return None
    length = (end - start) % (24 * 60) or 24 * 60
    slots: set[int] = set()
    for day in days:
        first = day * 24 * 60 + start
        slots.update((first + offset) % WEEK_MINUTES for offset in range(0, length, _SLOT))
    return frozenset(slots)
