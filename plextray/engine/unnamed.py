"""Stand-in plays waiting one read for the line that names their device.

Why a module: Plex writes a playback report line by line, so a read of its log may end inside
one, leaving a play with no client named yet (a stand-in, see core.sessions). Judging it then
would apply the wrong person's rules (or nobody's); the next read usually names it. So the
stand-ins first seen in a read wait `poll_seconds` from that read, and are judged as they are
if still unnamed — a report the log never completes must not escape the rules either.
"""

from __future__ import annotations


class UnnamedPlays:
    def __init__(self) -> None:
        self._keys: set[str] = set()
        self._since = 0.0  # when the oldest of them was read (monotonic)

    def __bool__(self) -> bool:
        return bool(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def add(self, key: str, read_at: float) -> None:
        if not self._keys:
            self._since = read_at
        self._keys.add(key)

    def discard(self, key: str) -> None:
        self._keys.discard(key)

    def take_ripe(self, now: float, wait: float) -> set[str]:
        """The keys that waited `wait` seconds (all of them, as they came together), now forgotten."""
        if now - self._since < wait:
            return set()
        keys, self._keys = self._keys, set()
        return keys
