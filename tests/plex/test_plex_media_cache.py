"""Metadata cache over the real history database: a repeat lookup costs no request; expiry refreshes."""

from __future__ import annotations

import pytest

from plextray.core.model import MediaInfo
from plextray.errors import PlexNotFound
from plextray.plex.client import PlexClient
from plextray.store.db import connect
from plextray.store.media_cache import MediaCache
from support.emulator_fixtures import emulator, plex_client  # noqa: F401

DAY = 86400.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def metadata_requests(emu, key: str) -> int:
    return emu.requests.count(("GET", f"/library/metadata/{key}"))


@pytest.fixture
def db(tmp_path):
    conn = connect(tmp_path / "history.sqlite3")
    yield conn
    conn.close()


def test_repeat_lookup_costs_no_request(db, emulator, plex_client):
    clock = Clock()
    cache = MediaCache(db, plex_client.metadata, ttl_seconds=7 * DAY, clock=clock)
    first = cache.get("2301")
    assert first.content_rating == "de/12" and first.grandparent_title == "Schulhof"
    assert metadata_requests(emulator, "2301") == 1
    for _ in range(5):
        assert cache.get("2301") == first
    clock.now += 6 * DAY
    assert cache.get("2301") == first
    assert metadata_requests(emulator, "2301") == 1


def test_expired_entries_are_fetched_again(db, emulator, plex_client):
    clock = Clock()
    cache = MediaCache(db, plex_client.metadata, ttl_seconds=DAY, clock=clock)
    cache.get("1001")
    emulator.add_item(MediaInfo("1001", "The Incredible Journey (Remastered)", "movie", library="Movies",
                                library_id="1", content_rating="PG", duration_ms=5_400_000, year=1993))
    clock.now += DAY + 1
    refreshed = cache.get("1001")
    assert refreshed.title == "The Incredible Journey (Remastered)" and refreshed.content_rating == "PG"
    assert metadata_requests(emulator, "1001") == 2
    assert cache.get("1001") == refreshed and metadata_requests(emulator, "1001") == 2


def test_cache_survives_a_restart_in_the_database_file(tmp_path, emulator, plex_client):
    path = tmp_path / "history.sqlite3"
    conn = connect(path)
    MediaCache(conn, plex_client.metadata).get("2201")
    conn.close()
    conn = connect(path)
    again = MediaCache(conn, plex_client.metadata).get("2201")
    conn.close()
    assert again.labels == ("Kids",) and again.library == "Kids TV"
    assert metadata_requests(emulator, "2201") == 1


def test_peek_never_asks(db, emulator, plex_client):
    clock = Clock()
    cache = MediaCache(db, plex_client.metadata, ttl_seconds=DAY, clock=clock)
    assert cache.peek("3001") is None
    info = cache.get("3001")
    clock.now += 30 * DAY
    assert cache.peek("3001") == info  # expired but still shown
    assert metadata_requests(emulator, "3001") == 1


def test_stale_entry_used_while_the_server_is_down(db, emulator, plex_client):
    clock = Clock()
    cache = MediaCache(db, plex_client.metadata, ttl_seconds=DAY, clock=clock)
    info = cache.get("1002")
    clock.now += 2 * DAY
    emulator.set_fault("down")
    assert cache.get("1002") == info
    emulator.set_fault(None)


def test_unknown_item_while_down_and_uncached_raises(db, emulator, plex_client):
    from plextray.errors import PlexUnreachable

    cache = MediaCache(db, plex_client.metadata)
    emulator.set_fault("down")
    with pytest.raises(PlexUnreachable):
        cache.get("1003")
    emulator.set_fault(None)


def test_item_gone_from_the_server_is_forgotten(db, tmp_path):
    from plextray.emulator.server import PlexEmulator

    clock = Clock()
    with PlexEmulator() as emu, PlexClient(emu.url, emu.token, timeout=2) as client:
        emu.add_item(MediaInfo("77", "Deleted Soon", "movie"))
        cache = MediaCache(db, client.metadata, ttl_seconds=DAY, clock=clock)
        cache.get("77")
        emu.household._items.pop("77")  # removed from the library
        clock.now += 2 * DAY
        with pytest.raises(PlexNotFound):
            cache.get("77")
        assert cache.peek("77") is None


def test_every_field_round_trips(db):
    info = MediaInfo("9", "Épisode 1", "episode", grandparent_title="Série", parent_title="Saison 1", index=1,
                     parent_index=1, library="Séries", library_id="5", labels=("Kids", "Family"),
                     content_rating="fr/10", duration_ms=1_500_000, year=2024)
    calls = []
    cache = MediaCache(db, lambda key: calls.append(key) or info)
    assert cache.get("9") == info
    assert MediaCache(db, lambda key: pytest.fail("asked again")).get("9") == info
    assert calls == ["9"]
