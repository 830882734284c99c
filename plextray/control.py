"""The narrow interface between the engine and anything that drives it (tray, headless service, tests).

The UI never reaches into the engine: it calls these methods, which only post messages to the
engine's queue, and it learns of changes through `subscribe` (called from the engine thread; the
UI must marshal onto its own thread).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from plextray.core.model import EngineSnapshot
from plextray.core.offers import Offer


class Notifier(Protocol):
    """Shows a desktop notification. Implementations never raise."""

    def notify(self, title: str, message: str) -> bool: ...


@runtime_checkable
class OfferNotifier(Protocol):
    """A Notifier that can put buttons on a notification (a click runs the offer's command)."""

    def notify(self, title: str, message: str) -> bool: ...

    def notify_offers(self, title: str, message: str, offers: tuple[Offer, ...]) -> bool: ...


class EngineControl(Protocol):
    def snapshot(self) -> EngineSnapshot: ...

    def subscribe(self, callback: Callable[[EngineSnapshot], None]) -> Callable[[], None]:
        """Call `callback` with every new snapshot; returns an unsubscribe function. Each person's
        day (`people_status`: minutes watched and left, what plays, last stop) is in it, so no
        listener needs the database. (Sending today's report is plextray.mail.service.email_now.)"""
        ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def grant(self, person: str, *, minutes: int = 0, lift_window_until: str | None = None) -> None:
        """Extra minutes for today, and/or lift time windows until "HH:MM" or "tonight" (until the
        night's windows end); None: not lifted."""
        ...

    def reload_profiles(self) -> None: ...

    def report_problem(self, key: str, text: str) -> None:
        """A lasting problem found by the front end (e.g. no tray on this desktop), kept in the
        snapshot's `problems` and said once as a notification."""
        ...

    def stop(self) -> None: ...
