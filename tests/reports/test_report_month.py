"""A realistic month read as a parent reads it: the cards, the shows, the rules, on a desktop and a phone.

The household (tests/support/report_month.py: four children and the parents, 8 devices, ~500 plays
and ~110 broken rules in November 2026, fixed seed) is written through the real store; every
figure asserted here is recounted from the raw sessions, violations and grants tables, not taken
from the report. The pages are laid out by real headless Chromium at 1280 px and at 390 px (a
phone), measured there, and checked by axe-core.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from support.browser_probe import axe, axe_source, measure, screenshot
from support.report_month import CHILDREN, DAY, MONTH, NOW, SHOWS, build_month

from plextray.core.report_summary import fmt_minutes
from plextray.core.report_fold import SessionRow, day_bounds, share_in
from plextray.paths import AppPaths
from plextray.reports.browser import find_chromium
from plextray.reports.build import build_report, render_report
from plextray.reports.charts import PALETTE, UNLINKED_COLOUR, colours

OWNERS = {d: c.name for c in CHILDREN for d in c.devices} | {"desktop-parents": "Parents"}
ACCOUNTS = {c.account: c.name for c in CHILDREN} | {"admin": "Parents"}


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    home = tmp_path_factory.mktemp("household")
    counts = build_month(home)
    return AppPaths(home), counts


@pytest.fixture(scope="module")
def chromium():
    binary = find_chromium()
    if not binary:
        pytest.fail("chromium is not installed (tests/run.sh installs it)")
    return binary


def _db(paths: AppPaths) -> sqlite3.Connection:
    return sqlite3.connect(paths.database)


def _recount(paths: AppPaths, first: date, last: date) -> dict[str, dict[date, float]]:
    """Minutes per person per day straight from the sessions table (split at midnight)."""
    out: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    with _db(paths) as conn:
        for key, client, account, start, end, watched in conn.execute(
            "SELECT key, client_id, account, start, end, watched_ms FROM sessions"
        ):
            who = OWNERS.get(client) or ACCOUNTS.get(account) or "nobody"
            row = SessionRow(key, client, None, account, start, end, watched, 0, None, "stopped", False)
            day = max(first, datetime.fromisoformat(start).date())
            while day <= min(last, datetime.fromisoformat(end).date()):
                out[who][day] += share_in(row, *day_bounds(day))
                day += timedelta(days=1)
    return out


def _violations(paths: AppPaths, first: date, last: date) -> list[tuple]:
    with _db(paths) as conn:
        return conn.execute(
            "SELECT v.id, v.time, v.person, v.restriction, v.session_key, "
            "SUM(a.action = 'stop' AND a.outcome = 'ok'), SUM(a.action = 'alert' AND a.outcome = 'ok') "
            "FROM violations v LEFT JOIN actions a ON a.violation_id = v.id WHERE v.time >= ? AND v.time < ? "
            "GROUP BY v.id ORDER BY v.time",
            (first.isoformat(), (last + timedelta(days=1)).isoformat()),
        ).fetchall()


def _grants(paths: AppPaths, first: date, last: date) -> list[tuple]:
    with _db(paths) as conn:
        return conn.execute("SELECT person, day, minutes, lift_until FROM grants WHERE day >= ? AND day <= ?",
                            (first.isoformat(), last.isoformat())).fetchall()


def test_the_month_is_the_household_the_issue_describes(month):
    paths, counts = month
    assert 450 <= counts["plays"] <= 550 and 95 <= counts["violations"] <= 125
    with _db(paths) as conn:
        assert conn.execute("SELECT COUNT(*) FROM devices").fetchone()[0] == 8
        across = conn.execute("SELECT COUNT(*) FROM sessions WHERE date(start) != date(end)").fetchone()[0]
    assert across > 5  # plays across midnight are part of it
    report = build_report(paths, DAY, kind="month", now=NOW)
    assert [s.name for s in report.summaries] == ["Emma", "Leo", "Maya", "Sam", "Parents"]
    assert not report.partial and (report.start, report.end) == ("2026-11-01", "2026-11-30")


def test_summary_cards_equal_a_recount_from_the_raw_history(month):
    paths, _ = month
    first, last = MONTH
    report = build_report(paths, DAY, kind="month", now=NOW)
    minutes = _recount(paths, first, last)
    previous = _recount(paths, date(2026, 10, 1), date(2026, 10, 30))
    violations = _violations(paths, first, last)
    grants = _grants(paths, first, last)
    page = render_report(report, "html")
    text = render_report(report, "text")
    after_bedtime = _minutes_after_bedtime(paths, violations)
    for child in CHILDREN:
        card = report.summary(child.name)
        daily = minutes[child.name]
        total = sum(daily.values())
        # each day's figure is kept to 1/100 minute: 30 of them stay within a fifth of a minute
        assert card.total_minutes == pytest.approx(total, abs=0.2) and fmt_minutes(card.total_minutes) == fmt_minutes(total)
        assert card.average_minutes == pytest.approx(total / 30, abs=0.01)
        assert card.previous_minutes == pytest.approx(sum(previous[child.name].values()), abs=0.2)
        extra = defaultdict(int)
        for person, day, granted, _ in grants:
            if person == child.name:
                extra[date.fromisoformat(day)] += granted
        reached = sum(1 for d, m in daily.items() if round(m) >= child.limit + extra[d])
        assert card.days_over_limit == reached and card.daily_limit == child.limit
        mine = [v for v in violations if v[2] == child.name]
        assert card.violations == len(mine)
        assert card.stops == sum(1 for v in mine if v[5])
        assert card.alerts == sum(1 for v in mine if v[6])
        assert card.minutes_after_bedtime == pytest.approx(after_bedtime[child.name], abs=0.01)
        assert card.granted_minutes == sum(g[2] for g in grants if g[0] == child.name)
        assert card.lifted_bedtimes == sum(1 for g in grants if g[0] == child.name and g[3])
        # and the parent reads those very figures
        assert f"{fmt_minutes(total)}" in page and f"{child.name}: {fmt_minutes(total)}" in text
        assert f"Reached the daily limit ({fmt_minutes(child.limit)}) on {reached} of 30 days" in page
    # the week and the day are folded the same way
    week = build_report(paths, date(2026, 11, 18), kind="week", now=NOW)
    day = build_report(paths, DAY, now=NOW)
    for child in CHILDREN:
        week_total = sum(m for d, m in minutes[child.name].items() if date(2026, 11, 16) <= d <= date(2026, 11, 22))
        assert week.summary(child.name).total_minutes == pytest.approx(week_total, abs=0.05)
        assert day.summaries[[s.name for s in day.summaries].index(child.name)].total_minutes == pytest.approx(
            minutes[child.name][DAY], abs=0.01)


def _minutes_after_bedtime(paths: AppPaths, violations: list[tuple]) -> dict[str, float]:
    """Per child: minutes of each bedtime-breaking play from the moment it broke the rule to its end."""
    out: dict[str, float] = defaultdict(float)
    seen = set()
    with _db(paths) as conn:
        for vid, when, person, restriction, key, _, _ in violations:
            if restriction != "restrictions[0]" or (person, key) in seen:
                continue
            seen.add((person, key))
            start, end, watched = conn.execute("SELECT start, end, watched_ms FROM sessions WHERE key = ?", (key,)).fetchone()
            s, e, t = (datetime.fromisoformat(x) for x in (start, end, when))
            out[person] += watched / 60000 * (e - max(s, t)).total_seconds() / (e - s).total_seconds()
    return out


class _Rows(HTMLParser):
    """Table rows (cell texts) under each <h2> heading of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, list[list[str]]] = defaultdict(list)
        self.heading, self.in_h2, self.row, self.cell = "", False, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self.in_h2, self.heading = True, ""
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "h2":
            self.in_h2 = False
        elif tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.sections[self.heading.strip()].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.in_h2:
            self.heading += data
        if self.cell is not None:
            self.cell += data


def test_a_series_is_one_row_with_its_total_and_rating(month):
    paths, _ = month
    first, last = MONTH
    report = build_report(paths, DAY, kind="month", now=NOW)
    page = render_report(report, "html")
    parser = _Rows()
    parser.feed(page)
    with _db(paths) as conn:
        rows = conn.execute(
            "SELECT s.key, s.client_id, s.account, s.start, s.end, s.watched_ms, s.rating_key, m.grandparent_title "
            "FROM sessions s JOIN media m ON m.rating_key = s.rating_key WHERE m.type = 'episode'"
        ).fetchall()
    shows: dict[tuple[str, str], float] = defaultdict(float)
    episodes: dict[tuple[str, str], set] = defaultdict(set)
    for key, client, account, start, end, watched, rating_key, show in rows:
        who = OWNERS.get(client) or ACCOUNTS.get(account)
        row = SessionRow(key, client, rating_key, account, start, end, watched, 0, None, "stopped", False)
        inside = sum(share_in(row, *day_bounds(first + timedelta(days=n))) for n in range(30))
        if inside > 0:
            shows[(who, show)] += inside
            episodes[(who, show)].add(rating_key)
    for child in CHILDREN:
        table = parser.sections[f"{child.name}: most watched"]
        for show in child.shows:
            matching = [r for r in table if r[0] == show]
            assert len(matching) == 1, (child.name, show, table)  # one row for the whole series
            title, rating, what, _, total = matching[0]
            assert total == fmt_minutes(shows[(child.name, show)])
            assert what == f"{len(episodes[(child.name, show)])} episodes"
            assert rating == SHOWS[show][2]  # the content rating beside the series
        assert not any(re.search(r"S\d\dE\d\d", r[0]) for r in table)  # never single episodes
    text = render_report(report, "text")
    for child in CHILDREN:
        for show in child.shows:
            count = len(episodes[(child.name, show)])
            assert f"  {show} — {count} episodes, {SHOWS[show][2]}: {fmt_minutes(shows[(child.name, show)])} (" in text
    data = json.loads(render_report(build_report(paths, DAY, kind="month", now=NOW, detail=True), "json"))
    emma = next(s for s in data["summaries"] if s["name"] == "Emma")
    bluey = [t for t in emma["titles"] if t["title"] == "Bluey"]
    assert len(bluey) == 1 and bluey[0]["kind"] == "show" and bluey[0]["content_rating"] == "TV-Y"
    assert data["days"][0]["people"][0]["entries"]  # the JSON export keeps every play (keys extended only)


def test_broken_rules_are_summed_up_per_child_and_rule(month):
    paths, _ = month
    first, last = MONTH
    report = build_report(paths, DAY, kind="month", now=NOW)
    page = render_report(report, "html")
    violations = _violations(paths, first, last)
    per_rule = defaultdict(list)
    for v in violations:
        per_rule[(v[2], v[3])].append(v)
    for child in CHILDREN:
        rules = {r.restriction: r for r in report.summary(child.name).rules}
        assert set(rules) == {rule for who, rule in per_rule if who == child.name}
        for restriction, rule in rules.items():
            mine = per_rule[(child.name, restriction)]
            assert rule.count == len(mine) and rule.stops == sum(1 for v in mine if v[5])
            assert page.count(rule.sentence.replace("—", "—")) == 1  # one sentence per child and rule
        bedtime = rules["restrictions[0]"]
        nights = {(datetime.fromisoformat(v[1]) - timedelta(hours=12)).date() for v in per_rule[(child.name, "restrictions[0]")]}
        assert bedtime.sentence.startswith(f"{child.name} watched {fmt_minutes(bedtime.minutes)} after bedtime on "
                                           f"{len(nights)} school night")
        assert "stopped" in bedtime.sentence and "alerts sent" in bedtime.sentence
        assert rules["restrictions[1]"].sentence.startswith(f"{child.name} reached the daily limit ({fmt_minutes(child.limit)})")
    # the sentences in the order the rules were first broken; every event folded away, in time order
    section = page[page.index("<h2>Rules broken</h2>"):]
    firsts = sorted((r.first, r.sentence) for s in report.summaries for r in s.rules)
    positions = [section.index(sentence) for _, sentence in firsts]
    assert positions == sorted(positions)
    assert f"<details><summary>Every event ({len(violations)})</summary>" in page
    logged = re.findall(r"<li><b>(2026-11-\d\d \d\d:\d\d)</b>", section)
    assert len(logged) == len(violations) and logged == sorted(logged)


def test_quota_wording_never_contradicts_itself(month):
    paths, _ = month
    for n in range(30):
        report = build_report(paths, MONTH[0] + timedelta(days=n), now=NOW)
        text = render_report(report, "text")
        for line in (ln for ln in text.splitlines() if "Quota:" in ln):
            assert "OVER" not in line
            if "limit reached" in line:
                assert "%" not in line  # no "100 %" beside "limit reached"
            if "%" in line:
                used, limit = re.search(r"Quota: (.+?) of (.+?)(?: \(incl| today)", line).groups()
                assert used != limit
        for person in report.people:
            for q in person.quotas:
                if q.stopped_at and round(q.used) >= q.allowed:
                    assert f"limit reached — stopped at {q.stopped_at[11:16]}" in text or "over the limit by" in text


def test_one_colour_per_person_everywhere_with_enough_contrast(month):
    paths, _ = month
    full = build_report(paths, DAY, kind="week", now=NOW)
    alone = build_report(paths, DAY, kind="week", person="Maya", now=NOW)
    assert colours(full.names, full.household)["Maya"] == colours(alone.names, alone.household)["Maya"] == PALETTE[2]
    assert f'fill="{PALETTE[2]}"' in render_report(alone, "html") and f'fill="{PALETTE[0]}"' not in render_report(alone, "html")

    def luminance(colour: str) -> float:
        def channel(c: float) -> float:
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    for colour in (*PALETTE, UNLINKED_COLOUR):
        assert 1.05 / (luminance(colour) + 0.05) >= 3.0, colour  # WCAG non-text contrast on white
    # told apart without colour too: each person's lane and card is labelled and has its own pattern
    page = render_report(full, "html")
    assert len(set(re.findall(r'<pattern id="pat-(\d)-', page))) == len(full.names)  # people + linked to nobody


@pytest.mark.gui
@pytest.mark.parametrize("kind", ["day", "week", "month"])
def test_in_chromium_on_a_desktop_and_a_phone(kind, month, chromium, tmp_path):
    paths, _ = month
    report = build_report(paths, DAY if kind != "week" else date(2026, 11, 18), kind=kind, now=NOW)
    page = render_report(report, "html")
    for width in (1280, 390):
        found = measure(chromium, page, width, tmp_path)
        assert found["width"] == width
        assert found["count"] > 100  # the page's text was laid out and looked at
        assert found["min"] >= 10, found  # no text below 10 px, SVG labels included
        assert found["small"] == []
        assert found["scroll"] <= width, found  # nothing wider than the screen
        png = screenshot(chromium, page, width, 2400, tmp_path / f"{kind}-{width}.png")
        from PIL import Image

        with Image.open(png) as img:
            assert img.size == (width, 2400)
            assert len(img.convert("RGB").getcolors(maxcolors=1 << 20)) > 50  # drawn, not blank


@pytest.mark.gui
@pytest.mark.parametrize("kind", ["day", "week", "month"])
def test_axe_core_finds_nothing_serious(kind, month, chromium, tmp_path):
    source = axe_source()
    if source is None:
        pytest.fail("axe-core is not installed (tests/run.sh: npm install axe-core@4)")
    paths, _ = month
    page = render_report(build_report(paths, DAY, kind=kind, now=NOW), "html")
    assert "<details>" in page  # folded content is checked too (axe sees the whole document)
    for width in (1280, 390):
        found = axe(chromium, page, width, tmp_path, source)
        serious = [v for v in found if v["impact"] in ("serious", "critical")]
        assert serious == [], serious


def test_a_day_reads_the_same_in_its_own_report_and_in_the_month(month):
    paths, _ = month
    whole = build_report(paths, DAY, kind="month", now=NOW)
    for n in (0, 9, 16, 29):
        day = MONTH[0] + timedelta(days=n)
        alone = build_report(paths, day, now=NOW)
        inside = whole.days[n]
        for child in CHILDREN:
            a, b = alone.person(child.name), inside.person(child.name)
            # per-play minutes (rounded to 1/100 each) against the aggregates: a hundredth or two apart
            assert a.total_minutes == pytest.approx(b.total_minutes, abs=0.03)
            assert [(q.per, q.unit, q.allowed, q.stopped_at) for q in a.quotas] == \
                   [(q.per, q.unit, q.allowed, q.stopped_at) for q in b.quotas]
            assert [q.used for q in a.quotas] == pytest.approx([q.used for q in b.quotas], abs=0.03)
            assert len(a.violations) == len(b.violations)
