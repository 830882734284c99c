"""Week and month reports from the usage aggregates, and the summary cards of every report.

A period's days are folded from `usage_daily` (a row per day, device, account and item) instead
of every session: a month over a year of 500k sessions costs tens of thousands of small rows
instead of re-splitting every play. Per-play rows are read only for the JSON export (`detail`).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from plextray.core.model import MediaInfo
from plextray.core.report_summary import change_percent, group_titles, previous_days, rule_kind, summarise_rules
from plextray.core.report_fold import (
    UNLINKED,
    DayReport,
    PeriodReport,
    PersonLink,
    PersonSummary,
    TitleGroup,
    UnlinkedDevice,
    ViolationRow,
    build_period_report,
    day_bounds,
    parse_local,
    period_for,
)
from plextray.reports import rows as row_reads
from plextray.store.usage_daily import UsageAggregates


class _Owners:
    """(client_id, account) → person name: the first person listing the device, else the account."""

    def __init__(self, people: Sequence[PersonLink]) -> None:
        self.by_device: dict[str, str] = {}
        self.by_account: dict[str, str] = {}
        for person in people:
            for device in person.devices:
                self.by_device.setdefault(device, person.name)
            for account in person.accounts:
                self.by_account.setdefault(account, person.name)

    def __call__(self, client_id: str, account: str | None) -> str | None:
        found = self.by_device.get(client_id)
        if found is None and account:
            found = self.by_account.get(account)
        return found


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def day_totals(conn: sqlite3.Connection, first: date, last: date, people: Sequence[PersonLink]) -> dict[date, dict[str, float]]:
    """Minutes per day per person (UNLINKED for devices nobody owns), split at midnight."""
    owners = _Owners(people)
    out: dict[date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in UsageAggregates(conn).by_day(first, last):
        name = owners(row.client_id, row.account) or UNLINKED
        out[row.day][name] += row.watched_ms / 60000.0
    return out


def _device_names(conn: sqlite3.Connection) -> dict[str, tuple[str, str | None, str | None, str | None]]:
    return {
        r[0]: (r[1] or r[2] or r[0], r[2], r[3], r[4])
        for r in conn.execute("SELECT client_id, device, product, platform, account FROM devices")
    }


def _unlinked(conn: sqlite3.Connection, first: date, last: date, people: Sequence[PersonLink]) -> dict[date, list[UnlinkedDevice]]:
    owners = _Owners(people)
    minutes: dict[date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in UsageAggregates(conn).by_day(first, last):
        if owners(row.client_id, row.account) is None:
            minutes[row.day][row.client_id] += row.watched_ms / 60000.0
    if not minutes:
        return {}
    names = _device_names(conn)
    out: dict[date, list[UnlinkedDevice]] = {}
    for day, devices in minutes.items():
        rows = []
        for cid, mins in devices.items():
            name, product, platform, account = names.get(cid, (cid, None, None, None))
            rows.append(UnlinkedDevice(cid, name, product, platform, account, round(mins, 2)))
        out[day] = sorted(rows, key=lambda d: d.name.lower())
    return out


def quota_usage_by_day(
    conn: sqlite3.Connection, first: date, last: date, people: Sequence[PersonLink]
) -> dict[date, dict[tuple[str, str, str], float]]:
    """Each day's quota use up to that day (whole sessions on their start day, titles as the engine
    counts them: a show once for all its episodes). Day minutes are left to the report (the day's
    split total, as the timeline shows it)."""
    pers = sorted({q.per for p in people for q in p.quotas if q.per in ("day", "week", "month")})
    if not pers:
        return {}
    if first == last:
        return {first: _quota_usage_on(conn, first, people, pers)}
    begin = min(period_for(first, per)[0] for per in pers)
    owners = _Owners(people)
    aggregates = UsageAggregates(conn)
    started: dict[date, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in aggregates.by_day(begin, last):
        name = owners(row.client_id, row.account)
        if name is not None:
            started[row.day][name] += row.started_ms / 60000.0
    groups: dict[date, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    if any(q.titles is not None for p in people for q in p.quotas):
        for day, client_id, account, group in aggregates.title_groups_by_day(begin, last):
            name = owners(client_id, account)
            if name is not None:
                groups[day][name].add(group)
    out: dict[date, dict[tuple[str, str, str], float]] = {}
    for per in pers:
        running: dict[str, float] = defaultdict(float)
        seen: dict[str, set[str]] = defaultdict(set)
        period_start = None
        for day in _days(begin, last):
            if period_for(day, per)[0] != period_start:
                period_start = period_for(day, per)[0]
                running, seen = defaultdict(float), defaultdict(set)
            for name, mins in started.get(day, {}).items():
                running[name] += mins
            for name, titles in groups.get(day, {}).items():
                seen[name] |= titles
            if day >= first:
                usage = out.setdefault(day, {})
                for person in people:
                    if per != "day":
                        usage[(person.name, per, "minutes")] = running.get(person.name, 0.0)
                    usage[(person.name, per, "titles")] = float(len(seen.get(person.name, ())))
    return out


def _quota_usage_on(conn: sqlite3.Connection, day: date, people: Sequence[PersonLink],
                    pers: list[str]) -> dict[tuple[str, str, str], float]:
    """One day's quota use (the day report): each period summed in SQL up to that day."""
    owners = _Owners(people)
    aggregates = UsageAggregates(conn)
    wants_titles = any(q.titles is not None for p in people for q in p.quotas)
    usage: dict[tuple[str, str, str], float] = {}
    for per in pers:
        begin = period_for(day, per)[0]
        minutes: dict[str, float] = defaultdict(float)
        if per != "day":
            for client_id, account, ms in aggregates.started_by_owner(begin, day):
                name = owners(client_id, account)
                if name is not None:
                    minutes[name] += ms / 60000.0
        titles: dict[str, set[str]] = defaultdict(set)
        if wants_titles:
            for client_id, account, group in aggregates.title_groups(begin, day):
                name = owners(client_id, account)
                if name is not None:
                    titles[name].add(group)
        for person in people:
            if per != "day":
                usage[(person.name, per, "minutes")] = minutes.get(person.name, 0.0)
            usage[(person.name, per, "titles")] = float(len(titles.get(person.name, ())))
    return usage


def grants_between(conn: sqlite3.Connection, first: date, last: date) -> list[tuple[str, date, int, bool]]:
    """(person, day, minutes, lifted bedtime) for each grant of [first, last]."""
    return [
        (r[0], date.fromisoformat(r[1]), int(r[2] or 0), r[3] is not None)
        for r in conn.execute(
            "SELECT person, day, minutes, lift_until FROM grants WHERE day >= ? AND day <= ?",
            (first.isoformat(), last.isoformat()),
        )
    ]


def minutes_after(conn: sqlite3.Connection, violations: Sequence[ViolationRow]) -> dict[int, float]:
    """Per violation: minutes its play went on after the rule was found broken (earliest one per play)."""
    keys = sorted({v.session_key for v in violations if v.session_key})
    plays: dict[str, tuple[str, str, int]] = {}
    for i in range(0, len(keys), 500):
        part = keys[i : i + 500]
        for r in conn.execute(
            f"SELECT key, start, end, watched_ms FROM sessions WHERE key IN ({','.join('?' * len(part))})", part
        ):
            plays[r[0]] = (r[1], r[2], int(r[3] or 0))
    out: dict[int, float] = {}
    counted: set[tuple[str | None, str]] = set()
    for v in sorted(violations, key=lambda v: (v.time, v.id)):
        play = plays.get(v.session_key or "")
        if play is None or (v.person, v.session_key or "") in counted:
            continue
        counted.add((v.person, v.session_key or ""))
        start, end, watched = parse_local(play[0]), parse_local(play[1]), play[2]
        at = max(start, parse_local(v.time))
        span = (end - start).total_seconds()
        out[v.id] = 0.0 if span <= 0 or end <= at else watched / 60000.0 * (end - at).total_seconds() / span
    return out


def _titles_by_person(conn: sqlite3.Connection, first: date, last: date, people: Sequence[PersonLink],
                      media: Mapping[str, MediaInfo]) -> dict[str, tuple[TitleGroup, ...]]:
    owners = _Owners(people)
    rows: dict[str, list[tuple[str | None, float, int]]] = defaultdict(list)
    for r in conn.execute(
        "SELECT client_id, account, rating_key, SUM(watched_ms), SUM(plays) FROM usage_daily "
        "WHERE day >= ? AND day <= ? GROUP BY client_id, account, rating_key",
        (first.isoformat(), last.isoformat()),
    ):
        name = owners(r[0], r[1] or None) or UNLINKED
        rows[name].append((r[2] or None, r[3] / 60000.0, int(r[4])))
    return {name: group_titles(items, media) for name, items in rows.items()}


def _media(conn: sqlite3.Connection, first: date, last: date) -> dict[str, MediaInfo]:
    keys = [r[0] for r in conn.execute(
        "SELECT DISTINCT rating_key FROM usage_daily WHERE day >= ? AND day <= ? AND rating_key != ''",
        (first.isoformat(), last.isoformat()),
    )]
    return row_reads.media_for(conn, keys)


def summaries(
    conn: sqlite3.Connection,
    kind: str,
    first: date,
    last: date,
    people: Sequence[PersonLink],
    days: Sequence[DayReport],
    violations: Sequence[ViolationRow],
    *,
    partial: bool,
    titles: Mapping[str, tuple[TitleGroup, ...]] | None = None,
) -> tuple[PersonSummary, ...]:
    """A card per person shown in `days` (the report's own days, so the figures are the report's)."""
    covered = [d for d in days if d.covered]
    prev_first, prev_last = previous_days(kind, first, last)
    history = days[0].history_start if days else None
    prev_known = history is not None and prev_first.isoformat() >= history
    previous = day_totals(conn, prev_first, prev_last, people) if prev_known else {}
    grants = grants_between(conn, first, last)
    after = minutes_after(conn, violations)
    if titles is None:
        titles = _titles_by_person(conn, first, last, people, _media(conn, first, last))
    out = []
    for link in people:
        if not any(d.person(link.name) for d in days):
            continue
        daily = {d.day: (d.person(link.name).total_minutes if d.person(link.name) else 0.0) for d in covered}  # type: ignore[union-attr]
        total = sum(daily.values())
        before = sum(p.get(link.name, 0.0) for p in previous.values()) if prev_known else None
        limits = [q.minutes for q in link.quotas if q.per == "day" and q.minutes is not None]
        limit = min(limits) if limits else None
        mine = [g for g in grants if g[0] == link.name]
        extra: dict[str, int] = defaultdict(int)
        for _, day, minutes, _ in mine:
            extra[day.isoformat()] += minutes
        # at or over the limit: the engine lets a play reach the limit, then stops it (grace seconds)
        over = sum(1 for day, m in daily.items() if limit is not None and round(m) >= limit + extra.get(day, 0))
        broken = [v for v in violations if v.person == link.name]
        rules = summarise_rules(link.name, broken, link.rules, after)
        bedtime = [r for r in rules if r.kind == "time"]
        out.append(PersonSummary(
            name=link.name,
            days=len(covered),
            total_minutes=round(total, 2),
            average_minutes=round(total / len(covered), 2) if covered else 0.0,
            previous_minutes=None if before is None else round(before, 2),
            change_percent=change_percent(total, before),
            daily_limit=limit,
            days_over_limit=over,
            minutes_after_bedtime=round(sum(r.minutes for r in bedtime), 2),
            nights_after_bedtime=sum(r.days for r in bedtime),
            violations=len(broken),
            stops=sum(1 for v in broken if v.stopped),
            alerts=sum(1 for v in broken if any(a.action == "alert" and a.succeeded for a in v.actions)),
            granted_minutes=sum(g[2] for g in mine),
            grants=sum(1 for g in mine if g[2]),
            lifted_bedtimes=sum(1 for g in mine if g[3]),
            partial=partial,
            titles=tuple(titles.get(link.name, ())),
            rules=rules,
            supervised=link.supervised,
        ))
    return tuple(out)


def day_summaries(conn: sqlite3.Connection, report: DayReport, people: Sequence[PersonLink],
                  violations: Sequence[ViolationRow], media: Mapping[str, MediaInfo]) -> DayReport:
    """The day's report with its cards: titles grouped from its own plays."""
    titles = {
        p.name: group_titles(((e.rating_key, e.minutes, 0 if e.began_before else 1) for e in p.entries), media)
        for p in report.people
    }
    day = date.fromisoformat(report.day)
    shown = [p for p in people if report.person(p.name)]
    cards = summaries(conn, "day", day, day, shown, [report], violations, partial=report.partial, titles=titles)
    return replace(report, summaries=cards)


def period_report(
    conn: sqlite3.Connection,
    kind: str,
    first: date,
    last: date,
    people: Sequence[PersonLink],
    *,
    person: str | None = None,
    generated: str = "",
    detail: bool = False,
) -> PeriodReport:
    """The week or month: days from the aggregates (or, with `detail`, from every play), plus cards."""
    lo, hi = day_bounds(first)[0], day_bounds(last)[1]
    violations = row_reads.violations_between(conn, lo, hi)
    start = row_reads.history_start(conn)
    media = _media(conn, first, last)
    media.update(row_reads.media_for(conn, [v.rating_key for v in violations if v.rating_key not in media]))
    usage = quota_usage_by_day(conn, first, last, people) if any(p.quotas for p in people) else {}
    granted: dict[date, dict[str, int]] = defaultdict(dict)
    for name, day, minutes, _ in grants_between(conn, first, last):
        granted[day][name] = granted[day].get(name, 0) + minutes
    common = dict(media=media, violations=violations, people=people, history_start=start, person=person,
                  generated=generated, quota_usage=usage, grants=granted)
    if detail:
        report = build_period_report(kind, first, last, sessions=row_reads.sessions_between(conn, lo, hi), **common)  # type: ignore[arg-type]
    else:
        report = build_period_report(
            kind, first, last, sessions=(), totals=day_totals(conn, first, last, people),
            unlinked_devices=_unlinked(conn, first, last, people), **common,  # type: ignore[arg-type]
        )
    shown = [p for p in people if p.name in report.names]
    cards = summaries(conn, kind, first, last, shown, report.days,
                      [v for v in violations if person is None or v.person == person],
                      partial=report.partial, titles=_titles_by_person(conn, first, last, people, media))
    limits = tuple((c.name, c.daily_limit) for c in cards if c.daily_limit is not None)
    return replace(report, summaries=cards, limits=limits)


def now_date(generated: str) -> date | None:
    return datetime.fromisoformat(generated).date() if generated else None


__all__ = ["day_totals", "period_report", "summaries", "day_summaries", "quota_usage_by_day", "rule_kind"]
