"""The report as ONE self-contained HTML file: inline CSS and inline SVG charts, no scripts, no fetches.

The day gets a timeline (one lane per person, a bar per play from–to, stopped plays marked); a week
or month gets minutes per person per day as stacked bars. Every string from the history (titles,
device names, reasons) is escaped: a title is data, never markup.
"""

from __future__ import annotations

from datetime import date
from html import escape

from plextray.core.reports import UNLINKED, DayReport, PeriodReport, PersonDay, TitleEntry, parse_local
from plextray.reports.text import day_title, fmt_minutes, quota_phrase

PALETTE = ("#3b82f6", "#f97316", "#10b981", "#a855f7", "#ef4444", "#14b8a6", "#eab308", "#ec4899", "#6366f1")
UNLINKED_COLOUR = "#94a3b8"
STOP_COLOUR = "#dc2626"

CSS = """
:root { --ink:#1f2937; --muted:#6b7280; --line:#e5e7eb; --bg:#f8fafc; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink);
       background: var(--bg); margin: 0; padding: 24px; line-height: 1.4; }
main { max-width: 1100px; margin: 0 auto; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 0 0 8px; display: flex; align-items: center; gap: 10px; }
.sub { color: var(--muted); margin: 0 0 18px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; margin: 0 0 16px;
        break-inside: avoid; }
.swatch { width: 14px; height: 14px; border-radius: 3px; display: inline-block; }
.total { margin-left: auto; font-weight: 600; color: var(--muted); }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
td.num, th.num { text-align: right; white-space: nowrap; }
.badge { display: inline-block; font-size: 11px; font-weight: 700; padding: 1px 6px; border-radius: 999px;
         margin-left: 6px; }
.stopped { background: #fee2e2; color: #991b1b; }
.live { background: #dcfce7; color: #166534; }
.violations { margin: 10px 0 0; padding: 0; list-style: none; font-size: 14px; }
.violations li { padding: 4px 0 4px 10px; border-left: 3px solid #dc2626; margin: 4px 0; }
.quota { margin: 10px 0 0; font-size: 14px; }
.bar { height: 8px; background: var(--line); border-radius: 4px; overflow: hidden; margin-top: 3px; }
.bar > span { display: block; height: 100%; }
.empty { color: var(--muted); font-style: italic; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 13px; margin-top: 6px; }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
svg text { font-family: inherit; }
footer { color: var(--muted); font-size: 12px; margin-top: 12px; }
@media print { body { background: #fff; padding: 0; } .card { border-color: #ccc; } }
"""


def colours(names: list[str] | tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    i = 0
    for name in names:
        if name == UNLINKED:
            out[name] = UNLINKED_COLOUR
        else:
            out[name] = PALETTE[i % len(PALETTE)]
            i += 1
    return out


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{_e(title)}</title><style>{CSS}</style></head>\n<body><main>\n{body}\n"
        "<footer>Made by plextray from the history on this computer.</footer>\n</main></body></html>\n"
    )


def _minute_of_day(iso: str, day: date, *, end: bool) -> float:
    moment = parse_local(iso)
    if moment.date() < day:
        return 0.0
    if moment.date() > day:
        return 1440.0
    value = moment.hour * 60 + moment.minute + moment.second / 60
    return value


def timeline_svg(report: DayReport, palette: dict[str, str]) -> str:
    """One lane per person; x is the clock from 00:00 to 24:00."""
    day = date.fromisoformat(report.day)
    lanes = [p for p in report.people]
    left, width, lane_h, top = 130, 1040, 34, 26
    plot = width - left - 24
    height = top + lane_h * max(1, len(lanes)) + 10
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="Timeline of {_e(report.day)}">'
    ]
    for hour in range(0, 25, 2):
        x = left + plot * hour / 24
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 8}" stroke="#e5e7eb"/>')
        parts.append(f'<text x="{x:.1f}" y="{top - 10}" font-size="11" fill="#6b7280" text-anchor="middle">{hour:02d}:00</text>')
    for i, person in enumerate(lanes):
        y = top + i * lane_h
        colour = palette.get(person.name, UNLINKED_COLOUR)
        parts.append(f'<rect x="{left}" y="{y + 4}" width="{plot}" height="{lane_h - 8}" fill="#f1f5f9" rx="4"/>')
        parts.append(
            f'<text x="{left - 8}" y="{y + lane_h / 2 + 4}" font-size="13" text-anchor="end" fill="#1f2937">'
            f"{_e(person.name)}</text>"
        )
        for entry in person.entries:
            parts.append(_bar(entry, day, left, plot, y, lane_h, colour))
    parts.append("</svg>")
    return "".join(parts)


def _bar(entry: TitleEntry, day: date, left: int, plot: int, y: float, lane_h: int, colour: str) -> str:
    a = _minute_of_day(entry.start, day, end=False)
    b = _minute_of_day(entry.end, day, end=True)
    x1 = left + plot * a / 1440
    w = max(3.0, plot * (b - a) / 1440)
    tip = f"{entry.title} · {entry.device} · {entry.start[11:16]}–{entry.end[11:16]} · {fmt_minutes(entry.minutes)}"
    if entry.stopped:
        tip += " · stopped by plextray"
    out = [
        f'<g><title>{_e(tip)}</title><rect x="{x1:.1f}" y="{y + 7}" width="{w:.1f}" height="{lane_h - 14}" '
        f'rx="3" fill="{colour}"' + (f' stroke="{STOP_COLOUR}" stroke-width="2"' if entry.stopped else "") + "/>"
    ]
    if entry.stopped:
        cx, cy = x1 + w, y + lane_h / 2
        out.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="7" fill="{STOP_COLOUR}"/>'
            f'<path d="M{cx - 3:.1f} {cy - 3:.1f} L{cx + 3:.1f} {cy + 3:.1f} M{cx + 3:.1f} {cy - 3:.1f} '
            f'L{cx - 3:.1f} {cy + 3:.1f}" stroke="#fff" stroke-width="2"/>'
        )
    out.append("</g>")
    return "".join(out)


def bars_svg(report: PeriodReport, palette: dict[str, str]) -> str:
    """Stacked minutes per person per day; days outside the history are hatched, not zero."""
    names = list(report.names)
    series = {n: report.minutes(n) for n in names}
    days = report.days
    totals = [sum((series[n][i] or 0) for n in names) for i in range(len(days))]
    peak = max([60.0, *totals])
    step = 60 if peak <= 360 else 120 if peak <= 720 else 240
    top_value = step * (int(peak // step) + 1)
    left, width, top, height = 60, 1040, 12, 300
    plot_h = height - top - 40
    plot_w = width - left - 10
    slot = plot_w / max(1, len(days))
    bar_w = min(40.0, slot * 0.7)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="Minutes per person per day">',
        '<defs><pattern id="nohist" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#cbd5e1" stroke-width="2"/>'
        "</pattern></defs>",
    ]
    for value in range(0, top_value + 1, step):
        y = top + plot_h - plot_h * value / top_value
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" fill="#6b7280" text-anchor="end">{value // 60} h</text>')
    for i, day in enumerate(days):
        x = left + slot * i + (slot - bar_w) / 2
        label = date.fromisoformat(day.day)
        text = label.strftime("%a %d") if len(days) <= 7 else label.strftime("%d")
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{height - 22}" font-size="11" fill="#6b7280" text-anchor="middle">{text}</text>'
        )
        if not day.covered:
            parts.append(
                f'<g><title>{_e(day.day)}: before the history began</title><rect x="{x:.1f}" y="{top}" '
                f'width="{bar_w:.1f}" height="{plot_h}" fill="url(#nohist)"/></g>'
            )
            continue
        base = float(top + plot_h)
        for name in names:
            minutes = series[name][i] or 0
            if minutes <= 0:
                continue
            h = plot_h * minutes / top_value
            base -= h
            parts.append(
                f'<g><title>{_e(name)} · {_e(day.day)} · {_e(fmt_minutes(minutes))}</title>'
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{palette[name]}"/></g>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _legend(names: list[str] | tuple[str, ...], palette: dict[str, str], *, stops: bool = True) -> str:
    items = "".join(
        f'<span><i class="swatch" style="background:{palette[n]}"></i>{_e(n)}</span>' for n in names
    )
    if stops:
        items += f'<span><i class="swatch" style="background:{STOP_COLOUR};border-radius:50%"></i>stopped by plextray</span>'
    return f'<div class="legend">{items}</div>'


def _person_card(person: PersonDay, colour: str) -> str:
    rows = []
    for e in person.entries:
        badges = ""
        if e.stopped:
            badges += '<span class="badge stopped">stopped</span>'
        if e.live:
            badges += '<span class="badge live">playing</span>'
        start = ("◂ " if e.began_before else "") + e.start[11:16]
        end = "now" if e.live else e.end[11:16] + (" ▸" if e.goes_on_after else "")
        percent = f"{e.percent:.0f} %" if e.percent is not None else "?"
        rows.append(
            f"<tr><td>{_e(e.title)}{badges}</td><td>{_e(e.device)}</td><td class=\"num\">{_e(start)}–{_e(end)}</td>"
            f'<td class="num">{_e(fmt_minutes(e.minutes))}</td><td class="num">{_e(percent)}</td></tr>'
        )
    table = (
        "<table><thead><tr><th>Title</th><th>Device</th><th class=\"num\">From–to</th>"
        f"<th class=\"num\">Watched</th><th class=\"num\">Seen</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        if rows
        else '<p class="empty">Nothing watched.</p>'
    )
    violations = ""
    if person.violations:
        items = []
        for v in person.violations:
            done = ", ".join(f"{a.action}: {a.outcome}" for a in v.actions) or "nothing done"
            what = f" — {_e(v.title)}" if v.title else ""
            items.append(f"<li><b>{_e(v.time[11:16])}</b> {_e(v.reason)}{what} → {_e(done)}</li>")
        violations = f"<ul class=\"violations\">{''.join(items)}</ul>"
    quotas = ""
    for q in person.quotas:
        width = min(100.0, q.percent)
        fill = "#dc2626" if q.used > q.allowed else "#f59e0b" if q.percent >= 80 else colour
        quotas += (
            f'<div class="quota">Quota: {_e(quota_phrase(q))}<div class="bar"><span style="width:{width:.0f}%;'
            f'background:{fill}"></span></div></div>'
        )
    return (
        f'<section class="card"><h2><i class="swatch" style="background:{colour}"></i>{_e(person.name)}'
        f'<span class="total">{_e(fmt_minutes(person.total_minutes))}</span></h2>{table}{violations}{quotas}</section>'
    )


def render_day(report: DayReport) -> str:
    title = f"plextray · {day_title(report.day)}"
    head = f"<h1>{_e(day_title(report.day))}</h1>"
    if not report.covered:
        since = f"begins {report.history_start}" if report.history_start else "has no recorded plays yet"
        body = head + f'<p class="sub">No history for this day: plextray\'s history {_e(since)}.</p>'
        return _page(title, body)
    names = [p.name for p in report.people]
    palette = colours(names)
    total = sum(p.total_minutes for p in report.people)
    parts = [
        head,
        f'<p class="sub">{_e(fmt_minutes(total))} watched in all'
        + (f" · history begins {_e(report.history_start)}" if report.history_start else "")
        + "</p>",
        f'<section class="card">{timeline_svg(report, palette)}{_legend(names, palette)}</section>',
    ]
    parts += [_person_card(p, palette[p.name]) for p in report.people]
    if report.unlinked:
        rows = "".join(
            f"<tr><td>{_e(d.name)}</td><td>{_e(d.product or '')}{f' ({_e(d.platform)})' if d.platform else ''}</td>"
            f"<td>{_e(d.account or '')}</td><td><code>{_e(d.client_id)}</code></td>"
            f'<td class="num">{_e(fmt_minutes(d.minutes))}</td></tr>'
            for d in report.unlinked
        )
        parts.append(
            '<section class="card"><h2>Devices linked to nobody</h2><table><thead><tr><th>Device</th><th>App</th>'
            f'<th>Account</th><th>Client id</th><th class="num">Watched</th></tr></thead><tbody>{rows}</tbody></table>'
            "</section>"
        )
    if report.suspicious:
        rows = "".join(
            f"<tr><td>{_e(s.ip)}</td><td class=\"num\">{s.count}</td><td>{_e(s.first[11:16])}–{_e(s.last[11:16])}</td>"
            f"<td><code>{_e(s.claimed or '')}</code></td></tr>"
            for s in report.suspicious
        )
        parts.append(
            '<section class="card"><h2>Suspicious requests</h2><p>Playback reports Plex refused (no valid sign-in); '
            "nothing was acted on.</p><table><thead><tr><th>Address</th><th class=\"num\">Refused</th><th>When</th>"
            f"<th>Claimed client</th></tr></thead><tbody>{rows}</tbody></table></section>"
        )
    return _page(title, "\n".join(parts))


def render_period(report: PeriodReport) -> str:
    kind = "Week" if report.kind == "week" else "Month"
    title = f"plextray · {kind} {report.start} – {report.end}"
    palette = colours(report.names)
    rows = "".join(
        f'<tr><td><i class="swatch" style="background:{palette[n]}"></i> {_e(n)}</td>'
        f'<td class="num">{_e(fmt_minutes(report.total(n)))}</td></tr>'
        for n in report.names
    )
    broken = [(d.day, p.name, v) for d in report.days for p in d.people for v in p.violations]
    items = "".join(
        f"<li><b>{_e(day)} {_e(v.time[11:16])}</b> {_e(name)}: {_e(v.reason)} → "
        f"{_e(', '.join(f'{a.action}: {a.outcome}' for a in v.actions) or 'nothing done')}</li>"
        for day, name, v in broken
    )
    parts = [
        f"<h1>{_e(kind)} {_e(report.start)} – {_e(report.end)}</h1>",
        f'<p class="sub">Minutes watched per person per day'
        + (f" · history begins {_e(report.history_start)}" if report.history_start else " · no recorded plays yet")
        + "</p>",
        f'<section class="card">{bars_svg(report, palette)}{_legend(report.names, palette, stops=False)}</section>',
        f'<section class="card"><h2>Totals</h2><table><tbody>{rows}</tbody></table></section>',
    ]
    for name in report.names:
        top = report.top_titles(name)
        if not top:
            continue
        items_top = "".join(
            f"<tr><td>{_e(t)}</td><td class=\"num\">{n} play{'s' if n != 1 else ''}</td>"
            f'<td class="num">{_e(fmt_minutes(m))}</td></tr>'
            for t, m, n in top
        )
        parts.append(
            f'<section class="card"><h2><i class="swatch" style="background:{palette[name]}"></i>{_e(name)}: '
            f"most watched</h2><table><tbody>{items_top}</tbody></table></section>"
        )
    if items:
        parts.append(f'<section class="card"><h2>Restrictions broken</h2><ul class="violations">{items}</ul></section>')
    return _page(title, "\n".join(parts))


def render(report: DayReport | PeriodReport) -> str:
    return render_day(report) if isinstance(report, DayReport) else render_period(report)
