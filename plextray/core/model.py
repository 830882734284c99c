"""Domain records shared by every layer. Frozen where they are facts, snake_case everywhere.

Times from Plex's logs are local wall-clock times with no zone; they are kept as the log wrote
them (`time`, ISO 8601) and, where arithmetic is needed, also as UTC epoch seconds resolved by
the caller (see core.sessions) so that midnight and daylight-saving changes add up.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from typing import Any, Literal, get_args

PlayState = Literal["playing", "paused", "buffering", "stopped"]  # what Plex reports a play doing
PLAYBACK_STATES: tuple[PlayState, ...] = get_args(PlayState)
LiveSourceName = Literal["websocket", "polling", "log only"]  # how the engine sees live plays


def play_state(value: str, default: PlayState = "playing") -> PlayState:
    """A state string from the log, the websocket or the server, as a PlayState (`default` when
    it names none: clients write what they like)."""
    for state in PLAYBACK_STATES:
        if value == state:
            return state
    return default

# The exact keys of `plextray events --json` (a public interface: keep in this order).
EVENT_JSON_KEYS = (
    "time",
    "state",
    "rating_key",
    "position_ms",
    "duration_ms",
    "client_id",
    "product",
    "platform",
    "device",
    "ip",
    "account",
    "session",
)


@dataclass(frozen=True, slots=True)
class ClientIdentity:
    """Who a play says it is: the one shape of the identity fields events, sessions, devices and
    live sessions share, so that copying one record's identity into another is one assignment.

    All but `account` are chosen by the client (see core.identity for what is trusted). A record
    keeps its own fields (the parser builds an event per report; the store maps columns) and
    exposes them through an `identity` property; nothing else lists them one by one."""

    client_id: str | None = None  # X-Plex-Client-Identifier (= Player machineIdentifier)
    product: str | None = None
    platform: str | None = None
    device: str | None = None  # the device's name, e.g. "Emma's iPad"
    ip: str | None = None
    account: str | None = None

    def over(self, older: ClientIdentity) -> ClientIdentity:
        """This identity with each blank field filled from `older` (a later report may name less)."""
        return ClientIdentity(
            self.client_id or older.client_id,
            self.product or older.product,
            self.platform or older.platform,
            self.device or older.device,
            self.ip or older.ip,
            self.account or older.account,
        )


IDENTITY_FIELDS = tuple(f.name for f in fields(ClientIdentity))


@dataclass(slots=True)
class PlaybackEvent:
    """One playback report (a timeline call) as read from a log line, enriched from earlier lines.

    Treated as a value (nothing changes an event once made), but not `frozen`: the parser makes
    one per report read, and a frozen dataclass's __init__ (an object.__setattr__ per field)
    costs about 7× a plain one's (1.3 µs against 0.2 µs per event: 7 ms of a busy day's import)."""

    time: str  # ISO 8601 local time as the log wrote it, e.g. "2022-01-12T13:42:24.403"
    state: PlayState
    rating_key: str | None
    position_ms: int | None
    duration_ms: int | None
    client_id: str | None  # X-Plex-Client-Identifier (= Player machineIdentifier)
    product: str | None
    platform: str | None
    device: str | None
    ip: str | None
    account: str | None
    session: str | None  # Plex session / transcode session id, when known

    @classmethod
    def of(
        cls, time: str, state: PlayState, rating_key: str | None, position_ms: int | None,
        duration_ms: int | None, who: ClientIdentity, session: str | None,
    ) -> PlaybackEvent:
        """An event for a report whose identity is already known (not the parser's hot path)."""
        return cls(time, state, rating_key, position_ms, duration_ms, who.client_id, who.product,
                   who.platform, who.device, who.ip, who.account, session)  # fmt: skip

    @property
    def identity(self) -> ClientIdentity:
        return ClientIdentity(self.client_id, self.product, self.platform, self.device, self.ip, self.account)

    def to_json_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {key: data[key] for key in EVENT_JSON_KEYS}


@dataclass(frozen=True, slots=True)
class Device:
    """A playback client seen in the logs or on the server."""

    client_id: str
    product: str | None = None
    platform: str | None = None
    device: str | None = None  # the device's name, e.g. "Emma's iPad"
    ip: str | None = None
    account: str | None = None
    first_seen: str | None = None  # ISO local
    last_seen: str | None = None  # ISO local

    @classmethod
    def seen(cls, who: ClientIdentity, first_seen: str | None, last_seen: str | None) -> Device:
        """The device `who` names, seen from `first_seen` to `last_seen`."""
        assert who.client_id is not None, "a device is known by its client id"
        return cls(who.client_id, who.product, who.platform, who.device, who.ip, who.account, first_seen, last_seen)

    @property
    def identity(self) -> ClientIdentity:
        return ClientIdentity(self.client_id, self.product, self.platform, self.device, self.ip, self.account)


@dataclass(slots=True)
class WatchSession:
    """One sitting of one client with one item: who, what, when, how long, how far.

    `key` is stable across re-imports (client@rating_key@start) so that folding the same lines
    twice updates the same row instead of adding one.
    """

    key: str
    client_id: str
    rating_key: str | None
    start: str  # ISO local of the first report
    end: str  # ISO local of the last report
    start_utc: float  # epoch seconds
    end_utc: float
    watched_ms: int = 0  # time actually playing (paused/buffering excluded)
    max_position_ms: int = 0
    duration_ms: int | None = None
    resumed: bool = False  # started past the first minute: a resume, not a fresh play
    state: PlayState = "playing"  # last reported state
    live: bool = True  # still going (no stop, no long silence yet)
    account: str | None = None
    product: str | None = None
    platform: str | None = None
    device: str | None = None
    ip: str | None = None
    plex_session: str | None = None

    @property
    def identity(self) -> ClientIdentity:
        return ClientIdentity(self.client_id, self.product, self.platform, self.device, self.ip, self.account)

    @identity.setter
    def identity(self, who: ClientIdentity) -> None:
        assert who.client_id is not None, "a session is keyed by its client id"
        self.client_id, self.product, self.platform = who.client_id, who.product, who.platform
        self.device, self.ip, self.account = who.device, who.ip, who.account

    @property
    def percent(self) -> float | None:
        if not self.duration_ms:
            return None
        return min(100.0, 100.0 * self.max_position_ms / self.duration_ms)


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What a rating key is, as the server describes it (cached in the history store)."""

    rating_key: str
    title: str
    type: str  # movie, episode, track, clip, ...
    grandparent_title: str | None = None  # show (episodes) or artist (tracks)
    parent_title: str | None = None  # season or album
    index: int | None = None  # episode number
    parent_index: int | None = None  # season number
    library: str | None = None  # library section title
    library_id: str | None = None
    labels: tuple[str, ...] = ()
    content_rating: str | None = None  # e.g. "PG-13", "TV-MA", "gb/15"
    duration_ms: int | None = None
    year: int | None = None

    @property
    def display_title(self) -> str:
        if self.type == "episode" and self.grandparent_title:
            code = ""
            if self.parent_index is not None and self.index is not None:
                code = f" S{self.parent_index:02d}E{self.index:02d}"
            return f"{self.grandparent_title}{code} · {self.title}"
        if self.type == "track" and self.grandparent_title:
            return f"{self.grandparent_title} · {self.title}"
        return self.title


@dataclass(frozen=True, slots=True)
class LiveSession:
    """A playback the server reports as active now (/status/sessions)."""

    session_id: str | None  # <Session id>: what terminate needs
    session_key: str | None  # small per-playback number
    rating_key: str | None
    account: str | None  # <User title>
    account_id: str | None
    machine_id: str | None  # <Player machineIdentifier> = the log's client_id
    product: str | None
    platform: str | None
    device: str | None  # <Player title>, the device's name
    address: str | None
    state: PlayState  # playing | paused | buffering
    view_offset_ms: int | None = None
    title: str | None = None
    media_type: str | None = None

    @property
    def identity(self) -> ClientIdentity:
        """The server's names in the log's terms (machineIdentifier = client id, address = ip)."""
        return ClientIdentity(self.machine_id, self.product, self.platform, self.device, self.address, self.account)


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """Who the server is and what it may do."""

    name: str
    machine_id: str
    version: str
    plex_pass: bool  # ownerFeatures carries session_kick / myPlexSubscription=1
    platform: str | None = None


class EngineState(str, Enum):
    """What the tray icon shows."""

    MONITORING = "monitoring"
    PAUSED = "paused"
    VIOLATION = "violation"
    UNREACHABLE = "unreachable"  # server unreachable or logs unreadable
    STARTING = "starting"
    NEEDS_SETUP = "needs_setup"  # no server set up, or nobody with a rule: nothing is protected yet


@dataclass(frozen=True, slots=True)
class NowPlaying:
    person: str | None
    device: str | None
    title: str
    state: str


@dataclass(frozen=True, slots=True)
class PersonStatus:
    """One person's day as the engine sees it (for Home Assistant and the tray): whole minutes,
    what plays now, the last stop. `minutes_left` None: no daily minutes quota applies."""

    name: str
    minutes_today: int = 0
    minutes_left: int | None = None
    watching: bool = False
    now_watching: str | None = None  # the title (raw: cleaned where it leaves)
    device: str | None = None
    last_stop_reason: str | None = None
    last_stop_time: str | None = None  # ISO local


@dataclass(frozen=True, slots=True)
class EngineSnapshot:
    """The engine's state as the UI shows it; immutable, so any thread may read it."""

    state: EngineState
    detail: str = ""  # one line: why unreachable, last violation, ...
    paused: bool = False
    now_playing: tuple[NowPlaying, ...] = ()
    people: tuple[str, ...] = ()
    problems: tuple[str, ...] = field(default_factory=tuple)  # e.g. "debug logging is off"
    live_source: LiveSourceName = "log only"  # how live plays are seen
    debug_logging: bool | None = None  # Plex's debug logging as last read; None: not known
    people_status: tuple[PersonStatus, ...] = ()  # per person, refreshed every few seconds during a play
