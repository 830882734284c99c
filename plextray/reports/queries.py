"""SQL reads for reports, each bounded by an indexed range so a day costs the same after years of history.

Sessions are found by their start (index sessions_by_start) inside [day − MAX_SESSION_SPAN, day end):
a sitting longer than MAX_SESSION_SPAN that began before that window is not shown on later days.
Week and month quotas count a session on the day it started (day quotas use the split minutes).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from plextray.core.report_summary import fmt_minutes
from plextray.core.report_fold import (
    DayReport,
    PersonLink,
    QuotaRule,
    RuleLink,
    build_day_report,
    day_bounds,
    period_for,
)
from plextray.reports.aggregate_queries import day_summaries, period_report, quota_usage_by_day

from plextray.reports.rows import (  # re-exported: callers read rows through this module too
    MAX_SESSION_SPAN,
    grants_on,
    history_start,
    media_for,
    quota_usage,
    sessions_between,
    violations_between,
)

__all__ = [
    "MAX_SESSION_SPAN", "grants_on", "history_start", "media_for", "quota_usage", "sessions_between",
    "violations_between", "day_report", "period_bounds", "period_report", "load_people", "people_from_json",
]


def day_report(
    conn: sqlite3.Connection,
    day: date,
    people: Sequence[PersonLink],
    *,
    person: str | None = None,
    generated: str = "",
) -> DayReport:
    """Everything the day's report needs, read with indexed ranges, then folded by core.reports."""
    lo, hi = day_bounds(day)
    sessions = sessions_between(conn, lo, hi)
    violations = violations_between(conn, lo, hi)
    media = media_for(conn, [s.rating_key for s in sessions] + [v.rating_key for v in violations])
    start = history_start(conn)
    kwargs: dict[str, Any] = dict(
        sessions=sessions, media=media, violations=violations, people=people, history_start=start,
        person=person, generated=generated,
    )
    if any(p.quotas for p in people):  # week and month use from the usage aggregates
        usage = quota_usage_by_day(conn, day, day, people).get(day, {})
        report = build_day_report(day, quota_usage=usage, grants=grants_on(conn, day), **kwargs)
    else:
        report = build_day_report(day, **kwargs)
    report = day_summaries(conn, report, people, [v for v in violations if person is None or v.person == person], media)
    return _with_suspicious(conn, day, report)


def _with_suspicious(conn: sqlite3.Connection, day: date, report: DayReport) -> DayReport:
    """The day's refused requests per address (a line each in the report)."""
    from dataclasses import replace

    from plextray.core.report_model import SuspiciousAddress
    from plextray.store.rejected import RejectedStore

    rows = RejectedStore(conn).for_day(day)
    if not rows:
        return report
    return replace(report, suspicious=tuple(SuspiciousAddress(r.ip, r.count, r.first, r.last, r.claimed) for r in rows))


def period_bounds(kind: str, day: date, today: date | None = None) -> tuple[date, date]:
    """Calendar week (Mon–Sun) or month containing `day`, cut at `today` (no future days)."""
    first, last = period_for(day, kind)
    if today is not None and last > today >= first:
        last = today
    return first, last



# ---------------------------------------------------------------- people


def load_people(path: Path) -> list[PersonLink]:
    """People from profiles.json: via plextray.profiles.store when present, else a minimal JSON read."""
    try:
        from plextray.profiles.store import ProfileStore  # written by the profiles helper
    except ImportError:
        ProfileStore = None  # type: ignore[assignment,misc]
    if ProfileStore is not None:
        if not path.exists():
            return []
        profiles = ProfileStore(path).load()
        return [_link_from_object(p) for p in profiles.people]
    return people_from_json(path)


def people_from_json(path: Path) -> list[PersonLink]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        from plextray.errors import ProfileError

        raise ProfileError(f"{path}: cannot read people: {exc}") from exc
    return [_link_from_mapping(p) for p in data.get("people", []) if isinstance(p, dict) and p.get("name")]


def _quota_from(raw: Any) -> QuotaRule | None:
    get = raw.get if isinstance(raw, dict) else (lambda k, d=None: getattr(raw, k, d))
    kind = get("type", None) or get("kind", None) or type(raw).__name__.lower()
    if "quota" not in str(kind).lower():
        return None
    minutes, titles = get("minutes", None), get("titles", None)
    if minutes is None and titles is None:
        return None
    return QuotaRule(per=str(get("per", "day")), minutes=minutes, titles=titles)


def _link_from_mapping(p: dict[str, Any]) -> PersonLink:
    restrictions = [r for r in p.get("restrictions", []) if isinstance(r, dict)]
    quotas = tuple(q for q in (_quota_from(r) for r in restrictions) if q)
    rules = tuple(
        RuleLink(f"restrictions[{i}]", str(r.get("type", "")), str(r.get("name") or ""))
        for i, r in enumerate(restrictions)
    )
    return PersonLink(str(p["name"]), frozenset(p.get("devices", [])), frozenset(p.get("accounts", [])), quotas,
                      rules=rules, ruled=bool(restrictions))


def _rule_from_object(r: Any) -> RuleLink:
    """A compiled restriction's id, kind, label, and its window when it is a time rule."""
    cond = getattr(r, "condition", None)
    kind = str(getattr(cond, "kind", "") or "")
    label = str(getattr(cond, "label", "") or "")
    window = getattr(cond, "window", None)
    if kind == "quota" and hasattr(cond, "amount"):
        per = {"day": "daily", "week": "weekly", "month": "monthly"}.get(str(cond.per), str(cond.per))
        amount = fmt_minutes(int(cond.amount)) if cond.unit == "minutes" else f"{cond.amount} titles"
        label = f"{per} limit ({amount})"
    span = None
    if window is not None and hasattr(window, "start") and hasattr(window, "days"):
        span = (int(window.start), int(window.end), frozenset(window.days))
    return RuleLink(str(getattr(r, "id", "")), kind, label, span)


def _link_from_object(p: Any) -> PersonLink:
    """A plextray.core.household.Person: quotas come from each restriction's QuotaCondition."""
    quotas = []
    for r in getattr(p, "restrictions", ()) or ():
        cond = getattr(r, "condition", None)
        if cond is not None and getattr(cond, "kind", "") == "quota" and hasattr(cond, "amount"):
            if cond.unit == "minutes":
                quotas.append(QuotaRule(per=cond.per, minutes=int(cond.amount)))
            else:
                quotas.append(QuotaRule(per=cond.per, titles=int(cond.amount)))
        else:
            rule = _quota_from(getattr(r, "spec", None) or {})
            if rule:
                quotas.append(rule)
    return PersonLink(
        str(p.name), frozenset(getattr(p, "devices", ()) or ()), frozenset(getattr(p, "accounts", ()) or ()),
        tuple(quotas), rules=tuple(_rule_from_object(r) for r in getattr(p, "restrictions", ()) or ()),
        ruled=bool(getattr(p, "restrictions", ())),
    )
