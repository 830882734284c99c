"""Plex 1.4x timeline reports as lines and gzip members, for the importer's tests."""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
def stamp(when: datetime) -> str:
    return f"{MONTHS[when.month - 1]} {when.day:02d}, {when.year} {when:%H:%M:%S}.{when.microsecond // 1000:03d}"


def report(when: datetime, n: int, *, position: int, state: str = "playing", client: str = "clientA",
           ident: str = "identA", ip: str = "192.168.1.42", account: str = "emma", rating_key: str = "59015",
           duration: int = 4_800_000) -> list[str]:
    """One 1.4x timeline report (shapes of ../shared/pms/log-lines.txt blocks A-C)."""
    tid = "136529380186936"
    req = f"{0x2000 + n:x}"
    query = (f"/:/timeline?ratingKey={rating_key}&key=%2Flibrary%2Fmetadata%2F{rating_key}&state={state}"
             f"&hasMDE=1&time={position}&duration={duration}")
    ms = timedelta(milliseconds=1)
    return [
        f"{stamp(when)} [{tid}] DEBUG - Request: [{ip}:{40000 + n} (Subnet)] GET {query} (4 live) #{req} TLS GZIP Signed-in Token ({account})",
        f"{stamp(when + 2 * ms)} [{tid}] DEBUG - [Req#{req}] Client [{ident}] reporting timeline state {state}, progress of {position}/{duration}ms for guid=, playbackTime={position}ms ratingKey={rating_key} url=, key=/library/metadata/{rating_key}, containerKey=, metadataId={rating_key}, source=",
        f"{stamp(when + 5 * ms)} [{tid}] DEBUG - [Req#{req}] [Now] User is {account} (ID: 2)",
        f"{stamp(when + 5 * ms)} [{tid}] DEBUG - [Req#{req}] [Now] Device is Android (Living Room).",
        f"{stamp(when + 6 * ms)} [{tid}] DEBUG - [Req#{req}] Statistics: ({client}) Reporting active playback in state 0 of type 4 (scrobble: 0) for account 2",
        f"{stamp(when + 9 * ms)} [{tid}] DEBUG - Completed: [{ip}:{40000 + n}] 200 GET {query} (4 live) #{req} TLS GZIP 9ms 412 bytes (pipelined: 1)",
        f"{stamp(when + 20 * ms)} [{tid}] DEBUG - Request: [{ip}:{40000 + n} (Subnet)] GET /status/sessions (4 live) #{req}0 GZIP Signed-in Token (admin)",
    ]


def evening(start: datetime, minutes: int, *, first_n: int = 0, **kwargs) -> list[str]:
    """A playback reported every 10 s for `minutes` minutes, then stopped."""
    lines: list[str] = []
    count = minutes * 6
    for i in range(count + 1):
        state = "stopped" if i == count else "playing"
        lines += report(start + timedelta(seconds=10 * i), first_n + i, position=10_000 * i, state=state, **kwargs)
    return lines


def member(lines: list[str]) -> bytes:
    return gzip.compress(("\n".join(lines) + "\n").encode())
