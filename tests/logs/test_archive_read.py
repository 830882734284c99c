"""Reading, repairing and pruning archives: damage is reported, never raised, and saving goes on."""

from __future__ import annotations

import os
import subprocess
from datetime import date

import pytest

from plextray.logs.archive import (
    compress_member, list_archives, prune_archives, read_archive, scan_archive,
)
from plextray.logs.saver import LogSaver
from support.archive_helpers import RecordingWriter

A = b"".join(b"Feb 06, 2026 10:00:%02d.000 [1] DEBUG - first member line %d\n" % (i, i) for i in range(40))
B = b"".join(b"Feb 06, 2026 10:01:%02d.000 [1] DEBUG - second member \r line %d\n" % (i, i) for i in range(40))
C = b"Feb 06, 2026 10:02:00.000 [1] DEBUG - third\n"


def _read(path):
    problems: list[str] = []
    return b"".join(read_archive(path, problems.append)), problems


def test_multi_member_archive_reads_whole_lines_with_embedded_cr(tmp_path):
    path = tmp_path / "2026-02-06.log.gz"
    path.write_bytes(compress_member(A) + compress_member(B))
    lines = list(read_archive(path))
    assert b"".join(lines) == A + B and len(lines) == 80
    assert all(line.endswith(b"\n") and line.count(b"\n") == 1 for line in lines)
    assert scan_archive(path).members == 2 and not scan_archive(path).tail_damaged


def test_truncated_archive_yields_what_is_readable_and_reports(tmp_path):
    path = tmp_path / "2026-02-06.log.gz"
    whole = compress_member(A) + compress_member(B)
    path.write_bytes(whole[: len(compress_member(A)) + 40])
    data, problems = _read(path)
    assert data.startswith(A) and len(data) < len(A + B)
    assert any("cut short" in p for p in problems)
    result = scan_archive(path)
    assert result.tail_damaged and result.good_end == len(compress_member(A))


def test_damage_in_the_middle_is_skipped_and_later_members_still_read(tmp_path):
    path = tmp_path / "2026-02-06.log.gz"
    middle = bytearray(compress_member(B))
    middle[30:60] = b"\x00" * 30
    path.write_bytes(compress_member(A) + bytes(middle) + compress_member(C))
    data, problems = _read(path)
    assert data.startswith(A) and data.endswith(C)
    assert problems and all("2026-02-06.log.gz" in p for p in problems)
    assert not scan_archive(path).tail_damaged  # good data follows: the damage is mid-file


def test_garbage_between_members_and_a_non_gzip_file(tmp_path):
    path = tmp_path / "2026-02-06.log.gz"
    path.write_bytes(compress_member(A) + b"power cut garbage" + compress_member(C))
    data, problems = _read(path)
    assert data == A + C and "not gzip data" in problems[0]
    other = tmp_path / "2026-02-07.log.gz"
    other.write_bytes(b"plain text, not gzip\n")
    data, problems = _read(other)
    assert data == b"" and problems


def test_saver_moves_a_damaged_end_aside_and_goes_on(tmp_path):
    logs, arch = tmp_path / "Logs", tmp_path / "archives"
    plex = RecordingWriter(logs)
    plex.write_lines(30)
    with LogSaver(logs, arch) as saver:
        saver.save_once()
    plex.write_lines(30)
    with LogSaver(logs, arch) as saver:
        saver.save_once()
    path = arch / "2026-02-06.log.gz"
    first_member = len(compress_member(b"".join(plex.lines[:30])))
    size = path.stat().st_size
    with open(path, "r+b") as handle:  # committed bytes damaged at the end (power cut on a bad disk)
        handle.truncate(size - 25)
    plex.write_lines(10)
    with LogSaver(logs, arch) as saver:
        summary = saver.save_once()
    assert any("moved aside" in p for p in saver.problems)
    corrupt = arch / "2026-02-06.log.gz.corrupt-1"
    assert corrupt.exists() and oct(corrupt.stat().st_mode & 0o777) == "0o600"
    assert summary.lines == 10
    data, problems = _read(path)
    assert problems == []  # the archive is whole again: good part + new lines
    assert data == b"".join(plex.lines[:30] + plex.lines[60:])
    assert path.stat().st_size > first_member
    assert subprocess.run(["zcat", str(path)], capture_output=True).returncode == 0
    # what the damaged member still held is readable from the file moved aside
    rest, rest_problems = _read(corrupt)
    assert b"".join(plex.lines[30:32]) in rest and rest_problems


def test_list_and_prune(tmp_path):
    for name in ("2026-02-10.log.gz", "2026-01-31.log.gz", "2026-02-01.log.gz", "notes.txt",
                 "2026-02-01.log.gz.corrupt-1", "2026-13-01.log.gz"):
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in list_archives(tmp_path)] == [
        "2026-01-31.log.gz", "2026-02-01.log.gz", "2026-02-10.log.gz"]
    removed = prune_archives(tmp_path, 10, date(2026, 2, 10))
    assert [p.name for p in removed] == ["2026-01-31.log.gz"]
    assert (tmp_path / "notes.txt").exists() and (tmp_path / "2026-02-01.log.gz").exists()
    assert prune_archives(tmp_path, 1, date(2026, 2, 10))[0].name == "2026-02-01.log.gz"
    with pytest.raises(ValueError):
        prune_archives(tmp_path, 0, date(2026, 2, 10))
    assert list_archives(tmp_path / "missing") == []


def test_read_archive_streams_with_bounded_memory(tmp_path):
    path = tmp_path / "2026-02-06.log.gz"
    line = b"Feb 06, 2026 10:00:00.000 [1] DEBUG - " + b"y" * 60 + b"\n"
    with open(path, "wb") as out:
        for _ in range(5):
            out.write(compress_member(line * 40000))  # 5 x 4 MB uncompressed
    import tracemalloc

    count = 0
    tracemalloc.start()
    try:
        for got in read_archive(path):
            count += got == line
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 200000
    assert peak < 14 << 20, peak  # 20 MB of lines went through
    assert os.path.getsize(path) < 1 << 20
