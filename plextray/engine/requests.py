"""The engine's questions to the server, asked off the engine thread, each always answered.

Why a module: a request runs on the action runner's thread and must put exactly one answer on
the engine's queue whatever happens — an error the client translated, or one it did not —
or the engine waits for good (a poll "in flight" forever, an item "pending" forever). These
jobs hold that promise in one place; the engine only submits them and handles the answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from plextray.core.identity import fetch_account_ids
from plextray.engine import messages as msg
from plextray.engine.live_source import debug_pref
from plextray.errors import PlexTrayError

if TYPE_CHECKING:
    from plextray.plex.client import PlexClient

log = logging.getLogger("plextray.engine.engine")  # (the engine's log, as before the split)

Post = Callable[[Any], None]


def server_info_job(client: PlexClient, post: Post) -> Callable[[], None]:
    """Who the server is, its debug-logging pref, then its accounts (name → id)."""

    def run() -> None:
        try:
            info = client.server_info()
            post(msg.ServerInfoResult(info, debug_logging=debug_pref(client)))
            post(msg.AccountsResult(fetch_account_ids(client)))
        except PlexTrayError as exc:
            post(msg.ServerInfoResult(None, str(exc)))
        except Exception as exc:  # an error the client did not translate: still answer
            log.exception("asking the server for its identity failed")
            post(msg.ServerInfoResult(None, f"unexpected error: {type(exc).__name__}"))

    return run


def sessions_job(client: PlexClient, post: Post, asked_at: int) -> Callable[[], None]:
    """The server's sessions list (and its debug-logging pref, which may have changed)."""

    def run() -> None:
        try:
            sessions = tuple(client.sessions())
            post(msg.LiveSessionsResult(sessions, asked_at=asked_at, debug_logging=debug_pref(client)))
        except PlexTrayError as exc:
            post(msg.LiveSessionsResult(None, str(exc), asked_at=asked_at))
        except Exception as exc:  # must answer, or _poll_in_flight stays set and polling ends
            log.exception("asking the server for its sessions failed")
            post(msg.LiveSessionsResult(None, f"unexpected error: {type(exc).__name__}", asked_at=asked_at))

    return run


def media_job(client: PlexClient, post: Post, rating_key: str) -> Callable[[], None]:
    """What one item is (title, library, rating...)."""

    def run() -> None:
        try:
            post(msg.MediaResult(rating_key, client.metadata(rating_key)))
        except PlexTrayError as exc:
            post(msg.MediaResult(rating_key, None, str(exc)))
        except Exception as exc:  # must answer, or the item stays "pending" for good
            log.exception("asking the server for item %s failed", rating_key)
            post(msg.MediaResult(rating_key, None, f"unexpected error: {type(exc).__name__}"))

    return run
