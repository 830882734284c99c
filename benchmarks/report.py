"""How long the reports take over a year of history (≈500k sessions). Goals: day ≤ 0.2 s,
week ≤ 0.3 s, month ≤ 1.0 s (query + fold + summary cards + text + HTML).

Builds a real SQLite history (plextray.store.db.connect + executemany; the usage_daily triggers
fill the aggregates as the rows go in) for a household of five people and a few unlinked devices,
then times a day, a week and a month, best of N runs. Baselines in the same run: the month folded
from every session (what the month report did before the aggregates, and what the JSON export
still does), and the day's rows by a full scan (`WHERE date(start) = ?`, no index).

    python benchmarks/report.py [--sessions 500000] [--runs 5] [--db PATH] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from plextray.core.report_fold import PersonLink, QuotaRule  # noqa: E402
from plextray.reports import html, queries, text  # noqa: E402
from plextray.store.db import connect  # noqa: E402

PEOPLE = [
    PersonLink("Emma", frozenset({"ipad-emma", "phone-emma"}), frozenset({"emma"}),
               (QuotaRule("day", minutes=120), QuotaRule("month", titles=60))),
    PersonLink("Leo", frozenset({"tv-leo", "switch-leo"}), frozenset({"leo"}), (QuotaRule("week", minutes=900),)),
    PersonLink("Mia", frozenset({"tablet-mia"}), frozenset({"mia"}), (QuotaRule("day", minutes=90),)),
    PersonLink("Parents", frozenset({"living-room", "study"}), frozenset({"admin"}), ()),
    PersonLink("Grandma", frozenset(), frozenset({"granny"}), ()),
]
UNLINKED = ["roku-guest", "chromecast-x", "browser-y"]
DEVICES = [d for p in PEOPLE for d in sorted(p.devices)] + UNLINKED + ["granny-tv"]
ACCOUNTS = {"granny-tv": "granny", "roku-guest": "guest", "chromecast-x": None, "browser-y": "admin"}


def build(path: Path, sessions: int, days: int, seed: int = 7) -> tuple[date, date]:
    rng = random.Random(seed)
    conn = connect(path)
    first = date(2025, 11, 26)
    per_day = max(1, sessions // days)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO devices(client_id, product, platform, device, account, first_seen, last_seen) VALUES (?,?,?,?,?,?,?)",
        [(d, "Plex for X", "X", d.replace("-", " ").title(), ACCOUNTS.get(d), "2025-11-26T00:00:00",
          "2026-11-25T00:00:00") for d in DEVICES],
    )
    media = []
    for i in range(1, 6001):
        if i % 3:
            media.append((str(i), f"Episode {i}", "episode", f"Show {i % 150}", None, i % 24 + 1, i % 9 + 1,
                          "TV Shows", "2", "[]", "TV-Y7", 22 * 60000, 2020, 0.0))
        else:
            media.append((str(i), f"Movie {i} <b>&</b>", "movie", None, None, None, None, "Movies", "1", "[]",
                          "PG", 100 * 60000, 2019, 0.0))
    conn.executemany("INSERT INTO media VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", media[:5500])  # some uncached
    rows, violations = [], []
    for d in range(days):
        day = first + timedelta(days=d)
        base = datetime(day.year, day.month, day.day)
        for n in range(per_day):
            client = rng.choice(DEVICES)
            start = base + timedelta(seconds=rng.randrange(0, 86400))
            length = rng.randrange(60, 3 * 3600)
            end = start + timedelta(seconds=length)
            watched = int(length * rng.uniform(0.5, 1.0) * 1000)
            key = str(rng.randrange(1, 6001))
            rows.append((f"{client}@{key}@{start.isoformat()}", client, key, ACCOUNTS.get(client),
                         start.isoformat(timespec="milliseconds"), end.isoformat(timespec="milliseconds"),
                         start.timestamp(), end.timestamp(), watched, watched, 22 * 60000, 0, "stopped", 0,
                         "Plex for X", "X", client, "10.0.0.2"))
            if n % 250 == 0:
                violations.append((start.isoformat(timespec="seconds"), start.timestamp(), "Emma", client,
                                   rows[-1][0], key, "time", "Emma · time window 20:30–07:00 · stopped"))
        if len(rows) >= 50000:
            conn.executemany("INSERT INTO sessions(key, client_id, rating_key, account, start, end, start_utc, end_utc, "
                             "watched_ms, max_position_ms, duration_ms, resumed, state, live, product, platform, device, ip) "
                             "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            rows = []
    if rows:
        conn.executemany("INSERT INTO sessions(key, client_id, rating_key, account, start, end, start_utc, end_utc, "
                         "watched_ms, max_position_ms, duration_ms, resumed, state, live, product, platform, device, ip) "
                         "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    for v in violations:
        cur = conn.execute("INSERT INTO violations(time, time_utc, person, client_id, session_key, rating_key, "
                           "restriction, reason) VALUES (?,?,?,?,?,?,?,?)", v)
        conn.execute("INSERT INTO actions(violation_id, time, action, outcome, detail) VALUES (?,?,?,?,?)",
                     (cur.lastrowid, v[0], "stop", "ok", ""))
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return first, first + timedelta(days=days - 1)


def best_of(runs: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=500_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, help="keep the database here (default: a temp folder)")
    parser.add_argument("--quick", action="store_true", help="50k sessions, 2 runs (a smoke run, not the figures)")
    args = parser.parse_args()
    if args.quick:
        args.sessions, args.runs = 50_000, 2
    folder = tempfile.TemporaryDirectory()
    path = args.db or Path(folder.name) / "history.sqlite3"
    if path.exists():
        os.unlink(path)
    started = time.perf_counter()
    first, last = build(path, args.sessions, args.days)
    conn = connect(path)
    count = conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
    print(f"history: {count} sessions over {args.days} days ({first} – {last}), "
          f"{path.stat().st_size / 1e6:.0f} MB, built in {time.perf_counter() - started:.1f} s")
    day = last - timedelta(days=40)
    now = datetime.combine(last, datetime.min.time()).isoformat()

    def day_report():
        report = queries.day_report(conn, day, PEOPLE, generated=now)
        return report, text.render_day(report), html.render_day(report)

    def period(kind):
        def run():
            a, b = queries.period_bounds(kind, day)
            report = queries.period_report(conn, kind, a, b, PEOPLE, generated=now)
            return report, text.render_period(report), html.render_period(report)
        return run

    def month_from_sessions():
        a, b = queries.period_bounds("month", day)
        report = queries.period_report(conn, "month", a, b, PEOPLE, generated=now, detail=True)
        return report, text.render_period(report), html.render_period(report)

    def baseline():
        return conn.execute("SELECT key, client_id, rating_key, watched_ms FROM sessions WHERE date(start) = ?",
                            (day.isoformat(),)).fetchall()

    def indexed():
        lo = datetime.combine(day, datetime.min.time())
        return queries.sessions_between(conn, lo, lo + timedelta(days=1))

    figures = {}
    figures["day"], (report, txt, page) = best_of(args.runs, day_report)
    entries = sum(len(p.entries) for p in report.people)
    figures["week"], _ = best_of(args.runs, period("week"))
    figures["month"], (month, _, _) = best_of(args.runs, period("month"))
    figures["baseline_month_from_sessions"], (slow, _, _) = best_of(max(1, args.runs // 2), month_from_sessions)
    assert all(abs(month.total(n) - slow.total(n)) < 1 for n in month.names)  # per-day figures kept to 1/100 min
    figures["baseline_fullscan_query"], rows = best_of(args.runs, baseline)
    figures["indexed_query"], indexed_rows = best_of(args.runs, indexed)
    def verdict(kind: str, goal: float) -> str:
        return f"goal ≤ {goal * 1000:.0f} ms: {'OK' if figures[kind] <= goal else 'MISSED'}"

    print(f"day report {day}: {figures['day'] * 1000:.0f} ms (query + fold + cards + text + HTML; "
          f"{entries} plays, {len(txt) / 1e3:.0f} kB text, {len(page) / 1e3:.0f} kB HTML) — {verdict('day', 0.2)}")
    print(f"week report: {figures['week'] * 1000:.0f} ms — {verdict('week', 0.3)}")
    print(f"month report: {figures['month'] * 1000:.0f} ms — {verdict('month', 1.0)}")
    print(f"baseline: the same month folded from every session (as before the usage aggregates; the JSON "
          f"export's detail mode): {figures['baseline_month_from_sessions'] * 1000:.0f} ms, same totals")
    print(f"baseline (the day's rows by a full scan, date(start) = ?, no index): "
          f"{figures['baseline_fullscan_query'] * 1000:.0f} ms for {len(rows)} rows; the report's indexed read "
          f"(start range, incl. plays begun the day before): {figures['indexed_query'] * 1000:.1f} ms for {len(indexed_rows)} rows")
    print(json.dumps({k: round(v, 4) for k, v in figures.items()}))
    conn.close()
    return 0


if __name__ == "__main__":
    from _results import run_recorded

    raise SystemExit(run_recorded(main))
