"""Playback reports Plex refused, per address: counted, and alerted once per address per hour.

A timeline request logged with `Token ()` and completed 401/403 is someone on the network
claiming to be a player without a valid token — a forged report, or a broken app. It never
makes a play (core.parsing drops it); this says so to the parent, without spam: a burst from
one address is one "suspicious requests" alert an hour, and a line in the day's report.

Pure: the engine passes a monotonic `now`.
"""

from __future__ import annotations

from dataclasses import dataclass

ALERT_EVERY_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class SuspiciousAlert:
    ip: str
    count: int  # refused reports from this address since its previous alert (this one included)
    claimed: str | None  # the client id the latest one claimed (untrusted: clean before showing)

    @property
    def message(self) -> str:
        claim = f", claiming to be {self.claimed}" if self.claimed else ""
        plural = "s" if self.count != 1 else ""
        return (f"suspicious requests from {self.ip}: {self.count} playback report{plural} Plex refused "
                f"(no valid sign-in){claim}; nothing was stopped or counted")


class SuspiciousRequests:
    """Per address: when the last alert went out and how many refusals came since."""

    def __init__(self, *, alert_every: float = ALERT_EVERY_SECONDS) -> None:
        self.alert_every = alert_every
        self._last_alert: dict[str, float] = {}
        self._since: dict[str, int] = {}

    def add(self, ip: str | None, now: float, claimed: str | None = None) -> SuspiciousAlert | None:
        """One refused report; an alert when this address has had none in the last hour."""
        address = ip or "an unknown address"
        self._since[address] = self._since.get(address, 0) + 1
        last = self._last_alert.get(address)
        if last is not None and now - last < self.alert_every:
            return None
        self._last_alert[address] = now
        count = self._since.pop(address)
        return SuspiciousAlert(address, count, claimed)

    def prune(self, now: float) -> None:
        """Forget addresses quiet for longer than the alert interval (memory stays flat)."""
        for address in [a for a, at in self._last_alert.items() if now - at >= self.alert_every]:
            del self._last_alert[address]
            self._since.pop(address, None)
