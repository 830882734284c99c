"""The report as plain text: for the terminal and the body of the digest e-mail."""

from __future__ import annotations

from datetime import date

from plextray.core.reports import DayReport, PeriodReport, PersonDay, QuotaUse, TitleEntry
from plextray.safe_text import clean

WIDTH_TITLE = 40


def fmt_minutes(minutes: float | None) -> str:
    if minutes is None:
        return "—"
    total = int(round(minutes))
    if total < 60:
        return f"{total} min"
    return f"{total // 60} h {total % 60:02d} min"


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


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _entry_line(entry: TitleEntry) -> str:
    percent = f"{entry.percent:3.0f} %" if entry.percent is not None else "   ? "
    flags = []
    if entry.stopped:
        flags.append("STOPPED by plextray")
    if entry.live:
        flags.append("still playing")
    tail = f"  {' · '.join(flags)}" if flags else ""
    return (
        f"  {_span(entry):<17} {_shorten(entry.title, WIDTH_TITLE):<{WIDTH_TITLE}} "
        f"{_shorten(entry.device, 18):<18} {fmt_minutes(entry.minutes):>10} {percent}{tail}"
    )


def quota_phrase(q: QuotaUse) -> str:
    when = {"day": "today", "week": "this week", "month": "this month"}.get(q.per, q.per)
    used = fmt_minutes(q.used) if q.unit == "minutes" else f"{int(q.used)} titles"
    limit = fmt_minutes(q.allowed) if q.unit == "minutes" else f"{q.allowed} titles"
    extra = f" (incl. {q.extra} min granted)" if q.extra else ""
    state = " — OVER" if q.used > q.allowed else ""
    return f"{used} of {limit}{extra} {when} ({q.percent:.0f} %){state}"


def _person_block(person: PersonDay) -> list[str]:
    lines = [f"{person.name} — {fmt_minutes(person.total_minutes)}"]
    if not person.entries:
        lines.append("  nothing watched")
    lines.extend(_entry_line(e) for e in person.entries)
    if person.violations:
        lines.append("  Restrictions broken:")
        for v in person.violations:
            done = ", ".join(f"{a.action} {a.outcome}" for a in v.actions) or "nothing done"
            what = f" — {v.title}" if v.title else ""
            lines.append(f"    {_clock(v.time)}  {v.reason}{what} → {done}")
    for q in person.quotas:
        lines.append(f"  Quota: {quota_phrase(q)}")
    return lines


def day_title(day: str) -> str:
    when = date.fromisoformat(day)  # no "%-d": glibc-only, Windows' strftime raises ValueError on it
    return f"{when.strftime('%A')} {when.day} {when.strftime('%B %Y')}"


def render_day(report: DayReport) -> str:
    lines = [f"plextray report · {day_title(report.day)}", ""]
    if not report.covered:
        since = f"begins {report.history_start}" if report.history_start else "has no recorded plays yet"
        lines += [f"No history for this day: plextray's history {since}.", ""]
        return "\n".join(lines)
    if not report.people:
        lines += ["No people are set up in profiles.json.", ""]
    for person in report.people:
        lines += _person_block(person) + [""]
    if report.unlinked:
        lines.append("Devices linked to nobody:")
        for d in report.unlinked:
            extra = ", ".join(x for x in (d.product, d.platform, f"account {d.account}" if d.account else None) if x)
            lines.append(f"  {d.name} ({extra}) [{d.client_id}] — {fmt_minutes(d.minutes)}")
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
    kind = "Week" if report.kind == "week" else "Month"
    lines = [f"plextray report · {kind} {report.start} – {report.end}", ""]
    names = list(report.names)
    header = f"{'day':<12}" + "".join(f"{_shorten(n, 14):>16}" for n in names)
    lines += [header, "-" * len(header)]
    for i, day in enumerate(report.days):
        cells = []
        for name in names:
            value = report.minutes(name)[i]
            cells.append(f"{fmt_minutes(value):>16}")
        lines.append(f"{day.day[5:]:<5} {date.fromisoformat(day.day).strftime('%a'):<6}" + "".join(cells))
    lines.append("-" * len(header))
    lines.append(f"{'total':<12}" + "".join(f"{fmt_minutes(report.total(n)):>16}" for n in names))
    lines.append("")
    for name in names:
        top = report.top_titles(name)
        if top:
            lines.append(f"{name} — most watched:")
            lines += [f"  {fmt_minutes(m):>11}  {_shorten(t, 60)} ({n} play{'s' if n != 1 else ''})" for t, m, n in top]
            lines.append("")
    broken = [(d.day, p.name, v) for d in report.days for p in d.people for v in p.violations]
    if broken:
        lines.append("Restrictions broken:")
        for when, name, v in broken:
            done = ", ".join(f"{a.action} {a.outcome}" for a in v.actions) or "nothing done"
            lines.append(f"  {when} {_clock(v.time)}  {name}: {v.reason} → {done}")
        lines.append("")
    if report.history_start:
        lines.append(f"History begins {report.history_start}.")
    else:
        lines.append("No recorded plays yet.")
    return "\n".join(lines).rstrip() + "\n"
