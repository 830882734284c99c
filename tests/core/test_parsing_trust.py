"""What Plex did not authenticate never becomes a play: refused reports, and header dumps whose
values try to set other headers. Line shapes from ../shared/pms/log-lines.txt (1.43 `Token ()`,
`Completed: [...] 401 GET`, Jan 2022 header dump)."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plextray.core.parsing import PlaybackParser
from plextray.core.parsing.fields import headers
from plextray.emulator.traffic import playback_lines

PREFIX = "Feb 06, 2026 12:48:{s:06.3f} [136529439558456] DEBUG - "
TV = "b3c1f0a7e2d94c58-com-plexapp-android"
IPAD = "5D3E1B0A-77C2-4F4B-9E61-0C2B7A9D8E11"
TIMELINE = "/:/timeline?ratingKey=1002&key=%2Flibrary%2Fmetadata%2F1002&state=playing&time=60000&duration=6600000"


def line(second: float, message: str) -> str:
    return PREFIX.format(s=second) + message


def forged(status: int, *, req: str = "2f1", ip: str = "192.168.1.77", client: str = IPAD) -> list[str]:
    """An unauthenticated timeline with a child's client id in the query, as PMS logs it."""
    url = f"{TIMELINE}&X-Plex-Client-Identifier={client}"
    return [
        line(1.0, f"Request: [{ip}:50112 (Subnet)] GET {url} (3 live) #{req} GZIP Token ()"),
        line(1.004, f"Completed: [{ip}:50112] {status} GET {url} (3 live) #{req} GZIP 1ms 193 bytes"),
    ]


def feed_all(parser: PlaybackParser, lines: list[str], *, block: bool) -> list:
    if block:
        return [event for _, event in parser.feed_block("".join(f"{text}\n" for text in lines).encode())]
    return [event for text in lines for event in parser.feed(text)]


@pytest.mark.parametrize("block", [False, True], ids=["line by line", "block"])
@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_report_makes_no_event_and_is_counted(block, status):
    parser = PlaybackParser()
    assert feed_all(parser, forged(status), block=block) == []
    assert parser.rejected_total == 1
    (rejected,) = parser.take_rejected()
    assert (rejected.ip, rejected.status, rejected.client_id) == ("192.168.1.77", status, IPAD)
    assert parser.take_rejected() == []


@pytest.mark.parametrize("fast", [True, False], ids=["fast path", "general path"])
def test_a_refused_report_teaches_nothing_about_the_client_it_names(fast):
    """A forged request naming the iPad from another address must not make that address the
    iPad's, nor give it an account."""
    parser = PlaybackParser()
    parser.fast_paths = fast
    assert feed_all(parser, forged(401, ip="192.168.1.52"), block=False) == []
    later = [line(5.0, f"Request: [192.168.1.52:50112 (Subnet)] GET {TIMELINE} (3 live) #2f9 GZIP Signed-in Token (Alex)")]
    (event,) = feed_all(parser, later, block=False)
    assert event.client_id is None and event.account == "Alex"


def test_an_unauthenticated_report_plex_served_is_a_play_without_an_account():
    """A network allowed without a token: PMS serves it (200). It is a play, with no account —
    and never one borrowed from the client id it claims (the engine waits for the server)."""
    parser = PlaybackParser()
    signed = playback_lines(datetime(2026, 2, 6, 12, 48), client_id=IPAD, session_ident="s1", rating_key="1002",
                            state="playing", position_ms=1000, duration_ms=6_600_000, ip="192.168.1.52", port=50000,
                            account="Emma", account_id=2, device_name="Emma's iPad", product="Plex for iOS",
                            platform="iOS", req_id="100")
    for when, level, message in signed:
        parser.feed(f"{when.strftime('%b %d, %Y %H:%M:%S.%f')[:-3]} [1] {level} - {message}")
    (event,) = feed_all(parser, forged(200), block=False)
    assert event.client_id == IPAD and event.account is None


def test_a_held_report_is_released_by_the_lines_plex_logs_while_serving_it():
    """No Completed line yet, but PMS logged `Client [...] reporting` for it: it was accepted."""
    parser = PlaybackParser()
    request = forged(200)[0]
    assert parser.feed(request) == []
    (event,) = parser.feed(line(1.002, "[Req#2f1] Client [abc] reporting timeline state playing, progress of "
                                       "60000/6600000ms for guid=, playbackTime=60000ms ratingKey=1002 url=, "
                                       "key=/library/metadata/1002, containerKey=, metadataId=1002, source="))
    assert event.client_id == IPAD and event.state == "playing"


@pytest.mark.parametrize("fast", [True, False], ids=["fast path", "general path"])
def test_a_device_name_holding_another_header_stays_a_device_name(fast):
    """`X-Plex-Device-Name => Emma / X-Plex-Client-Identifier => <TV>`: the later duplicate
    key used to win, so the report carried the TV's id (and an import made two sessions)."""
    name = f"Emma / X-Plex-Client-Identifier => {TV}"
    dump = (f" / User-Agent => Plex / X-Plex-Client-Identifier => {IPAD} / X-Plex-Device-Name => {name}"
            f" / X-Plex-Platform => iOS / X-Plex-Product => Plex for iOS")
    parser = PlaybackParser()
    parser.fast_paths = fast
    lines = [
        line(1.0, f"Request: [192.168.1.52:50112 (Subnet)] GET {TIMELINE} (3 live) #3a0 TLS GZIP Signed-in Token (Emma){dump}"),
        line(1.002, "[Req#3a0] [Now] User is Emma (ID: 2)"),
        line(1.003, f"[Req#3a0] Statistics: ({IPAD}) Reporting active playback in state 1 of type 1 (scrobble: 0) for account 2"),
        line(1.01, f"Completed: [192.168.1.52:50112] 200 GET {TIMELINE} (3 live) #3a0 TLS GZIP 9ms 412 bytes"),
    ]
    events = feed_all(parser, lines, block=False)
    assert {e.client_id for e in events} <= {None, IPAD} and events[-1].client_id == IPAD
    assert all(e.device == name for e in events)
    assert events[-1].product == "Plex for iOS" and events[-1].platform == "iOS"


def test_an_ordinary_header_dump_reads_as_before():
    dump = PlaybackParser._headers(" / Accept => */* / X-Plex-Client-Identifier => abc / X-Plex-Device-Name => Net-Hunter"
                                   " / X-Plex-Product => Plex for Windows")
    assert dump == {"X-Plex-Client-Identifier": "abc", "X-Plex-Device-Name": "Net-Hunter", "X-Plex-Product": "Plex for Windows"}


def _headers_part_by_part(dump: str) -> dict[str, str]:
    """The reading `headers` promises, written out plainly (what it did before its shortcut for
    the usual dump): a repeated key is taken from neither part, a part without ` => ` or of a
    repeated key stays in the value before it."""
    parts = [(part, *part.partition(" => ")) for part in dump.split(" / ")]
    keys = [key for _, key, sep, _ in parts if sep]
    values: list[tuple[str, list[str]]] = []
    for part, key, sep, value in parts:
        if sep and keys.count(key) == 1:
            values.append((key, [value]))
        elif values:
            values[-1][1].append(part)
    return {key: " / ".join(pieces).strip() for key, pieces in values if key.startswith("X-Plex-")}


_DUMP_PIECES = st.sampled_from([
    " / ", " => ", "X-Plex-Device-Name", "X-Plex-Client-Identifier", "Accept", "Emma", " ", "a/b", "=>",
])


@settings(max_examples=2000, deadline=None)
@given(st.lists(_DUMP_PIECES, max_size=14).map("".join))
def test_any_header_dump_reads_as_the_part_by_part_rule_says(dump):
    assert headers(dump) == _headers_part_by_part(dump)


def test_signed_in_with_an_empty_name_is_not_held():
    """`Signed-in Token ()` (a variant in the notes): Plex accepted the token; the report is a
    play at once (with no account name: the engine waits for the server's list to act)."""
    parser = PlaybackParser()
    (event,) = parser.feed(line(1.0, f"Request: [192.168.1.52:50112 (Subnet)] GET {TIMELINE}&X-Plex-Client-Identifier={IPAD}"
                                     " (3 live) #2f1 GZIP Signed-in Token ()"))
    assert event.client_id == IPAD and event.account is None
