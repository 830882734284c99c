"""What the rules look at: one play, at one moment, with the person's usage and grants.

The engine fills a `PlayContext` for every check; rules never read clocks, files or the network.

What the engine must compute (with plextray.store.history):

- `now`: the local wall clock (naive), the same clock the windows are written in.
- `Usage.minutes_<per>`: minutes actually watched by the person (all their devices and accounts)
  in `period_bounds(now, per)` — history sessions' `watched_ms` for sessions started in the period
  (HistoryStore.watched_ms(client_ids=person.devices, accounts=person.accounts, since_utc=start,
  until_utc=end) with the bounds converted to UTC) PLUS the play in progress as far as it has
  played (paused and buffering time excluded), counted once: leave its own history row out of
  the query (or subtract it) so it is not counted twice. Finished plays count in the period in
  which they started; the play in progress counts its whole watched time in the current period
  (a film running past midnight counts against the new day too: the stricter reading).
- `Usage.titles_<per>`: distinct titles in the period (HistoryStore.distinct_titles(...)) plus
  the current title if it is not among them. A title is what distinct_titles counts (a film, or
  a show for its episodes).
- `streak_episodes`: the current back-to-back chain of episodes, this one included (see
  `count_streak`): 1 for a first episode, 0 when this play is not an episode.
- `grants`: `EnforcementStore.grants_for(person.name, now.date())`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Protocol

from plextray.core.model import MediaInfo

PERIODS = ("day", "week", "month")
PERIOD_WORDS = {"day": "today", "week": "this week", "month": "this month"}

# Two episodes are back to back when the next starts within this long after the last ended.
STREAK_GAP = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Usage:
    """How much the person has watched, the play in progress included."""

    minutes_day: float = 0.0
    minutes_week: float = 0.0
    minutes_month: float = 0.0
    titles_day: int = 0
    titles_week: int = 0
    titles_month: int = 0

    def minutes(self, per: str) -> float:
        return float(getattr(self, f"minutes_{per}"))

    def titles(self, per: str) -> int:
        return int(getattr(self, f"titles_{per}"))


@dataclass(frozen=True, slots=True)
class GrantTotals:
    """Extra allowances a parent granted. Minutes add to quotas; windows are lifted until `lift_until`.

    `extra_minutes` is today's total (day quotas); the week/month totals add to week and month
    quotas (they include today's grants).
    """

    extra_minutes: int = 0
    lift_until: datetime | None = None  # naive local; time windows do not apply before it
    week_extra_minutes: int = 0
    month_extra_minutes: int = 0

    def extra_for(self, per: str) -> int:
        if per == "day":
            return self.extra_minutes
        if per == "week":
            return max(self.week_extra_minutes, self.extra_minutes)
        return max(self.month_extra_minutes, self.week_extra_minutes, self.extra_minutes)

    def lifted(self, now: datetime) -> bool:
        return self.lift_until is not None and now < self.lift_until


class Someone(Protocol):
    """Whom a play counts for (a core.profiles.Person): a protocol, so that the rules' context
    need not import the household that imports the rules."""

    @property
    def name(self) -> str: ...


@dataclass(frozen=True, slots=True)
class PlayContext:
    """One play at one moment, as the engine knows it. `media` None = not known yet."""

    now: datetime
    person: Someone | None = None
    client_id: str | None = None
    account: str | None = None
    session_key: str | None = None
    rating_key: str | None = None
    media: MediaInfo | None = None
    device: str | None = None  # the device's name, for messages ("iPad")
    usage: Usage = field(default_factory=Usage)
    streak_episodes: int = 0
    grants: GrantTotals = field(default_factory=GrantTotals)


def period_bounds(now: datetime, per: str) -> tuple[datetime, datetime]:
    """The local [start, end) of the day, week (Monday start) or month containing `now`."""
    midnight = datetime.combine(now.date(), time())
    if per == "day":
        return midnight, midnight + timedelta(days=1)
    if per == "week":
        start = midnight - timedelta(days=now.weekday())
        return start, start + timedelta(days=7)
    if per == "month":
        start = midnight.replace(day=1)
        nxt = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
        return start, nxt
    raise ValueError(f"unknown period {per!r} (day, week or month)")


def count_streak(episodes: Sequence[tuple[datetime, datetime]], *, gap: timedelta = STREAK_GAP) -> int:
    """Length of the back-to-back chain ending with the last play of `episodes`.

    `episodes` are the person's episode plays as (start, end), oldest first, the current play
    last (its end = now). The chain breaks where a play starts more than `gap` after the
    previous one ended.
    """
    if not episodes:
        return 0
    count = 1
    for (_, prev_end), (start, _) in zip(reversed(episodes[:-1]), reversed(episodes[1:])):
        if start - prev_end > gap:
            break
        count += 1
    return count
