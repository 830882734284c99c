"""The report as JSON for scripts: the dataclasses as they are, plus derived quota figures."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from plextray.core.report_fold import DayReport, PeriodReport


def _day_dict(report: DayReport) -> dict[str, Any]:
    data = asdict(report)
    for person, raw in zip(report.people, data["people"]):
        for quota, q in zip(person.quotas, raw["quotas"]):
            q.update(allowed=quota.allowed, remaining=round(quota.remaining, 2), percent=round(quota.percent, 1))
    return data


def to_dict(report: DayReport | PeriodReport) -> dict[str, Any]:
    if isinstance(report, DayReport):
        return {"kind": "day", **_day_dict(report)}
    return {
        "kind": report.kind,
        "start": report.start,
        "end": report.end,
        "history_start": report.history_start,
        "generated": report.generated,
        "names": list(report.names),
        "minutes": {name: list(report.minutes(name)) for name in report.names},
        "days": [_day_dict(d) for d in report.days],
        # added with the summary cards (issue 16): keys above are unchanged
        "partial": report.partial,
        "household": list(report.household),
        "limits": {name: minutes for name, minutes in report.limits},
        "summaries": [asdict(s) for s in report.summaries],
    }


def render(report: DayReport | PeriodReport) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
