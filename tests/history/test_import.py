"""Importer and the import/events/history commands, on real gzip archives and a real SQLite file."""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from support.timeline_lines import evening, member

from plextray.core.model import EVENT_JSON_KEYS
from plextray.history.importer import OUT_SIZE, READ_SIZE, ChunkReader, Importer
from plextray.store.db import connect
from plextray.store.history import HistoryStore

LONDON = ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parents[2]



def import_into(db: Path, archives: list[Path], *, now: float = 4e9):
    conn = connect(db)
    try:
        importer = Importer(conn, tz=LONDON)
        summary = importer.import_archives(archives, now_utc=now)
        store = HistoryStore(conn)
        sessions = store.sessions_between("2000", "3000")
        return summary, sessions, store.get_watermark(importer.source_name(archives[-1])) if archives else 0
    finally:
        conn.close()


def test_import_then_rerun_imports_nothing_twice(tmp_path):
    archive = tmp_path / "2026-03-28.log.gz"
    archive.write_bytes(member(evening(datetime(2026, 3, 28, 23, 50), 20)))  # across midnight
    summary, sessions, mark = import_into(tmp_path / "h.db", [archive])
    assert summary.events == 20 * 6 + 1 and summary.problems == []
    (session,) = sessions
    assert session.key == "clientA@59015@2026-03-28T23:50:00.000"
    assert (session.account, session.device, session.state, session.live) == ("emma", "Living Room", "stopped", False)
    assert session.watched_ms == 20 * 60_000
    assert mark == len(gzip.decompress(archive.read_bytes()))
    again, sessions_again, _ = import_into(tmp_path / "h.db", [archive])
    assert (again.bytes, again.events, again.sessions) == (0, 0, 0)
    assert sessions_again == sessions


def test_appended_members_resume_and_a_session_spans_runs(tmp_path):
    lines = evening(datetime(2026, 3, 29, 0, 30), 60)  # the UK spring-forward night (01:00 -> 02:00)
    lines = [line.replace("Mar 29, 2026 01:", "Mar 29, 2026 02:") for line in lines]  # wall clock skips 01:xx
    half = len(lines) // 2
    reference_archive = tmp_path / "ref" / "2026-03-29.log.gz"
    reference_archive.parent.mkdir()
    reference_archive.write_bytes(member(lines))
    _, reference, _ = import_into(tmp_path / "ref.db", [reference_archive])

    archive = tmp_path / "2026-03-29.log.gz"
    archive.write_bytes(member(lines[:half]))
    first, partial, _ = import_into(tmp_path / "h.db", [archive], now=0)  # `now` long ago: nothing expires
    assert first.events > 0 and [s.live for s in partial] == [True]
    with archive.open("ab") as handle:
        handle.write(member(lines[half:]))
    second, sessions, mark = import_into(tmp_path / "h.db", [archive])
    assert second.bytes == len("\n".join(lines[half:]) + "\n")
    assert sessions == reference
    (session,) = sessions
    assert session.watched_ms == 60 * 60_000  # the skipped hour is not counted
    assert mark == len(gzip.decompress(archive.read_bytes()))


def test_a_member_cut_short_is_read_but_not_passed_by_the_watermark(tmp_path):
    good = member(evening(datetime(2026, 1, 10, 20, 0), 2))
    later = member(evening(datetime(2026, 1, 10, 21, 0), 2, client="clientB", ident="identB", first_n=500))
    archive = tmp_path / "2026-01-10.log.gz"
    archive.write_bytes(good + later[: len(later) // 2])  # a crash in the middle of a commit
    summary, _, mark = import_into(tmp_path / "h.db", [archive])
    assert any("cut short" in problem for problem in summary.problems)
    assert mark == len(gzip.decompress(good))
    archive.write_bytes(good + later)  # the saver repaired and appended the member again
    _, sessions, mark = import_into(tmp_path / "h.db", [archive])
    assert mark == len(gzip.decompress(good + later))
    assert sorted(s.client_id for s in sessions) == ["clientA", "clientB"]
    assert all(not s.live for s in sessions)


def test_a_damaged_member_is_skipped_and_the_next_ones_imported(tmp_path):
    first = member(evening(datetime(2026, 1, 10, 18, 0), 2))
    damaged = bytearray(member(evening(datetime(2026, 1, 10, 19, 0), 2, client="clientX", ident="identX", first_n=300)))
    damaged[len(damaged) // 2 : len(damaged) // 2 + 64] = b"\xff" * 64
    last = member(evening(datetime(2026, 1, 10, 20, 0), 2, client="clientB", ident="identB", first_n=600))
    archive = tmp_path / "x.log.gz"
    archive.write_bytes(first + bytes(damaged) + last)
    problems: list[str] = []
    reader = ChunkReader(archive, problems)
    data = b"".join(reader)
    assert data.startswith(gzip.decompress(first)) and data.endswith(gzip.decompress(last))
    assert len(problems) == 1 and "damaged gzip member" in problems[0]
    summary, sessions, _ = import_into(tmp_path / "h.db", [archive])
    assert summary.problems
    clients = {s.client_id for s in sessions}
    assert {"clientA", "clientB"} <= clients


def test_an_archive_that_shrank_is_reported_and_followed_from_its_end(tmp_path):
    archive = tmp_path / "2026-01-10.log.gz"
    archive.write_bytes(member(evening(datetime(2026, 1, 10, 18, 0), 3)))
    import_into(tmp_path / "h.db", [archive])
    small = member(evening(datetime(2026, 1, 10, 19, 0), 1, client="clientX", ident="identX", first_n=300))
    archive.write_bytes(small)
    summary, _, mark = import_into(tmp_path / "h.db", [archive])
    assert any("shorter" in problem for problem in summary.problems)
    assert mark == len(gzip.decompress(small))
    archive.write_bytes(small + member(evening(datetime(2026, 1, 10, 20, 0), 1, client="clientB", ident="identB",
                                              first_n=600)))
    _, sessions, _ = import_into(tmp_path / "h.db", [archive])
    assert {s.client_id for s in sessions} == {"clientA", "clientB"}


def test_live_path_then_archive_import_changes_nothing(tmp_path):
    lines = evening(datetime(2026, 1, 10, 20, 0), 3)
    conn = connect(tmp_path / "h.db")
    importer = Importer(conn, tz=LONDON)
    grown = []
    for line in lines:
        grown += importer.feed_lines([line.encode() + b"\n"])
    assert grown and grown[0].live and grown[-1].state == "stopped"
    store = HistoryStore(conn)
    before = store.sessions_between("2000", "3000")
    archive = tmp_path / "2026-01-10.log.gz"
    archive.write_bytes(member(lines))
    importer.import_archives([archive], now_utc=4e9)
    assert store.sessions_between("2000", "3000") == before
    conn.close()


def test_default_archives_come_from_plextray_home(plextray_home):
    archives = plextray_home / "archives"
    archives.mkdir(parents=True)
    (archives / "2026-01-10.log.gz").write_bytes(member(evening(datetime(2026, 1, 10, 20, 0), 1)))
    conn = connect(plextray_home / "history.sqlite3")
    summary = Importer(conn, tz=LONDON).import_archives(now_utc=4e9)
    assert summary.archives == 1 and summary.sessions >= 1
    conn.close()


# ----------------------------------------------------------------------------- commands
def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PLEXTRAY_HOME": str(home), "PYTHONPATH": str(ROOT), "TZ": "Europe/London"}
    return subprocess.run([sys.executable, "-m", "plextray", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=60)


def test_events_command_json_keys_plain_and_gzip(tmp_path, plextray_home):
    lines = evening(datetime(2026, 1, 10, 20, 0), 1)
    plain = tmp_path / "Plex Media Server.log"
    plain.write_text("\n".join(lines[:21]) + "\nbinary \x00 junk timeline\n", encoding="utf-8")
    archive = tmp_path / "2026-01-10.log.gz"
    archive.write_bytes(member(lines[21:]))
    result = run_cli("events", str(plain), str(archive), "--json", home=plextray_home)
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) == 7  # one per report, never one per line
    assert all(tuple(obj) == EVENT_JSON_KEYS for obj in objects)
    assert objects[0]["client_id"] == "clientA" and objects[-1]["state"] == "stopped"
    assert "1 binary" in result.stderr
    text = run_cli("events", str(archive), home=plextray_home)
    assert text.returncode == 0 and "emma on Living Room" in text.stdout


def test_events_command_missing_file_is_a_clear_error(tmp_path, plextray_home):
    result = run_cli("events", str(tmp_path / "nope.log"), home=plextray_home)
    assert result.returncode == 1 and "plextray: no such file" in result.stderr and "Traceback" not in result.stderr


def test_import_and_history_commands(tmp_path, plextray_home):
    archives = plextray_home / "archives"
    archives.mkdir(parents=True)
    (archives / "2026-01-10.log.gz").write_bytes(
        member(evening(datetime(2026, 1, 10, 20, 0), 3)
               + evening(datetime(2026, 1, 11, 9, 0), 2, client="clientB", ident="identB", account="leo", first_n=900))
    )
    wrong = run_cli("import", "--log-dir", str(tmp_path / "no-plex-here"), home=plextray_home)
    assert wrong.returncode == 2 and "no-plex-here" in wrong.stderr  # a folder named by hand must be Plex's
    result = run_cli("import", home=plextray_home)  # none found by itself on this machine
    assert result.returncode == 0, result.stderr
    assert "warning" in result.stderr  # no live logs: a warning, the archives were imported
    assert "2 sessions" in result.stdout or "sessions written" in result.stdout
    again = run_cli("import", home=plextray_home)
    assert "imported 0 bytes" in again.stdout
    listing = run_cli("history", home=plextray_home)
    assert listing.returncode == 0
    assert "emma on Living Room" in listing.stdout and "leo on Living Room" in listing.stdout
    since = run_cli("history", "--since", "2026-01-11", "--json", home=plextray_home)
    rows = [json.loads(line) for line in since.stdout.splitlines()]
    assert [row["account"] for row in rows] == ["leo"]
    assert rows[0]["watched_ms"] == 2 * 60_000
    device = run_cli("history", "--device", "clientA", home=plextray_home)
    assert "emma" in device.stdout and "leo" not in device.stdout
    bad = run_cli("history", "--since", "yesterday-ish", home=plextray_home)
    assert bad.returncode == 1 and "--since" in bad.stderr


def test_import_without_archives_or_logs_is_an_error(tmp_path, plextray_home):
    result = run_cli("import", home=plextray_home)  # no archives, and no Plex logs found by themselves
    assert result.returncode != 0 and "nothing to import" in result.stderr


@pytest.mark.parametrize("name", ["import", "events", "history"])
def test_commands_are_registered(name, plextray_home):
    result = run_cli(name, "--help", home=plextray_home)
    assert result.returncode == 0 and name in result.stdout


def test_import_saves_the_live_plex_logs_first(tmp_path, plextray_home):
    """A real Plex log folder written the way PMS does (rotation included) is saved, then imported."""
    logwriter = pytest.importorskip("plextray.emulator.logwriter")
    pytest.importorskip("plextray.logs.saver")
    plex_logs = tmp_path / "Logs"
    writer = logwriter.PlexLogWriter(plex_logs)
    writer.restart(datetime(2026, 1, 10, 19, 59))
    writer.write_raw(("\n".join(evening(datetime(2026, 1, 10, 20, 0), 2)) + "\n").encode())
    result = run_cli("import", "--log-dir", str(plex_logs), home=plextray_home)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    writer.restart(datetime(2026, 1, 10, 21, 59))  # PMS restarts: .log -> .1.log, a fresh .log
    writer.write_raw(("\n".join(evening(datetime(2026, 1, 10, 22, 0), 1, client="clientB", ident="identB",
                                        account="leo", first_n=800)) + "\n").encode())
    writer.close()
    again = run_cli("import", "--log-dir", str(plex_logs), home=plextray_home)
    assert again.returncode == 0, again.stderr
    rows = [json.loads(line) for line in run_cli("history", "--json", home=plextray_home).stdout.splitlines()]
    assert [(row["client_id"], row["watched_ms"]) for row in rows] == [("clientA", 120_000), ("clientB", 60_000)]


def test_an_import_that_dies_mid_run_resumes_without_folding_anything_twice(tmp_path, monkeypatch):
    """A crash between two commits of a long import: the next run must end with exactly the
    sessions one uninterrupted run stores. (Sessions used to be committed as folded up to the
    block read while the watermark stopped at the last whole gzip member before it; resuming
    then folded the lines in between again, and a session closed among them came back as a
    second, shorter one.)"""
    import plextray.history.importer as importer_module
    from plextray.emulator.traffic import realistic_log

    data = b"".join(realistic_log(datetime(2026, 3, 28, 19, 0), 8_000_000, seed=4))
    members, pos = [], 0
    while pos < len(data):  # members of ~64 KB of whole lines, as the saver's flushes make them
        end = data.find(b"\n", pos + 65536)
        end = len(data) if end < 0 else end + 1
        members.append(gzip.compress(data[pos:end]))
        pos = end
    archive = tmp_path / "2026-03-28.log.gz"
    archive.write_bytes(b"".join(members))
    monkeypatch.setattr(importer_module, "FLUSH_BYTES", 200_000)  # commit often: many places to die
    _, reference, _ = import_into(tmp_path / "reference.db", [archive])
    assert len(reference) > 10

    class Died(Exception):
        pass

    real_persist = Importer._persist
    for die_at in (4, 10, 11, 13):  # the commits after which this data used to come back wrong
        commits = 0

        def persist_then_die(self, pending, retired, source=None, position=None):
            nonlocal commits
            if source is not None:
                commits += 1
                if commits == die_at:
                    raise Died  # before the commit, as a kill would: nothing of it is stored
            return real_persist(self, pending, retired, source, position)

        db = tmp_path / f"died-at-{die_at}.db"
        monkeypatch.setattr(Importer, "_persist", persist_then_die)
        with pytest.raises(Died):
            import_into(db, [archive])
        monkeypatch.setattr(Importer, "_persist", real_persist)
        _, sessions, mark = import_into(db, [archive])
        assert [s.key for s in sessions] == [s.key for s in reference], die_at
        assert sessions == reference, die_at
        assert mark == len(data)


def test_a_file_named_like_an_imported_archive_is_still_imported(tmp_path, plextray_home):
    """Watermarks are kept per archive name only for plextray's own archives; another file of
    the same name (say, a copy from another server) is a different source."""
    from plextray.paths import AppPaths

    own = AppPaths.default().ensure().archives / "2026-03-28.log.gz"
    own.write_bytes(member(evening(datetime(2026, 3, 28, 20, 0), 10)))
    elsewhere = tmp_path / "other-server" / "2026-03-28.log.gz"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(member(evening(datetime(2026, 3, 28, 21, 0), 10, client="clientB", ident="identB")))
    db = tmp_path / "h.db"
    first, _, mark = import_into(db, [own])
    assert first.events == 61 and mark == len(gzip.decompress(own.read_bytes()))
    second, sessions, _ = import_into(db, [elsewhere])
    assert second.events == 61  # not skipped as "already imported up to byte <mark>"
    assert sorted(s.client_id for s in sessions) == ["clientA", "clientB"]
    conn = connect(db)
    try:
        importer = Importer(conn, tz=LONDON)
        assert importer.source_name(own) == "archive:2026-03-28.log.gz"
        assert importer.source_name(elsewhere) == f"file:{elsewhere.resolve()}"
    finally:
        conn.close()


def _readers_say(path: Path, *, isal: bool) -> tuple[bytes, int, bool, list[str]]:
    problems: list[str] = []
    reader = ChunkReader(path, problems, isal=isal)
    data = b"".join(reader)
    return data, reader.complete, reader.cut_short, [problem.split(" (")[0] for problem in problems]


def _big_member() -> bytes:
    """A member of several output chunks whose compressed bytes take several reads."""
    noise = random.Random(7).randbytes(3 * OUT_SIZE)
    text = b"".join(noise[i : i + 48].hex().encode() + b"\n" for i in range(0, len(noise), 48))
    squeezed = gzip.compress(text, compresslevel=1)
    assert len(squeezed) > 2 * READ_SIZE
    return squeezed


@pytest.mark.parametrize(
    "case", ["members", "cut short", "damaged", "trailing junk", "plain", "big members", "big cut short"]
)
def test_isal_and_zlib_read_an_archive_alike(tmp_path, case):
    """ISA-L inflates the archives when installed (about twice zlib's speed); what is read, the
    whole-member count the watermark rests on, and the problems noted must not depend on it."""
    pytest.importorskip("isal")  # a dependency: installed wherever the suite runs
    one = member(evening(datetime(2026, 1, 10, 18, 0), 30))
    two = member(evening(datetime(2026, 1, 10, 20, 0), 30, client="clientB", ident="identB", first_n=900))
    damaged = bytearray(two)
    damaged[len(damaged) // 2 : len(damaged) // 2 + 64] = b"\xff" * 64
    content = {
        "members": one + two + one,
        "cut short": one + two[: len(two) // 2],
        "damaged": one + bytes(damaged) + one,
        "trailing junk": one + b"not gzip at all",
        "plain": gzip.decompress(one),
        "big members": _big_member() + one + _big_member() if case.startswith("big") else b"",
        "big cut short": one + _big_member()[: 2 * READ_SIZE + 12345] if case.startswith("big") else b"",
    }[case]
    archive = tmp_path / "2026-01-10.log.gz"
    archive.write_bytes(content)
    isal_read = _readers_say(archive, isal=True)
    zlib_read = _readers_say(archive, isal=False)
    if case == "damaged":  # where in a damaged member each notices the damage may differ
        assert isal_read[0].startswith(gzip.decompress(one)) and isal_read[0].endswith(gzip.decompress(one))
        assert isal_read[1:] == zlib_read[1:] and len(isal_read[3]) == 1
    else:
        assert isal_read == zlib_read
    assert len(zlib_read[0]) > 0
    if case.startswith("big"):  # memory stays bounded: no chunk over OUT_SIZE, whichever inflates
        for isal in (True, False):
            assert max(len(chunk) for chunk in ChunkReader(archive, [], isal=isal)) <= OUT_SIZE
