"""The report as ONE self-contained HTML file: inline CSS and inline SVG charts, no scripts, no fetches.

Read top to bottom as a parent would: a card per person (the period in a few figures), what went
wrong summed up per rule, the chart and its data as a table, what was watched (shows grouped),
then the full log folded away in <details>. It fits a 390 px phone: one column, tables that
reflow, no text under 11 px. Every string from the history (titles, device names, reasons) is
escaped: a title is data, never markup.
"""

from __future__ import annotations

from datetime import date
from html import escape

from plextray.core.report_summary import change_words, facts, fmt_minutes
from plextray.core.report_fold import UNLINKED, DayReport, PeriodReport, PersonDay, PersonSummary, TitleGroup
from plextray.reports import charts
from plextray.reports.text import day_title, period_title, quota_phrase

PALETTE = charts.PALETTE
STOP_COLOUR = charts.STOP_COLOUR

CSS = """
:root { --ink:#111827; --muted:#4b5563; --line:#d1d5db; --bg:#f8fafc; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink);
       background: var(--bg); margin: 0; padding: 16px; line-height: 1.45; font-size: 15px; }
main { max-width: 1100px; margin: 0 auto; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0 0 8px; display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
h3 { font-size: 16px; margin: 12px 0 6px; display: flex; align-items: center; gap: 8px; }
.sub { color: var(--muted); margin: 0 0 14px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; margin: 0 0 14px;
        break-inside: avoid; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(250px, 1fr)); gap: 12px; margin: 0 0 14px; }
.cards .card { margin: 0; }
.big { font-size: 26px; font-weight: 700; margin: 2px 0; }
.muted { color: var(--muted); font-weight: 400; font-size: 15px; }
.change { margin: 0 0 6px; }
.facts { margin: 6px 0 0; padding: 0 0 0 18px; }
.facts li { margin: 2px 0; }
.partial { display: inline-block; font-size: 12px; font-weight: 700; color: #7c2d12; background: #ffedd5;
           border-radius: 999px; padding: 1px 8px; }
.swatch { flex: none; }
.total { margin-left: auto; font-weight: 600; color: var(--muted); }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
caption { text-align: left; font-weight: 600; padding: 0 0 4px; }
th, td { text-align: left; padding: 5px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 13px; }
td.num, th.num { text-align: right; white-space: nowrap; }
.badge { display: inline-block; font-size: 12px; font-weight: 700; padding: 1px 6px; border-radius: 999px; margin-left: 6px; }
.stopped { background: #fee2e2; color: #991b1b; }
.live { background: #dcfce7; color: #166534; }
.rules { margin: 0; padding: 0; list-style: none; }
.rules li { padding: 4px 0 4px 10px; border-left: 3px solid #b91c1c; margin: 6px 0; }
.quota { margin: 10px 0 0; font-size: 14px; }
.bar { height: 8px; background: #e5e7eb; border-radius: 4px; overflow: hidden; margin-top: 3px; }
.bar > span { display: block; height: 100%; }
.empty { color: var(--muted); font-style: italic; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 14px; font-size: 13px; margin-top: 6px; color: var(--muted); }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.key { display: inline-block; width: 16px; height: 12px; border-radius: 2px; }
svg.chart { display: block; overflow: visible; }
svg text { font-family: inherit; }
details { margin-top: 8px; }
summary { cursor: pointer; font-weight: 600; padding: 4px 0; }
ol.log { padding-left: 20px; font-size: 14px; }
ol.log li { margin: 3px 0; }
footer { color: var(--muted); font-size: 13px; margin-top: 12px; }
@media (max-width: 600px) {
  body { padding: 8px; font-size: 15px; }
  .card { padding: 12px; }
  svg .minor { display: none; }
  table.reflow thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.reflow tr { display: block; border-bottom: 1px solid var(--line); padding: 4px 0; }
  table.reflow td { display: inline; border: 0; padding: 0 8px 0 0; }
  table.reflow td:first-child { display: block; font-weight: 600; }
  table.compact th, table.compact td { padding: 4px 2px; font-size: 12px; }
}
@media print { body { background: #fff; padding: 0; } .card { border-color: #ccc; } }
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{_e(title)}</title><style>{CSS}</style></head>\n<body><main>\n{body}\n"
        "<footer>Made by plextray from the history on this computer.</footer>\n</main></body></html>\n"
    )


def colours(names: list[str] | tuple[str, ...], household: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
    return charts.colours(names, household)


def summary_cards(summaries: tuple[PersonSummary, ...], kind: str, palette: dict[str, str], pattern_of: dict[str, int]) -> str:
    cards = []
    for s in summaries:
        partial = ' <span class="partial">so far</span>' if s.partial else ""
        average = f'<p class="muted">{_e(fmt_minutes(s.average_minutes))} a day on average</p>' if kind != "day" else ""
        lines = "".join(f"<li>{_e(line)}</li>" for line in facts(s, kind))
        cards.append(
            f'<article class="card" aria-label="{_e(s.name)}: summary">'
            f"<h2>{charts.swatch(s.name, palette, pattern_of, 'card')}{_e(s.name)}{partial}</h2>"
            f'<p class="big">{_e(fmt_minutes(s.total_minutes))}</p>{average}'
            f'<p class="change">{_e(change_words(s, kind))}</p>'
            + (f'<ul class="facts">{lines}</ul>' if lines else "")
            + "</article>"
        )
    return f'<section class="cards" aria-label="Summary per person">{"".join(cards)}</section>' if cards else ""


def rules_section(summaries: tuple[PersonSummary, ...], log: list[tuple[str, str, str]]) -> str:
    """Rules broken, one sentence each (in the order first broken), then every event folded away."""
    rules = sorted((r for s in summaries for r in s.rules), key=lambda r: r.first)
    if not rules and not log:
        return ""
    items = "".join(f"<li>{_e(r.sentence)}</li>" for r in rules)
    entries = "".join(f"<li><b>{_e(when)}</b> {_e(who)}: {_e(what)}</li>" for when, who, what in sorted(log))
    folded = (
        f"<details><summary>Every event ({len(log)})</summary><ol class=\"log\">{entries}</ol></details>" if log else ""
    )
    return f'<section class="card"><h2>Rules broken</h2><ul class="rules">{items}</ul>{folded}</section>'


def _event_log(days: tuple[DayReport, ...], with_day: bool) -> list[tuple[str, str, str]]:
    out = []
    for day in days:
        for person in day.people:
            for v in person.violations:
                done = ", ".join(f"{a.action} {a.outcome}" for a in v.actions) or "nothing done"
                title = f" — {v.title}" if v.title else ""
                when = f"{v.time[:10]} {v.time[11:16]}" if with_day else v.time[11:16]
                out.append((when, person.name, f"{v.reason}{title} → {done}"))
    return out


def titles_table(titles: tuple[TitleGroup, ...], caption: str, limit: int = 10) -> str:
    if not titles:
        return ""
    rows = []
    for t in titles[:limit]:
        what = f"{t.episodes} episode{'s' if t.episodes != 1 else ''}" if t.kind == "show" else t.kind
        plays = f"{t.plays} play{'s' if t.plays != 1 else ''}"
        rows.append(
            f"<tr><td>{_e(t.title)}</td><td>{_e(t.content_rating or 'not rated')}</td><td>{_e(what)}</td>"
            f'<td class="num">{_e(plays)}</td><td class="num">{_e(fmt_minutes(t.minutes))}</td></tr>'
        )
    more = f'<p class="muted">and {len(titles) - limit} more</p>' if len(titles) > limit else ""
    return (
        f'<table class="reflow"><caption>{_e(caption)}</caption><thead><tr><th>Title</th><th>Rating</th><th>What</th>'
        f'<th class="num">Plays</th><th class="num">Time</th></tr></thead><tbody>{"".join(rows)}</tbody></table>{more}'
    )


def _quota_html(person: PersonDay, colour: str) -> str:
    out = ""
    for q in person.quotas:
        width = min(100.0, q.percent)
        fill = "#b91c1c" if round(q.used) >= q.allowed else "#b45309" if q.percent >= 80 else colour
        out += (
            f'<div class="quota">{_e(quota_phrase(q))}<div class="bar" aria-hidden="true"><span style="width:{width:.0f}%;'
            f'background:{fill}"></span></div></div>'
        )
    return out


def _plays_table(person: PersonDay) -> str:
    rows = []
    for e in person.entries:
        badges = ""
        if e.stopped:
            badges += '<span class="badge stopped">stopped</span>'
        if e.live:
            badges += '<span class="badge live">playing</span>'
        start = ("◂ " if e.began_before else "") + e.start[11:16]
        end = "now" if e.live else e.end[11:16] + (" ▸" if e.goes_on_after else "")
        percent = f"{e.percent:.0f} % seen" if e.percent is not None else ""
        rating = f' <span class="muted">({_e(e.content_rating)})</span>' if e.content_rating else ""
        rows.append(
            f"<tr><td>{_e(e.title)}{rating}{badges}</td><td>{_e(e.device)}</td><td class=\"num\">{_e(start)}–{_e(end)}</td>"
            f'<td class="num">{_e(fmt_minutes(e.minutes))}</td><td class="num">{_e(percent)}</td></tr>'
        )
    if not rows:
        return '<p class="empty">Nothing watched.</p>'
    return (
        '<table class="reflow"><caption>Every play</caption><thead><tr><th>Title</th><th>Device</th>'
        f'<th class="num">From–to</th><th class="num">Watched</th><th class="num">Seen</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _chart_table_day(report: DayReport) -> str:
    rows = "".join(
        f"<tr><td>{_e(p.name)}</td><td class=\"num\">{len(p.entries)}</td><td class=\"num\">{_e(fmt_minutes(p.total_minutes))}</td>"
        f"<td class=\"num\">{sum(1 for e in p.entries if e.stopped)}</td></tr>"
        for p in report.people
    )
    return (
        '<table class="compact"><caption>The chart in figures</caption><thead><tr><th>Person</th><th class="num">Plays</th>'
        f'<th class="num">Watched</th><th class="num">Stopped</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def _short(minutes: float | None) -> str:
    if minutes is None:
        return "—"
    total = int(round(minutes))
    return f"{total // 60}h{total % 60:02d}" if total >= 60 else f"{total}m"


def _chart_table_period(report: PeriodReport) -> str:
    names = list(report.names)
    head = "".join(f'<th class="num" scope="col">{_e(n if n != UNLINKED else "Nobody")}</th>' for n in names)
    series = {n: report.minutes(n) for n in names}
    rows = []
    for i, day in enumerate(report.days):
        label = date.fromisoformat(day.day)
        cells = "".join(f'<td class="num">{_e(_short(series[n][i]))}</td>' for n in names)
        rows.append(f'<tr><th scope="row">{_e(label.strftime("%a"))} {label.day}</th>{cells}</tr>')
    totals = "".join(f'<td class="num"><b>{_e(_short(report.total(n)))}</b></td>' for n in names)
    return (
        '<details><summary>The chart in figures (minutes per day)</summary>'
        f'<table class="compact"><thead><tr><th scope="col">Day</th>{head}</tr></thead><tbody>{"".join(rows)}'
        f'<tr><th scope="row">Total</th>{totals}</tr></tbody></table></details>'
    )


def _legend_day() -> str:
    return (
        '<div class="legend"><span><i class="key" style="background:#e8e1f5"></i>bedtime</span>'
        f'<span><b style="color:{STOP_COLOUR}">✕</b> stopped by plextray</span>'
        f'<span><i class="key" style="border-top:2px dashed {STOP_COLOUR};height:0"></i>limit reached</span></div>'
    )


def render_day(report: DayReport) -> str:
    title = f"plextray · {day_title(report.day)}"
    head = f"<h1>{_e(day_title(report.day))}</h1>"
    if not report.covered:
        since = f"begins {report.history_start}" if report.history_start else "has no recorded plays yet"
        return _page(title, head + f'<p class="sub">No history for this day: plextray\'s history {_e(since)}.</p>')
    names = [p.name for p in report.people]
    palette = charts.colours(names, report.household)
    pattern_of = charts.patterns(names, report.household)
    total = sum(p.total_minutes for p in report.people)
    partial = " · the day is not over: figures so far" if report.partial else ""
    parts = [
        head,
        f'<p class="sub">{_e(fmt_minutes(total))} watched in all{_e(partial)}'
        + (f" · history begins {_e(report.history_start)}" if report.history_start else "") + "</p>",
        summary_cards(report.summaries, "day", palette, pattern_of),
        rules_section(report.summaries, _event_log((report,), with_day=False)),
        f'<section class="card" aria-label="Timeline">{charts.timeline_svg(report, palette, pattern_of)}{_legend_day()}'
        f"{_chart_table_day(report)}</section>",
    ]
    cards = {s.name: s for s in report.summaries}
    for p in report.people:
        summary = cards.get(p.name)
        grouped = titles_table(summary.titles, "Shows and films") if summary and len(p.entries) > 1 else ""
        parts.append(
            f'<section class="card"><h2>{charts.swatch(p.name, palette, pattern_of, "day")}{_e(p.name)}'
            f'<span class="total">{_e(fmt_minutes(p.total_minutes))}</span></h2>{grouped}'
            f"{_plays_table(p)}{_quota_html(p, palette[p.name])}</section>"
        )
    if report.unlinked:
        parts.append(_unlinked_html(report))
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


def _unlinked_html(report: DayReport) -> str:
    rows = "".join(
        f"<tr><td>{_e(d.name)}</td><td>{_e(d.product or '')}{f' ({_e(d.platform)})' if d.platform else ''}</td>"
        f"<td>{_e(d.account or '')}</td><td><code>{_e(d.client_id)}</code></td>"
        f'<td class="num">{_e(fmt_minutes(d.minutes))}</td></tr>'
        for d in report.unlinked
    )
    return (
        '<section class="card"><h2>Devices linked to nobody</h2><table class="reflow"><thead><tr><th>Device</th><th>App</th>'
        f'<th>Account</th><th>Client id</th><th class="num">Watched</th></tr></thead><tbody>{rows}</tbody></table></section>'
    )


def render_period(report: PeriodReport) -> str:
    title = f"plextray · {period_title(report)}"
    palette = charts.colours(report.names, report.household)
    pattern_of = charts.patterns(report.names, report.household)
    partial = " · not over yet: figures so far" if report.partial else ""
    parts = [
        f"<h1>{_e(period_title(report))}</h1>",
        f'<p class="sub">{_e(report.start)} – {_e(report.end)}{_e(partial)}'
        + (f" · history begins {_e(report.history_start)}" if report.history_start else " · no recorded plays yet")
        + "</p>",
        summary_cards(report.summaries, report.kind, palette, pattern_of),
        rules_section(report.summaries, _event_log(report.days, with_day=True)),
        f'<section class="card" aria-label="Minutes per day">{charts.bars_svg(report, palette, pattern_of)}'
        f"{_chart_table_period(report)}</section>",
    ]
    for s in report.summaries:
        if s.titles:
            parts.append(
                f'<section class="card"><h2>{charts.swatch(s.name, palette, pattern_of, "titles")}{_e(s.name)}: '
                f"most watched</h2>{titles_table(s.titles, 'Shows (all episodes together) and films')}</section>"
            )
    return _page(title, "\n".join(parts))


def render(report: DayReport | PeriodReport) -> str:
    return render_day(report) if isinstance(report, DayReport) else render_period(report)
