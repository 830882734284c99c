"""The report model: what the parser holds about each playback report while its lines come in."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

MAP_SIZE = 4096
CONTEXT_SECONDS = 2  # follow-ups of a request are logged within milliseconds
MATCH_SECONDS = 60  # a Completed line can come many seconds after its Request
WEB_LINK_SECONDS = 6 * 3600  # a 2013 web transcode session ties timelines from its IP this long


@dataclass(slots=True)
class ParseStats:
    """What was read and what was skipped (never fatal). Only lines carrying a playback marker
    are decoded (less those that would add nothing, see `_unread`), so `skipped_garbled`/
    `unknown_format`/`skipped_binary` count among those; NUL-carrying and over-long lines are
    counted among all."""

    lines: int = 0
    events: int = 0  # reports (first versions); `updates` counts the enriched re-emissions
    updates: int = 0
    skipped_garbled: int = 0
    skipped_too_long: int = 0
    skipped_binary: int = 0
    unknown_format: int = 0

    def skipped(self) -> int:
        return self.skipped_garbled + self.skipped_too_long + self.skipped_binary + self.unknown_format


@dataclass(slots=True)
class Report:
    no: int
    time: str
    sec: int
    state: str
    rating_key: str | None
    position: int | None
    duration: int | None
    ip: str | None
    addr: str | None
    tid: str | None
    reqid: str | None
    client_id: str | None = None
    product: str | None = None
    platform: str | None = None
    device: str | None = None
    account: str | None = None
    session: str | None = None
    ident: str | None = None  # `Client [..]` / X-Plex-Session-Identifier
    emitted_client: str | None = None  # what the last emitted version said
    emitted_account: str | None = None
    emitted_device: str | None = None
    learned: tuple[Any, ...] | None = None  # what _learn last wrote for this report …
    learned_epoch: int = -1  # … and the parser's _learn_epoch right after
    # `Token ()`: no token presented. Plex logs the Request line before deciding, so the report
    # is held (no event, nothing learned) until a line shows Plex served it, or dropped if refused
    held: bool = False
    refused: bool = False
    anonymous: bool = False  # no token: never given an account learned from its (claimed) client id


@dataclass(frozen=True, slots=True)
class Rejected:
    """A playback report Plex refused (no token, completed 401/403): counted, never a play."""

    time: str  # ISO local of its Request line
    ip: str | None
    status: int
    client_id: str | None  # what the request claimed (untrusted)


@dataclass(slots=True)
class Transcode:
    session: str
    sec: int
    rating_key: str | None
    client_id: str | None
    product: str | None
    platform: str | None
    device: str | None


class Bounded(OrderedDict[Any, Any]):
    """A dict that forgets its oldest entries: parser memory stays flat on endless logs.

    "Oldest" is by last `put`; the parser's learning maps skip a put that would write the value
    an entry already holds, so there it means the entry least recently *changed*."""

    def __init__(self, limit: int = MAP_SIZE) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: Any, value: Any) -> None:
        if key in self:  # an existing key keeps its place: move it to the newest end
            self.move_to_end(key)
            self[key] = value
            return
        self[key] = value
        if len(self) > self.limit:
            self.popitem(last=False)


def learned_state(report: Report) -> tuple[Any, ...]:
    """What _learn reads of a report: the same again (and no map changed since) means a new
    _learn would change nothing."""
    return (report.client_id, report.addr, report.ident, report.rating_key,
            report.product, report.platform, report.device, report.account)  # fmt: skip
