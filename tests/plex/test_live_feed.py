"""The live feed (core.live): Plex sessions, as its websocket and its session list say them, become
playback events — a play is a Plex session, and a session is judged only once it is named."""

from __future__ import annotations

import json

import pytest
from conftest import shared_path

from plextray.core.live import LiveFeed, PlayNotice
from plextray.core.model import LiveSession
from plextray.core.sessions import SessionFolder
from plextray.plex.notifications import parse_notices, socket_url
from zoneinfo import ZoneInfo

T = "2026-11-23T16:00:0{}.000"


def _live(key: str, client: str = "ipad", rating: str = "1002", sid: str = "s1", account: str = "emma") -> LiveSession:
    return LiveSession(session_id=sid, session_key=key, rating_key=rating, account=account, account_id="2",
                       machine_id=client, product="Plex for iOS", platform="iOS", device="Emma's iPad",
                       address="192.168.1.30", state="playing", view_offset_ms=0)


def test_a_notice_of_an_unknown_session_waits_for_the_list_that_names_it():
    feed = LiveFeed()
    events, fetch = feed.notice(PlayNotice("7", "ipad", "1002", 0, "playing"), T.format(0))
    assert events == [] and fetch
    asked = feed.ask()
    (event,) = feed.sessions([_live("7")], T.format(1), asked_at=asked)
    assert (event.client_id, event.account, event.device, event.session, event.state) == (
        "ipad", "emma", "Emma's iPad", "s1", "playing")
    events, fetch = feed.notice(PlayNotice("7", "ipad", "1002", 5000, "paused"), T.format(2))
    assert not fetch and [(e.state, e.position_ms) for e in events] == [("paused", 5000)]


def test_a_restart_after_a_stop_is_a_second_watch_session():
    feed, folder = LiveFeed(), SessionFolder(ZoneInfo("UTC"))
    keys = []
    for n, (key, sid) in enumerate((("7", "s1"), ("8", "s2"))):
        feed.notice(PlayNotice(key, "ipad", "1002", 0, "playing"), T.format(3 * n))
        for event in feed.sessions([_live(key, sid=sid)], T.format(3 * n), asked_at=feed.ask()):
            keys += [s.key for s in folder.feed(event)]
        (stop,) = feed.notice(PlayNotice(key, "ipad", "1002", 1000, "stopped"), T.format(3 * n + 1))[0]
        assert stop.state == "stopped"
        assert [s.live for s in folder.feed(stop)] == [False]
    assert len(set(keys)) == 2


def test_a_session_gone_from_the_list_has_stopped_but_one_heard_of_after_asking_has_not():
    feed = LiveFeed()
    feed.sessions([_live("7")], T.format(0), asked_at=feed.ask())
    asked = feed.ask()
    feed.notice(PlayNotice("9", "tv", "1001", 0, "playing"), T.format(1))  # new since the list was asked for
    events = feed.sessions([], T.format(2), asked_at=asked)
    assert [(e.client_id, e.state) for e in events] == [("ipad", "stopped")]
    assert feed.unnamed()  # "9" is still waiting for a list that names it


def test_a_device_on_a_new_session_has_ended_its_previous_one():
    """A missed `stopped` (the socket was down): the next session of the device ends the old one."""
    feed = LiveFeed()
    feed.sessions([_live("7", sid="s1")], T.format(0), asked_at=feed.ask())
    feed.notice(PlayNotice("8", "ipad", "1002", 0, "playing"), T.format(1))
    events = feed.sessions([_live("8", sid="s2")], T.format(2), asked_at=feed.ask())
    assert [(e.session, e.state) for e in events] == [("s1", "stopped"), ("s2", "playing")]


def test_notifications_are_read_in_both_of_plex_s_shapes():
    modern = json.dumps({"NotificationContainer": {"type": "playing", "size": 1, "PlaySessionStateNotification": [
        {"sessionKey": "29", "clientIdentifier": "abc", "ratingKey": "144504", "viewOffset": 154000, "state": "paused"}]}})
    old = json.dumps({"NotificationContainer": {"type": "playing", "_children": [
        {"sessionKey": 3, "clientIdentifier": "abc", "ratingKey": "1", "viewOffset": 0, "state": "playing"}]}})
    assert parse_notices(modern) == ("playing", [PlayNotice("29", "abc", "144504", 154000, "paused")])
    assert parse_notices(old)[1] == [PlayNotice("3", "abc", "1", 0, "playing")]
    assert parse_notices("not json") == (None, [])
    assert parse_notices('{"NotificationContainer":{"type":"playing","PlaySessionStateNotification":[{"state":"x"}]}}')[1] == []
    assert socket_url("https://plex.local:32400/") == "wss://plex.local:32400/:/websockets/notifications"


def test_real_notifications_are_read():
    path = shared_path("pms", "websocket", "notifications.jsonl")
    kinds = {}
    for line in path.read_text().splitlines():
        if line.strip():
            kind, notices = parse_notices(line)
            kinds.setdefault(kind, []).extend(notices)
    assert kinds["playing"], "the real `playing` messages carry play notices"
    assert all(n.session_key and n.client_id for n in kinds["playing"])
    assert not any(notices for kind, notices in kinds.items() if kind != "playing")


@pytest.mark.parametrize("state", ["playing", "paused", "buffering"])
def test_a_known_session_goes_straight_to_an_event(state):
    feed = LiveFeed()
    feed.sessions([_live("7")], T.format(0), asked_at=feed.ask())
    events, fetch = feed.notice(PlayNotice("7", "ipad", "1002", 10, state), T.format(1))
    assert not fetch and [e.state for e in events] == [state]
