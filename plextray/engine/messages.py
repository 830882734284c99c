"""What other threads post to the engine thread. Plain frozen records; the engine handles each."""

from __future__ import annotations

from dataclasses import dataclass

from plextray.core.live import PlayNotice
from plextray.core.model import LiveSession, MediaInfo, ServerInfo


@dataclass(frozen=True, slots=True)
class Pause:
    pass


@dataclass(frozen=True, slots=True)
class Resume:
    pass


@dataclass(frozen=True, slots=True)
class Grant:
    person: str
    minutes: int = 0
    lift_window_until: str | None = None  # "HH:MM"


@dataclass(frozen=True, slots=True)
class ReloadProfiles:
    pass


@dataclass(frozen=True, slots=True)
class Stop:
    pass


@dataclass(frozen=True, slots=True)
class Problem:
    """A lasting problem found outside the engine, for the snapshot (`key` replaces its last text)."""

    key: str
    text: str


@dataclass(frozen=True, slots=True)
class LogsChanged:
    """Plex wrote to its log (from the log watch's thread): read it now."""


@dataclass(frozen=True, slots=True)
class ServerInfoResult:
    info: ServerInfo | None
    error: str | None = None
    debug_logging: bool | None = None  # the server's logDebug pref, when it could be read


@dataclass(frozen=True, slots=True)
class LiveSessionsResult:
    sessions: tuple[LiveSession, ...] | None
    error: str | None = None
    asked_at: int = 0  # the live feed's generation when asked (sessions heard of later are not gone)
    debug_logging: bool | None = None  # the server's logDebug pref, read with the list


@dataclass(frozen=True, slots=True)
class PlayNotices:
    """What Plex's notification websocket said about plays (one frame)."""

    notices: tuple[PlayNotice, ...]
    time: str | None = None  # local ISO time they arrived (the engine may handle them a little later)


@dataclass(frozen=True, slots=True)
class SocketState:
    """The notification websocket connected, or lost (and why)."""

    connected: bool
    error: str | None = None


@dataclass(frozen=True, slots=True)
class MediaResult:
    rating_key: str
    info: MediaInfo | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ActionResult:
    """How an action went; the engine records it against its violation."""

    kind: str  # stop | notify | alert | warn
    play: tuple[str, str]
    violation_id: int | None
    ok: bool
    detail: str
    retry: bool = False  # a stop that failed because the server could not be reached
    outcome: str | None = None  # overrides ok/failed, e.g. "skipped" when nothing is configured
    plex_pass_missing: bool = False
    no_match: bool = False  # a stop that found no session listed for that play: retried on the next live update
    session_key: str | None = None  # a stop: the watch session it was asked for
    stopped_session: str | None = None  # a stop that ended a session: the server's id of it


@dataclass(frozen=True, slots=True)
class AccountsResult:
    """The server's accounts list: Plex account name (case-folded) → id."""

    ids: dict[str, str]
