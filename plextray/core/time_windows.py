"""Day words, clock times and weekly time windows (pure; `now` is always a parameter).

A window belongs to the day it STARTS: "weeknights 20:30–07:00" is the evenings of Sunday to
Thursday from 20:30 until 07:00 the next morning, so Friday 06:00 is inside (Thursday's night)
and Friday 23:00 is not. Windows are half-open: `from` is inside, `to` is not.

Day words (case-insensitive; a list or a comma-separated string combines them):
- `mon` … `sun` (or full names), ISO numbers 1 (Monday) … 7 (Sunday)
- `weekdays` = Mon–Fri, `everyday` (or `daily`) = all seven
- `weeknights` = Sun–Thu: the nights before a school day
- `weekend` = the nights of Fri and Sat for a window that crosses midnight (Friday 23:00 is
  "the weekend" to a parent), and Sat and Sun for a daytime window. `weekend-days` and
  `weekend-nights` say it explicitly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SINGLE: dict[str, int] = {}
for _i, (_short, _full) in enumerate(zip(DAY_NAMES, _FULL)):
    _SINGLE[_short] = _i
    _SINGLE[_full] = _i
    _SINGLE[str(_i + 1)] = _i
_SINGLE.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})

_GROUPS: dict[str, frozenset[int]] = {
    "everyday": frozenset(range(7)),
    "daily": frozenset(range(7)),
    "all": frozenset(range(7)),
    "weekdays": frozenset(range(5)),
    "weekday": frozenset(range(5)),
    "weeknights": frozenset({6, 0, 1, 2, 3}),
    "weeknight": frozenset({6, 0, 1, 2, 3}),
    "schoolnights": frozenset({6, 0, 1, 2, 3}),
    "weekend-days": frozenset({5, 6}),
    "weekend-nights": frozenset({4, 5}),
}
_WEEKEND = {"weekend", "weekends"}
_NIGHT_WEEKEND = frozenset({4, 5})
_DAY_WEEKEND = frozenset({5, 6})

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


class ScheduleError(ValueError):
    """A day word or clock time that cannot be understood; the message says what was wrong."""


def known_day_words() -> tuple[str, ...]:
    return (*DAY_NAMES, "weekdays", "weekend", "weeknights", "everyday", "weekend-days", "weekend-nights")


def parse_days(value: object, *, overnight: bool) -> frozenset[int]:
    """Day words → the set of weekdays (0 = Monday) on which a window STARTS.

    `overnight` says whether the window crosses midnight; only `weekend` depends on it.
    """
    items: list[object]
    if isinstance(value, str):
        items = [part for part in re.split(r"[,\s]+", value.strip()) if part]
    elif isinstance(value, list):
        items = list(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        items = [value]
    else:
        raise ScheduleError(f"days must be a word or a list of words, not {type(value).__name__}")
    if not items:
        raise ScheduleError("days is empty")
    days: set[int] = set()
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            raise ScheduleError(f"bad day {item!r}")
        word = str(item).strip().lower()
        if word in _SINGLE:
            days.add(_SINGLE[word])
        elif word in _GROUPS:
            days |= _GROUPS[word]
        elif word in _WEEKEND:
            days |= _NIGHT_WEEKEND if overnight else _DAY_WEEKEND
        else:
            raise ScheduleError(
                f"unknown day word {str(item)!r} (use {', '.join(known_day_words())}, or a list)"
            )
    return frozenset(days)


def describe_days(days: frozenset[int]) -> str:
    """Plain words for a set of start days: 'every day', 'Sun–Thu', 'Mon, Wed'."""
    if days == frozenset(range(7)):
        return "every day"
    if days == _GROUPS["weeknights"]:
        return "Sun–Thu"
    if days == _GROUPS["weekdays"]:
        return "Mon–Fri"
    if days == _NIGHT_WEEKEND:
        return "Fri–Sat"
    if days == _DAY_WEEKEND:
        return "Sat–Sun"
    return ", ".join(DAY_NAMES[d].capitalize() for d in sorted(days))


def clock_minutes(text: object, *, allow_24: bool = False) -> int:
    """'HH:MM' → minutes after midnight. '24:00' only where allowed (the end of a window)."""
    if not isinstance(text, str):
        raise ScheduleError(f"bad time {text!r} (expected \"HH:MM\")")
    match = _TIME.match(text.strip())
    if not match:
        raise ScheduleError(f"bad time {text!r} (expected HH:MM)")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if allow_24 and hours == 24 and minutes == 0:
        return 24 * 60
    if hours > 23 or minutes > 59:
        raise ScheduleError(f"bad time {text!r} (expected HH:MM between 00:00 and 23:59)")
    return hours * 60 + minutes


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A weekly window: on each start day, from `start` until `end` (the next day if end <= start)."""

    days: frozenset[int]
    start: int  # minutes after midnight
    end: int  # minutes after midnight, 1..1440

    @property
    def overnight(self) -> bool:
        return self.end <= self.start

    def occurrence(self, now: datetime) -> tuple[datetime, datetime] | None:
        """The (start, end) of the occurrence containing `now`, or None when outside."""
        today = now.date()
        for start_day in (today, today - timedelta(days=1)):
            if start_day.weekday() not in self.days:
                continue
            begin, finish = self.bounds(start_day)
            if begin <= now < finish:
                return begin, finish
        return None

    def contains(self, now: datetime) -> bool:
        return self.occurrence(now) is not None

    def bounds(self, start_day: date) -> tuple[datetime, datetime]:
        """The occurrence that starts on `start_day` (whether or not that day is in `days`)."""
        begin = datetime.combine(start_day, time()) + timedelta(minutes=self.start)
        length = (self.end - self.start) % (24 * 60) or 24 * 60
        return begin, begin + timedelta(minutes=length)

    def describe(self) -> str:
        return f"{format_clock(self.start)}–{format_clock(self.end % (24 * 60) if self.end != 1440 else 1440)}"
