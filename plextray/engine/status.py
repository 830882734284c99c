"""What the tray shows: the engine's state folded into one immutable snapshot (pure)."""

from __future__ import annotations

from collections.abc import Callable

from plextray.core.model import EngineSnapshot, EngineState, MediaInfo, NowPlaying, WatchSession
from plextray.core.profiles import Profiles

VIOLATION_SHOWN_FOR = 60.0  # the icon shows "violation" this long after one happened


def build_snapshot(
    *,
    paused: bool,
    server_error: str | None,
    logs_error: str | None,
    last_violation: str,
    violation_age: float | None,
    sessions: list[WatchSession],
    profiles: Profiles | None,
    media: Callable[[str], MediaInfo | None],
    problems: tuple[str, ...],
    live_source: str = "log only",
    debug_logging: bool | None = None,
) -> EngineSnapshot:
    if paused:
        state, detail = EngineState.PAUSED, "monitoring paused (logs are still saved)"
    elif server_error or logs_error:
        state = EngineState.UNREACHABLE
        detail = logs_error or f"Plex server unreachable: {server_error}"
    elif violation_age is not None and violation_age < VIOLATION_SHOWN_FOR:
        state, detail = EngineState.VIOLATION, last_violation
    else:
        state, detail = EngineState.MONITORING, last_violation and f"last: {last_violation}"
    now_playing = []
    for session in sorted(sessions, key=lambda s: s.start):
        person = profiles.person_for(session.client_id, session.account) if profiles else None
        info = media(session.rating_key) if session.rating_key else None
        title = info.display_title if info else f"item {session.rating_key}"
        now_playing.append(NowPlaying(person.name if person else None, session.device or session.product, title, session.state))
    return EngineSnapshot(
        state=state,
        detail=detail,
        paused=paused,
        now_playing=tuple(now_playing),
        people=tuple(p.name for p in profiles.people) if profiles else (),
        problems=problems,
        live_source=live_source,
        debug_logging=debug_logging,
    )
