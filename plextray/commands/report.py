"""`plextray report`: the day's (or week's, month's) report as text, HTML or JSON."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path

from plextray.errors import ConfigError, PlexTrayError
from plextray.paths import AppPaths


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="who watched what: a day's, week's or month's report",
        description=(
            "Per person: each title watched (device, from–to, minutes, percent), total minutes, "
            "restrictions broken and what plextray did, quota use; and devices linked to nobody. "
            "--week is the calendar week (Mon–Sun) and --month the calendar month containing --date "
            "(default today), up to today."
        ),
    )
    when = parser.add_mutually_exclusive_group()
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="the day (default: today)")
    when.add_argument("--week", action="store_true", help="the week containing --date")
    when.add_argument("--month", action="store_true", help="the month containing --date")
    parser.add_argument("--person", metavar="NAME", help="only this person")
    parser.add_argument("--format", choices=("text", "html", "json"), default="text",
                        help="text and json go to stdout; html is one self-contained file written to "
                        "$PLEXTRAY_HOME/reports/report-<date>.html (report-week-<monday>.html, report-month-<first day>.html; "
                        "its path is printed), or to --output")
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE instead (the path is printed); "
                        "'-' writes it to stdout, HTML included")
    parser.add_argument("--open", action="store_true", help="open the HTML report in the browser")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from plextray.reports.build import build_report, render_report, write_html

    try:
        day = date.fromisoformat(args.date) if args.date else date.today()
    except ValueError:
        raise ConfigError(f"--date: expected YYYY-MM-DD, got {args.date!r}") from None
    kind = "week" if args.week else "month" if args.month else "day"
    paths = AppPaths.default()
    report = build_report(paths, day, kind=kind, person=args.person, now=datetime.now(), detail=args.format == "json")
    if args.open and args.format == "json":
        raise ConfigError("--open shows the HTML report; it cannot be combined with --format json")
    fmt = "html" if args.open else args.format
    if args.output == "-":  # `--format html --output - > file`: the HTML itself, not a path
        if args.open:
            raise ConfigError("--open needs a file to open; it cannot be combined with --output -")
        print(render_report(report, fmt), end="")
        return 0
    if fmt == "html":
        try:
            target = write_html(paths, report, Path(args.output) if args.output else None)
        except OSError as exc:
            where = args.output or paths.reports
            raise PlexTrayError(f"cannot write the report to {where}: {exc.strerror or exc}") from None
        print(target)
        if args.open:
            import webbrowser

            webbrowser.open(target.resolve().as_uri())
        return 0
    text = render_report(report, fmt)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise PlexTrayError(f"cannot write the report to {args.output}: {exc.strerror or exc}") from None
        print(args.output)
    else:
        print(text, end="")
    return 0
