"""The report as plain text: for the terminal and the text part of the digest e-mail.

No column alignment: lines are "label: value" and "a · b · c", so they read the same in a
terminal and in a mail client's proportional font. Untrusted values (titles, device names,
reasons) go through safe_text.clean: no control or bidi character reaches the reader.
"""

from __future__ import annotations

from datetime import date

from plextray.core.report_summary import change_words, facts, fmt_minutes
from plextray.core.report_fold import DayReport, PeriodReport, PersonDay, PersonSummary, QuotaUse, TitleEntry, TitleGroup
from plextray.safe_text import clean

__all__ = ["fmt_minutes", "quota_phrase", "day_title", "period_title", "render_day", "render_period", "summary_lines"]


def _clock(iso: str) -> str:
    return iso[11:16] if len(iso) >= 16 else iso


def _span(entry: TitleEntry) -> str:
    start = _clock(entry.start)
    end = "now" if entry.live else _clock(entry.end)
    if entry.began_before:
        start = f"{entry.start[5:10]} {start}"
    if entry.goes_on_after and not entry.live:
        end = f"{entry.end[5:10]} {end}"
    return f"{start}–{end}"


def _entry_line(entry: TitleEntry) -> str:
    title = clean(entry.title, 80) + (f" ({clean(entry.content_rating, 20)})" if entry.content_rating else "")
    parts = [_span(entry), title, clean(entry.device, 40), fmt_minutes(entry.minutes)]
    if entry.percent is not None:
        parts.append(f"{entry.percent:.0f} % seen")
    if entry.stopped:
        parts.append("STOPPED by plextray")
    if entry.live:
        parts.append("still playing")
    return "  " + " · ".join(parts)


def quota_phrase(q: QuotaUse) -> str:
    """Quota use in words that never contradict themselves: under the limit with the share used;
    at the limit ("limit reached — stopped at 19:02"); or over it by how much."""
    when = {"day": "today", "week": "this week", "month": "this month"}.get(q.per, q.per)
    extra = f" (incl. {q.extra} min granted)" if q.extra else ""
    if q.unit == "minutes":
        used, shown = round(q.used), fmt_minutes(q.used)
        limit = fmt_minutes(q.allowed)
    else:
        used, shown = int(q.used), f"{int(q.used)} titles"
        limit = f"{q.allowed} titles"
    if used < q.allowed:
        return f"{shown} of {limit}{extra} {when} ({q.percent:.0f} %)"
    stop = f" — stopped at {_clock(q.stopped_at)}" if q.stopped_at else ""
    if used == q.allowed or (q.stopped_at and q.unit == "minutes" and used - q.allowed <= 1):
        return f"limit reached{stop}: {limit}{extra} {when}"
    over = fmt_minutes(used - q.allowed) if q.unit == "minutes" else f"{used - q.allowed} titles"
    return f"over the limit by {over}{stop}: {shown} of {limit}{extra} {when}"


def title_line(t: TitleGroup) -> str:
    """"Bluey — 43 episodes, TV-Y: 3 h 39 min (43 plays)"; a film: "Frozen — film, PG: …"."""
    what = f"{t.episodes} episode{'s' if t.episodes != 1 else ''}" if t.kind == "show" else (
        "film" if t.kind == "movie" else t.kind)
    rating = f", {clean(t.content_rating, 20)}" if t.content_rating else ""
    return f"{clean(t.title, 80)} — {what}{rating}: {fmt_minutes(t.minutes)} ({t.plays} play{'s' if t.plays != 1 else ''})"


def _person_block(person: PersonDay, summary: PersonSummary | None = None) -> list[str]:
    lines = [f"{clean(person.name, 60)} — {fmt_minutes(person.total_minutes)}"]
    if not person.entries:
        lines.append("  nothing watched")
    if summary is not None and len(summary.titles) > 1:
        lines.append("  Shows and films: " + " · ".join(title_line(t) for t in summary.titles[:5]))
    lines.extend(_entry_line(e) for e in person.entries)
    if person.violations:
        lines.append("  Restrictions broken:")
        for v in person.violations:
            done = ", ".join(f"{a.action} {a.outcome}" for a in v.actions) or "nothing done"
            what = f" — {clean(v.title, 80)}" if v.title else ""
            lines.append(f"    {_clock(v.time)} {clean(v.reason)}{what} → {clean(done)}")
    for q in person.quotas:
        lines.append(f"  Quota: {quota_phrase(q)}")
    return lines


def day_title(day: str) -> str:
    when = date.fromisoformat(day)  # no "%-d": glibc-only, Windows' strftime raises ValueError on it
    return f"{when.strftime('%A')} {when.day} {when.strftime('%B %Y')}"


def period_title(report: PeriodReport) -> str:
    """"November 2026", "Week of 16 November 2026" (Mon–Sun): how a parent names the period."""
    first = date.fromisoformat(report.start)
    if report.kind == "month":
        return first.strftime("%B %Y")
    return f"Week of {first.day} {first.strftime('%B %Y')}"


def summary_lines(s: PersonSummary, kind: str, *, titles: int = 3) -> list[str]:
    """A person's card as a few lines (the digest's text part uses them too)."""
    so_far = " so far" if s.partial else ""
    average = f" · {fmt_minutes(s.average_minutes)} a day" if kind != "day" else ""
    lines = [f"{clean(s.name, 60)}: {fmt_minutes(s.total_minutes)}{so_far}{average}", f"  {change_words(s, kind)}"]
    lines += [f"  {line}" for line in facts(s, kind)]
    for rule in s.rules:
        lines.append(f"  ! {clean(rule.sentence)}")
    for t in s.titles[:titles]:
        lines.append(f"  · {title_line(t)}")
    return lines


def render_day(report: DayReport) -> str:
    lines = [f"plextray report · {day_title(report.day)}" + (" (so far)" if report.partial else ""), ""]
    if not report.covered:
        since = f"begins {report.history_start}" if report.history_start else "has no recorded plays yet"
        lines += [f"No history for this day: plextray's history {since}.", ""]
        return "\n".join(lines)
    if not report.people:
        lines += ["No people are set up in profiles.json.", ""]
    for summary in report.summaries:
        if summary.rules:
            lines += [f"! {clean(r.sentence)}" for r in summary.rules]
    if any(s.rules for s in report.summaries):
        lines.append("")
    cards = {s.name: s for s in report.summaries}
    for person in report.people:
        lines += _person_block(person, cards.get(person.name)) + [""]
    if report.unlinked:
        lines.append("Devices linked to nobody:")
        for d in report.unlinked:
            extra = ", ".join(clean(x, 60) for x in (d.product, d.platform, f"account {d.account}" if d.account else None) if x)
            lines.append(f"  {clean(d.name, 60)} ({extra}) [{clean(d.client_id, 80)}] — {fmt_minutes(d.minutes)}")
        lines.append("")
    if report.suspicious:
        lines.append("Suspicious requests (playback reports Plex refused; nothing was acted on):")
        for s in report.suspicious:
            claim = f", claiming to be {clean(s.claimed)}" if s.claimed else ""
            lines.append(f"  {clean(s.ip)} — {s.count} refused, {s.first[11:16]}–{s.last[11:16]}{claim}")
        lines.append("")
    if report.history_start:
        lines.append(f"History begins {report.history_start}.")
    return "\n".join(lines).rstrip() + "\n"


def render_period(report: PeriodReport) -> str:
    so_far = " (so far)" if report.partial else ""
    lines = [f"plextray report · {period_title(report)} ({report.start} – {report.end}){so_far}", ""]
    for summary in report.summaries:
        lines += summary_lines(summary, report.kind, titles=0) + [""]
    names = list(report.names)
    for name in names:
        series = report.minutes(name)
        days = [
            f"{date.fromisoformat(d.day).strftime('%a')} {date.fromisoformat(d.day).day}: {fmt_minutes(m)}"
            for d, m in zip(report.days, series) if m
        ]
        lines.append(f"{clean(name, 60)} per day: " + (" · ".join(days) if days else "nothing watched"))
        lines.append(f"  total {fmt_minutes(report.total(name))}")
    lines.append("")
    cards = {s.name: s for s in report.summaries}
    for name in names:
        if name in cards and cards[name].titles:
            lines.append(f"{clean(name, 60)} — most watched:")
            lines += [f"  {title_line(t)}" for t in cards[name].titles[:8]]
            lines.append("")
        elif report.top_titles(name):
            lines.append(f"{clean(name, 60)} — most watched:")
            lines += [f"  {clean(t, 80)}: {fmt_minutes(m)} ({n} play{'s' if n != 1 else ''})"
                      for t, m, n in report.top_titles(name)]
            lines.append("")
    broken = [(d.day, p.name, v) for d in report.days for p in d.people for v in p.violations]
    if broken:
        lines.append(f"Every event ({len(broken)}):")
        for when, name, v in sorted(broken, key=lambda b: b[2].time):
            done = ", ".join(f"{a.action} {a.outcome}" for a in v.actions) or "nothing done"
            lines.append(f"  {when} {_clock(v.time)} {clean(name, 60)}: {clean(v.reason)} → {clean(done)}")
        lines.append("")
    if report.history_start:
        lines.append(f"History begins {report.history_start}.")
    else:
        lines.append("No recorded plays yet.")
    return "\n".join(lines).rstrip() + "\n"
