"""The emulator's notification WebSocket, as python-plexapi's AlertListener and a bare client see it."""

from __future__ import annotations

import json
import queue
import time

import pytest
import websocket

from support.emulator_fixtures import TOKEN, emulator  # noqa: F401


def ws_url(emu, token=TOKEN) -> str:
    return emu.url.replace("http", "ws") + f"/:/websockets/notifications?X-Plex-Token={token}"


def wait_for_listeners(emu, count: int = 1) -> None:
    deadline = time.monotonic() + 5
    while emu.notifications.listeners() < count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert emu.notifications.listeners() == count


def test_playing_messages_follow_the_play(emulator):
    tablet = emulator.devices["kid_tablet"]
    ws = websocket.create_connection(ws_url(emulator), timeout=5)
    try:
        wait_for_listeners(emulator)
        emulator.play(tablet, "2201", position_ms=1000)
        emulator.report(tablet, state="paused", position_ms=5000)
        emulator.stop_play(tablet)
        messages = [json.loads(ws.recv()) for _ in range(3)]
    finally:
        ws.close()
    first = messages[0]["NotificationContainer"]
    assert first["type"] == "playing" and first["size"] == 1
    note = first["PlaySessionStateNotification"][0]
    assert list(note) == ["sessionKey", "clientIdentifier", "guid", "ratingKey", "url", "key", "viewOffset", "state"]
    assert (note["clientIdentifier"], note["ratingKey"], note["key"]) == (tablet, "2201", "/library/metadata/2201")
    states = [m["NotificationContainer"]["PlaySessionStateNotification"][0] for m in messages]
    assert [(s["state"], s["viewOffset"]) for s in states] == [("playing", 1000), ("paused", 5000), ("stopped", 5000)]


def test_websocket_needs_the_token(emulator):
    with pytest.raises(websocket.WebSocketBadStatusException) as info:
        websocket.create_connection(ws_url(emulator, token="wrong"), timeout=5)
    assert info.value.status_code == 401


def test_plexapi_alert_listener_receives_them(emulator):
    from plexapi.server import PlexServer

    received: queue.Queue = queue.Queue()
    server = PlexServer(emulator.url, TOKEN, timeout=5)
    listener = server.startAlertListener(callback=received.put)
    try:
        wait_for_listeners(emulator)
        session_id = emulator.play(emulator.devices["parent_tv"], "1002")
        data = received.get(timeout=5)
        assert data["type"] == "playing"
        assert data["PlaySessionStateNotification"][0]["ratingKey"] == "1002"
        server.query("/status/sessions/terminate", params={"sessionId": session_id, "reason": "bye"})
        assert received.get(timeout=5)["PlaySessionStateNotification"][0]["state"] == "stopped"
    finally:
        listener.stop()
    deadline = time.monotonic() + 5
    while emulator.notifications.listeners() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert emulator.notifications.listeners() == 0
    log = emulator.log.writer.path.read_text()
    assert "GET /:/websockets/notifications?X-Plex-Token=xxxxxxxxxxxxxxxxxxxx" in log and TOKEN not in log
    assert "Completed after connection close: [127.0.0.1:" in log


def test_down_closes_the_websocket(emulator):
    ws = websocket.create_connection(ws_url(emulator), timeout=5)
    wait_for_listeners(emulator)
    emulator.set_fault("down")
    with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError, OSError)):
        ws.recv()
    emulator.set_fault(None)
