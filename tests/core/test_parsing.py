"""PlaybackParser on inline copies of real line shapes (sources: ../shared/pms/log-lines.txt blocks)."""

from __future__ import annotations

import gzip
import json

import pytest

from plextray.core.logline import LineBlocks, LineError, parse_line, split_request_prefix
from plextray.core.model import EVENT_JSON_KEYS
from plextray.core.parsing import PlaybackParser

# Block A (2022, no request ids, hex thread ids): one report seen from its Client line on.
BLOCK_A = [
    "Jan 12, 2022 13:42:24.403 [0x7f829a4aa8] DEBUG - Client [0mysqobo3vpvjatpnks6ubu4] reporting timeline state playing, progress of 139000/187000ms for guid=, playbackTime=139168ms ratingKey=80906 url=, key=/library/metadata/80906, containerKey=, metadataId=80906, source=",
    "Jan 12, 2022 13:42:24.407 [0x7f829a4aa8] DEBUG - [Now] User is Flavio_59 (ID: 1)",
    "Jan 12, 2022 13:42:24.407 [0x7f829a4aa8] DEBUG - [Now] Device is windows (Net-Hunter).",
    "Jan 12, 2022 13:42:24.407 [0x7f829a4aa8] DEBUG - [Now] Profile is Plex Desktop",
    "Jan 12, 2022 13:42:24.407 [0x7f829a4aa8] DEBUG - [Now] Updated play state for /library/metadata/80906.",
    "Jan 12, 2022 13:42:24.407 [0x7f829a4aa8] DEBUG - Statistics: (msmy7vq7wxjdzu42rml5mges) Reporting active playback in state 0 of type 10 (scrobble: 0) for account 1",
    "Jan 12, 2022 13:42:24.414 [0x7f829a4aa8] VERBOSE - It took 0.0 sec to serialize a list with 0 elements.",
    "Jan 12, 2022 13:42:24.416 [0x7f8446faa8] DEBUG - Completed: [192.168.1.89:61618] 200 GET /:/timeline?ratingKey=80906&key=%2Flibrary%2Fmetadata%2F80906&playbackTime=139168&playQueueItemID=122671&state=playing&hasMDE=1&context=library%3Acontent.playlists.music&row=0&col=1&time=139000&duration=187000 (5 live) TLS GZIP 16ms 412 bytes (pipelined: 17)",
    "Jan 12, 2022 13:42:34.409 [0x7f82b01aa8] DEBUG - Request: [192.168.1.89:61687 (Subnet)] GET /:/timeline?ratingKey=80906&key=%2Flibrary%2Fmetadata%2F80906&playbackTime=149186&playQueueItemID=122671&state=playing&hasMDE=1&context=library%3Acontent.playlists.music&row=0&col=1&time=149000&duration=187000 (10 live) TLS GZIP Signed-in Token (Flavio_59) / Accept => application/json,application/xml / Accept-Encoding => gzip, deflate, br / Accept-Language => fr / Connection => keep-alive / Host => 192-168-1-96.2fd7cb1625624bea8ad994d4060602a8.plex.direct:32400 / User-Agent => Plex; 1.39.1.2763-300bb607; Windows 10 Version 2009 / X-Plex-Client-Identifier => msmy7vq7wxjdzu42rml5mges / X-Plex-Client-Profile-Name => Plex Desktop / X-Plex-Device-Name => Net-Hunter / X-Plex-Platform => windows / X-Plex-Platform-Version => 10.0.22000 / X-Plex-Product => Plex for Windows / X-Plex-Session-Identifier => 0mysqobo3vpvjatpnks6ubu4 / X-Plex-Token => xxxxxxxxxxxxxxxxxxxx / X-Plex-Version => 1.39.1.2763-300bb607",
]

# A 1.4x report with a request id (shapes of blocks B/C/D, values invented consistently).
MODERN = [
    "Aug 07, 2026 06:37:34.400 [132688110742328] DEBUG - Request: [192.168.1.208:43890 (Subnet)] GET /:/timeline?key=%2Flibrary%2Fmetadata%2F378&ratingKey=378&playQueueItemID=15310&duration=5568563&time=3039038&playbackTime=2001342&hasMDE=1&context=home%3AcontinueWatching&row=0&col=0&state=playing (4 live) #8ec76 TLS GZIP Signed-in Token (masyllis)",
    "Aug 07, 2026 06:37:34.402 [132688110742328] DEBUG - [Req#8ec76] Client [sessident0001] reporting timeline state playing, progress of 3039038/5568563ms for guid=, playbackTime=2001342ms ratingKey=378 url=, key=/library/metadata/378, containerKey=, metadataId=378, source=",
    "Aug 07, 2026 06:37:34.405 [132688110742328] DEBUG - [Req#8ec76] [Now] User is masyllis (ID: 3)",
    "Aug 07, 2026 06:37:34.405 [132688110742328] DEBUG - [Req#8ec76] [Now] Device is Android (Living Room).",
    "Aug 07, 2026 06:37:34.406 [132688110742328] DEBUG - [Req#8ec76] Statistics: (clientid0001) Reporting active playback in state 0 of type 4 (scrobble: 0) for account 3",
    "Aug 07, 2026 06:37:36.346 [132687881837368] WARN - [Req#8ec76] Held transaction for too long (/home/runner/_work/plex-media-server/plex-media-server/Library/MetadataItemSetting.cpp:459): 0.310000 seconds",
    "Aug 07, 2026 06:37:39.377 [132688110742328] DEBUG - Completed: [192.168.1.208:43890] 200 GET /:/timeline?key=%2Flibrary%2Fmetadata%2F378&ratingKey=378&playQueueItemID=15310&duration=5568563&time=3039038&playbackTime=2001342&hasMDE=1&context=home%3AcontinueWatching&row=0&col=0&state=playing (4 live) #8ec76 TLS GZIP 4977ms 820 bytes (pipelined: 144)",
]

# 2013 (0.9.x Windows, reconstructed from plex-reporter's parsed records): identity in the query.
OLD_2013 = [
    "Jul 04, 2013 19:33:11:386 [0] DEBUG - Request: GET /:/timeline?X-Plex-Client-Identifier=C5B092C3-B261-4344-A09F-A6939E10A468&X-Plex-Device=iPhone&X-Plex-Device-Name=%E5%A4%A7%E9%98%AA&X-Plex-Platform=iOS&X-Plex-Product=Plex%2FiOS&duration=1278048&key=%2Flibrary%2Fmetadata%2F5422&ratingKey=5422&state=playing&time=69932 [10.0.0.11:59285] <rest-of-line-unknown>",
    "Jul 04, 2013 11:54:44:838 [0] DEBUG - Request: GET /:/timeline?X-Plex-Device=Western%20Digital%20TV%20Live&X-Plex-Device-Name=Western%20Digital%20TV%20Live&X-Plex-Product=DLNA&duration=1212002&key=%2Flibrary%2Fmetadata%2F10898&ratingKey=10898&report=1&state=playing&time=1179000 [127.0.0.1:50478] <rest-of-line-unknown>",
]
WEB_2013 = [
    "Jul 04, 2013 19:34:28:773 [0] DEBUG - Request: GET /video/:/transcode/universal/start.m3u8?X-Plex-Client-Identifier=xk4kbse0xxadzpvi&X-Plex-Device=Windows&X-Plex-Device-Name=Plex%2FWeb%20%28Chrome%29&X-Plex-Platform=Chrome&X-Plex-Product=Web%20Client&path=http%3A%2F%2F127.0.0.1%3A32400%2Flibrary%2Fmetadata%2F321&protocol=hls&session=xk4kbse0xxadzpvi [127.0.0.1:62201] x",
    "Jul 04, 2013 19:34:30:655 [0] DEBUG - Request: GET /:/timeline?duration=2582880&key=%2Flibrary%2Fmetadata%2F321&ratingKey=321&state=playing&time=0 [127.0.0.1:62216] x",
    "Jul 04, 2013 19:35:29:135 [0] DEBUG - Request: GET /:/timeline?duration=2582880&key=%2Flibrary%2Fmetadata%2F321&ratingKey=321&state=stopped&time=2582880 [127.0.0.1:62298] x",
    "Jul 04, 2013 19:35:31:977 [0] DEBUG - Request: GET /video/:/transcode/universal/stop?session=xk4kbse0xxadzpvi [127.0.0.1:62302] x",
    "Jul 04, 2013 19:36:00:000 [0] DEBUG - Request: GET /:/timeline?duration=100&key=%2Flibrary%2Fmetadata%2F9&ratingKey=9&state=playing&time=0 [127.0.0.1:62400] x",
]

# Block L: 0.9.x Linux/macOS, no ms, hex thread id, status at the end of Completed.
OLD_09 = [
    "Mar 02, 2016 12:29:37 [0x7000005b2000] DEBUG - Completed: [192.168.1.108:51859] GET /:/timeline?key=%2Fvideo%2Fiptv%2Fx&ratingKey=http%3A%2F%2Fspeedy.example%3A8000%2F3493.ts&time=0&duration=&state=playing&identifier=com.plexapp.plugins.iptv (6 live) GZIP 2ms 158 bytes 200 (pipelined: 8)",
]


def feed_all(parser: PlaybackParser, lines):
    out = []
    for line in lines:
        out.extend(parser.feed_reports(line))
    return out


def final(reports):
    """The last version of each report (what `events` prints)."""
    last = {}
    for number, event in reports:
        last[number] = event
    return [last[n] for n in sorted(last)]


# ----------------------------------------------------------------------------- prefix
@pytest.mark.parametrize(
    "line, iso, thread, modern",
    [
        ("Jul 03, 2013 02:13:16:353 [4600] DEBUG - x", "2013-07-03T02:13:16.353", "4600", False),
        ("Nov 11, 2015 01:03:09 [0x7f23b77fc700] DEBUG - x", "2015-11-11T01:03:09", "0x7f23b77fc700", False),
        ("Jan 12, 2022 13:42:24.403 [0x7f829a4aa8] DEBUG - x", "2022-01-12T13:42:24.403", "0x7f829a4aa8", True),
        ("Feb 06, 2026 12:48:39.648 [136529588505400] INFO - x", "2026-02-06T12:48:39.648", "136529588505400", True),
        ("Aug 04, 2025 20:16:01.457 [0x16be93000] DEBUG - x", "2025-08-04T20:16:01.457", "0x16be93000", True),
        ("May 02, 2026 09:49:48.507 [278559438758112] Debug \u2014 x", "2026-05-02T09:49:48.507", "278559438758112", True),
        ("Feb 14, 2026 13:13:49.080 [140514159266616] Ladění \u2014 x", "2026-02-14T13:13:49.080", "140514159266616", True),
        ("Nov 09 07:41:13 PLEX plex_media_server.log: Nov 09, 2017 07:41:12.751 [6184] ERROR - x",
         "2017-11-09T07:41:12.751", "6184", True),
        ("Plex Media Server.1.log:Oct 15, 2021 18:33:50.366 [0x7f59cde6fb38] DEBUG - x",
         "2021-10-15T18:33:50.366", "0x7f59cde6fb38", True),
    ],
)
def test_prefix_of_every_era(line, iso, thread, modern):
    parsed = parse_line(line)
    assert (parsed.time, parsed.thread, parsed.message, parsed.modern) == (iso, thread, "x", modern)


def test_prefix_rejects_foreign_and_truncated_lines():
    with pytest.raises(LineError) as foreign:
        parse_line("Streaming Resource: Terminated session nzba5vran72kbo7qql4k with reason Client stopped playback.")
    assert not foreign.value.garbled
    with pytest.raises(LineError) as cut:
        parse_line("Jan 12, 20")
    assert cut.value.garbled
    with pytest.raises(LineError):
        parse_line("Foo 12, 2022 13:42:24.403 [1] DEBUG - x")


def test_request_prefix_split():
    assert split_request_prefix("[Req#8ec76] Client [x] y") == ("8ec76", "Client [x] y")
    assert split_request_prefix("[Req#124e/Transcode/875a-com-plexapp-android] Started") == ("124e", "Started")
    assert split_request_prefix("[Now] User is a (ID: 1)") == (None, "[Now] User is a (ID: 1)")


# ----------------------------------------------------------------------------- reports
def test_block_a_one_report_per_timeline_call_identity_from_follow_ups():
    parser = PlaybackParser()
    reports = feed_all(parser, BLOCK_A)
    events = final(reports)
    assert len(events) == 2  # the 13:42:24 report (Client..Completed) and the 13:42:34 Request
    first, second = events
    assert first.time == "2022-01-12T13:42:24.403"
    assert (first.state, first.rating_key, first.position_ms, first.duration_ms) == ("playing", "80906", 139000, 187000)
    assert first.client_id == "msmy7vq7wxjdzu42rml5mges"  # from the Statistics line
    assert (first.account, first.platform, first.device) == ("Flavio_59", "windows", "Net-Hunter")
    assert first.session == "0mysqobo3vpvjatpnks6ubu4"
    assert second.client_id == "msmy7vq7wxjdzu42rml5mges"
    assert (second.product, second.ip, second.account) == ("Plex for Windows", "192.168.1.89", "Flavio_59")
    assert second.position_ms == 149000
    # the Completed line of the first report made no new report
    assert parser.stats.events == 2


def test_first_line_creates_the_event_and_updates_only_add_identity():
    parser = PlaybackParser()
    first = parser.feed_reports(MODERN[0])
    assert len(first) == 1
    number, event = first[0]
    assert event.client_id is None and event.account == "masyllis" and event.ip == "192.168.1.208"
    assert parser.feed_reports(MODERN[1]) == []  # session ident only: no update
    assert parser.feed_reports(MODERN[2]) == []  # account already known
    assert parser.feed_reports(MODERN[3]) == []
    updated = parser.feed_reports(MODERN[4])
    assert [n for n, _ in updated] == [number]
    event = updated[0][1]
    assert event.client_id == "clientid0001"
    assert (event.device, event.platform, event.session) == ("Living Room", "Android", "sessident0001")
    assert event.time == "2026-08-07T06:37:34.400"
    assert feed_all(parser, MODERN[5:]) == []  # Completed with the same #id: same report
    assert (parser.stats.events, parser.stats.updates) == (1, 1)


def test_next_report_of_a_known_connection_is_complete_at_once():
    parser = PlaybackParser()
    feed_all(parser, MODERN)
    nxt = MODERN[0].replace("06:37:34.400", "06:37:44.400").replace("#8ec76", "#8ec80").replace(
        "time=3039038", "time=3049038")
    (number, event), = parser.feed_reports(nxt)
    assert event.client_id == "clientid0001" and event.session == "sessident0001"
    assert event.device == "Living Room"


def test_new_connection_is_not_guessed_from_same_user_and_item():
    """Two devices of one account may play the same item: only a line naming the client counts."""
    parser = PlaybackParser()
    feed_all(parser, MODERN)
    nxt = MODERN[0].replace("43890", "50000").replace("#8ec76", "#8ec99").replace("time=3039038", "time=3049038")
    (number, event), = parser.feed_reports(nxt)
    assert event.client_id is None and event.account == "masyllis"
    stats = MODERN[4].replace("#8ec76", "#8ec99").replace("clientid0001", "clientid0002")
    (again, update), = parser.feed_reports(stats)
    assert again == number and update.client_id == "clientid0002"


def test_two_clients_on_loopback_are_not_confused():
    parser = PlaybackParser()
    dlna, = final(feed_all(parser, [OLD_2013[1]]))
    web = final(feed_all(parser, WEB_2013[:2]))
    assert dlna.product == "DLNA" and dlna.client_id is None and dlna.ip == "127.0.0.1"
    assert web[0].client_id == "xk4kbse0xxadzpvi" and web[0].product == "Web Client"


def test_2013_identity_in_query_and_web_tied_to_transcode_session():
    parser = PlaybackParser()
    ios, dlna = final(feed_all(parser, OLD_2013))
    assert ios.time == "2013-07-04T19:33:11.386"
    assert ios.client_id == "C5B092C3-B261-4344-A09F-A6939E10A468"
    assert (ios.product, ios.platform, ios.device, ios.ip) == ("Plex/iOS", "iOS", "大阪", "10.0.0.11")
    assert (ios.rating_key, ios.position_ms, ios.duration_ms) == ("5422", 69932, 1278048)
    assert dlna.device == "Western Digital TV Live"
    events = final(feed_all(parser, WEB_2013))
    playing, stopped, after_stop = events
    for event in (playing, stopped):
        assert (event.client_id, event.session, event.device) == ("xk4kbse0xxadzpvi", "xk4kbse0xxadzpvi", "Plex/Web (Chrome)")
    assert stopped.state == "stopped" and stopped.position_ms == 2582880
    assert after_stop.client_id is None  # the transcode stop ended the link


def test_0_9_completed_with_status_at_the_end():
    parser = PlaybackParser()
    event, = final(feed_all(parser, OLD_09))
    assert event.time == "2016-03-02T12:29:37"
    assert event.duration_ms is None and event.position_ms == 0
    assert event.rating_key == "http://speedy.example:8000/3493.ts"
    assert event.ip == "192.168.1.108"


def test_0_9_client_bracket_is_the_client_identifier():
    line = ("Nov 11, 2015 01:03:09 [0x7f23b77fc700] DEBUG - Client [0352kudxrfu9] reporting timeline state "
            "paused, progress of 5000/60000ms for guid=x, ratingKey=42, url=, key=/library/metadata/42")
    event, = PlaybackParser().feed(line)
    assert (event.client_id, event.state, event.rating_key, event.position_ms) == ("0352kudxrfu9", "paused", "42", 5000)


def test_console_em_dash_form_is_read():
    line = MODERN[0].replace("DEBUG - ", "Debug \u2014 ")
    event, = PlaybackParser().feed(line)
    assert event.rating_key == "378"


def test_failed_completed_without_request_is_no_report():
    line = MODERN[-1].replace("] 200 GET", "] 401 GET")
    assert PlaybackParser().feed(line) == []


def test_non_playback_lines_mentioning_markers_are_ignored_not_counted():
    parser = PlaybackParser()
    lines = [
        "Request: [10.10.10.1:52596 (Subnet)] GET /player/timeline/poll?commandID=1&wait=0 (24 live) GZIP Signed-in Token",
        "Feb 06, 2026 12:48:45.834 [136529439558456] DEBUG - [Req#24] [Now] Adding 0 sessions.",
        "Aug 07, 2026 06:40:46.067 [1] DEBUG - Completed after connection close: [192.168.1.208:43910] 200 GET /video/:/transcode/universal/session/f0cc/base/03075.ts (13 live) #8ece3 TLS 39727ms 2621440 bytes (pipelined: 1460)",
        "Dec 13, 2025 13:58:30.483 [1] DEBUG - [Req#34f592] Streaming Resource: Terminated session 0x7ad5b7c2e408:662548-r0-z7bxmhyp1bfvede948bqp with reason Client stopped playback.",
        "Mar 18, 2023 13:51:20.024 [0x7f457703db38] DEBUG - [Req#124e/Transcode/875a95c7bc0072ef-com-plexapp-android] Started session successfully: 875a95c7bc0072ef-com-plexapp-android",
    ]
    assert feed_all(parser, lines) == []
    assert parser.stats.unknown_format == 1  # the prefix-less poll line
    assert parser.stats.skipped_garbled == 0


@pytest.mark.parametrize(
    "line, counter",
    [
        (MODERN[0][:120], "skipped_garbled"),  # cut inside the query: no state
        ("Aug 07, 2026 06:37:34.400 [1] DEBUG - Request: [1.2.3.4:5 (Subnet)] GET /:/timeline?ratingKey=1&state=warp (1 live)", "skipped_garbled"),
        ("Aug 07, 20 GET /:/timeline?state=playing", "skipped_garbled"),  # cut inside the prefix
        (MODERN[0].replace("Request", "Re\x00quest"), "skipped_binary"),
        (b"Aug 07, 2026 06:37:34.400 [1] DEBUG - \x01\x02 timeline \xff\xfe", "skipped_binary"),
        ("timeline " + "x" * (1 << 20), "skipped_too_long"),
        ("some other program's timeline line", "unknown_format"),
    ],
)
def test_bad_lines_are_skipped_and_counted(line, counter):
    """Only lines carrying a playback marker are decoded, so only those can count as garbled."""
    parser = PlaybackParser()
    assert parser.feed(line) == []
    assert getattr(parser.stats, counter) == 1, parser.stats
    assert parser.stats.lines == 1


def test_a_truncated_timeline_request_is_garbled():
    parser = PlaybackParser()
    cut = MODERN[0][: MODERN[0].index("&state=")]  # the query lost its end
    assert parser.feed(cut.split("?")[0] + "?ratingKey=378&key=%2Fli") == []
    assert parser.stats.skipped_garbled == 1


def test_feed_block_equals_feed_line_by_line():
    lines = [*BLOCK_A, *MODERN, *OLD_2013, *WEB_2013, *OLD_09, "noise line", "Jan 01, 2024 00:00:00.000 [1] DEBUG - x"]
    data = ("\n".join(lines) + "\n").encode()
    one = PlaybackParser()
    by_line = feed_all(one, data.splitlines(keepends=True))
    blocks = PlaybackParser()
    splitter = LineBlocks()
    by_block = []
    for cut in range(0, len(data), 777):  # blocks that cut lines anywhere
        block = splitter.push(data[cut : cut + 777])
        if block:
            by_block.extend(blocks.feed_block(block))
    assert by_block == by_line
    assert blocks.stats.lines == one.stats.lines == len(lines)


def test_line_blocks_drop_over_long_lines_and_track_bytes():
    splitter = LineBlocks(max_line=10)
    out = splitter.push(b"short\n" + b"y" * 25) + splitter.push(b"yy\nok\n")
    assert out == b"short\nok\n"
    assert splitter.too_long == 1 and splitter.consumed == 6 + 28 + 3


def test_events_json_keys_exact():
    event, = PlaybackParser().feed(OLD_2013[0])
    assert tuple(event.to_json_dict()) == EVENT_JSON_KEYS
    assert json.loads(json.dumps(event.to_json_dict()))["client_id"] == "C5B092C3-B261-4344-A09F-A6939E10A468"


def test_gzip_roundtrip_of_blocks(tmp_path):
    path = tmp_path / "x.log.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(MODERN) + "\n")
    from plextray.history.importer import decompressed_chunks

    parser = PlaybackParser()
    events = [e for chunk in decompressed_chunks(path) for e in parser.feed_block(chunk)]
    assert len({n for n, _ in events}) == 1


def test_2022_follow_ups_without_request_ids_are_tied_by_thread():
    """Before ~2023 there is no #id: the handler thread ties the lines; two clients interleave."""
    t1, t2 = "[0x7f829a4aa8]", "[0x7f82b01aa8]"

    def req(thread, port, position):
        return (f"Jan 12, 2022 13:42:24.403 {thread} DEBUG - Request: [192.168.1.89:{port} (Subnet)] GET "
                f"/:/timeline?ratingKey=80906&key=%2Flibrary%2Fmetadata%2F80906&state=playing&time={position}"
                f"&duration=187000 (5 live) TLS GZIP Signed-in Token (Flavio_59)")

    def client(thread, ident, position):
        return (f"Jan 12, 2022 13:42:24.405 {thread} DEBUG - Client [{ident}] reporting timeline state playing, "
                f"progress of {position}/187000ms for guid=, playbackTime={position}ms ratingKey=80906 url=, key=/library/metadata/80906")

    def stats(thread, client_id):
        return (f"Jan 12, 2022 13:42:24.407 {thread} DEBUG - Statistics: ({client_id}) Reporting active playback "
                "in state 0 of type 10 (scrobble: 0) for account 1")

    lines = [
        req(t1, 61618, 139000), req(t2, 61700, 5000),
        client(t2, "identB", 5000), client(t1, "identA", 139000),
        "Jan 12, 2022 13:42:24.406 [0x7f829a4aa8] DEBUG - [Now] Device is windows (Net-Hunter).",
        stats(t1, "clientA"), stats(t2, "clientB"),
        "Jan 12, 2022 13:42:24.416 [0x7f8446faa8] DEBUG - Completed: [192.168.1.89:61618] 200 GET /:/timeline?ratingKey=80906&key=%2Flibrary%2Fmetadata%2F80906&state=playing&time=139000&duration=187000 (5 live) TLS GZIP 16ms 412 bytes (pipelined: 17)",
    ]
    parser = PlaybackParser()
    a, b = final(feed_all(parser, lines))
    assert (a.client_id, a.position_ms, a.session, a.device) == ("clientA", 139000, "identA", "Net-Hunter")
    assert (b.client_id, b.position_ms, b.session, b.device) == ("clientB", 5000, "identB", None)
    assert parser.stats.events == 2
    # the connection and the session identifier now name the client at once
    (_, again), = parser.feed_reports(req(t2, 61618, 149000).replace("24.403", "34.403"))
    assert again.client_id == "clientA"


def test_1x_transcode_decision_names_the_connection_and_the_session():
    """Block D shape with a header dump: the timeline on the same connection is complete at once."""
    decision = (
        "Sep 26, 2026 22:48:26.451 [140562] DEBUG - Request: [10.0.0.2:62048 (Allowed Network (Subnet))] GET "
        "/video/:/transcode/universal/decision?hasMDE=1&path=%2Flibrary%2Fmetadata%2F40859&directPlay=0"
        "&directStream=1&location=lan&session=e0u2xhmoixv6v6vvbea8jbt9 (27 live) #48355 TLS GZIP Signed-in Token "
        "(remi) / Accept => application/json / X-Plex-Client-Identifier => webclient77 / X-Plex-Product => Plex Web"
    )
    timeline = (
        "Sep 26, 2026 22:48:30.000 [140562] DEBUG - Request: [10.0.0.2:62048 (Allowed Network (Subnet))] GET "
        "/:/timeline?ratingKey=40859&key=%2Flibrary%2Fmetadata%2F40859&state=buffering&time=0&duration=734167 "
        "(27 live) #48360 TLS GZIP Signed-in Token (remi)"
    )
    parser = PlaybackParser()
    assert parser.feed(decision) == []
    (event,) = parser.feed(timeline)
    assert (event.client_id, event.product, event.session, event.state) == (
        "webclient77", "Plex Web", "e0u2xhmoixv6v6vvbea8jbt9", "buffering")
    assert event.ip == "10.0.0.2"


@pytest.mark.parametrize("blockwise", [False, True])
def test_the_completed_line_of_a_report_already_made_is_not_read(blockwise):
    """It adds nothing, so it is not read at all: a damaged one (here a control byte in its
    prefix) is not counted as skipped either. A Completed line whose Request line is gone still
    makes the report."""
    damaged = MODERN[6].replace(" DEBUG", "\x07DEBUG", 1)
    orphan = MODERN[6].replace("#8ec76", "#8ec99").replace("06:37:39.377", "06:37:49.377").replace(
        "time=3039038", "time=3049038")

    def run(lines):
        parser = PlaybackParser()
        if blockwise:
            out = parser.feed_block("".join(line + "\n" for line in lines).encode())
        else:
            out = [pair for line in lines for pair in parser.feed_reports(line)]
        return parser, out

    parser, out = run([MODERN[0], damaged])
    assert len(out) == 1 and parser.stats.skipped() == 0
    parser, out = run([damaged])  # no report made yet: read, and its damage counted
    assert out == [] and parser.stats.skipped_binary == 1
    parser, out = run([MODERN[0], orphan])
    assert [event.position_ms for _, event in out] == [3039038, 3049038]


def _next_report(reqid: str, second: int, *, statistics_client: str = "clientid0001") -> list[str]:
    """MODERN's report again, as the same app's next one (another #id, ten seconds on)."""
    return [
        line.replace("8ec76", reqid).replace("06:37:34.", f"06:37:{second:02d}.")
        .replace("time=3039038", f"time={3039038 + second * 1000}")
        .replace("progress of 3039038/", f"progress of {3039038 + second * 1000}/")
        .replace("(clientid0001)", f"({statistics_client})")
        for line in MODERN[:5]
    ]


@pytest.mark.parametrize("blockwise", [False, True])
def test_follow_ups_that_repeat_what_a_report_holds_are_not_read(blockwise):
    """A play's every report repeats its [Now] User / [Now] Device / Statistics lines: when one
    says only what its report already holds, it is not read (nor its damage counted); one that
    says something new (another client here) is read and updates the report."""
    damaged = [line.replace(" DEBUG", "\x07DEBUG", 1) if "[Now] Device" in line else line
               for line in _next_report("8ec80", 44)]
    lines = [*MODERN[:5], *damaged, *_next_report("8ec90", 54, statistics_client="clientid0002")]
    parser = PlaybackParser()
    if blockwise:
        out = parser.feed_block("".join(line + "\n" for line in lines).encode())
    else:
        out = [pair for line in lines for pair in parser.feed_reports(line)]
    assert parser.stats.skipped() == 0
    clients = [(number, event.client_id) for number, event in out]
    assert clients == [(1, None), (1, "clientid0001"), (2, "clientid0001"), (3, "clientid0001"), (3, "clientid0002")]
    assert all((event.device, event.account) == ("Living Room", "masyllis") for _, event in out[2:])

    fresh = PlaybackParser()  # the damaged line as the first its report hears of a device: read, counted
    for line in [*MODERN[:2], damaged[3]]:
        fresh.feed_reports(line.replace("8ec80", "8ec76"))
    assert fresh.stats.skipped_binary == 1
