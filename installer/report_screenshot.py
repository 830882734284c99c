"""Make the README's report screenshot: a demo household's day, rendered by headless Chromium.

    python installer/report_screenshot.py [--out assets/screenshots/report.png]

Builds a throw-away history (real SQLite via plextray.store.db) in a temp PLEXTRAY_HOME, writes the
day's HTML report, and screenshots it at 1200×1400.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

DAY = "2026-03-13"  # a Friday


def build_demo(home: Path) -> None:
    from support.report_history import add_device, add_media, add_session, add_violation

    from plextray.store.db import connect

    profiles = {
        "version": 1,
        "people": [
            {"name": "Emma", "devices": ["ipad-emma"], "accounts": ["emma"], "restrictions": [
                {"type": "time", "days": "weeknights", "from": "20:30", "to": "07:00", "actions": ["notify", "stop"]},
                {"type": "quota", "minutes": 120, "per": "day", "actions": ["notify", "stop"]}]},
            {"name": "Leo", "devices": ["tv-leo"], "accounts": ["leo"], "restrictions": [
                {"type": "quota", "minutes": 90, "per": "day", "actions": ["notify", "stop"]}]},
            {"name": "Parents", "devices": ["living-room"], "accounts": ["admin"], "restrictions": []},
        ],
        "unknown_devices": {"actions": ["notify"]},
    }
    home.mkdir(parents=True, exist_ok=True)
    (home / "profiles.json").write_text(json.dumps(profiles), encoding="utf-8")
    conn = connect(home / "history.sqlite3")
    conn.execute("BEGIN")
    add_device(conn, "ipad-emma", "Emma's iPad", account="emma")
    add_device(conn, "tv-leo", "Leo's TV", product="Plex for Samsung", platform="Tizen", account="leo")
    add_device(conn, "living-room", "Living room TV", product="Plex for LG", platform="webOS", account="admin")
    add_device(conn, "roku-guest", "Roku Express", product="Plex for Roku", platform="Roku", account="guest")
    for key, title, kind, show, s, e, minutes in [
        ("1", "Sleepytime", "episode", "Bluey", 2, 26, 7), ("2", "Camping", "episode", "Bluey", 2, 6, 7),
        ("3", "Encanto", "movie", None, None, None, 99), ("4", "Pups Save a Train", "episode", "Paw Patrol", 3, 11, 22),
        ("5", "The Great British Bake Off: Cake Week", "episode", "The Great British Bake Off", 12, 1, 58),
        ("6", "Paddington 2", "movie", None, None, None, 104), ("7", "Oppenheimer", "movie", None, None, None, 180),
    ]:
        add_media(conn, key, title.split(": ")[-1] if show else title, kind, show=show, season=s, episode=e,
                  duration_min=minutes)
    add_session(conn, "ipad-emma", "1", "2026-03-01T10:00:00", "2026-03-01T10:07:00", 7, position_min=7, account="emma")
    D = DAY
    add_session(conn, "ipad-emma", "1", f"{D}T07:05:00", f"{D}T07:12:00", 7, position_min=7, account="emma", device="Emma's iPad")
    add_session(conn, "ipad-emma", "2", f"{D}T07:12:00", f"{D}T07:19:00", 7, position_min=7, account="emma", device="Emma's iPad")
    add_session(conn, "ipad-emma", "3", f"{D}T16:10:00", f"{D}T17:40:00", 86, position_min=86, account="emma", device="Emma's iPad")
    stop = add_session(conn, "ipad-emma", "6", f"{D}T20:34:00", f"{D}T20:41:00", 7, position_min=7, account="emma",
                       device="Emma's iPad")
    add_session(conn, "tv-leo", "4", f"{D}T06:40:00", f"{D}T07:02:00", 22, position_min=22, account="leo", device="Leo's TV",
                product="Plex for Samsung", platform="Tizen")
    add_session(conn, "tv-leo", "6", f"{D}T15:30:00", f"{D}T17:05:00", 95, position_min=95, account="leo", device="Leo's TV",
                product="Plex for Samsung", platform="Tizen")
    add_session(conn, "living-room", "6", f"{D}T18:00:00", f"{D}T19:45:00", 102, position_min=104, account="admin",
                device="Living room TV", product="Plex for LG", platform="webOS")
    add_session(conn, "living-room", "7", f"{D}T21:15:00", f"{D}T23:59:00", 160, position_min=160, account="admin",
                device="Living room TV", product="Plex for LG", platform="webOS")
    add_session(conn, "roku-guest", "5", f"{D}T13:00:00", f"{D}T13:58:00", 58, position_min=58, account="guest",
                device="Roku Express", product="Plex for Roku", platform="Roku")
    add_violation(conn, f"{D}T20:34:10", "Emma", "ipad-emma", stop, "6", "time",
                  "Emma · bedtime 20:30–07:00 on weeknights · stopped on Emma's iPad",
                  [("notify", "ok", ""), ("stop", "ok", "terminated")])
    conn.execute("COMMIT")
    conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "screenshots" / "report.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PLEXTRAY_HOME"] = str(Path(tmp) / "home")
        from plextray.paths import AppPaths
        from plextray.reports.browser import chromium_screenshot
        from plextray.reports.build import build_report, write_html

        paths = AppPaths.default()
        build_demo(paths.home)
        report = build_report(paths, date.fromisoformat(DAY), now=datetime(2026, 3, 13, 23, 59))
        page = write_html(paths, report, Path(tmp) / "report.html")
        chromium_screenshot(page, args.out, size=(1200, 1400))
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
