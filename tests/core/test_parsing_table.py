"""The parser's line shapes are one table: kind numbers, markers and the fast prefix come from it,
and supporting a new Plex line is one row (plus its reader)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from plextray.core.logline import LogLine
from plextray.core.parsing import SHAPES, TABLE, LineShape, PlaybackParser, Shapes

# BLOCK A of ../shared/pms/log-lines.txt (Plex for Windows, 2022), verbatim but for the
# Request line's header dump, which is cut short
BLOCK_A = [
    b"Jan 12, 2022 13:42:24.403 [0x7f829a4aa8] DEBUG - Client [0mysqobo3vpvjatpnks6ubu4] reporting timeline state "
    b"playing, progress of 139000/187000ms for guid=, playbackTime=139168ms ratingKey=80906 url=, "
    b"key=/library/metadata/80906, containerKey=, metadataId=80906, source=\n",
    b"Jan 12, 2022 13:42:24.407 [0x7f829a4aa8] DEBUG - [Now] User is Flavio_59 (ID: 1)\n",
    b"Jan 12, 2022 13:42:24.407 [0x7f829a4aa8] DEBUG - [Now] Device is windows (Net-Hunter).\n",
    b"Jan 12, 2022 13:42:24.407 [0x7f829a4aa8] DEBUG - [Now] Profile is Plex Desktop\n",
    b"Jan 12, 2022 13:42:24.407 [0x7f829a4aa8] DEBUG - Statistics: (msmy7vq7wxjdzu42rml5mges) Reporting active "
    b"playback in state 0 of type 10 (scrobble: 0) for account 1\n",
    b"Jan 12, 2022 13:42:24.416 [0x7f8446faa8] DEBUG - Completed: [192.168.1.89:61618] 200 GET /:/timeline?"
    b"ratingKey=80906&key=%2Flibrary%2Fmetadata%2F80906&playbackTime=139168&playQueueItemID=122671&state=playing"
    b"&hasMDE=1&context=library%3Acontent.playlists.music&row=0&col=1&time=139000&duration=187000 (5 live) TLS "
    b"GZIP 16ms 412 bytes (pipelined: 17)\n",
    b"Jan 12, 2022 13:42:34.409 [0x7f82b01aa8] DEBUG - Request: [192.168.1.89:61687 (Subnet)] GET /:/timeline?"
    b"ratingKey=80906&key=%2Flibrary%2Fmetadata%2F80906&playbackTime=149186&playQueueItemID=122671&state=playing"
    b"&hasMDE=1&context=library%3Acontent.playlists.music&row=0&col=1&time=149000&duration=187000 (10 live) TLS "
    b"GZIP Signed-in Token (Flavio_59) / X-Plex-Client-Identifier => msmy7vq7wxjdzu42rml5mges "
    b"/ X-Plex-Device-Name => Net-Hunter / X-Plex-Platform => windows / X-Plex-Product => Plex for Windows\n",
]

# A line shape plextray does not read: which Plex profile a client plays with
PROFILE = LineShape(
    "now_profile",
    markers=(b"[Now] Profile is ",),
    head="[Now] ",
    text=(re.compile(r"\[Now\] Profile is (?P<profile>.+?)\s*$"),),
    read="_on_profile",
    fast_head=b"[Now] Profile is ",  # recognised by the fast prefix, read by the general reader
)


class ProfileParser(PlaybackParser):
    """PlaybackParser plus the reader of the extra row: what it read, with its row's kind."""

    def __init__(self, shapes: Shapes) -> None:
        super().__init__(shapes)
        self.profiles: list[tuple[int, str, str]] = []

    def _on_profile(self, line: LogLine, reqid: str | None, match: re.Match[str]) -> None:
        self.profiles.append((self._shapes.kind["now_profile"], line.time, match.group("profile")))


def test_kind_numbers_are_the_rows_positions_and_the_fast_prefix_maps_back_to_them():
    assert SHAPES.kind == {shape.name: kind for kind, shape in enumerate(TABLE)}
    fast_kinds = [kind for kind in SHAPES.kind_of_group if kind is not None]
    assert fast_kinds == [kind for kind, shape in enumerate(TABLE) if shape.fast_head is not None]
    assert [SHAPES.shape_of(line).name for line in BLOCK_A if SHAPES.shape_of(line)] == [
        "client", "now_user", "now_device", "statistics", "completed", "request",
    ]  # fmt: skip
    assert SHAPES.shape_of(BLOCK_A[3]) is None  # [Now] Profile is: not a shape plextray reads


def test_markers_and_scan_passes_come_from_the_table():
    assert set(SHAPES.markers) == {m for shape in TABLE for m in (*shape.markers, *shape.old_markers)}
    assert SHAPES.markers[0] == b"timeline"  # its pass is first: it finds the Completed lines to skip
    for index in SHAPES.repeat_passes:  # the [Now] User/Device and Statistics passes
        assert SHAPES.modern_scan[index].search(b"x - [Req#1] Statistics: (c) Reporting") or SHAPES.modern_scan[
            index
        ].search(b"x - [Now] Device is a (b).")


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "general"])
@pytest.mark.parametrize("blockwise", [True, False], ids=["feed_block", "feed"])
def test_a_new_line_shape_is_one_table_row(fast: bool, blockwise: bool):
    shapes = Shapes((*TABLE, PROFILE))
    assert shapes.kind["now_profile"] == len(TABLE)  # the next kind, derived, never hand-kept
    assert all(shapes.kind[shape.name] == SHAPES.kind[shape.name] for shape in TABLE)
    assert b"[Now] Profile is " in shapes.markers and shapes.shape_of(BLOCK_A[3]) is PROFILE
    parser, plain = ProfileParser(shapes), PlaybackParser()
    parser.fast_paths = plain.fast_paths = fast
    if blockwise:
        events = parser.feed_block(b"".join(BLOCK_A))
        expected = plain.feed_block(b"".join(BLOCK_A))
    else:
        events = [out for line in BLOCK_A for out in parser.feed_reports(line)]
        expected = [out for line in BLOCK_A for out in plain.feed_reports(line)]
    assert parser.profiles == [(len(TABLE), "2022-01-12T13:42:24.407", "Plex Desktop")]
    assert events == expected and len(events) >= 2  # the other shapes read as before
    assert parser.stats == plain.stats


def test_two_rows_cannot_share_a_name():
    with pytest.raises(ValueError, match="share a name"):
        Shapes((*TABLE, TABLE[0]))


def test_no_parsing_module_is_over_400_lines():
    package = Path(__file__).resolve().parents[2] / "plextray" / "core" / "parsing"
    sizes = {path.name: len(path.read_text().splitlines()) for path in package.glob("*.py")}
    assert len(sizes) >= 6
    assert {name: size for name, size in sizes.items() if size > 400} == {}
