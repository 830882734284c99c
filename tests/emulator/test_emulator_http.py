"""The emulator's HTTP surface, spoken to with plain requests (no plexapi): auth, paging, terminate codes, faults."""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET

import pytest
import requests

from plextray.core.model import MediaInfo
from plextray.emulator.server import PlexEmulator
from support.emulator_fixtures import TOKEN, emulator  # noqa: F401


def get(emu, path, *, token=TOKEN, method="GET", headers=None, **kwargs):
    hdrs = {"X-Plex-Token": token} if token else {}
    hdrs.update(headers or {})
    return requests.request(method, emu.url + path, headers=hdrs, timeout=3, **kwargs)


def parse(response) -> ET.Element:
    assert response.headers["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer')
    return ET.fromstring(response.content)


def test_identity_needs_no_token(emulator):
    root = parse(get(emulator, "/identity", token=None))
    assert root.attrib == {"size": "0", "claimed": "1", "machineIdentifier": emulator.household.machine_id,
                           "version": emulator.household.version}


@pytest.mark.parametrize("path", ["/", "/status/sessions", "/library/metadata/1001", "/accounts", "/clients",
                                  "/library/sections", "/status/sessions/history/all", "/:/prefs",
                                  "/no/such/endpoint"])
def test_every_endpoint_wants_the_token(emulator, path):
    for token in (None, "wrong"):
        response = get(emulator, path, token=token)
        assert response.status_code == 401
        assert response.headers["Content-Type"] == "text/html"
        assert b"<h1>401 Unauthorized</h1>" in response.content


def test_token_in_the_query_is_accepted(emulator):
    response = requests.get(f"{emulator.url}/library/sections?X-Plex-Token={TOKEN}", timeout=3)
    assert response.status_code == 200


def test_root_shape(emulator):
    root = parse(get(emulator, "/"))
    assert root.attrib["friendlyName"] == "Plex Emulator"
    assert "session_kick" in root.attrib["ownerFeatures"].split(",")
    assert root.attrib["myPlexSubscription"] == "1"
    assert root.attrib["size"] == str(len(root)) and all(child.tag == "Directory" for child in root)


def test_session_xml_has_the_real_nesting(emulator):
    emulator.play(emulator.devices["parent_tv"], "2101", position_ms=1000)
    root = parse(get(emulator, "/status/sessions"))
    [video] = root
    assert root.attrib["size"] == "1"
    assert video.tag == "Video" and video.attrib["type"] == "episode"
    assert [child.tag for child in video] == ["Media", "User", "Player", "Session"]
    part = video.find("Media/Part")
    assert part.attrib["decision"] == "directplay" and part.find("Stream") is not None
    assert video.attrib["sessionKey"] == "1" and video.attrib["viewOffset"] == "1000"
    assert video.attrib["grandparentTitle"] == "Harbour Lights" and video.attrib["contentRating"] == "TV-MA"
    player = video.find("Player").attrib
    assert player["machineIdentifier"] == emulator.devices["parent_tv"] and player["state"] == "playing"
    assert video.find("User").attrib["title"] == "Alex"


def test_metadata_ignores_query_and_404s_unknown_keys(emulator):
    plain = get(emulator, "/library/metadata/1001")
    again = get(emulator, "/library/metadata/1001?includeChapters=1&includeMarkers=1")
    assert plain.content == again.content
    container = parse(plain)
    assert container.attrib["librarySectionTitle"] == "Movies" and container.attrib["size"] == "1"
    assert container[0].find("Label").attrib["tag"] == "Kids"
    assert get(emulator, "/library/metadata/999999").status_code == 404


def test_paging_headers_and_query(emulator):
    for n in range(5):
        emulator.add_account(10 + n, f"Guest {n}")
    everything = parse(get(emulator, "/accounts"))
    assert everything.attrib["size"] == str(len(everything)) == "9"  # system account 0 + 3 + 5
    page = parse(get(emulator, "/accounts", headers={"X-Plex-Container-Start": "2", "X-Plex-Container-Size": "3"}))
    assert page.attrib["size"] == "3" and page.attrib["totalSize"] == "9" and page.attrib["offset"] == "2"
    assert [a.attrib["id"] for a in page] == [a.attrib["id"] for a in everything][2:5]
    by_query = parse(get(emulator, "/accounts?X-Plex-Container-Start=8&X-Plex-Container-Size=100"))
    assert by_query.attrib["size"] == "1"


def test_terminate_status_codes(emulator):
    session_id = emulator.play(emulator.devices["kid_tablet"], "1001")
    assert get(emulator, "/status/sessions/terminate?sessionid=" + session_id).status_code == 400
    assert get(emulator, "/status/sessions/terminate").status_code == 400
    empty = get(emulator, "/status/sessions/terminate?sessionId=&reason=x")
    assert empty.status_code == 403 and b"sessionId is empty" in empty.content
    unknown = get(emulator, "/status/sessions/terminate?sessionId=nope")
    assert unknown.status_code == 404 and b"Session not found" in unknown.content
    ok = get(emulator, "/status/sessions/terminate", method="POST", params={"sessionId": session_id, "reason": "Stop"})
    assert ok.status_code == 200 and ok.content == b""
    assert [(c.session_id, c.reason, c.status) for c in emulator.terminate_calls] == [
        ("", "", 400), ("", "", 400), ("", "x", 403), ("nope", "", 404), (session_id, "Stop", 200)]
    assert get(emulator, f"/status/sessions/terminate?sessionId={session_id}").status_code == 404


def test_terminate_without_plex_pass_says_so():
    with PlexEmulator(plex_pass=False) as emu:
        response = requests.get(f"{emu.url}/status/sessions/terminate?sessionId=x",
                                headers={"X-Plex-Token": emu.token}, timeout=3)
        assert response.status_code == 401
        assert b"Server does not have the feature enabled" in response.content
        root = ET.fromstring(requests.get(emu.url, headers={"X-Plex-Token": emu.token}, timeout=3).content)
        assert "session_kick" not in root.attrib["ownerFeatures"].split(",")
        assert root.attrib["myPlexSubscription"] == "0"


def test_prefs_get_and_put(emulator):
    prefs = {s.attrib["id"]: s.attrib for s in parse(get(emulator, "/:/prefs"))}
    assert prefs["logDebug"]["type"] == "bool" and prefs["logDebug"]["value"] == "true"
    assert get(emulator, "/:/prefs?logDebug=false", method="PUT").status_code == 200
    assert emulator.prefs()["logDebug"] is False
    assert get(emulator, "/:/prefs?noSuchPref=1", method="PUT").status_code == 400


def test_history_lists_plays_past_the_scrobble_point(emulator):
    tv, tablet = emulator.devices["parent_tv"], emulator.devices["kid_tablet"]
    emulator.play(tv, "1002", position_ms=6_500_000)  # 98 % of 6 600 000
    emulator.stop_play(tv)
    emulator.play(tablet, "1001", position_ms=60_000)  # 1 %: not a view
    emulator.stop_play(tablet)
    root = parse(get(emulator, "/status/sessions/history/all?sort=viewedAt:desc"))
    assert [(v.attrib["ratingKey"], v.attrib["accountID"]) for v in root] == [("1002", "1")]
    assert parse(get(emulator, "/status/sessions/history/all?accountID=2")).attrib["size"] == "0"


def test_timeline_reports_drive_sessions(emulator):
    headers = {"X-Plex-Client-Identifier": "web-123", "X-Plex-Product": "Plex Web", "X-Plex-Platform": "Firefox",
               "X-Plex-Device-Name": "Firefox"}
    query = "/:/timeline?ratingKey=1003&key=%2Flibrary%2Fmetadata%2F1003&state={}&time={}&duration=7080000"
    assert get(emulator, query.format("playing", 1000), headers=headers).status_code == 200
    assert emulator.live_session("web-123").state == "playing"
    get(emulator, query.format("paused", 11000), headers=headers)
    assert emulator.live_session("web-123").position_ms == 11000
    get(emulator, query.format("stopped", 12000), headers=headers)
    assert emulator.live_session("web-123") is None


@pytest.mark.parametrize("fault, status", [("restarting", 503), ("server_error", 500), ("unauthorized", 401)])
def test_status_faults_apply_to_every_endpoint(emulator, fault, status):
    emulator.set_fault(fault)
    for path in ("/", "/identity", "/status/sessions", "/library/metadata/1001"):
        assert get(emulator, path).status_code == status
    emulator.set_fault(None)
    assert get(emulator, "/").status_code == 200


def test_malformed_fault_breaks_every_xml_answer(emulator):
    emulator.set_fault("malformed")
    for path in ("/", "/identity", "/status/sessions", "/accounts"):
        response = get(emulator, path)
        assert response.status_code == 200
        with pytest.raises(ET.ParseError):
            ET.fromstring(response.content)


def test_slow_fault_delays_answers(emulator):
    import time

    emulator.set_fault("slow", seconds=0.6)
    started = time.monotonic()
    assert get(emulator, "/identity").status_code == 200
    assert time.monotonic() - started >= 0.55
    emulator.set_fault(None)


def test_down_cuts_open_keep_alive_connections(emulator):
    session = requests.Session()
    assert session.get(emulator.url + "/identity", timeout=3).status_code == 200
    emulator.set_fault("down")
    with pytest.raises(requests.ConnectionError):
        session.get(emulator.url + "/identity", timeout=3)
    emulator.set_fault(None)
    assert session.get(emulator.url + "/identity", timeout=3).status_code == 200


def test_unknown_fault_is_refused(emulator):
    with pytest.raises(ValueError, match="unknown fault"):
        emulator.set_fault("on_fire")


def test_concurrent_requests(emulator):
    for n in range(20):
        emulator.add_device(f"d{n}", product="Plex Web", platform="Chrome", device_name=f"B{n}",
                            address="10.0.0.5", account="Noah")
    errors: list[Exception] = []

    def worker(n: int) -> None:
        try:
            emulator.play(f"d{n}", "1001")
            for _ in range(5):
                assert get(emulator, "/status/sessions").status_code == 200
        except Exception as exc:  # collected and re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert parse(get(emulator, "/status/sessions")).attrib["size"] == "20"


def test_items_are_filed_into_libraries():
    emu = PlexEmulator()
    movie = emu.add_item(MediaInfo("1", "A", "movie"))
    show = emu.add_item(MediaInfo("2", "B", "episode", grandparent_title="Show"))
    kids = emu.add_item(MediaInfo("3", "C", "episode", library="Kids TV"))
    assert (movie.library, movie.library_id) == ("Movies", "1")
    assert (show.library, show.library_id) == ("TV Shows", "2")
    assert kids.library == "Kids TV" and kids.library_id not in ("1", "2")
    assert [s.title for s in emu.household.sections()] == ["Movies", "TV Shows", "Kids TV"]


def test_transcoded_play_has_a_transcode_session(emulator):
    emulator.play(emulator.devices["parent_web"], "1003", transcode=True)
    [video] = parse(get(emulator, "/status/sessions"))
    assert [child.tag for child in video] == ["Media", "User", "Player", "Session", "TranscodeSession"]
    assert video.find("Media/Part").attrib["decision"] == "transcode"
    assert video.find("TranscodeSession").attrib["key"].startswith("/transcode/sessions/")
