"""A realistic household's two months (October and November 2026), randomised with a fixed seed.

Four children and the parents, 8 devices (a shared living-room TV watched under each child's
account, a guest's Roku linked to nobody), ~500 plays in November, shows watched episode after
episode, films, plays across midnight, bedtimes broken and quotas run out — each recorded the way
the engine records them (violation at the moment the rule broke, notify/alert/stop actions, the
stopped play ending shortly after) — plus grants and lifted bedtimes. Written through the real
HistoryStore (so the usage aggregates are maintained by their triggers) and plain INSERTs for
the enforcement tables.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from plextray.core.model import Device, WatchSession
from plextray.store.db import connect
from plextray.store.history import HistoryStore

SEED = 16
FIRST = date(2026, 10, 1)
MONTH = (date(2026, 11, 1), date(2026, 11, 30))
NOW = datetime(2026, 12, 1, 8, 0)  # November is over
DAY = date(2026, 11, 17)  # a Tuesday

SHOWS = {  # show: (episodes, minutes, rating)
    "Bluey": (52, 7, "TV-Y"),
    "Paw Patrol": (40, 22, "TV-Y"),
    "Avatar: The Last Airbender": (61, 23, "TV-Y7"),
    "Pokémon Horizons": (45, 22, "TV-Y7"),
    "Stranger Things": (34, 50, "TV-14"),
    "The Crown": (60, 55, "TV-MA"),
}
MOVIES = {"Frozen": (102, "PG"), "Moana": (107, "PG"), "Coco": (105, "PG"), "Spider-Verse": (117, "PG"),
          "Oppenheimer": (180, "R"), "Paddington 2": (104, "PG")}


@dataclass(frozen=True)
class Child:
    name: str
    devices: tuple[str, ...]
    account: str
    bedtime: tuple[str, str]  # weeknights (Sun–Thu)
    limit: int  # minutes a day
    shows: tuple[str, ...]
    late: float  # chance an evening goes on past bedtime


CHILDREN = (
    Child("Emma", ("ipad-emma",), "emma", ("20:30", "07:00"), 110, ("Bluey", "Avatar: The Last Airbender"), 0.7),
    Child("Leo", ("tablet-leo",), "leo", ("20:00", "07:00"), 90, ("Paw Patrol", "Pokémon Horizons"), 0.65),
    Child("Maya", ("phone-maya", "laptop-maya"), "maya", ("21:30", "07:00"), 180, ("Stranger Things",), 0.7),
    Child("Sam", ("ipad-sam",), "sam", ("19:30", "07:00"), 70, ("Bluey", "Paw Patrol"), 0.6),
)
DEVICE_NAMES = {
    "ipad-emma": ("Emma's iPad", "Plex for iOS", "iOS"), "tablet-leo": ("Leo's tablet", "Plex for Android", "Android"),
    "phone-maya": ("Maya's phone", "Plex for Android", "Android"), "laptop-maya": ("Maya's laptop", "Plex Web", "Firefox"),
    "ipad-sam": ("Sam's iPad", "Plex for iOS", "iOS"), "tv-living": ("Living room TV", "Plex for LG", "webOS"),
    "desktop-parents": ("Study PC", "Plex Web", "Chrome"), "roku-guest": ("Roku Ultra", "Plex for Roku", "Roku"),
}


def profiles() -> dict:
    people = []
    for child in CHILDREN:
        people.append({
            "name": child.name, "devices": list(child.devices), "accounts": [child.account],
            "restrictions": [
                {"type": "time", "days": "weeknights", "from": child.bedtime[0], "to": child.bedtime[1],
                 "actions": ["notify", "alert", "stop"]},
                {"type": "quota", "minutes": child.limit, "per": "day", "actions": ["notify", "stop"]},
                {"type": "rating", "max": "TV-14" if child.name == "Maya" else "PG", "actions": ["notify", "alert"]},
            ],
        })
    people.append({"name": "Parents", "devices": ["desktop-parents"], "accounts": ["admin"], "restrictions": []})
    return {"version": 1, "people": people, "unknown_devices": {"actions": ["notify"]},
            "settings": {"stop_message": "Time's up!", "grace_seconds": 0}}


def _clock(day: date, text: str) -> datetime:
    hours, minutes = (int(x) for x in text.split(":"))
    return datetime(day.year, day.month, day.day) + timedelta(hours=hours, minutes=minutes)


def _bedtime(child: Child, moment: datetime) -> tuple[datetime, datetime] | None:
    """The weeknight (Sun–Thu) bedtime window containing `moment`, if any."""
    for start_day in (moment.date(), moment.date() - timedelta(days=1)):
        if start_day.weekday() not in (6, 0, 1, 2, 3):
            continue
        begin = _clock(start_day, child.bedtime[0])
        end = _clock(start_day + timedelta(days=1), child.bedtime[1])
        if begin <= moment < end:
            return begin, end
    return None


class _Writer:
    def __init__(self, conn) -> None:
        self.conn = conn
        self.store = HistoryStore(conn)
        self.sessions: list[WatchSession] = []

    def media(self) -> dict[str, list[str]]:
        keys: dict[str, list[str]] = {}
        rows = []
        n = 1000
        for show, (episodes, minutes, rating) in SHOWS.items():
            for e in range(episodes):
                n += 1
                keys.setdefault(show, []).append(str(n))
                rows.append((str(n), f"Episode {e + 1}", "episode", show, f"Season {e // 12 + 1}", e % 12 + 1,
                             e // 12 + 1, "TV Shows", "2", "[]", rating, minutes * 60000, 2020, 0.0))
        for title, (minutes, rating) in MOVIES.items():
            n += 1
            keys[title] = [str(n)]
            rows.append((str(n), title, "movie", None, None, None, None, "Movies", "1", "[]", rating, minutes * 60000,
                         2019, 0.0))
        self.conn.executemany("INSERT INTO media VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        return keys

    def play(self, client: str, account: str | None, key: str, start: datetime, end: datetime, watched_share: float,
             duration_min: int) -> WatchSession:
        name, product, platform = DEVICE_NAMES[client]
        watched = int((end - start).total_seconds() * 1000 * watched_share)
        session = WatchSession(
            key=f"{client}@{key}@{start.isoformat()}", client_id=client, rating_key=key,
            start=start.isoformat(timespec="milliseconds"), end=end.isoformat(timespec="milliseconds"),
            start_utc=start.timestamp(), end_utc=end.timestamp(), watched_ms=watched, max_position_ms=watched,
            duration_ms=duration_min * 60000, state="stopped", live=False, account=account, product=product,
            platform=platform, device=name, ip="192.168.1.30",
        )
        self.sessions.append(session)
        return session

    def violation(self, when: datetime, person: str, session: WatchSession, restriction: str, reason: str,
                  actions: list[tuple[str, str]]) -> None:
        cur = self.conn.execute(
            "INSERT INTO violations(time, time_utc, person, client_id, session_key, rating_key, restriction, reason) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (when.isoformat(timespec="seconds"), when.timestamp(), person, session.client_id, session.key,
             session.rating_key, restriction, reason),
        )
        for offset, (action, outcome) in enumerate(actions):
            self.conn.execute(
                "INSERT INTO actions(violation_id, time, action, outcome, detail) VALUES (?,?,?,?,?)",
                (cur.lastrowid, (when + timedelta(seconds=offset)).isoformat(timespec="seconds"), action, outcome, ""),
            )


def _child_day(w: _Writer, rng: random.Random, child: Child, day: date, keys: dict[str, list[str]],
               progress: dict[tuple[str, str], int], granted: int, lifted: bool) -> None:
    """One child's day: plays back to back from the afternoon, enforced as the engine would."""
    weekend = day.weekday() >= 5
    moment = _clock(day, "09:30" if weekend else "15:30") + timedelta(minutes=rng.randrange(0, 150))
    plays = rng.choice((3, 3, 4, 5, 5, 6)) + (2 if weekend else 0)
    used = 0.0
    allowed = child.limit + granted
    goes_late = rng.random() < child.late
    quota_stopped = False
    for n in range(plays):
        if quota_stopped:
            break
        if n == plays - 1 and goes_late:  # the evening's last play starts close to (or past) bedtime
            moment = max(moment, _clock(day, child.bedtime[0]) - timedelta(minutes=rng.randrange(-25, 30)))
        peeks = child.name != "Maya" and rng.random() < 0.05  # a look at the big sister's show
        if rng.random() < 0.82 or peeks:
            show = "Stranger Things" if peeks else rng.choice(child.shows)
            episodes, minutes, rating = SHOWS[show]
            index = progress.get((child.name, show), 0)
            progress[(child.name, show)] = index + 1
            key = keys[show][index % episodes]
        else:
            title = rng.choice(["Frozen", "Moana", "Coco", "Spider-Verse", "Paddington 2"])
            minutes, rating = MOVIES[title]
            key = keys[title][0]
        client = rng.choice(child.devices + ("tv-living",))
        account = child.account
        start = moment
        end = start + timedelta(minutes=minutes * rng.uniform(0.6, 1.0))
        share = rng.uniform(0.9, 1.0)
        stops: list[tuple[datetime, str, str, list[tuple[str, str]]]] = []
        window = _bedtime(child, start) or _bedtime(child, end - timedelta(seconds=1))
        if window and not lifted:
            broke = max(start, window[0])
            if broke < end:
                stops.append((broke, "restrictions[0]", f"{child.name} · bedtime {child.bedtime[0]}–{child.bedtime[1]}",
                              [("notify", "ok"), ("alert", "ok" if rng.random() > 0.1 else "failed: endpoint down"),
                               ("stop", "ok")]))
        if peeks:
            stops.append((start, "restrictions[2]", f"{child.name} · rating TV-14 > PG", [("notify", "ok"), ("alert", "ok")]))
        length_min = (end - start).total_seconds() / 60 * share
        if used + length_min > allowed:
            at = start + (end - start) * ((allowed - used) / length_min)
            stops.append((at, "restrictions[1]", f"{child.name} · {child.limit} min/day quota used ({allowed} min)",
                          [("notify", "ok"), ("stop", "ok")]))
            quota_stopped = True
        stopping = [s for s in stops if s[1] != "restrictions[2]"]  # the rating rule only tells
        if stopping:
            stops.sort(key=lambda s: s[0])
            first_stop = min(s[0] for s in stopping)
            end = max(start + timedelta(minutes=1), first_stop + timedelta(seconds=rng.randrange(20, 150)))
            stops = [s for s in stops if s[0] < end]
        session = w.play(client, account, key, start, end, share, minutes)
        used += (end - start).total_seconds() / 60 * share
        for at, restriction, reason, actions in stops:
            w.violation(at, child.name, session, restriction, reason, actions)
        if any(s[1] == "restrictions[0]" for s in stops):
            break  # sent to bed
        moment = end + timedelta(minutes=rng.randrange(2, 40))


def build_month(home: Path, seed: int = SEED) -> dict[str, int]:
    """Write profiles.json and the history (Oct–Nov 2026) into `home`. Returns a few counts."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "profiles.json").write_text(json.dumps(profiles(), indent=2), encoding="utf-8")
    rng = random.Random(seed)
    conn = connect(home / "history.sqlite3")
    w = _Writer(conn)
    conn.execute("BEGIN")
    for client, (name, product, platform) in DEVICE_NAMES.items():
        w.store.upsert_device(Device(client, product, platform, name, "192.168.1.30", None,
                                     "2026-10-01T00:00:00", "2026-11-30T23:00:00"))
    keys = w.media()
    progress: dict[tuple[str, str], int] = {}
    day = FIRST
    while day <= MONTH[1]:
        for child in CHILDREN:
            granted = 30 if rng.random() < 0.06 else 0
            lifted = rng.random() < 0.04
            if granted or lifted:
                lift = _clock(day, "22:30").isoformat(timespec="seconds") if lifted else None
                conn.execute("INSERT INTO grants(person, day, minutes, lift_until, created) VALUES (?,?,?,?,?)",
                             (child.name, day.isoformat(), granted, lift, _clock(day, "17:00").isoformat()))
            _child_day(w, rng, child, day, keys, progress, granted, lifted)
        for evening in range(rng.choice((0, 1, 2, 2))):  # the parents, late, sometimes past midnight
            start = _clock(day, "20:00" if evening == 0 else "22:10") + timedelta(minutes=rng.randrange(0, 60))
            title = rng.choice(["The Crown", "The Crown", "Oppenheimer"])
            minutes = SHOWS[title][1] if title in SHOWS else MOVIES[title][0]
            key = rng.choice(keys[title])
            w.play(rng.choice(("desktop-parents", "tv-living")), "admin", key, start,
                   start + timedelta(minutes=minutes), 0.97, minutes)
        if rng.random() < 0.3:  # a guest on the Roku
            start = _clock(day, "14:00") + timedelta(minutes=rng.randrange(0, 240))
            w.play("roku-guest", "guest", keys["Moana"][0], start, start + timedelta(minutes=80), 1.0, 107)
        day += timedelta(days=1)
    w.store.upsert_sessions(w.sessions)
    conn.execute("COMMIT")
    lo, hi = MONTH[0].isoformat(), (MONTH[1] + timedelta(days=1)).isoformat()
    counts = {
        "plays": conn.execute("SELECT COUNT(*) FROM sessions WHERE start >= ? AND start < ?", (lo, hi)).fetchone()[0],
        "violations": conn.execute("SELECT COUNT(*) FROM violations WHERE time >= ? AND time < ?", (lo, hi)).fetchone()[0],
    }
    conn.close()
    return counts
