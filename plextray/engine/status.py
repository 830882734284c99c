"""What the tray shows: the engine's state folded into one immutable snapshot (pure)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from plextray.core.model import LiveSourceName, EngineSnapshot, EngineState, MediaInfo, NowPlaying, PersonStatus, WatchSession
from plextray.core.household import Profiles

VIOLATION_SHOWN_FOR = 60.0  # the icon shows "violation" this long after one happened

NO_SERVER = "No Plex server is set up yet: run `plextray setup` (or `plextray login`), or Settings… in the tray menu."
NO_LOGS_NO_SERVER = "Plex's log folder was not found, and without a server plextray sees no plays at all."
NO_LOGS = "Plex's log folder was not found: plays are seen through the server only, and no history is kept from the log."
NOBODY = "Nobody is protected yet: add a person with at least one rule (`plextray setup`, or Settings → People)."


@dataclass(frozen=True, slots=True)
class SetupCheck:
    """What stands between this install and a protected child. `missing` makes the state
    needs_setup; `notes` are lesser problems shown beside it (plays are still watched)."""

    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()  # the missing steps in two or three words each, for the tooltip


def check_setup(*, server_configured: bool, logs_found: bool, profiles: Profiles | None) -> SetupCheck:
    """A parent's checklist: a server (or at least the logs) to see plays, and someone with a rule.
    Logs alone are not enough to act (stopping needs the server); the server alone is (its live
    sessions are a source), so missing logs then only make a note."""
    missing: list[str] = []
    labels: list[str] = []
    notes: list[str] = []
    if not server_configured:
        missing.append(NO_SERVER)
        labels.append("no Plex server")
        if not logs_found:
            missing.append(NO_LOGS_NO_SERVER)
            labels.append("no log folder")
    elif not logs_found:
        notes.append(NO_LOGS)
    if profiles is None or not any(person.restrictions for person in profiles.people):
        missing.append(NOBODY)
        labels.append("nobody with a rule")
    return SetupCheck(tuple(missing), tuple(notes), tuple(labels))


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
    people_status: tuple[PersonStatus, ...] = (),
    setup: SetupCheck = SetupCheck(),
    live_source: LiveSourceName = "log only",
    debug_logging: bool | None = None,
) -> EngineSnapshot:
    if paused:
        state, detail = EngineState.PAUSED, "monitoring paused (logs are still saved)"
    elif setup.missing:
        state, detail = EngineState.NEEDS_SETUP, "missing: " + ", ".join(setup.labels)
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
        problems=setup.missing + setup.notes + problems,
        people_status=people_status,
        live_source=live_source,
        debug_logging=debug_logging,
    )
