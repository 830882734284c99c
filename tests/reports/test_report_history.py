"""Reports built from a real SQLite history (store.db.connect + inserts) and profiles.json."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest
from support.report_history import DAY, NASTY_TITLE, build_household

from plextray.cli import main
from plextray.core.report_fold import UNLINKED
from plextray.paths import AppPaths
from plextray.reports.build import build_report
from plextray.reports import html as html_out
from plextray.reports import text as text_out

NOW = datetime(2026, 3, 10, 23, 0)


@pytest.fixture(autouse=True)
def restore_log_handlers():
    """cli.main adds a stderr handler per call; drop them so none outlives capsys' stream."""
    import logging

    root = logging.getLogger()
    before = list(root.handlers)
    yield
    root.handlers[:] = before


@pytest.fixture
def household(plextray_home):
    return build_household(plextray_home)


def _report(kind="day", day=DAY, person=None):
    return build_report(AppPaths.default(), date.fromisoformat(day), kind=kind, person=person, now=NOW)


def test_day_per_person_titles_minutes_percent(household):
    report = _report()
    assert report.covered and report.history_start == "2026-03-01"
    assert [p.name for p in report.people] == ["Emma", "Leo", "Parents", UNLINKED]
    emma = report.person("Emma")
    assert [e.title for e in emma.entries] == ["Bluey S02E05 · Dance Mode", "Paw Patrol S01E03 · Pup Pup Boogie", "Frozen"]
    assert [e.device for e in emma.entries] == ["Emma's iPad", "Living room", "Emma's iPad"]
    assert [e.minutes for e in emma.entries] == [7.0, 55.0, 2.0]
    assert emma.total_minutes == 64.0
    assert [e.percent for e in emma.entries] == [100.0, 100.0, pytest.approx(2.0, abs=0.05)]
    assert [(e.start[11:16], e.end[11:16]) for e in emma.entries] == [("07:30", "07:37"), ("16:00", "17:00"), ("20:31", "20:33")]
    assert [e.stopped for e in emma.entries] == [False, False, True]


def test_account_on_unlinked_device_belongs_to_the_person_and_device_not_listed_as_unlinked(household):
    report = _report()
    assert [d.client_id for d in report.unlinked] == ["roku-xyz"]
    roku = report.unlinked[0]
    assert (roku.name, roku.account, roku.minutes) == ("Roku Ultra", "guest", 40.0)
    nobody = report.person(UNLINKED)
    assert [e.title for e in nobody.entries] == ["item 400"]  # not cached: never asks the server
    assert nobody.entries[0].percent == 50.0


def test_violations_and_what_was_done(household):
    emma = _report().person("Emma")
    assert len(emma.violations) == 1
    v = emma.violations[0]
    assert v.restriction == "time" and "20:30–07:00" in v.reason and v.title == "Frozen"
    assert [(a.action, a.outcome) for a in v.actions] == [("notify", "ok"), ("alert", "failed"), ("stop", "ok")]
    assert _report().person("Leo").violations == ()


def test_quota_use_counts_day_minutes_with_grant_and_month_titles(household):
    emma = _report().person("Emma")
    day_q, month_q = emma.quotas
    assert (day_q.per, day_q.unit, day_q.used, day_q.limit, day_q.extra, day_q.allowed) == ("day", "minutes", 64.0, 120, 30, 150)
    assert day_q.remaining == 86.0
    # titles this month up to the day: Frozen (1st and 10th), Bluey, Paw Patrol; the 11th does not count
    assert (month_q.per, month_q.unit, month_q.used, month_q.limit) == ("month", "titles", 3.0, 20)
    assert (month_q.period_start, month_q.period_end) == ("2026-03-01", "2026-03-31")


def test_session_across_midnight_is_split_between_days(household):
    leo_10 = _report().person("Leo")
    leo_9 = _report(day="2026-03-09").person("Leo")
    assert leo_10.total_minutes == 30.0 and leo_9.total_minutes == 30.0
    assert leo_10.entries[0].began_before and not leo_10.entries[0].goes_on_after
    assert leo_9.entries[0].goes_on_after and not leo_9.entries[0].began_before
    text = text_out.render_day(_report())
    assert "03-09 23:30–00:30" in text


def test_no_invented_plays_before_history_began(household):
    before = _report(day="2026-02-20")
    assert not before.covered
    assert "history begins 2026-03-01" in text_out.render_day(before)
    week = _report(kind="week", day="2026-03-01")  # Mon 23 Feb .. Sun 1 Mar
    assert (week.start, week.end) == ("2026-02-23", "2026-03-01")
    assert week.minutes("Emma") == (None, None, None, None, None, None, 60.0)
    assert week.total("Emma") == 60.0


def test_month_is_cut_at_today_and_adds_up(household):
    month = _report(kind="month")
    assert (month.start, month.end) == ("2026-03-01", "2026-03-10")
    assert month.total("Emma") == 124.0  # 60 on the 1st + 64 on the 10th (the 11th is after "now")
    assert month.total("Leo") == 60.0  # both halves of the midnight session
    assert UNLINKED in month.names
    # shows, not episodes (issue 16)
    assert month.top_titles("Emma") == [("Frozen", 62.0, 2), ("Paw Patrol", 55.0, 1), ("Bluey", 7.0, 1)]
    assert month.top_titles("Leo") == [("Paw Patrol", 60.0, 1)]  # split play counted once
    assert "Emma — most watched:" in text_out.render_period(month)
    assert "Emma: most watched" in html_out.render(month)


def test_person_filter_and_unknown_person(household):
    report = _report(person="leo")  # names match whatever the case
    assert [p.name for p in report.people] == ["Leo"] and report.unlinked == ()
    from plextray.errors import ConfigError

    with pytest.raises(ConfigError, match="no person named 'Zoe'.*Emma, Leo, Parents"):
        _report(person="Zoe")


def test_html_escapes_titles_and_fetches_nothing(household):
    page = html_out.render(_report())
    assert NASTY_TITLE not in page and "<script" not in page
    assert "&lt;script&gt;" in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", page, re.I) and "@import" not in page
    assert page.count('<svg class="chart"') == 1 and "stopped by plextray" in page  # the other SVGs are swatches
    week = html_out.render(_report(kind="week"))
    assert week.count('<svg class="chart"') == 1 and "Emma" in week


def test_cli_text_json_html(household, capsys, tmp_path):
    assert main(["report", "--date", DAY]) == 0
    out = capsys.readouterr().out
    assert "Emma — 1 h 04 min" in out and "STOPPED by plextray" in out and "Roku Ultra" in out
    assert "Quota: 1 h 04 min of 2 h 30 min (incl. 30 min granted) today (43 %)" in out
    assert main(["report", "--date", DAY, "--format", "json", "--person", "Emma"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "day" and data["people"][0]["total_minutes"] == 64.0
    assert data["people"][0]["quotas"][0]["remaining"] == 86.0
    assert main(["report", "--date", DAY, "--format", "html"]) == 0
    path = capsys.readouterr().out.strip()
    assert path.endswith(f"reports/report-{DAY}.html") and "<svg" in open(path, encoding="utf-8").read()
    target = tmp_path / "w.html"
    assert main(["report", "--date", DAY, "--week", "--format", "html", "--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["report", "--date", "10/03/2026"]) == 2
    assert "expected YYYY-MM-DD" in capsys.readouterr().err


def test_cli_open_uses_the_browser(household, monkeypatch, capsys):
    opened = []
    import webbrowser

    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    assert main(["report", "--date", DAY, "--open"]) == 0
    assert opened and opened[0].startswith("file://") and opened[0].endswith(f"report-{DAY}.html")


def test_empty_history_says_so(plextray_home, capsys):
    assert main(["report", "--date", DAY]) == 0
    assert "has no recorded plays yet" in capsys.readouterr().out


class WindowsDate(date):
    """date whose strftime rejects glibc-only directives, as Windows' C runtime does ("%-d": ValueError)."""

    def strftime(self, fmt: str) -> str:
        if "%-" in fmt:
            raise ValueError("Invalid format string")
        return super().strftime(fmt)


def test_day_title_uses_no_glibc_only_strftime_directive(monkeypatch):
    """Every report (text, HTML, the digest's subject) starts with day_title; Windows is a target."""
    monkeypatch.setattr(text_out, "date", WindowsDate)
    assert text_out.day_title("2026-03-07") == "Saturday 7 March 2026"
    assert text_out.day_title("2026-11-25") == "Wednesday 25 November 2026"


# ---- a week's (or month's) report: each day's quota figures are the day report's own

@pytest.mark.parametrize("kind", ["week", "month"])
def test_period_report_days_carry_the_same_quota_use_as_the_day_report(household, kind):
    """`report --week --format json` lists each day's quotas: they must not read 0 titles used and no grant."""
    from plextray.paths import AppPaths
    from plextray.reports.build import build_report

    paths = AppPaths.default()
    day = date.fromisoformat(DAY)
    alone = build_report(paths, day, kind="day").person("Emma")
    period = build_report(paths, day, kind=kind)
    in_period = next(d for d in period.days if d.day == DAY).person("Emma")
    assert in_period.quotas == alone.quotas
