"""The digest e-mail (daily or weekly) as mail clients render it: no SVG, no CSS layout, no columns.

Why this shape: webmail and desktop clients drop inline SVG and <style> blocks, and most phones
show mail at ~360–600 px. So the HTML part is one 600 px column of nested tables with inline
styles; the chart is a PNG attached inline (Content-ID) and its figures follow as table bars;
the text part is "label: value" lines (no column alignment, readable in any font). The subject
leads with what matters ("Leo stopped 2× · Emma at limit · Tue 17 Nov", ≤ 78 characters).
Grown-ups (people with no rules) are left out unless `include_parents` is set.
"""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from email.utils import make_msgid
from html import escape

from plextray.core.report_summary import change_words, facts, fmt_minutes
from plextray.core.report_fold import UNLINKED, DayReport, PeriodReport, PersonSummary
from plextray.reports.charts import colours
from plextray.safe_text import clean, for_header

SUBJECT_LIMIT = 78


def _e(value: object) -> str:
    return escape(clean(value), quote=True)


def shown_names(report: DayReport | PeriodReport, include_parents: bool) -> list[str]:
    """Who the digest is about: everyone with rules (children), grown-ups only when asked."""
    return [s.name for s in report.summaries if s.name != UNLINKED and (include_parents or s.supervised)]


def _when(report: DayReport | PeriodReport) -> str:
    if isinstance(report, DayReport):
        day = date.fromisoformat(report.day)
        return f"{day.strftime('%a')} {day.day} {day.strftime('%b')}"
    first = date.fromisoformat(report.start)
    return f"week of {first.day} {first.strftime('%b')}"


def subject(report: DayReport | PeriodReport, names: list[str]) -> str:
    """What matters first, one phrase per person (their most important), people with the same news
    together: "Leo stopped 2× · Emma, Sam at limit · Tue 17 Nov"; else the minutes watched."""
    cards = {s.name: s for s in report.summaries}
    news: dict[tuple[int, int, str], list[str]] = {}
    for name in names:
        s = cards.get(name)
        if s is None:
            continue
        if s.stops:
            item = (0, -s.stops, f"stopped {s.stops}×" if s.stops > 1 else "stopped")
        elif s.days_over_limit:
            item = (1, -s.days_over_limit, "at limit" if s.days_over_limit == 1 else f"at limit {s.days_over_limit} days")
        elif s.minutes_after_bedtime >= 1:
            item = (2, 0, "up after bedtime")
        else:
            continue
        news.setdefault(item, []).append(clean(name, 20))
    parts = [f"{', '.join(who)} {what}" for (_, _, what), who in sorted(news.items(), key=lambda kv: kv[0][:2])]
    if not parts:
        parts = [f"{clean(n, 20)} {fmt_minutes(cards[n].total_minutes)}" for n in names if n in cards] or ["nothing watched"]
    tail = _when(report)
    if isinstance(report, PeriodReport):
        tail = tail[0].upper() + tail[1:]
    out = " · ".join([*parts, tail])
    while len(out) > SUBJECT_LIMIT and len(parts) > 1:  # drop the least important, show that some are left out
        parts = parts[:-1]
        out = " · ".join([*parts, "…", tail])
    return for_header(out, SUBJECT_LIMIT)


def _at_limit(report: DayReport, name: str) -> bool:
    person = report.person(name)
    return person is not None and any(
        q.per == "day" and q.unit == "minutes" and round(q.used) >= q.allowed for q in person.quotas
    )


def text_part(report: DayReport | PeriodReport, names: list[str]) -> str:
    from plextray.reports.text import day_title, period_title, summary_lines

    kind = "day" if isinstance(report, DayReport) else report.kind
    head = day_title(report.day) if isinstance(report, DayReport) else period_title(report)
    lines = [f"plextray · {head}" + (" (so far)" if report.partial else ""), ""]
    cards = {s.name: s for s in report.summaries}
    for name in names:
        if name in cards:
            lines += summary_lines(cards[name], kind) + [""]
    if not names:
        lines += ["Nobody with rules watched anything.", ""]
    lines.append("The full report with every play: plextray report" + ("" if kind == "day" else " --week"))
    return "\n".join(lines) + "\n"


def _bar_rows(report: DayReport | PeriodReport, names: list[str], palette: dict[str, str]) -> str:
    """The chart's figures as table bars (they render in every client, images on or off)."""
    cards = {s.name: s for s in report.summaries}
    peak = max([1.0, *(cards[n].total_minutes for n in names if n in cards)])
    rows = []
    for name in names:
        s = cards.get(name)
        if s is None:
            continue
        share = max(1, int(round(100 * s.total_minutes / peak)))
        rows.append(
            f'<tr><td style="padding:4px 8px 4px 0;font-size:14px;color:#111827;white-space:nowrap">{_e(name)}</td>'
            f'<td width="100%" style="padding:4px 0"><table role="presentation" cellpadding="0" cellspacing="0" '
            f'width="{share}%"><tr><td height="14" bgcolor="{palette[name]}" style="background:{palette[name]};'
            f'font-size:0;line-height:0">&nbsp;</td></tr></table></td>'
            f'<td style="padding:4px 0 4px 8px;font-size:14px;color:#111827;white-space:nowrap;text-align:right">'
            f"{_e(fmt_minutes(s.total_minutes))}</td></tr>"
        )
    return (
        '<table role="presentation" cellpadding="0" cellspacing="0" width="100%" style="margin:8px 0 0">'
        + "".join(rows) + "</table>"
    )


def _card(s: PersonSummary, kind: str, colour: str) -> str:
    lines = "".join(f'<li style="margin:2px 0">{_e(line)}</li>' for line in facts(s, kind))
    rules = "".join(
        f'<p style="margin:6px 0 0;padding:0 0 0 8px;border-left:3px solid #b91c1c;font-size:14px">{_e(r.sentence)}</p>'
        for r in s.rules
    )
    titles = ", ".join(
        f"{t.title} ({t.episodes} ep.)" if t.kind == "show" else t.title for t in s.titles[:3]
    )
    so_far = " so far" if s.partial else ""
    average = f" · {fmt_minutes(s.average_minutes)} a day" if kind != "day" else ""
    return (
        '<tr><td style="padding:12px 14px;border:1px solid #d1d5db;border-left:6px solid '
        f'{colour};background:#ffffff">'
        f'<p style="margin:0;font-size:17px;font-weight:bold;color:#111827">{_e(s.name)}</p>'
        f'<p style="margin:2px 0;font-size:22px;font-weight:bold;color:#111827">{_e(fmt_minutes(s.total_minutes))}'
        f'<span style="font-size:14px;font-weight:normal;color:#4b5563">{_e(so_far + average)}</span></p>'
        f'<p style="margin:0 0 4px;font-size:14px;color:#4b5563">{_e(change_words(s, kind))}</p>'
        + (f'<ul style="margin:4px 0 0;padding:0 0 0 18px;font-size:14px;color:#111827">{lines}</ul>' if lines else "")
        + rules
        + (f'<p style="margin:6px 0 0;font-size:14px;color:#4b5563">Watched most: {_e(titles)}</p>' if titles else "")
        + '</td></tr><tr><td height="10" style="font-size:0;line-height:0">&nbsp;</td></tr>'
    )


def html_part(report: DayReport | PeriodReport, names: list[str], chart_cid: str | None, chart_size: tuple[int, int]) -> str:
    from plextray.reports.text import day_title, period_title

    kind = "day" if isinstance(report, DayReport) else report.kind
    head = day_title(report.day) if isinstance(report, DayReport) else period_title(report)
    palette = colours(names, report.household)
    cards = {s.name: s for s in report.summaries}
    body = "".join(_card(cards[n], kind, palette[n]) for n in names if n in cards)
    if not body:
        body = '<tr><td style="font-size:15px;color:#4b5563">Nobody with rules watched anything.</td></tr>'
    chart = ""
    if chart_cid and names:
        alt = "Chart: " + ", ".join(f"{n} {fmt_minutes(cards[n].total_minutes)}" for n in names if n in cards)
        chart = (
            f'<tr><td style="padding:8px 0"><img src="cid:{chart_cid}" width="{chart_size[0]}" alt="{_e(alt)}" '
            f'style="display:block;width:100%;max-width:{chart_size[0]}px;height:auto;border:0"></td></tr>'
        )
    so_far = " (so far)" if report.partial else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(head)}</title></head>"
        '<body style="margin:0;padding:0;background:#f3f4f6">'
        '<table role="presentation" cellpadding="0" cellspacing="0" width="100%" style="background:#f3f4f6">'
        '<tr><td align="center" style="padding:12px 8px">'
        '<table role="presentation" cellpadding="0" cellspacing="0" width="100%" '
        'style="max-width:600px;font-family:Arial,Helvetica,sans-serif;color:#111827">'
        f'<tr><td style="padding:0 0 10px"><p style="margin:0;font-size:20px;font-weight:bold">{_e(head)}{_e(so_far)}</p></td></tr>'
        f"{body}{chart}"
        f'<tr><td style="padding:4px 0">{_bar_rows(report, names, palette)}</td></tr>'
        '<tr><td style="padding:12px 0 0;font-size:13px;color:#4b5563">The full report with every play: '
        f'<span style="font-family:monospace">plextray report{"" if kind == "day" else " --week"}</span></td></tr>'
        "</table></td></tr></table></body></html>"
    )


def compose(message: EmailMessage, report: DayReport | PeriodReport, names: list[str]) -> EmailMessage:
    """Fill `message` (headers set) with the text part, the HTML part and its chart PNG."""
    from plextray.mail import chart_png

    del message["Subject"]
    message["Subject"] = subject(report, names)
    message.set_content(text_part(report, names))
    png = None
    if names and (any(p.entries for p in report.people) if isinstance(report, DayReport) else True):
        try:
            png = chart_png.day_png(report, names) if isinstance(report, DayReport) else chart_png.period_png(report, names)
        except ImportError:  # no Pillow: the table bars below carry the same figures
            png = None
    cid = make_msgid(domain="plextray.local")[1:-1] if png else None
    size = chart_png.shown_size(png) if png else (0, 0)
    message.add_alternative(html_part(report, names, cid, size), subtype="html")
    if png and cid:
        html = message.get_payload()[1]
        html.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>", filename="chart.png",
                         disposition="inline")
    return message
