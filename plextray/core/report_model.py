"""What a report is made of: the rows it reads (input) and the per-person day/period it produces (output).

Frozen dataclasses only; the folding lives in plextray.core.report_fold (which re-exports these names).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

UNLINKED = "Linked to nobody"
_FAILED_OUTCOMES = ("fail", "error", "skip", "unsupported", "denied")


@dataclass(frozen=True, slots=True)
class SessionRow:
    """One row of the sessions table, as the report needs it."""

    key: str
    client_id: str
    rating_key: str | None
    account: str | None
    start: str  # ISO local
    end: str
    watched_ms: int
    max_position_ms: int
    duration_ms: int | None
    state: str
    live: bool
    device: str | None = None
    product: str | None = None
    platform: str | None = None
    plex_session: str | None = None


@dataclass(frozen=True, slots=True)
class ActionRow:
    time: str
    action: str  # notify | alert | stop | ...
    outcome: str  # ok | failed | ...
    detail: str = ""

    @property
    def succeeded(self) -> bool:
        return not self.outcome.lower().startswith(_FAILED_OUTCOMES)


@dataclass(frozen=True, slots=True)
class ViolationRow:
    id: int
    time: str
    person: str | None
    client_id: str | None
    session_key: str | None
    rating_key: str | None
    restriction: str
    reason: str
    actions: tuple[ActionRow, ...] = ()

    @property
    def stopped(self) -> bool:
        return any(a.action == "stop" and a.succeeded for a in self.actions)


@dataclass(frozen=True, slots=True)
class QuotaRule:
    per: str  # day | week | month
    minutes: int | None = None
    titles: int | None = None


@dataclass(frozen=True, slots=True)
class RuleLink:
    """A person's restriction as the report needs it: its id in profiles.json, kind and words."""

    id: str
    kind: str
    label: str = ""
    window: tuple[int, int, frozenset[int]] | None = None  # (start, end) minutes, start weekdays: time rules


@dataclass(frozen=True, slots=True)
class PersonLink:
    """Who a person is for the report: their devices, accounts and quotas (from profiles.json)."""

    name: str
    devices: frozenset[str] = frozenset()
    accounts: frozenset[str] = frozenset()
    quotas: tuple[QuotaRule, ...] = ()
    rules: tuple[RuleLink, ...] = ()
    ruled: bool = False  # has restrictions: wins a play whose account and device disagree (core.identity)

    @property
    def supervised(self) -> bool:
        """Someone with rules (a child); no rules at all reads as a grown-up (left out of the digest)."""
        return bool(self.quotas or self.rules)


@dataclass(frozen=True, slots=True)
class TitleEntry:
    title: str  # "Bluey S02E05 · Dance Mode" or "Frozen"
    kind: str  # movie | episode | track | unknown
    rating_key: str | None
    device: str
    client_id: str
    start: str  # ISO local, real (not clipped)
    end: str
    minutes: float  # watched minutes inside the reported day
    percent: float | None  # how far into the item (max position / duration)
    stopped: bool  # plextray stopped it
    live: bool  # still playing when the report was made
    began_before: bool = False  # started the day before (split)
    goes_on_after: bool = False  # continues into the next day (split)
    content_rating: str | None = None  # as the server rates the item (PG, TV-14, de/12…)


@dataclass(frozen=True, slots=True)
class ActionTaken:
    action: str
    outcome: str
    detail: str
    time: str


@dataclass(frozen=True, slots=True)
class ViolationEntry:
    time: str
    restriction: str
    reason: str
    title: str | None
    device: str | None
    actions: tuple[ActionTaken, ...]


@dataclass(frozen=True, slots=True)
class QuotaUse:
    per: str  # day | week | month
    unit: str  # minutes | titles
    period_start: str  # ISO date
    period_end: str  # ISO date (inclusive)
    used: float
    limit: int
    extra: int = 0  # granted minutes (day quotas only)
    stopped_at: str | None = None  # ISO local time plextray stopped a play for this quota (day quotas)

    @property
    def allowed(self) -> int:
        return self.limit + self.extra

    @property
    def percent(self) -> float:
        return 100.0 * self.used / self.allowed if self.allowed else 100.0

    @property
    def remaining(self) -> float:
        return max(0.0, self.allowed - self.used)


@dataclass(frozen=True, slots=True)
class PersonDay:
    name: str
    entries: tuple[TitleEntry, ...]
    total_minutes: float
    violations: tuple[ViolationEntry, ...]
    quotas: tuple[QuotaUse, ...] = ()
    linked: bool = True  # False for the "Linked to nobody" group


@dataclass(frozen=True, slots=True)
class UnlinkedDevice:
    client_id: str
    name: str
    product: str | None
    platform: str | None
    account: str | None
    minutes: float


@dataclass(frozen=True, slots=True)
class SuspiciousAddress:
    """Playback reports Plex refused from one address in the day (none of them acted on)."""

    ip: str
    count: int
    first: str  # ISO local time
    last: str
    claimed: str | None  # the client id the latest one claimed (untrusted)


@dataclass(frozen=True, slots=True)
class TitleGroup:
    """A show with all its episodes, or one film (or item) on its own."""

    title: str
    kind: str  # show | movie | track | item
    minutes: float
    plays: int
    episodes: int  # distinct episodes watched (shows); 1 otherwise
    content_rating: str | None = None


@dataclass(frozen=True, slots=True)
class RuleSummary:
    """One rule broken by one person in the period, summed up in one sentence."""

    restriction: str
    kind: str
    label: str
    count: int  # violations recorded
    days: int  # distinct days (nights for bedtimes)
    minutes: float  # watched while breaking it (bedtimes)
    stops: int
    alerts: int
    first: str  # ISO local time of the first
    last: str
    sentence: str


@dataclass(frozen=True, slots=True)
class PersonSummary:
    """The card at the top of a report: the person's period in a few figures."""

    name: str
    days: int  # days of the period the history covers (so far)
    total_minutes: float
    average_minutes: float  # per covered day
    previous_minutes: float | None  # the same days one period earlier (None: not covered)
    change_percent: float | None
    daily_limit: int | None
    days_over_limit: int  # days whose minutes reached (or passed) the daily limit plus that day's grants
    minutes_after_bedtime: float
    nights_after_bedtime: int
    violations: int
    stops: int
    alerts: int
    granted_minutes: int
    grants: int
    lifted_bedtimes: int
    partial: bool  # the period is not over yet
    titles: tuple[TitleGroup, ...] = ()
    supervised: bool = True  # has rules (a child); False: a grown-up, left out of the digest by default
    rules: tuple[RuleSummary, ...] = ()


@dataclass(frozen=True, slots=True)
class DayReport:
    day: str  # ISO date
    covered: bool  # False: the history begins after this day; nothing is known
    history_start: str | None  # ISO date of the first recorded play
    people: tuple[PersonDay, ...]
    unlinked: tuple[UnlinkedDevice, ...]
    generated: str = ""  # ISO local time the report was made
    suspicious: tuple[SuspiciousAddress, ...] = ()  # refused requests (store.rejected)
    household: tuple[str, ...] = ()  # every person in profiles.json order: their colours everywhere
    summaries: tuple[PersonSummary, ...] = ()  # core.report_summary.PersonSummary per person shown
    partial: bool = False  # the day is not over yet
    windows: tuple[tuple[str, str, str, str], ...] = ()  # (person, label, from, to) ISO local: bedtimes drawn

    def person(self, name: str) -> PersonDay | None:
        return next((p for p in self.people if p.name == name), None)


@dataclass(frozen=True, slots=True)
class PeriodReport:
    kind: str  # week | month
    start: str  # ISO date
    end: str  # ISO date, inclusive
    days: tuple[DayReport, ...]
    names: tuple[str, ...]  # people (and UNLINKED when any) in display order
    history_start: str | None = None
    generated: str = ""
    household: tuple[str, ...] = ()  # every person in profiles.json order: their colours everywhere
    summaries: tuple[PersonSummary, ...] = ()  # core.report_summary.PersonSummary per person shown
    partial: bool = False  # the period is not over yet (cut at today)
    limits: tuple[tuple[str, int], ...] = ()  # (person, daily minutes limit): the quota line on the bars

    def summary(self, name: str) -> PersonSummary | None:
        return next((s for s in self.summaries if s.name == name), None)

    def minutes(self, name: str) -> tuple[float | None, ...]:
        """Minutes per day for one person; None on days the history does not cover."""
        out: list[float | None] = []
        for day in self.days:
            if not day.covered:
                out.append(None)
                continue
            person = day.person(name)
            out.append(person.total_minutes if person else 0.0)
        return tuple(out)

    def total(self, name: str) -> float:
        return sum(m for m in self.minutes(name) if m)

    def top_titles(self, name: str, count: int = 5) -> list[tuple[str, float, int]]:
        """(title, minutes, plays) most watched by one person over the period: shows, not episodes."""
        summary = self.summary(name)
        if summary is not None:
            return [(t.title, round(t.minutes, 2), t.plays) for t in summary.titles[:count]]
        minutes: dict[str, float] = defaultdict(float)
        plays: dict[str, int] = defaultdict(int)
        for day in self.days:
            person = day.person(name)
            for entry in person.entries if person else ():
                minutes[entry.title] += entry.minutes
                plays[entry.title] += 0 if entry.began_before else 1  # a split play counts once
        ranked = sorted(minutes, key=lambda t: (-minutes[t], t))[:count]
        return [(t, round(minutes[t], 2), plays[t]) for t in ranked]
