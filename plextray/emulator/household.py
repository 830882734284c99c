"""What the emulated Plex server knows: its library, accounts, devices, live plays and history.

Kept apart from HTTP so that the server, the XML builders and the demo share one thread-safe
state (one lock; every method takes it). Values handed out are frozen snapshots.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import string
import threading
from dataclasses import dataclass, field, replace

from plextray.core.model import MediaInfo

# Where add_item files an item that names no library (PMS's usual first sections).
DEFAULT_SECTIONS = {
    "movie": ("1", "Movies", "movie"),
    "clip": ("1", "Movies", "movie"),
    "episode": ("2", "TV Shows", "show"),
    "track": ("3", "Music", "artist"),
}
SECTION_TYPE = {"movie": "movie", "clip": "movie", "episode": "show", "track": "artist", "photo": "photo"}
SCROBBLE_FRACTION = 0.9  # PMS marks an item watched (and lists it in history) past 90 %


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    type: str  # movie | show | artist | photo

    @property
    def uuid(self) -> str:
        return str(_uuid_for(f"section:{self.id}:{self.title}"))


@dataclass(frozen=True, slots=True)
class Device:
    """A player app. `machine_id` is its X-Plex-Client-Identifier (= Player machineIdentifier)."""

    machine_id: str
    product: str
    platform: str
    device_name: str  # <Player title>, e.g. "Emma's iPad"
    address: str
    account: str  # account name
    device: str = ""  # <Player device>: hardware/OS class, e.g. "iPad", "Windows"
    platform_version: str = ""
    version: str = "8.30.1"
    model: str = ""
    advertise: bool = False  # listed in /clients (most modern apps are not)
    port: int = 32500
    client_port: int = 0  # the TCP source port its requests come from (log lines)


@dataclass(frozen=True, slots=True)
class Play:
    """A live playback: what /status/sessions lists and terminate can end."""

    session_id: str  # <Session id>: what terminate takes
    session_key: str  # small number, per playback
    session_ident: str  # X-Plex-Session-Identifier the app sends (log `Client [...]`)
    machine_id: str
    rating_key: str
    account_id: int
    state: str
    position_ms: int
    started_utc: float
    transcode_key: str | None = None  # the transcoder session when the server transcodes


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    history_id: int
    rating_key: str
    account_id: int
    viewed_at: int  # epoch seconds
    library_id: str | None


@dataclass
class Household:
    """The server's state. Thread-safe: the HTTP threads and the test thread share it."""

    server_name: str = "Plex Emulator"
    machine_id: str = field(default_factory=lambda: hashlib.sha1(b"plextray-emulator").hexdigest())
    owner: str = "owner"
    version: str = "1.43.0.10467-2b1ba6e69"
    prefs: dict[str, bool] = field(default_factory=lambda: {"logDebug": True, "logVerbose": False, "logTokens": False})
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _items: dict[str, MediaInfo] = field(default_factory=dict)
    _sections: dict[str, Section] = field(default_factory=dict)
    _accounts: dict[int, Account] = field(default_factory=dict)
    _devices: dict[str, Device] = field(default_factory=dict)
    _plays: dict[str, Play] = field(default_factory=dict)  # by machine_id
    _history: list[HistoryEntry] = field(default_factory=list)
    _keys: itertools.count = field(default_factory=lambda: itertools.count(1))
    _history_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _rng: random.Random = field(default_factory=lambda: random.Random(32400))

    # -- library ------------------------------------------------------------------------
    def add_item(self, info: MediaInfo) -> MediaInfo:
        """File an item in its library (created on first use); returns it with the library set."""
        with self._lock:
            section_id, title = self._section_for(info)
            if section_id not in self._sections:
                self._sections[section_id] = Section(section_id, title, SECTION_TYPE.get(info.type, "movie"))
            stored = replace(info, library=self._sections[section_id].title, library_id=section_id)
            self._items[info.rating_key] = stored
            return stored

    def _section_for(self, info: MediaInfo) -> tuple[str, str]:
        default_id, default_title, _ = DEFAULT_SECTIONS.get(info.type, ("1", "Movies", "movie"))
        if info.library_id:
            known = self._sections.get(info.library_id)
            return info.library_id, known.title if known else (info.library or default_title)
        title = info.library or default_title
        for section in self._sections.values():
            if section.title == title:
                return section.id, title
        if title == default_title and default_id not in self._sections:
            return default_id, title
        return str(max((int(s) for s in self._sections if s.isdigit()), default=0) + 1), title

    def item(self, rating_key: str) -> MediaInfo | None:
        with self._lock:
            return self._items.get(rating_key)

    def section(self, section_id: str | None) -> Section | None:
        with self._lock:
            return self._sections.get(section_id or "")

    def sections(self) -> list[Section]:
        with self._lock:
            return sorted(self._sections.values(), key=lambda s: int(s.id) if s.id.isdigit() else 0)

    # -- people and devices -------------------------------------------------------------
    def add_account(self, account_id: int, name: str) -> Account:
        with self._lock:
            account = Account(int(account_id), name)
            self._accounts[account.id] = account
            if account.id == 1:
                self.owner = name
            return account

    def account_named(self, name: str) -> Account:
        """The account with this name, added with the next free id if new (1 = the owner)."""
        with self._lock:
            for account in self._accounts.values():
                if account.name == name:
                    return account
            return self.add_account(max(self._accounts, default=0) + 1, name)

    def account(self, account_id: int) -> Account | None:
        with self._lock:
            return self._accounts.get(account_id)

    def accounts(self) -> list[Account]:
        with self._lock:
            return sorted(self._accounts.values(), key=lambda a: a.id)

    def add_device(self, device: Device) -> Device:
        with self._lock:
            self.account_named(device.account)
            if not device.client_port:
                device = replace(device, client_port=self._rng.randint(30000, 60999))
            self._devices[device.machine_id] = device
            return device

    def device(self, machine_id: str) -> Device | None:
        with self._lock:
            return self._devices.get(machine_id)

    def devices(self) -> list[Device]:
        with self._lock:
            return list(self._devices.values())

    # -- playback -----------------------------------------------------------------------
    def start_play(self, machine_id: str, rating_key: str, *, position_ms: int, state: str, now_utc: float,
                   transcode: bool = False, account: str | None = None) -> Play:
        """`account`: who signed in on the device for this play (default: the device's account),
        e.g. a child's own Plex user on the parents' TV."""
        with self._lock:
            device = self._devices.get(machine_id)
            if device is None:
                raise KeyError(f"unknown device {machine_id!r}: add_device() it first")
            if rating_key not in self._items:
                raise KeyError(f"unknown rating key {rating_key!r}: add_item() it first")
            play = Play(
                session_id=self._random_id(),
                session_key=str(next(self._keys)),
                session_ident=self._random_id(),
                machine_id=machine_id,
                rating_key=rating_key,
                account_id=self.account_named(account or device.account).id,
                state=state,
                position_ms=position_ms,
                started_utc=now_utc,
                transcode_key=self._random_id() if transcode else None,
            )
            self._plays[machine_id] = play
            return play

    def update_play(self, machine_id: str, *, state: str | None, position_ms: int | None) -> Play:
        with self._lock:
            play = self._plays.get(machine_id)
            if play is None:
                raise KeyError(f"device {machine_id!r} is not playing anything")
            play = replace(
                play,
                state=state if state is not None else play.state,
                position_ms=position_ms if position_ms is not None else play.position_ms,
            )
            self._plays[machine_id] = play
            return play

    def end_play(self, machine_id: str, *, now_utc: float) -> Play | None:
        """Remove the device's play; record it in history if it got past the scrobble point."""
        with self._lock:
            play = self._plays.pop(machine_id, None)
            if play is None:
                return None
            item = self._items.get(play.rating_key)
            if item and item.duration_ms and play.position_ms >= SCROBBLE_FRACTION * item.duration_ms:
                self._history.append(
                    HistoryEntry(next(self._history_ids), play.rating_key, play.account_id, int(now_utc), item.library_id)
                )
            return play

    def play_for(self, machine_id: str) -> Play | None:
        with self._lock:
            return self._plays.get(machine_id)

    def play_by_session_id(self, session_id: str) -> Play | None:
        with self._lock:
            return next((p for p in self._plays.values() if p.session_id == session_id), None)

    def plays(self) -> list[Play]:
        with self._lock:
            return sorted(self._plays.values(), key=lambda p: int(p.session_key))

    def history(self) -> list[HistoryEntry]:
        with self._lock:
            return list(self._history)

    def _random_id(self) -> str:
        alphabet = string.ascii_lowercase + string.digits
        return "".join(self._rng.choice(alphabet) for _ in range(24))


def _uuid_for(text: str) -> str:
    digest = hashlib.md5(text.encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:]}"


def demo_household(emulator) -> dict[str, str]:  # noqa: ANN001 (PlexEmulator; avoids an import cycle)
    """A family of four with a small library and four devices, for `plextray demo` and tests.

    Returns the device machine ids by role: parent_tv, kid_tablet, teen_phone, parent_web.
    """
    emulator.add_account(1, "Alex")
    emulator.add_account(2, "Emma")
    emulator.add_account(3, "Noah")
    for info in (
        MediaInfo("1001", "The Incredible Journey", "movie", library="Movies", library_id="1",
                  content_rating="G", duration_ms=5_400_000, year=1993, labels=("Kids",)),
        MediaInfo("1002", "Night Shift", "movie", library="Movies", library_id="1",
                  content_rating="R", duration_ms=6_600_000, year=2019),
        MediaInfo("1003", "Space Cadets", "movie", library="Movies", library_id="1",
                  content_rating="PG-13", duration_ms=7_080_000, year=2021),
        MediaInfo("2101", "Pilot", "episode", grandparent_title="Harbour Lights", parent_title="Season 1",
                  index=1, parent_index=1, library="TV Shows", library_id="2", content_rating="TV-MA",
                  duration_ms=3_300_000, year=2018),
        MediaInfo("2201", "The Lost Kite", "episode", grandparent_title="Little Bears", parent_title="Season 2",
                  index=4, parent_index=2, library="Kids TV", library_id="4", content_rating="TV-Y",
                  duration_ms=1_320_000, year=2020, labels=("Kids",)),
        MediaInfo("2301", "Die Prüfung", "episode", grandparent_title="Schulhof", parent_title="Staffel 1",
                  index=2, parent_index=1, library="TV Shows", library_id="2", content_rating="de/12",
                  duration_ms=2_700_000, year=2022),
        MediaInfo("3001", "Morning Song", "track", grandparent_title="The Lanterns", parent_title="First Light",
                  index=1, parent_index=1, library="Music", library_id="3", duration_ms=215_000, year=2015),
    ):
        emulator.add_item(info)
    devices = {
        "parent_tv": ("b3c1f0a7e2d94c58-com-plexapp-android", "Plex for Android (TV)", "Android",
                      "Living Room TV", "192.168.1.40", "Alex"),
        "kid_tablet": ("5D3E1B0A-77C2-4F4B-9E61-0C2B7A9D8E11", "Plex for iOS", "iOS",
                       "Emma's iPad", "192.168.1.52", "Emma"),
        "teen_phone": ("a9f2c4e6b8d01357", "Plex for Android (Mobile)", "Android",
                       "Noah's Phone", "192.168.1.61", "Noah"),
        "parent_web": ("pii7fom32s6xx6nzjo67es71", "Plex Web", "Chrome", "Chrome", "192.168.1.206", "Alex"),
    }
    for machine_id, product, platform, name, address, account in devices.values():
        emulator.add_device(machine_id, product=product, platform=platform, device_name=name,
                            address=address, account=account)
    return {role: values[0] for role, values in devices.items()}
