"""Who in a household plays what, when: the timeline reports their Plex apps send.

Why a model and not random heartbeats: a parser and an importer are only measured fairly on a
log whose playback looks like the real thing. Real Plex apps report `/:/timeline` every ~10 s
while playing (and at once on every state change), less often (~30 s) while paused, with the
position advancing by the time played; plays have real lengths (episodes 20–45 min, films
90–150 min, music tracks a few minutes, one after another); a household has a few plays at
once in the evening and little at night. Each app keeps a keep-alive connection: the same
client port for a while, its `(pipelined: N)` growing with every request sent on it.

Pure and deterministic: all randomness comes from the `random.Random` passed in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

PLAYING_EVERY_S = 10.0  # a playing app's report interval
PAUSED_EVERY_S = 30.0  # a paused app's report interval
KEEP_ALIVE_IDLE_S = 120.0  # a connection idle this long is closed; the next request opens another

# Chance, at each check of an idle device (every 10–30 min), that someone starts watching; by hour.
_START_CHANCE = (
    0.01, 0.01, 0.005, 0.005, 0.005, 0.01,  # 00–05: hardly anyone
    0.10, 0.12, 0.08,  # 06–08: breakfast cartoons, music
    0.04, 0.04, 0.04, 0.05, 0.05, 0.05, 0.06,  # 09–15: the odd daytime play
    0.15, 0.25,  # 16–17
    0.45, 0.55, 0.55, 0.50, 0.35,  # 18–22: the evening
    0.12,  # 23
)


@dataclass(frozen=True)
class _Kind:
    metadata_type: int  # Statistics "of type N": 1 movie, 4 episode, 10 track
    min_s: int
    max_s: int
    min_plays: int  # plays in one sitting (a binge, an album)
    max_plays: int
    gap_s: tuple[float, float]  # between two plays of a sitting (autoplay countdown, track change)
    pause_per_s: float  # chance of a pause per second played
    resume_chance: float  # chance the first play starts mid-way (continue watching)
    early_stop_chance: float


KINDS = {
    "episode": _Kind(4, 20 * 60, 45 * 60, 1, 4, (5.0, 40.0), 1 / 2400, 0.3, 0.1),
    "movie": _Kind(1, 90 * 60, 150 * 60, 1, 1, (0.0, 0.0), 1 / 2700, 0.3, 0.12),
    "track": _Kind(10, 150, 360, 6, 15, (0.2, 1.5), 1 / 5400, 0.0, 0.05),
}


@dataclass(frozen=True)
class Report:
    """One `/:/timeline` call an app makes (what `traffic.playback_lines` writes)."""

    when: datetime
    device: Device
    state: str
    position_ms: int
    duration_ms: int
    rating_key: str
    metadata_type: int
    play_queue_item: int
    session_ident: str
    port: int
    pipelined: int


class Device:
    """One Plex app in the household; `act()` at `due` moves it on and maybe returns a report."""

    def __init__(
        self, *, account: str, account_id: int, device_name: str, product: str, platform: str, ip: str,
        tastes: dict[str, float], start: datetime, rng: random.Random,
    ) -> None:
        self.account, self.account_id, self.device_name = account, account_id, device_name
        self.product, self.platform, self.ip = product, platform, ip
        self.client_id = f"{rng.getrandbits(120):030x}"[:24]
        self.session_ident = ""
        self._tastes = tastes
        self.due = start + timedelta(seconds=rng.uniform(0, 900))
        self._mode = "idle"  # idle | between | playing | paused
        self._kind = KINDS["episode"]
        self._plays_left = 0
        self._rating = 0
        self._queue_item = rng.randint(1000, 90000)
        self._duration = 0
        self._stop_at = 0
        self._position = 0
        self._last = start
        self._pausing = False
        self._resume_at = start
        self._port = 0
        self._pipelined = 0
        self._conn_last = start
        self._conn_until = start

    # -- the state machine ---------------------------------------------------------------
    def act(self, now: datetime, rng: random.Random) -> Report | None:
        """Whatever happens at `now` (>= due): a report to log, or None (nobody started watching)."""
        mode = self._mode
        if mode == "idle":
            if rng.random() >= _START_CHANCE[now.hour]:
                self.due = now + timedelta(minutes=rng.uniform(10, 30))
                return None
            self._begin_sitting(rng)
            return self._start_play(now, rng, first=True)
        if mode == "between":
            return self._start_play(now, rng, first=False)
        if mode == "playing":
            self._position = min(self._stop_at, self._position + _ms(now - self._last))
            self._last = now
            if self._position >= self._stop_at:
                return self._end_play(now, rng)
            if self._pausing:
                self._pausing = False
                self._mode = "paused"
                self._resume_at = now + timedelta(seconds=rng.choice((rng.uniform(20, 120), rng.uniform(60, 900))))
                self.due = min(now + timedelta(seconds=PAUSED_EVERY_S), self._resume_at)
                return self._report(now, rng, "paused")
            self._schedule_playing(now, rng)
            return self._report(now, rng, "playing")
        # paused: the position stands still
        self._last = now
        if now >= self._resume_at:
            self._mode = "playing"
            self._schedule_playing(now, rng)
            return self._report(now, rng, "playing")
        self.due = min(now + timedelta(seconds=PAUSED_EVERY_S), self._resume_at)
        return self._report(now, rng, "paused")

    def _begin_sitting(self, rng: random.Random) -> None:
        name = rng.choices(list(self._tastes), list(self._tastes.values()))[0]
        self._kind = KINDS[name]
        self._plays_left = rng.randint(self._kind.min_plays, self._kind.max_plays)
        self._rating = rng.randint(100, 90000)
        self.session_ident = f"{rng.getrandbits(120):030x}"[:24]  # the app was (re)opened

    def _start_play(self, now: datetime, rng: random.Random, *, first: bool) -> Report:
        kind = self._kind
        self._plays_left -= 1
        self._rating += 1  # the next episode / track
        self._queue_item += 1
        self._duration = rng.randint(kind.min_s * 1000, kind.max_s * 1000)
        self._position = 0
        if first and rng.random() < kind.resume_chance:
            self._position = int(self._duration * rng.uniform(0.1, 0.7))
        self._stop_at = self._duration
        if rng.random() < kind.early_stop_chance:
            self._stop_at = rng.randint(self._position, self._duration)
            self._plays_left = 0
        self._mode = "playing"
        self._last = now
        self._schedule_playing(now, rng)
        return self._report(now, rng, "playing")

    def _end_play(self, now: datetime, rng: random.Random) -> Report:
        report = self._report(now, rng, "stopped")
        if self._plays_left > 0:
            self._mode = "between"
            self.due = now + timedelta(seconds=rng.uniform(*self._kind.gap_s))
        else:
            self._mode = "idle"
            self.due = now + timedelta(minutes=rng.uniform(5, 60))
        return report

    def _schedule_playing(self, now: datetime, rng: random.Random) -> None:
        """The next event: the 10-s tick, the end of the play, or a pause, whichever comes first."""
        tick = PLAYING_EVERY_S + rng.randint(0, 15) / 1000
        to_end = (self._stop_at - self._position) / 1000
        self._pausing = False
        step = tick
        if to_end <= tick:
            step = to_end
        elif rng.random() < self._kind.pause_per_s * PLAYING_EVERY_S:
            step = rng.uniform(0.5, PLAYING_EVERY_S - 0.1)
            self._pausing = True
        self.due = now + timedelta(seconds=step)

    # -- the wire -------------------------------------------------------------------------
    def _report(self, now: datetime, rng: random.Random, state: str) -> Report:
        port, pipelined = self._connection(now, rng)
        return Report(
            when=now, device=self, state=state, position_ms=self._position, duration_ms=self._duration,
            rating_key=str(self._rating), metadata_type=self._kind.metadata_type,
            play_queue_item=self._queue_item, session_ident=self.session_ident, port=port, pipelined=pipelined,
        )

    def _connection(self, now: datetime, rng: random.Random) -> tuple[int, int]:
        """The keep-alive connection's port and its pipelined count; a fresh one now and then."""
        idle = (now - self._conn_last).total_seconds()
        if not self._port or now >= self._conn_until or idle > KEEP_ALIVE_IDLE_S:
            self._port = rng.randint(32768, 60999)
            self._pipelined = 0
            self._conn_until = now + timedelta(minutes=rng.uniform(3, 30))
        self._pipelined += 1
        self._conn_last = now
        return self._port, self._pipelined


def _ms(delta: timedelta) -> int:
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000
