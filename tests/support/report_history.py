"""Builds a real history database (plextray.store.db.connect + plain INSERTs) for report and mail tests."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from plextray.store.db import connect

DAY = "2026-03-10"  # a Tuesday

PROFILES = {
    "version": 1,
    "people": [
        {
            "name": "Emma",
            "devices": ["ipad-emma"],
            "accounts": ["emma"],
            "restrictions": [
                {"type": "time", "days": "weeknights", "from": "20:30", "to": "07:00", "actions": ["notify", "stop"]},
                {"type": "quota", "minutes": 120, "per": "day", "actions": ["notify", "stop"]},
                {"type": "quota", "titles": 20, "per": "month", "actions": ["alert"]},
            ],
        },
        {"name": "Leo", "devices": ["tv-leo"], "accounts": ["leo"], "restrictions": []},
        {"name": "Parents", "devices": [], "accounts": ["admin"], "restrictions": []},
    ],
    "unknown_devices": {"actions": ["notify"]},
    "settings": {"stop_message": "Time's up!", "grace_seconds": 0},
}

NASTY_TITLE = '<script>alert("x")</script> & <img src="http://evil.example/x.png">'


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def add_device(conn, client_id: str, name: str, product: str = "Plex for iOS", platform: str = "iOS",
               account: str | None = None) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO devices(client_id, product, platform, device, ip, account, first_seen, last_seen) "
        "VALUES (?,?,?,?,?,?,?,?)",
        (client_id, product, platform, name, "192.168.1.20", account, "2026-03-01T00:00:00", "2026-03-10T00:00:00"),
    )


def add_media(conn, rating_key: str, title: str, type_: str = "movie", show: str | None = None,
              season: int | None = None, episode: int | None = None, duration_min: float | None = None) -> None:
    conn.execute(
        "INSERT INTO media(rating_key, title, type, grandparent_title, parent_idx, idx, duration_ms, fetched_utc) "
        "VALUES (?,?,?,?,?,?,?,?)",
        (rating_key, title, type_, show, season, episode,
         int(duration_min * 60000) if duration_min else None, 0.0),
    )


def add_session(conn, client_id: str, rating_key: str | None, start: str, end: str, watched_min: float, *,
                position_min: float = 0.0, duration_min: float | None = None, account: str | None = None,
                device: str | None = None, product: str = "Plex for iOS", platform: str = "iOS", live: bool = False,
                key: str | None = None) -> str:
    key = key or f"{client_id}@{rating_key}@{start}"
    conn.execute(
        "INSERT INTO sessions(key, client_id, rating_key, account, start, end, start_utc, end_utc, watched_ms, "
        "max_position_ms, duration_ms, resumed, state, live, product, platform, device, ip) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (key, client_id, rating_key, account, start, end, _epoch(start), _epoch(end), int(watched_min * 60000),
         int(position_min * 60000), int(duration_min * 60000) if duration_min else None, 0,
         "playing" if live else "stopped", int(live), product, platform, device, "192.168.1.20"),
    )
    return key


def add_violation(conn, time: str, person: str | None, client_id: str, session_key: str | None,
                  rating_key: str | None, restriction: str, reason: str,
                  actions: list[tuple[str, str, str]] = ()) -> int:
    cur = conn.execute(
        "INSERT INTO violations(time, time_utc, person, client_id, session_key, rating_key, restriction, reason) "
        "VALUES (?,?,?,?,?,?,?,?)",
        (time, _epoch(time), person, client_id, session_key, rating_key, restriction, reason),
    )
    for action, outcome, detail in actions:
        conn.execute(
            "INSERT INTO actions(violation_id, time, action, outcome, detail) VALUES (?,?,?,?,?)",
            (cur.lastrowid, time, action, outcome, detail),
        )
    return cur.lastrowid


def build_household(home: Path) -> dict[str, str]:
    """The scenario the report tests check (numbers in comments are what the report must show)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "profiles.json").write_text(json.dumps(PROFILES, indent=2), encoding="utf-8")
    conn = connect(home / "history.sqlite3")
    conn.execute("BEGIN")
    add_device(conn, "ipad-emma", "Emma's iPad", account="emma")
    add_device(conn, "tv-leo", "Leo's TV", product="Plex for Samsung", platform="Tizen", account="leo")
    add_device(conn, "living-room", "Living room", product="Plex for LG", platform="webOS")
    add_device(conn, "roku-xyz", "Roku Ultra", product="Plex for Roku", platform="Roku", account="guest")
    add_device(conn, "desktop", "Study PC", product="Plex Web", platform="Chrome", account="admin")
    add_media(conn, "100", "Dance Mode", "episode", show="Bluey", season=2, episode=5, duration_min=7)
    add_media(conn, "200", "Frozen", "movie", duration_min=102)
    add_media(conn, "300", NASTY_TITLE, "movie", duration_min=60)
    add_media(conn, "500", "Pup Pup Boogie", "episode", show="Paw Patrol", season=1, episode=3, duration_min=22)
    keys = {}
    # history begins 2026-03-01 with Emma watching Frozen
    add_session(conn, "ipad-emma", "200", "2026-03-01T15:00:00", "2026-03-01T16:00:00", 60,
                position_min=60, account="emma", device="Emma's iPad")
    # Emma on the day: 7 + 2 + 55 = 64 minutes
    add_session(conn, "ipad-emma", "100", f"{DAY}T07:30:00", f"{DAY}T07:37:00", 7, position_min=7,
                account="emma", device="Emma's iPad")
    keys["stopped"] = add_session(conn, "ipad-emma", "200", f"{DAY}T20:31:00", f"{DAY}T20:33:00", 2,
                                  position_min=2, account="emma", device="Emma's iPad")
    add_session(conn, "living-room", "500", f"{DAY}T16:00:00", f"{DAY}T17:00:00", 55, position_min=22,
                account="emma", device="Living room", product="Plex for LG")
    # Leo across midnight: 60 min from 23:30 to 00:30 -> 30 on the 9th, 30 on the 10th
    add_session(conn, "tv-leo", "500", "2026-03-09T23:30:00", f"{DAY}T00:30:00", 60, position_min=22,
                account="leo", device="Leo's TV", product="Plex for Samsung")
    # a guest's Roku, linked to nobody, uncached item
    add_session(conn, "roku-xyz", "400", f"{DAY}T12:00:00", f"{DAY}T12:40:00", 40, position_min=40,
                duration_min=80, account="guest", device="Roku Ultra", product="Plex for Roku", platform="Roku")
    # a parent, with a title full of markup
    add_session(conn, "desktop", "300", f"{DAY}T21:00:00", f"{DAY}T22:00:00", 45, position_min=50,
                account="admin", device="Study PC", product="Plex Web")
    # the next day must not leak into the day
    add_session(conn, "ipad-emma", "100", "2026-03-11T08:00:00", "2026-03-11T08:07:00", 7, position_min=7,
                account="emma", device="Emma's iPad")
    add_violation(conn, f"{DAY}T20:31:05", "Emma", "ipad-emma", keys["stopped"], "200", "time",
                  "Emma · time window 20:30–07:00 on weeknights · stopped at 20:33 on Emma's iPad",
                  [("notify", "ok", ""), ("alert", "failed", "endpoint down"), ("stop", "ok", "terminated")])
    conn.execute("INSERT INTO grants(person, day, minutes, created) VALUES ('Emma', ?, 30, ?)",
                 (DAY, f"{DAY}T18:00:00"))
    conn.execute("COMMIT")
    conn.close()
    return keys
