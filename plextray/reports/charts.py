"""Charts for the HTML report: inline SVG that stays readable on a phone, and a person's colour.

Why percentages: x positions are % of the chart's width and the SVG has no viewBox, so text keeps
its pixel size (12 px) at any width instead of shrinking to 4 px on a 390 px screen. Every person
has ONE colour and ONE pattern, from their place in profiles.json (the same in the full report,
with --person and in the mail), each ≥ 3:1 against white; lanes are labelled with the name, so
nothing depends on telling colours apart. Each chart is followed by its data as a table.
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from plextray.core.report_summary import fmt_minutes
from plextray.core.report_fold import UNLINKED, DayReport, PeriodReport, TitleEntry, parse_local

# Okabe–Ito hues darkened to ≥ 4.5:1 on white (tests/test_report_charts.py computes it)
PALETTE = ("#0b62a4", "#b34700", "#00775a", "#a3417e", "#7a6200", "#5a3fa0", "#1f6f8b", "#8b3a3a")
PATTERNS = ("solid", "stripes", "dots", "cross", "lines", "zigzag", "grid", "waves")
UNLINKED_COLOUR = "#5b6472"
STOP_COLOUR = "#b91c1c"
WINDOW_FILL = "#e8e1f5"
LIMIT_COLOUR = "#b91c1c"


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def colours(names: tuple[str, ...] | list[str], household: tuple[str, ...] | list[str] = ()) -> dict[str, str]:
    """Person → colour from their place in the household (profiles.json order), so it never changes."""
    order = list(household) or [n for n in names if n != UNLINKED]
    out = {}
    for name in [*order, *names]:
        if name in out:
            continue
        out[name] = UNLINKED_COLOUR if name == UNLINKED else PALETTE[len([n for n in out if n != UNLINKED]) % len(PALETTE)]
    return {name: out[name] for name in names}


def patterns(names: tuple[str, ...] | list[str], household: tuple[str, ...] | list[str] = ()) -> dict[str, int]:
    order = [n for n in (list(household) or list(names)) if n != UNLINKED]
    out = {name: i % len(PATTERNS) for i, name in enumerate(order)}
    for name in names:
        out.setdefault(name, len(out) % len(PATTERNS))
    return out


def pattern_defs(palette: dict[str, str], pattern_of: dict[str, int], prefix: str = "pat") -> str:
    """One <pattern> per person: their colour with a white texture (none for the first)."""
    parts = []
    for name, colour in palette.items():
        pid = f"{prefix}-{pattern_of.get(name, 0)}-{colour[1:]}"
        kind = PATTERNS[pattern_of.get(name, 0)]
        marks = {
            "solid": "",
            "stripes": '<path d="M-2 2 L2 -2 M0 8 L8 0 M6 10 L10 6" stroke="#fff" stroke-width="1.6"/>',
            "dots": '<circle cx="4" cy="4" r="1.6" fill="#fff"/>',
            "cross": '<path d="M0 0 L8 8 M8 0 L0 8" stroke="#fff" stroke-width="1.2"/>',
            "lines": '<path d="M0 4 H8" stroke="#fff" stroke-width="1.6"/>',
            "zigzag": '<path d="M0 6 L2 2 L4 6 L6 2 L8 6" stroke="#fff" stroke-width="1.2" fill="none"/>',
            "grid": '<path d="M4 0 V8 M0 4 H8" stroke="#fff" stroke-width="1.2"/>',
            "waves": '<path d="M0 4 Q2 1 4 4 T8 4" stroke="#fff" stroke-width="1.2" fill="none"/>',
        }[kind]
        parts.append(
            f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="{colour}"/>{marks}</pattern>'
        )
    return "<defs>" + "".join(parts) + "</defs>"


def fill_of(name: str, palette: dict[str, str], pattern_of: dict[str, int], prefix: str = "pat") -> str:
    return f"url(#{prefix}-{pattern_of.get(name, 0)}-{palette[name][1:]})"


def swatch(name: str, palette: dict[str, str], pattern_of: dict[str, int], where: str) -> str:
    """A small legend square with the person's colour and pattern (decorative: the name follows).
    `where` makes its pattern's id unique in the page."""
    prefix = f"sw-{where}"
    return (
        f'<svg class="swatch" width="16" height="16" aria-hidden="true" focusable="false">'
        f'{pattern_defs({name: palette[name]}, {name: pattern_of.get(name, 0)}, prefix)}'
        f'<rect width="16" height="16" rx="3" fill="{fill_of(name, palette, pattern_of, prefix)}"/></svg>'
    )


def _pct(minute: float) -> str:
    return f"{100.0 * minute / 1440:.3f}%"


def _minute_of(iso: str, day: date) -> float:
    moment = parse_local(iso)
    if moment.date() < day:
        return 0.0
    if moment.date() > day:
        return 1440.0
    return moment.hour * 60 + moment.minute + moment.second / 60


def limit_moment(entries: tuple[TitleEntry, ...], allowed: float) -> datetime | None:
    """When the day's watched minutes reached `allowed` (the quota line), or None."""
    used = 0.0
    for entry in sorted(entries, key=lambda e: e.start):
        if entry.minutes <= 0:
            continue
        if used + entry.minutes >= allowed:
            start, end = parse_local(entry.start), parse_local(entry.end)
            share = (allowed - used) / entry.minutes
            return start + (end - start) * share
        used += entry.minutes
    return None


def timeline_svg(report: DayReport, palette: dict[str, str], pattern_of: dict[str, int]) -> str:
    """One lane per person, the clock 00:00–24:00 across; bedtimes shaded, the limit as a red line."""
    day = date.fromisoformat(report.day)
    lane_h, top = 50, 22
    height = top + lane_h * max(1, len(report.people)) + 4
    parts = [
        f'<svg class="chart" width="100%" height="{height}" role="img" aria-labelledby="tl-title" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="tl-title">Who watched when on {_e(report.day)} '
        f"(the table below lists the same plays)</title>",
        pattern_defs(palette, pattern_of),
    ]
    for hour in range(0, 25, 3):
        x = _pct(hour * 60)
        anchor = "start" if hour == 0 else "end" if hour == 24 else "middle"
        cls = ' class="minor"' if hour % 6 else ""
        parts.append(f'<line x1="{x}" y1="{top - 4}" x2="{x}" y2="{height - 2}" stroke="#d1d5db"/>')
        parts.append(f'<text{cls} x="{x}" y="{top - 8}" font-size="12" fill="#4b5563" text-anchor="{anchor}">{hour:02d}:00</text>')
    for i, person in enumerate(report.people):
        y = top + i * lane_h
        parts.append(f'<text x="0" y="{y + 15}" font-size="13" font-weight="600" fill="#111827">{_e(person.name)}</text>')
        parts.append(f'<rect x="0" y="{y + 20}" width="100%" height="24" fill="#f3f4f6" rx="4"/>')
        for who, label, begin, finish in report.windows:
            if who != person.name:
                continue
            a, b = _minute_of(begin, day), _minute_of(finish, day)
            parts.append(
                f'<rect x="{_pct(a)}" y="{y + 20}" width="{_pct(b - a)}" height="24" fill="{WINDOW_FILL}">'
                f"<title>{_e(label)} {_e(begin[11:16])}–{_e(finish[11:16])}</title></rect>"
            )
        for entry in person.entries:
            a, b = _minute_of(entry.start, day), _minute_of(entry.end, day)
            colour = palette.get(person.name, UNLINKED_COLOUR)
            tip = f"{entry.title} · {entry.device} · {entry.start[11:16]}–{entry.end[11:16]} · {fmt_minutes(entry.minutes)}"
            parts.append(
                f'<rect x="{_pct(a)}" y="{y + 23}" width="{_pct(max(b - a, 4))}" height="18" rx="2" '
                f'fill="{fill_of(person.name, palette, pattern_of)}" stroke="{colour}"><title>{_e(tip)}</title></rect>'
            )
            if entry.stopped:
                parts.append(
                    f'<text x="{_pct(min(b, 1430))}" y="{y + 37}" font-size="14" font-weight="700" fill="{STOP_COLOUR}" '
                    f'text-anchor="middle" stroke="#fff" stroke-width="3" paint-order="stroke">✕</text>'
                )
        for q in person.quotas:
            if q.per != "day" or q.unit != "minutes" or q.used < q.allowed:
                continue
            moment = limit_moment(person.entries, q.allowed)
            if moment is None:
                continue
            x = _pct(_minute_of(moment.isoformat(), day))
            parts.append(
                f'<line x1="{x}" y1="{y + 17}" x2="{x}" y2="{y + 47}" stroke="{LIMIT_COLOUR}" stroke-width="2" '
                f'stroke-dasharray="4 2"><title>limit reached at {moment:%H:%M}</title></line>'
            )
    parts.append("</svg>")
    return "".join(parts)


def bars_svg(report: PeriodReport, palette: dict[str, str], pattern_of: dict[str, int]) -> str:
    """A lane of daily bars per person, their daily limit as a dashed red line; days outside the
    history are hatched, not drawn as zero. Each lane has its own scale (its tallest day or its
    limit): the question is "how does Emma's week look", and the totals are written on the lanes."""
    names = list(report.names)
    series = {n: report.minutes(n) for n in names}
    limits = dict(report.limits)
    lane_h, top, bar_h = 96, 4, 66
    height = top + lane_h * max(1, len(names)) + 22
    count = max(1, len(report.days))
    slot = 100.0 / count
    width = slot * 0.7
    parts = [
        f'<svg class="chart" width="100%" height="{height}" role="img" aria-labelledby="bars-title" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="bars-title">Minutes watched per person per day '
        f"(the table below lists the same figures)</title>",
        pattern_defs(palette, pattern_of),
        '<defs><pattern id="nohist" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#9ca3af" stroke-width="2"/></pattern></defs>',
    ]
    for row, name in enumerate(names):
        y = top + row * lane_h
        base = y + 20 + bar_h
        peak = max([60.0, *(m or 0 for m in series[name]), limits.get(name, 0)])  # each lane its own scale
        total = fmt_minutes(report.total(name))
        parts.append(f'<text x="0" y="{y + 14}" font-size="13" font-weight="600" fill="#111827">{_e(name)} · {_e(total)}</text>')
        parts.append(f'<line x1="0" y1="{base}" x2="100%" y2="{base}" stroke="#9ca3af"/>')
        for i, day in enumerate(report.days):
            x = f"{slot * i + (slot - width) / 2:.3f}%"
            if not day.covered:
                parts.append(f'<rect x="{x}" y="{y + 20}" width="{width:.3f}%" height="{bar_h}" fill="url(#nohist)">'
                             f"<title>{_e(day.day)}: before the history began</title></rect>")
                continue
            minutes = series[name][i] or 0.0
            if minutes <= 0:
                continue
            h = max(1.5, bar_h * minutes / peak)
            parts.append(
                f'<rect x="{x}" y="{base - h:.1f}" width="{width:.3f}%" height="{h:.1f}" '
                f'fill="{fill_of(name, palette, pattern_of)}" stroke="{palette[name]}">'
                f"<title>{_e(name)} · {_e(day.day)} · {_e(fmt_minutes(minutes))}</title></rect>"
            )
        if name in limits:
            ly = base - bar_h * limits[name] / peak
            parts.append(
                f'<line x1="0" y1="{ly:.1f}" x2="100%" y2="{ly:.1f}" stroke="{LIMIT_COLOUR}" stroke-width="1.5" '
                f'stroke-dasharray="5 3"><title>daily limit {_e(fmt_minutes(limits[name]))}</title></line>'
                f'<text x="100%" y="{ly - 3:.1f}" font-size="11" fill="{LIMIT_COLOUR}" text-anchor="end">'
                f"limit {_e(fmt_minutes(limits[name]))}</text>"
            )
    y = top + lane_h * len(names) + 14
    every = 1 if count <= 7 else 2
    for i, day in enumerate(report.days):
        label = date.fromisoformat(day.day)
        text = label.strftime("%a") if count <= 7 else str(label.day)
        cls = ' class="minor"' if (count > 7 and i % 2) else ""
        if i % every and count <= 7:
            continue
        parts.append(
            f'<text{cls} x="{slot * i + slot / 2:.3f}%" y="{y}" font-size="11" fill="#4b5563" text-anchor="middle">{text}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
