"""What a parent reads first: a card per person, titles grouped by show, broken rules summed up.

Pure folding (rows in, frozen dataclasses out). Decisions a reader relies on:
- "After bedtime" minutes are those of the plays that broke a bedtime (time-window) rule, from
  the moment the rule was found broken to the play's end: what the child watched in spite of it.
- The previous period is the same days one period earlier: a day against the same weekday a week
  before, a week (or the part of it so far) against the same weekdays of the week before, a month
  against the same day numbers of the month before. Days the history does not cover count as
  unknown, never as zero: then there is no comparison.
- A day is over the limit when its split minutes exceed the day quota plus that day's grants.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

from plextray.core.model import MediaInfo
from plextray.core.report_model import PersonSummary, RuleLink, RuleSummary, TitleGroup, ViolationRow  # noqa: F401

KINDS = ("time", "quota", "rating", "library", "label", "streak", "all", "any", "not", "unknown_device")


def rule_kind(v: ViolationRow, rules: Sequence[RuleLink]) -> str:
    """A violation's kind: the profile's restriction by id, else the id itself when it is a kind
    word, else guessed from the reason's words (older rows)."""
    for rule in rules:
        if rule.id == v.restriction:
            return rule.kind
    if v.restriction in KINDS:
        return v.restriction
    reason = v.reason.lower()
    for word, kind in (("bedtime", "time"), ("time window", "time"), ("no-watching", "time"), ("quota", "quota"),
                       ("rating", "rating"), ("library", "library"), ("label", "label"), ("streak", "streak"),
                       ("episodes", "streak"), ("linked to nobody", "unknown_device")):
        if word in reason:
            return kind
    return "other"


def rule_label(v: ViolationRow, kind: str, rules: Sequence[RuleLink]) -> str:
    rule = next((r for r in rules if r.id == v.restriction), None)
    if rule is not None and rule.label:
        return rule.label
    return {"time": "bedtime", "quota": "quota", "rating": "rating limit", "streak": "episode streak",
            "library": "blocked library", "label": "blocked label", "unknown_device": "unknown device"}.get(kind, kind)


def fmt_minutes(minutes: float | None) -> str:
    if minutes is None:
        return "—"
    total = int(round(minutes))
    if total < 60:
        return f"{total} min"
    return f"{total // 60} h {total % 60:02d} min"


def _school_night(moment: datetime) -> bool:
    """A night before a school day: Sun–Thu evenings, and Mon–Fri small hours."""
    night_of = moment.date() - timedelta(days=1) if moment.hour < 12 else moment.date()
    return (night_of + timedelta(days=1)).weekday() < 5


def _night_of(moment: datetime) -> date:
    return moment.date() - timedelta(days=1) if moment.hour < 12 else moment.date()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summarise_rules(
    name: str,
    violations: Sequence[ViolationRow],
    rules: Sequence[RuleLink],
    minutes_after: Mapping[int, float],
) -> tuple[RuleSummary, ...]:
    """One RuleSummary per restriction broken, in the order each was first broken.

    `minutes_after` maps a violation id to the minutes its play went on after it (bedtimes).
    """
    groups: dict[str, list[tuple[ViolationRow, str, str]]] = defaultdict(list)
    for v in sorted(violations, key=lambda v: (v.time, v.id)):
        kind = rule_kind(v, rules)
        groups[v.restriction].append((v, kind, rule_label(v, kind, rules)))
    out = []
    for restriction, items in groups.items():
        kind, label = items[0][1], items[0][2]
        moments = [datetime.fromisoformat(v.time) for v, _, _ in items]
        stops = sum(1 for v, _, _ in items if v.stopped)
        alerts = sum(1 for v, _, _ in items for a in v.actions if a.action == "alert" and a.succeeded)
        failed = sum(1 for v, _, _ in items for a in v.actions if not a.succeeded)
        minutes = round(sum(minutes_after.get(v.id, 0.0) for v, _, _ in items), 2)  # the figure shown is this one
        if kind == "time":
            nights = {_night_of(m) for m in moments}
            school = all(_school_night(m) for m in moments)
            days = len(nights)
            where = "after bedtime" if "bed" in label.lower() else f"in the {label}"
            sentence = (f"{name} watched {fmt_minutes(minutes)} {where} on "
                        f"{_plural(days, 'school night' if school else 'night')}")
        elif kind == "quota":
            days = len({m.date() for m in moments})
            sentence = f"{name} reached the {label} on {_plural(days, 'day')}"
        elif kind == "rating":
            days = len({m.date() for m in moments})
            sentence = f"{name} started {_plural(len(items), 'title')} above the rating limit"
        else:
            days = len({m.date() for m in moments})
            sentence = f"{name} broke the {label} rule {_plural(len(items), 'time')}"
        done = []
        if stops:
            done.append(f"stopped {stops}×")
        if alerts:
            done.append("alerts sent")
        if failed:
            done.append(f"{failed} action{'s' if failed != 1 else ''} failed")
        sentence += " — " + (", ".join(done) if done else "noted only")
        out.append(RuleSummary(restriction, kind, label, len(items), days, round(minutes, 2), stops, alerts,
                               items[0][0].time, items[-1][0].time, sentence))
    return tuple(out)


def group_titles(rows: Iterable[tuple[str | None, float, int]], media: Mapping[str, MediaInfo]) -> tuple[TitleGroup, ...]:
    """(rating key, minutes, plays) rows → a show per series (all its episodes), films alone;
    most watched first. An item with no metadata stays "item <key>"."""
    minutes: dict[tuple[str, str], float] = defaultdict(float)
    plays: dict[tuple[str, str], int] = defaultdict(int)
    episodes: dict[tuple[str, str], set[str]] = defaultdict(set)
    ratings: dict[tuple[str, str], str | None] = {}
    for key, mins, n in rows:
        info = media.get(key) if key else None
        if info is not None and info.type == "episode" and info.grandparent_title:
            group = (info.grandparent_title, "show")
        elif info is not None and info.type == "track" and info.grandparent_title:
            group = (info.grandparent_title, "track")
        elif info is not None:
            group = (info.title, "movie" if info.type == "movie" else info.type)
        else:
            group = (f"item {key}" if key else "unknown item", "item")
        minutes[group] += mins
        plays[group] += n
        episodes[group].add(key or "")
        if info is not None and info.content_rating and not ratings.get(group):
            ratings[group] = info.content_rating
    ranked = sorted(minutes, key=lambda g: (-minutes[g], g[0].casefold()))
    return tuple(
        TitleGroup(g[0], g[1], round(minutes[g], 2), plays[g], len(episodes[g]) if g[1] == "show" else 1, ratings.get(g))
        for g in ranked
    )


def change_percent(now: float, before: float | None) -> float | None:
    if before is None or before <= 0:
        return None
    return round(100.0 * (now - before) / before, 1)


def previous_days(kind: str, first: date, last: date) -> tuple[date, date]:
    """The same days one period earlier (see the module's docstring)."""
    if kind == "day":
        return first - timedelta(days=7), last - timedelta(days=7)
    if kind == "week":
        return first - timedelta(days=7), last - timedelta(days=7)
    prev_last_of_month = first - timedelta(days=1)
    prev_first = prev_last_of_month.replace(day=1)
    span = (last - first).days
    prev_last = min(prev_first + timedelta(days=span), prev_last_of_month)
    return prev_first, prev_last


def change_words(s: PersonSummary, kind: str) -> str:
    versus = {"day": "the same day last week", "week": "the same days last week",
              "month": "the same days last month"}.get(kind, "the period before")
    if s.previous_minutes is None:
        return f"No history for {versus} to compare with."
    if s.change_percent is None:
        return f"Nothing watched on {versus}."
    if abs(s.change_percent) < 0.5:
        return f"About the same as {versus} ({fmt_minutes(s.previous_minutes)})"
    arrow = "▲ up" if s.change_percent > 0 else "▼ down"
    return f"{arrow} {abs(s.change_percent):.0f} % on {versus} ({fmt_minutes(s.previous_minutes)})"


def facts(s: PersonSummary, kind: str) -> list[str]:
    """The card's lines, in words (shared by the HTML, the mail and the text)."""
    out: list[str] = []
    if s.daily_limit is not None:
        limit = fmt_minutes(s.daily_limit)
        if kind == "day":
            out.append(("Reached the daily limit" if s.days_over_limit else "Within the daily limit") + f" ({limit})")
        elif s.days_over_limit:
            out.append(f"Reached the daily limit ({limit}) on {s.days_over_limit} of {_plural(s.days, 'day')}")
        else:
            out.append(f"Within the daily limit ({limit}) every day")
    if s.minutes_after_bedtime or s.nights_after_bedtime:
        nights = f" on {s.nights_after_bedtime} night{'s' if s.nights_after_bedtime != 1 else ''}" if kind != "day" else ""
        out.append(f"{fmt_minutes(s.minutes_after_bedtime)} after bedtime{nights}")
    if s.violations:
        out.append(f"Stopped {s.stops}× · {s.alerts} alert{'s' if s.alerts != 1 else ''} sent · "
                   f"{s.violations} rule{'s' if s.violations != 1 else ''} broken")
    if s.granted_minutes or s.lifted_bedtimes:
        parts = []
        if s.granted_minutes:
            parts.append(f"{fmt_minutes(s.granted_minutes)} extra given ({s.grants}×)")
        if s.lifted_bedtimes:
            parts.append(f"bedtime lifted {s.lifted_bedtimes}×")
        out.append(" · ".join(parts).capitalize())
    return out
