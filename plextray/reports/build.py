"""From AppPaths to a finished report: open the history, read the people, query, fold, render.

The one entry point for the CLI, the digest e-mail and the tray's "Today's report".
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from plextray.core.report_fold import DayReport, PeriodReport
from plextray.errors import ConfigError
from plextray.paths import AppPaths
from plextray.reports import queries


def build_report(
    paths: AppPaths,
    day: date,
    *,
    kind: str = "day",
    person: str | None = None,
    now: datetime | None = None,
    detail: bool = False,
) -> DayReport | PeriodReport:
    """The report for `day` (kind "day"), or for the week/month containing it, cut at `now`'s date.

    `detail`: a week's or month's days list every play (the JSON export); otherwise they carry
    the per-day figures from the usage aggregates, which is all the text and HTML show."""
    from plextray.store.db import connect

    people = queries.load_people(paths.profiles)
    if person is not None:
        match = next((p.name for p in people if p.name.casefold() == person.strip().casefold()), None)
        if match is None:
            known = ", ".join(p.name for p in people) or "nobody is set up in profiles.json"
            raise ConfigError(f"no person named {person!r} (known: {known})")
        person = match
    generated = (now or datetime.now()).isoformat(timespec="seconds")
    conn = connect(paths.database)
    try:
        if kind == "day":
            return queries.day_report(conn, day, people, person=person, generated=generated)
        if kind not in ("week", "month"):
            raise ConfigError(f"unknown report kind {kind!r}")
        first, last = queries.period_bounds(kind, day, (now or datetime.now()).date())
        return queries.period_report(conn, kind, first, last, people, person=person, generated=generated, detail=detail)
    finally:
        conn.close()


def render_report(report: DayReport | PeriodReport, fmt: str) -> str:
    if fmt == "json":
        from plextray.reports import json_out
        from plextray.safe_text import for_json

        return for_json(json_out.render(report))  # exact values; no raw control or bidi character
    from plextray.reports.safe import scrub

    report = scrub(report)  # what a person reads: no control characters, no endless values
    if fmt == "html":
        from plextray.reports import html

        return html.render(report)
    from plextray.reports import text

    return text.render_day(report) if isinstance(report, DayReport) else text.render_period(report)


def report_filename(report: DayReport | PeriodReport) -> str:
    if isinstance(report, DayReport):
        return f"report-{report.day}.html"
    return f"report-{report.kind}-{report.start}.html"


def write_html(paths: AppPaths, report: DayReport | PeriodReport, target: Path | None = None) -> Path:
    """Write the HTML report (atomically) to `target` or the reports folder; returns the path."""
    from plextray.config import atomic_write_text

    path = target or paths.reports / report_filename(report)
    atomic_write_text(path, render_report(report, "html"), mode=0o600)
    return path


def open_today(paths: AppPaths, now: datetime | None = None) -> Path:
    """The tray's "Today's report": write today's HTML and open it in the browser."""
    import webbrowser

    moment = now or datetime.now()
    path = write_html(paths, build_report(paths, moment.date(), now=moment))
    webbrowser.open(path.resolve().as_uri())
    return path
