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
