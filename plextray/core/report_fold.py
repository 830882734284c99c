"""Turn history rows into a day's (or a week's, a month's) report per person. Pure: rows in, dataclasses out.

Decisions a reader of the report relies on:
- A session belongs to the person whose devices contain its client id, else whose accounts contain its
  account; otherwise its device is "linked to nobody" and listed as such.
- Sessions across midnight are SPLIT: each day gets the share of the session's watched time that
  falls inside it (proportional to wall-clock overlap), and the entry keeps its real from–to with
  flags saying it began the day before / goes on the next day. Totals over days therefore add up.
- Nothing is invented: a day before the history began is "not covered" (minutes None, not 0), and a
  play is shown from its first recorded report, never extrapolated back from its position.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache

from plextray.core.model import MediaInfo
from plextray.core.report_model import (  # noqa: F401  (re-exported: the report's public types)
    UNLINKED,
    ActionRow,
    ActionTaken,
    DayReport,
    PeriodReport,
    PersonDay,
    PersonLink,
    PersonSummary,
    QuotaRule,
    RuleLink,
    RuleSummary,
    TitleGroup,
    QuotaUse,
    SessionRow,
    TitleEntry,
    UnlinkedDevice,
    ViolationEntry,
    ViolationRow,
)


# ---------------------------------------------------------------- helpers


@lru_cache(maxsize=1 << 17)
def parse_local(value: str) -> datetime:
    """ISO local time → naive datetime (cached: a month's report parses each time several times)."""
    return datetime.fromisoformat(value)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day)
    return start, start + timedelta(days=1)


def period_for(day: date, per: str) -> tuple[date, date]:
    """The quota period containing `day` (weeks start on Monday), inclusive ends."""
    if per == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    if per == "month":
        first = day.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        return first, nxt - timedelta(days=1)
    return day, day


def share_in(session: SessionRow, lo: datetime, hi: datetime) -> float:
    """Watched minutes of `session` falling inside [lo, hi), proportional to wall-clock overlap."""
    start, end = parse_local(session.start), parse_local(session.end)
    minutes = session.watched_ms / 60000.0
    if end <= start:
        return minutes if lo <= start < hi else 0.0
    overlap = (min(end, hi) - max(start, lo)).total_seconds()
    if overlap <= 0:
        return 0.0
    return minutes * overlap / (end - start).total_seconds()


def owner_of(client_id: str | None, account: str | None, people: Sequence[PersonLink]) -> PersonLink | None:
    """Whom a play counts for (as core.identity): the device's person and the account's; when they
    differ, the one with rules (Leo's own account on the parents' TV is Leo's; Emma's iPad on a
    parent's account is Emma's), else the device's. An account listed under several people (one
    Plex account for the family) is told apart by device only."""
    return _Owners(people)(SessionRowLike(client_id, account))


def person_of(session: SessionRow, people: Sequence[PersonLink]) -> PersonLink | None:
    return owner_of(session.client_id, session.account, people)


class SessionRowLike:
    __slots__ = ("client_id", "account")

    def __init__(self, client_id: str | None, account: str | None) -> None:
        self.client_id, self.account = client_id, account


class _Owners:
    """owner_of as two dict look-ups (the first person listing the device / the account)."""

    def __init__(self, people: Sequence[PersonLink]) -> None:
        self.by_device: dict[str, PersonLink] = {}
        self.by_account: dict[str, PersonLink] = {}
        shared: set[str] = set()
        for person in people:
            for device in person.devices:
                self.by_device.setdefault(device, person)
            for account in person.accounts:
                if self.by_account.setdefault(account, person) is not person:
                    shared.add(account)
        self.shared = shared

    def __call__(self, session: SessionRow | SessionRowLike) -> PersonLink | None:
        found = self.all(session)
        return found[0] if found else None

    def all(self, session: SessionRow | SessionRowLike) -> tuple[PersonLink, ...]:
        """Everyone the play counts for: both people when account and device disagree and both
        have rules (Emma's account on Leo's tablet), else the one with rules, else the device's."""
        device = self.by_device.get(session.client_id) if session.client_id is not None else None
        account = self.by_account.get(session.account) if session.account else None
        if device is None:
            return (account,) if account is not None else ()
        if account is None or account is device or session.account in self.shared:
            return (device,)
        if account.ruled and device.ruled:
            return (account, device)
        return (account,) if account.ruled else (device,)


def title_of(rating_key: str | None, media: Mapping[str, MediaInfo]) -> tuple[str, str]:
    """(display title, kind); an uncached key shows as "item <key>" (reports never ask the server)."""
    if rating_key is None:
        return "unknown item", "unknown"
    info = media.get(rating_key)
    if info is None:
        return f"item {rating_key}", "unknown"
    return info.display_title, info.type


def _device_name(session: SessionRow) -> str:
    return session.device or session.product or session.client_id


def _stopped_sessions(violations: Iterable[ViolationRow]) -> set[str]:
    return {v.session_key for v in violations if v.session_key and v.stopped}


# ---------------------------------------------------------------- building


def build_day_report(
    day: date,
    *,
    sessions: Iterable[SessionRow],
    media: Mapping[str, MediaInfo],
    violations: Iterable[ViolationRow],
    people: Sequence[PersonLink],
    history_start: date | None,
    quota_usage: Mapping[tuple[str, str, str], float] | None = None,
    grants: Mapping[str, int] | None = None,
    person: str | None = None,
    generated: str = "",
    totals: Mapping[str, float] | None = None,
    unlinked_devices: Sequence[UnlinkedDevice] | None = None,
) -> DayReport:
    """The day's report. `sessions` may include rows outside the day (they are clipped or ignored).

    `totals` (person → minutes, UNLINKED included) and `unlinked_devices` replace what the sessions
    would give: a week's or month's days read from the usage aggregates carry no per-play rows.

    `quota_usage` maps (person, per, unit) to the usage of the quota period containing the day
    (computed by the caller over the period; when absent, day quotas use the day's own minutes).
    `grants` maps person to extra minutes granted for the day.
    """
    lo, hi = day_bounds(day)
    covered = history_start is not None and day >= history_start
    violation_list = [v for v in violations if lo <= parse_local(v.time) < hi]
    stopped = _stopped_sessions(violation_list)
    entries: dict[str, list[TitleEntry]] = defaultdict(list)
    unlinked: dict[str, list[tuple[SessionRow, float]]] = defaultdict(list)
    owners = _Owners(people)
    titles: dict[str | None, tuple[str, str]] = {}
    for s in sessions:
        start, end = parse_local(s.start), parse_local(s.end)
        if start >= hi or (end < lo) or (end == lo and start < lo):
            continue
        minutes = share_in(s, lo, hi)
        if s.rating_key not in titles:
            titles[s.rating_key] = title_of(s.rating_key, media)
        title, kind = titles[s.rating_key]
        info = media.get(s.rating_key) if s.rating_key else None
        duration = s.duration_ms or (info.duration_ms if info else None)
        percent = min(100.0, 100.0 * s.max_position_ms / duration) if duration else None
        entry = TitleEntry(
            title=title,
            kind=kind,
            rating_key=s.rating_key,
            device=_device_name(s),
            client_id=s.client_id,
            start=s.start,
            end=s.end,
            minutes=round(minutes, 2),
            percent=None if percent is None else round(percent, 1),
            stopped=s.key in stopped or (s.plex_session is not None and s.plex_session in stopped),
            live=s.live,
            began_before=start < lo,
            goes_on_after=end >= hi,
            content_rating=info.content_rating if info else None,
        )
        counted = owners.all(s)
        if not counted:
            entries[UNLINKED].append(entry)
            unlinked[s.client_id].append((s, minutes))
        for owner in counted:
            entries[owner.name].append(entry)
    usage = quota_usage or {}
    extra = grants or {}
    people_out: list[PersonDay] = []
    for link in people:
        if person and link.name != person:
            continue
        mine = sorted(entries.get(link.name, ()), key=lambda e: (e.start, e.device))
        total = round(totals.get(link.name, 0.0) if totals is not None else sum(e.minutes for e in mine), 2)
        stop = _quota_stop(link, violation_list)
        quotas = tuple(_quota_use(day, link, q, total, usage, extra.get(link.name, 0), stop) for q in link.quotas)
        people_out.append(
            PersonDay(
                name=link.name,
                entries=tuple(mine),
                total_minutes=total,
                violations=_violations_for(link.name, violation_list, people, media),
                quotas=quotas,
            )
        )
    nobody_violations = _violations_for(None, violation_list, people, media) if not person else ()
    nobody_total = (totals or {}).get(UNLINKED, 0.0)
    if not person and (entries.get(UNLINKED) or nobody_violations or nobody_total > 0):
        mine = sorted(entries.get(UNLINKED, ()), key=lambda e: (e.start, e.device))
        people_out.append(
            PersonDay(
                name=UNLINKED,
                entries=tuple(mine),
                total_minutes=round(nobody_total if totals is not None else sum(e.minutes for e in mine), 2),
                violations=nobody_violations,
                linked=False,
            )
        )
    devices = tuple(
        UnlinkedDevice(
            client_id=cid,
            name=_device_name(rows[-1][0]),
            product=rows[-1][0].product,
            platform=rows[-1][0].platform,
            account=rows[-1][0].account,
            minutes=round(sum(m for _, m in rows), 2),
        )
        for cid, rows in sorted(unlinked.items(), key=lambda kv: _device_name(kv[1][-1][0]).lower())
    )
    if unlinked_devices is not None:
        devices = tuple(unlinked_devices)
    return DayReport(
        day=day.isoformat(),
        covered=covered,
        history_start=history_start.isoformat() if history_start else None,
        people=tuple(people_out),
        unlinked=devices if not person else (),
        generated=generated,
        household=tuple(p.name for p in people),
        partial=bool(generated) and generated[:10] == day.isoformat(),
        windows=_windows(day, people if not person else [p for p in people if p.name == person]),
    )


def _windows(day: date, people: Sequence[PersonLink]) -> tuple[tuple[str, str, str, str], ...]:
    """Each person's time-window rules as they fall on `day` (the night before's end included)."""
    lo, hi = day_bounds(day)
    out = []
    for link in people:
        for rule in link.rules:
            if rule.window is None:
                continue
            start, end, weekdays = rule.window
            length = timedelta(minutes=(end - start) % 1440 or 1440)
            for start_day in (day - timedelta(days=1), day):
                if start_day.weekday() not in weekdays:
                    continue
                begin = datetime.combine(start_day, datetime.min.time()) + timedelta(minutes=start)
                finish = begin + length
                if finish > lo and begin < hi:
                    out.append((link.name, rule.label or "bedtime", max(begin, lo).isoformat(), min(finish, hi).isoformat()))
    return tuple(out)


def _quota_stop(link: PersonLink, violations: Sequence[ViolationRow]) -> str | None:
    """When plextray stopped a play of this person for a quota that day (the first time)."""
    from plextray.core.report_summary import rule_kind

    for v in sorted(violations, key=lambda v: v.time):
        if v.person == link.name and v.stopped and rule_kind(v, link.rules) == "quota":
            return next((a.time for a in v.actions if a.action == "stop" and a.succeeded), v.time)
    return None


def _quota_use(
    day: date,
    link: PersonLink,
    rule: QuotaRule,
    day_minutes: float,
    usage: Mapping[tuple[str, str, str], float],
    extra_minutes: int,
    stopped_at: str | None = None,
) -> QuotaUse:
    first, last = period_for(day, rule.per)
    unit = "minutes" if rule.minutes is not None else "titles"
    limit = rule.minutes if rule.minutes is not None else (rule.titles or 0)
    used = usage.get((link.name, rule.per, unit))
    if used is None:
        used = day_minutes if (rule.per == "day" and unit == "minutes") else 0.0
    return QuotaUse(
        per=rule.per,
        unit=unit,
        period_start=first.isoformat(),
        period_end=last.isoformat(),
        used=round(used, 2),
        limit=limit,
        extra=extra_minutes if (rule.per == "day" and unit == "minutes") else 0,
        stopped_at=stopped_at if unit == "minutes" else None,
    )


def _violations_for(
    name: str | None,
    violations: Sequence[ViolationRow],
    people: Sequence[PersonLink],
    media: Mapping[str, MediaInfo],
) -> tuple[ViolationEntry, ...]:
    """Violations recorded for `name` (None: for devices linked to nobody)."""
    known = {p.name for p in people}
    out = []
    for v in sorted(violations, key=lambda v: (v.time, v.id)):
        owner = v.person if v.person in known else None
        if owner != name:
            continue
        title = title_of(v.rating_key, media)[0] if v.rating_key else None
        out.append(
            ViolationEntry(
                time=v.time,
                restriction=v.restriction,
                reason=v.reason,
                title=title,
                device=v.client_id,
                actions=tuple(ActionTaken(a.action, a.outcome, a.detail, a.time) for a in v.actions),
            )
        )
    return tuple(out)


def quota_usage_from(
    rows: Iterable[tuple[str, str | None, str | None, float]],
    people: Sequence[PersonLink],
) -> dict[str, tuple[float, set[str]]]:
    """Fold (client_id, account, rating_key, minutes) rows into person -> (minutes, distinct titles)."""
    out: dict[str, tuple[float, set[str]]] = {}
    owners = _Owners(people)
    for client_id, account, rating_key, minutes in rows:
        for owner in owners.all(SessionRowLike(client_id, account)):
            total, titles = out.get(owner.name, (0.0, set()))
            if rating_key:
                titles.add(rating_key)
            out[owner.name] = (total + minutes, titles)
    return out


def build_period_report(
    kind: str,
    first: date,
    last: date,
    *,
    sessions: Sequence[SessionRow],
    media: Mapping[str, MediaInfo],
    violations: Sequence[ViolationRow],
    people: Sequence[PersonLink],
    history_start: date | None,
    person: str | None = None,
    generated: str = "",
    quota_usage: Mapping[date, Mapping[tuple[str, str, str], float]] | None = None,
    grants: Mapping[date, Mapping[str, int]] | None = None,
    totals: Mapping[date, Mapping[str, float]] | None = None,
    unlinked_devices: Mapping[date, Sequence[UnlinkedDevice]] | None = None,
) -> PeriodReport:
    """One DayReport per day from first to last (inclusive), each built from the same rows.

    `quota_usage` and `grants` are per day, as build_day_report takes them for that day; so are
    `totals` and `unlinked_devices` when the days come from the usage aggregates (no sessions).
    """
    by_day: dict[date, list[SessionRow]] = defaultdict(list)
    for s in sessions:
        d = parse_local(s.start).date()
        end_day = parse_local(s.end).date()
        while d <= end_day:
            by_day[d].append(s)
            d += timedelta(days=1)
    viol_by_day: dict[date, list[ViolationRow]] = defaultdict(list)
    for v in violations:
        viol_by_day[parse_local(v.time).date()].append(v)
    days = []
    d = first
    while d <= last:
        days.append(
            build_day_report(
                d,
                sessions=by_day.get(d, ()),
                media=media,
                violations=viol_by_day.get(d, ()),
                people=people,
                history_start=history_start,
                person=person,
                generated=generated,
                quota_usage=(quota_usage or {}).get(d),
                grants=(grants or {}).get(d),
                totals=None if totals is None else totals.get(d, {}),
                unlinked_devices=None if unlinked_devices is None else unlinked_devices.get(d, ()),
            )
        )
        d += timedelta(days=1)
    names = [p.name for p in people if not person or p.name == person]
    if any(day.person(UNLINKED) for day in days) and not person:
        names.append(UNLINKED)
    return PeriodReport(
        kind=kind,
        start=first.isoformat(),
        end=last.isoformat(),
        days=tuple(days),
        names=tuple(names),
        history_start=history_start.isoformat() if history_start else None,
        generated=generated,
        household=tuple(p.name for p in people),
        partial=bool(generated) and first.isoformat() <= generated[:10] <= last.isoformat(),
    )
