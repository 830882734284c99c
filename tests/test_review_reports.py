"""Review findings in plextray.reports."""

from __future__ import annotations

from datetime import date

import plextray.reports.text as text_module


class WindowsDate(date):
    """date whose strftime rejects glibc-only directives, as Windows' C runtime does ("%-d": ValueError)."""

    def strftime(self, fmt: str) -> str:
        if "%-" in fmt:
            raise ValueError("Invalid format string")
        return super().strftime(fmt)


def test_day_title_uses_no_glibc_only_strftime_directive(monkeypatch):
    """Every report (text, HTML, the digest's subject) starts with day_title; Windows is a target."""
    monkeypatch.setattr(text_module, "date", WindowsDate)
    assert text_module.day_title("2026-03-07") == "Saturday 7 March 2026"
    assert text_module.day_title("2026-11-25") == "Wednesday 25 November 2026"


# ---- a week's (or month's) report: each day's quota figures are the day report's own

import pytest  # noqa: E402

from support.report_history import DAY, build_household  # noqa: E402


@pytest.fixture
def household(plextray_home):
    return build_household(plextray_home)


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
