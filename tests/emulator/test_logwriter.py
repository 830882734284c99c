"""The Plex-style log writer and traffic generators: exact shapes, rotation exactly like PMS."""

from __future__ import annotations

import random
import re
import threading
from datetime import datetime, timedelta, timezone

from plextray.emulator import traffic
from plextray.emulator.logwriter import PlexLogWriter, banner_messages, format_line

# The robust prefix regex from plex-formats.md A4.
PREFIX = re.compile(
    rb"^(?P<ts>[A-Z][a-z]{2} \d{2}, \d{4} \d{2}:\d{2}:\d{2}(?:[.:]\d{3})?) "
    rb"\[(?P<tid>0x[0-9a-fA-F]+|\d+)\] (?P<lvl>[A-Z]+) - (?P<msg>.*)$"
)
T0 = datetime(2026, 2, 6, 12, 48, 45, 834000)


def test_format_line_is_the_real_1_43_shape():
    line = format_line(T0, "Request: [192.168.1.208:18113 (Subnet)] GET /status/sessions (4 live) #24 GZIP Signed-in Token (Briadin)")
    assert line == (
        "Feb 06, 2026 12:48:45.834 [136529439558456] DEBUG - Request: [192.168.1.208:18113 (Subnet)] "
        "GET /status/sessions (4 live) #24 GZIP Signed-in Token (Briadin)"
    )
    assert format_line(datetime(2025, 4, 2, 4, 0, 38, 496999), "x", level="INFO", thread="23030520199992") == (
        "Apr 02, 2025 04:00:38.496 [23030520199992] INFO - x"
    )


def _contents(writer: PlexLogWriter) -> dict[int, bytes]:
    return {n: writer.rotated_path(n).read_bytes() for n in range(7) if writer.rotated_path(n).exists()}


def test_rotation_shifts_files_and_drops_the_oldest(tmp_path):
    writer = PlexLogWriter(tmp_path)
    for i in range(7):
        writer.write(T0 + timedelta(seconds=i), f"generation {i}")
        writer.rotate()
    files = _contents(writer)
    assert sorted(files) == [0, 1, 2, 3, 4, 5]
    assert files[0] == b""
    for n in range(1, 6):
        assert files[n].endswith(f"generation {7 - n}\n".encode()), n
    assert not (tmp_path / "Plex Media Server.6.log").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "Plex Media Server.1.log", "Plex Media Server.2.log", "Plex Media Server.3.log",
        "Plex Media Server.4.log", "Plex Media Server.5.log", "Plex Media Server.log",
    ]


def test_rotation_renames_so_the_old_inode_becomes_dot_1(tmp_path):
    writer = PlexLogWriter(tmp_path)
    writer.write(T0, "before")
    inode = writer.path.stat().st_ino
    writer.rotate()
    assert writer.rotated_path(1).stat().st_ino == inode
    assert writer.path.stat().st_ino != inode


def test_restart_rotates_and_writes_the_banner(tmp_path):
    writer = PlexLogWriter(tmp_path)
    writer.write(T0, "old run")
    when = datetime(2026, 2, 6, 12, 48, 39, 648000, tzinfo=timezone(timedelta(hours=-5)))
    writer.restart(when)
    lines = writer.path.read_bytes().splitlines()
    assert lines[0] == (
        b"Feb 06, 2026 12:48:39.648 [136529588505400] INFO - Plex Media Server v1.43.0.10467-2b1ba6e69 - "
        b"Ubuntu ASUSTeK COMPUTER INC. PRIME H310M-A R2.0 x86_64 - build: linux-x86_64 debian - GMT -05:00"
    )
    assert lines[1].endswith(b"INFO - Linux version: 22.04.4 LTS (Jammy Jellyfish), language: en-US")
    assert lines[-1].endswith(b"INFO - /usr/lib/plexmediaserver/Plex Media Server")
    assert all(PREFIX.match(line) for line in lines)
    assert writer.rotated_path(1).read_bytes().endswith(b"old run\n")
    east = datetime(2025, 4, 2, 4, 0, 38, tzinfo=timezone(timedelta(hours=2)))
    assert banner_messages(east)[0][1].endswith("GMT 02:00")


def test_partial_lines_are_written_as_is_and_never_split_by_rotation(tmp_path):
    writer = PlexLogWriter(tmp_path, max_bytes=100)
    writer.write_raw(b"Feb 06, 2026 12:48:45.834 [1] DEBUG - " + b"x" * 80)
    assert writer.path.read_bytes().endswith(b"x")  # flushed though unfinished
    writer.write_raw(b"y" * 30)
    assert writer.rotations == 0  # over max_bytes, but the line is unfinished
    writer.write_raw(b"\xff\xfe tail\n")
    assert writer.rotations == 1
    assert writer.rotated_path(1).read_bytes().endswith(b"y" * 30 + b"\xff\xfe tail\n")
    assert writer.path.read_bytes() == b""


def test_max_bytes_rotates_automatically(tmp_path):
    writer = PlexLogWriter(tmp_path, max_bytes=1000)
    for i in range(100):
        writer.write(T0 + timedelta(seconds=i), f"line {i:04d} " + "z" * 40)
    assert writer.rotations >= 5
    for n in range(1, 6):
        size = writer.rotated_path(n).stat().st_size
        assert 1000 < size < 1100


def test_truncate_and_replace(tmp_path):
    writer = PlexLogWriter(tmp_path)
    writer.write(T0, "one")
    inode = writer.path.stat().st_ino
    writer.truncate()
    assert writer.path.stat().st_size == 0 and writer.path.stat().st_ino == inode
    writer.write(T0, "two")
    assert writer.path.read_bytes().endswith(b"two\n")
    writer.replace()
    assert writer.path.read_bytes() == b""
    writer.write(T0, "three")
    assert writer.path.read_bytes().endswith(b"three\n")


def test_writes_from_threads_never_interleave(tmp_path):
    writer = PlexLogWriter(tmp_path, max_bytes=5000)

    def work(k: int) -> None:
        for i in range(200):
            writer.write(T0, f"thread {k} line {i} " + "q" * 30)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    data = b"".join(writer.rotated_path(n).read_bytes() for n in range(5, -1, -1) if writer.rotated_path(n).exists())
    lines = data.splitlines()
    assert all(PREFIX.match(line) for line in lines)
    assert len({line for line in lines}) == len(lines)


def test_playback_lines_have_the_real_timeline_sequence():
    lines = traffic.playback_lines(
        T0, client_id="msmy7vq7wxjdzu42rml5mges", session_ident="0mysqobo3vpvjatpnks6ubu4",
        rating_key="80906", state="playing", position_ms=139000, duration_ms=187000,
        ip="192.168.1.89", port=61618, account="Flavio_59", account_id=1, device_name="Net-Hunter",
        product="Plex for Windows", platform="windows", req_id="8ec76", header_dump=True,
        query_identity=True, profile="Plex Desktop",
    )
    messages = [m for _, _, m in lines]
    assert messages[0].startswith("Request: [192.168.1.89:61618 (Subnet)] GET /:/timeline?ratingKey=80906&")
    assert "&state=playing&" in messages[0] and "&time=139000&duration=187000" in messages[0]
    assert "(4 live) #8ec76 TLS GZIP Signed-in Token (Flavio_59) / Accept => " in messages[0]
    for header in ("X-Plex-Client-Identifier => msmy7vq7wxjdzu42rml5mges", "X-Plex-Product => Plex for Windows",
                   "X-Plex-Device-Name => Net-Hunter", "X-Plex-Platform => windows",
                   "X-Plex-Session-Identifier => 0mysqobo3vpvjatpnks6ubu4"):
        assert f" / {header}" in messages[0]
    assert "&X-Plex-Client-Identifier=msmy7vq7wxjdzu42rml5mges" in messages[0]
    assert messages[1] == (
        "[Req#8ec76] Client [0mysqobo3vpvjatpnks6ubu4] reporting timeline state playing, progress of "
        "139000/187000ms for guid=, playbackTime=137000ms ratingKey=80906 url=, key=/library/metadata/80906, "
        "containerKey=, metadataId=80906, source="
    )
    assert messages[2:6] == [
        "[Req#8ec76] [Now] User is Flavio_59 (ID: 1)",
        "[Req#8ec76] [Now] Device is windows (Net-Hunter).",
        "[Req#8ec76] [Now] Profile is Plex Desktop",
        "[Req#8ec76] [Now] Updated play state for /library/metadata/80906.",
    ]
    assert messages[6] == ("[Req#8ec76] Statistics: (msmy7vq7wxjdzu42rml5mges) Reporting active playback in "
                           "state 0 of type 4 (scrobble: 0) for account 1")
    assert re.fullmatch(r"Completed: \[192\.168\.1\.89:61618\] 200 GET /:/timeline\?\S+ \(4 live\) #8ec76 TLS GZIP "
                        r"12ms 412 bytes \(pipelined: 3\)", messages[7])
    times = [t for t, _, _ in lines]
    assert times == sorted(times)


def test_transcode_and_terminate_shapes():
    decision = traffic.transcode_decision_lines(T0, ip="10.0.0.2", port=62048, account="remi", rating_key="40859",
                                                media_id=60863, session="e0u2xhmoixv6v6vvbea8jbt9", req_id="48355")
    assert decision[0][2].startswith("Request: [10.0.0.2:62048 (Subnet)] GET /video/:/transcode/universal/decision?hasMDE=1&path=%2Flibrary%2Fmetadata%2F40859")
    assert decision[3][2].startswith("[Req#48355/Transcode] Streaming Resource: Reached Decision id=40859 codes=(")
    stop = traffic.transcode_stop_lines(T0, req_id="34f592", session="662548-r0-z7bxmhyp1bfvede948bqp",
                                        transcode_uuid="e69e4d8b-2c16-41b8-8b5a-b6eeb4fef75e")
    assert [m for _, _, m in stop] == [
        "[Req#34f592] Killing job.",
        "[Req#34f592] Signalling job ID 352719 with 9",
        "[Req#34f592] Stopping transcode session e69e4d8b-2c16-41b8-8b5a-b6eeb4fef75e",
        "[Req#34f592] Streaming Resource: Terminated session 0x7ad5b7c2e408:662548-r0-z7bxmhyp1bfvede948bqp with reason Client stopped playback.",
    ]
    _, _, message = traffic.terminated_session_line(T0, req_id="1", session="abc", reason="Bedtime.")
    assert message.endswith("Terminated session 0x7ad5b7c2e408:abc with reason Bedtime.")


def test_every_generated_line_matches_the_prefix_regex():
    rng = random.Random(5)
    produced = []
    for kind in traffic._NOISE_KINDS:
        for i in range(20):
            produced += traffic.noise_lines(T0, rng, req_id=f"{i:x}", kind=kind)
    produced += traffic.transcode_start_lines(T0, ip="127.0.0.1", port=5, account="a", rating_key="1",
                                              session="s", req_id="f")
    for when, level, message in produced:
        assert PREFIX.match(format_line(when, message, level=level).encode()), message
    lines = list(traffic.realistic_log(T0, 2_000_000, seed=3))
    assert sum(map(len, lines)) >= 2_000_000
    assert all(line.endswith(b"\n") and PREFIX.match(line[:-1]) for line in lines)
    assert b"".join(lines) == b"".join(traffic.realistic_log(T0, 2_000_000, seed=3))
    assert b"".join(lines) != b"".join(traffic.realistic_log(T0, 2_000_000, seed=4))
    timelines = sum(b"reporting timeline state" in line for line in lines)
    assert 0.002 < timelines / len(lines) < 0.12  # a few % of lines are playback
    # The rate follows the household (quiet afternoons and nights, busy evenings): any two hours
    # lie within these bounds; the ~25 MB of a whole day is checked in test_emulator_traffic.py.
    last = datetime.strptime(lines[-1][:24].decode(), "%b %d, %Y %H:%M:%S.%f")
    per_day = 2_000_000 / ((last - T0).total_seconds() / 86400)
    assert 10e6 < per_day < 60e6
