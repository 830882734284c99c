"""What a rating key is, from the media cache or else asked of the server once.

Why a module: rules need an item's title, library and rating, but the engine thread must never
wait on the network. A miss asks the server in the background (one request per item however
many plays wait for it) and says which plays to check again when the answer comes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from plextray.core.model import MediaInfo
from plextray.engine import messages as msg
from plextray.engine.requests import Post, media_job

if TYPE_CHECKING:
    from plextray.plex.client import PlexClient
    from plextray.store.media_cache import MediaCache

log = logging.getLogger("plextray.engine.engine")  # (the engine's log, as before the split)


class MediaLookup:
    def __init__(
        self, cache: MediaCache | None, client: PlexClient | None, *,
        submit: Callable[[Callable[[], None]], object], post: Post,
    ) -> None:  # fmt: skip
        self._cache = cache
        self._client = client
        self._submit = submit
        self._post = post
        self._pending: dict[str, set[str]] = {}  # rating key → keys of the sessions waiting for it

    def cached(self, rating_key: str) -> MediaInfo | None:
        return self._cache.peek(rating_key) if self._cache is not None else None

    def get(self, rating_key: str | None, session_key: str) -> MediaInfo | None:
        """The item if known now; else None, and the server is asked (once per item)."""
        if not rating_key or self._cache is None:
            return None
        info = self._cache.peek(rating_key)
        if info is not None:
            return info
        waiting = self._pending.get(rating_key)
        if waiting is not None:
            waiting.add(session_key)
            return None
        if self._client is None:
            return None
        self._pending[rating_key] = {session_key}
        self._submit(media_job(self._client, self._post, rating_key))
        return None

    def answered(self, result: msg.MediaResult, *, outage: bool) -> set[str] | None:
        """Keep the answer; the keys of the sessions that waited for it (None: no answer)."""
        waiting = self._pending.pop(result.rating_key, set())
        if result.info is None:
            level = logging.DEBUG if outage else logging.WARNING  # an outage is said once
            log.log(level, "no metadata for item %s: %s", result.rating_key, result.error)
            return None
        if self._cache is not None:
            self._cache.put(result.info)
        return waiting
