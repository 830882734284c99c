"""Whether Plex's debug logging is on, from what the server says and what the log shows.

Why a module: playback reaches Plex's log only with debug logging on. The server's pref says so
when asked; a log showing playback says it is on; the server playing while the log stays
silent says it went off. Reconciling the three (a pref just read wins over lines read late) is
a small state of its own, kept out of the engine loop.
"""

from __future__ import annotations

PREF_WINS_FOR = 5.0  # seconds a pref just read outranks playback lines read late

DEBUG_HINT = (
    "Plex is playing but its log shows no playback: turn on debug logging "
    "(run `plextray debug-logging on`, or Plex Settings → General → Enable Plex Media Server debug logging)."
)


class DebugLogging:
    def __init__(self) -> None:
        self.state: bool | None = None  # as last known; None: not known
        self._read_at = -1e9  # when the server's logDebug pref was last read (monotonic)

    def pref_read(self, pref: bool | None, now: float) -> None:
        """The server's pref, when it answered one."""
        if pref is not None:
            self.state, self._read_at = pref, now

    def log_showed_playback(self, now: float) -> None:
        if now - self._read_at > PREF_WINS_FOR:
            self.state = True

    def log_silent(self, *, playing: bool, silent_for: float, limit: float) -> bool:
        """True (and known off from now) when the server plays and the log said nothing for longer than `limit`."""
        if not playing or silent_for <= limit:
            return False
        self.state = False  # (switched off since the server said it was on)
        return True
