"""The log saver against real files rotated the way Plex does: exactly once, byte for byte."""

from __future__ import annotations

import gzip
import os
import stat
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from plextray import const
from plextray.emulator.logwriter import format_timestamp
from plextray.logs.archive import compress_member, list_archives, read_archive
from plextray.logs.lock import ArchiveBusyError
from plextray.logs import source as source_module
from plextray.logs.saver import LogSaver
from plextray.logs.source import PlexLogSource
from support.archive_helpers import RecordingWriter, archived, checkpoint_json


def save(logs: Path, arch: Path, **options) -> None:
    """One run of the saver, as `plextray save-logs` does it."""
    with LogSaver(logs, arch, **options) as saver:
        saver.save_once()


@pytest.fixture
def dirs(tmp_path):
    return tmp_path / "Logs", tmp_path / "archives"


def test_save_once_archives_every_complete_line_byte_identical(dirs):
    logs, arch = dirs
    plex = RecordingWriter(logs)
    plex.restart()
    plex.write_lines(300)
    plex.write(plex.line("Request: weird bytes \xe9 \u00e9 ok") + plex.line()[:-1] + b" \xff\xfe\x80 raw\r tail\n")
    plex.write(b"  continuation line without a timestamp\n")
    with LogSaver(logs, arch) as saver:
        summary = saver.save_once()
    assert archived(arch) == plex.expected
    assert summary.lines == len(plex.lines) and summary.bytes == len(plex.expected)
    assert summary.gaps == () and summary.archives == ("2026-02-06.log.gz",)
    assert summary.files == 1
    assert "saved %d line(s)" % len(plex.lines) in summary.describe()
    assert "from 1 Plex log file(s)" in summary.describe()


def test_archives_open_with_real_zcat_and_are_owner_only(dirs):
    logs, arch = dirs
    plex = RecordingWriter(logs)
    for _ in range(3):  # several commits = several gzip members in one file
        plex.write_lines(50)
        save(logs, arch, flush_bytes=1000)
    [path] = list_archives(arch)
    assert subprocess.run(["zcat", str(path)], capture_output=True, check=True).stdout == plex.expected
    assert gzip.decompress(path.read_bytes()) == plex.expected
    for item in arch.iterdir():
        assert stat.S_IMODE(item.stat().st_mode) == 0o600, item
    assert stat.S_IMODE(arch.stat().st_mode) == 0o700


def test_reads_cut_short_by_the_read_budget_go_on_next_time(dirs):
    logs, arch = dirs
    plex = RecordingWriter(logs, max_bytes=5000)
    plex.write_lines(100)  # rotated files and a live file, all larger than one read
    got: list[bytes] = []
    with LogSaver(logs, arch, read_bytes=700, flush_bytes=900) as saver:
        for _ in range(200):
            got += saver.read_new().lines
            saver.maybe_flush()
        assert b"".join(got) == plex.expected
        plex.write_lines(40)
        assert saver.save_once().lines == 40
    assert archived(arch) == plex.expected


def test_idle_read_costs_one_stat_and_no_read(dirs, monkeypatch):
    import plextray.logs.source as source

    logs, arch = dirs
    plex = RecordingWriter(logs)
    plex.write_lines(10)
    plex.write(b"Feb 06, 2026 21:30:00.000 [1] DEBUG - unfinished")
    with LogSaver(logs, arch) as saver:
        assert len(saver.read_new().lines) == 10
        stats, reads = [], []
        real_stat, real_read = source.os.stat, source._OpenFile.read_lines
        monkeypatch.setattr(source, "_stat", lambda path: stats.append(path) or real_stat(path))
        monkeypatch.setattr(source._OpenFile, "read_lines", lambda self, n: reads.append(n) or real_read(self, n))
        for _ in range(50):
            assert saver.read_new().lines == []
        assert len(stats) == 50 and reads == []
        plex.write(b" now\n")
        assert saver.read_new().lines == [plex.lines[-1]]
        assert len(reads) == 1


def test_damaged_checkpoint_and_unusable_archive_folder_are_clear_errors(dirs, tmp_path):
    from plextray.errors import ArchiveError

    logs, arch = dirs
    RecordingWriter(logs).write_lines(3)
    save(logs, arch)
    (arch / ".plextray-checkpoint.json").write_text("{not json")
    with pytest.raises(ArchiveError, match="damaged.*Move it aside"):
        LogSaver(logs, arch)
    LogSaver(logs, tmp_path / "other").close()  # the lock was released: nothing leaks
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ArchiveError, match="could not open the archive folder"):
        LogSaver(logs, blocker / "archives")


def test_partial_line_waits_for_its_newline(dirs):
    logs, arch = dirs
    plex = RecordingWriter(logs)
    plex.write_lines(3)
    line = plex.line()
    plex.write(line[:20])
    with LogSaver(logs, arch) as saver:
        assert len(saver.read_new().lines) == 3
        plex.write(line[20:-1])
        assert saver.read_new().lines == []
        plex.write(b"\n")
        assert saver.read_new().lines == [line]
        saver.flush()
    assert archived(arch) == plex.expected


def test_rotation_while_running_loses_and_repeats_nothing(dirs):
    logs, arch = dirs
    plex = RecordingWriter(logs, max_bytes=3000)
    got: list[bytes] = []
    with LogSaver(logs, arch, flush_bytes=2000) as saver:
        for round_ in range(40):
            plex.write_lines(7)
            if round_ % 9 == 0:
                plex.restart()
            batch = saver.read_new()
            assert batch.gaps == []
            got += batch.lines
            saver.maybe_flush()
    assert plex.writer.rotations > 10
    assert b"".join(got) == plex.expected
    assert archived(arch) == plex.expected


def test_windows_mode_reopening_files_each_read_follows_rotation_too(dirs, monkeypatch):
    """On Windows the reader must not keep Plex's log open (Plex could not rename it)."""
    import plextray.logs.source as source

    monkeypatch.setattr(source, "_HOLD_HANDLES", False)
    logs, arch = dirs
    plex = RecordingWriter(logs, max_bytes=2000)
    got: list[bytes] = []
    with LogSaver(logs, arch, flush_bytes=1500) as saver:
        for round_ in range(25):
            plex.write_lines(5)
            if round_ % 7 == 3:
                plex.restart()
            got += saver.read_new().lines
            assert saver._source._cur is None or saver._source._cur.handle is None
            saver.maybe_flush()
    assert b"".join(got) == plex.expected
    assert archived(arch) == plex.expected


def test_a_line_longer_than_the_read_budget(dirs):
    logs, arch = dirs
    plex = RecordingWriter(logs)
    plex.write_lines(2)
    plex.write(plex.line("Request: " + "x" * 300_000))
    plex.write_lines(2)
    save(logs, arch, read_bytes=4096)
    assert archived(arch) == plex.expected


def test_catch_up_from_rotated_files_after_downtime(dirs):
    logs, arch = dirs
    plex = RecordingWriter(logs)
    plex.write_lines(20)
    save(logs, arch)
    # stopped: Plex restarts twice and rotates three more times
    plex.write_lines(5)
    plex.restart()
    plex.write_lines(10)
    plex.rotate()
    plex.write_lines(10)
    plex.restart()
    plex.write_lines(10)
    plex.rotate()
    plex.write_lines(6)
    plex.rotate()
    plex.write_lines(4)
    assert (logs / "Plex Media Server.5.log").exists()  # the file we stopped in, 5 rotations ago
    with LogSaver(logs, arch) as saver:
        summary = saver.save_once()
    assert summary.gaps == () and summary.files == 6
    assert archived(arch) == plex.expected


def test_first_run_reads_all_rotated_files_oldest_first(dirs):
    logs, arch = dirs
    plex = RecordingWriter(logs)
    for _ in range(5):
        plex.write_lines(8)
        plex.restart()
    plex.write_lines(3)
    save(logs, arch)
    assert archived(arch) == plex.expected


def test_unfinished_line_in_a_rotated_file_is_saved_with_a_newline(dirs):
    logs, arch = dirs
    plex = RecordingWriter(logs)
    plex.write_lines(4)
    plex.write(b"Feb 06, 2026 21:10:00.000 [1] DEBUG - PMS died mid-li")
    with LogSaver(logs, arch) as saver:
        saver.read_new()
        plex.restart()
        plex.write_lines(2)
        saver.read_new()
    assert archived(arch) == plex.expected
    assert b"PMS died mid-li\n" in plex.expected


def test_truncation_while_running_and_while_stopped(dirs):
    logs, arch = dirs
    plex = RecordingWriter(logs)
    plex.write_lines(10)
    with LogSaver(logs, arch) as saver:
        saver.read_new()
        plex.writer.truncate()
        plex.write_lines(3)
        batch = saver.read_new()
        assert len(batch.lines) == 3 and batch.gaps == []
        saver.flush()
    plex.writer.truncate()
    plex.write_lines(30)  # regrows past the old offset: identity (first bytes) tells it apart
    with LogSaver(logs, arch) as saver:
        summary = saver.save_once()
    assert archived(arch) == plex.expected
    assert [gap.files_missed for gap in summary.gaps] == [0]  # replaced while stopped: reported


def test_file_replaced_while_running_is_drained_first(dirs):
    logs, arch = dirs
    plex = RecordingWriter(logs)
    plex.write_lines(5)
    with LogSaver(logs, arch) as saver:
        saver.read_new()
        plex.write_lines(3)  # written, not yet read, then the file is deleted and recreated
        plex.writer.replace()
        plex.write_lines(2)
        batch = saver.read_new()
        assert len(batch.lines) == 5 and batch.gaps == []
    assert archived(arch) == plex.expected


def test_lines_rotated_away_while_stopped_are_reported_as_a_gap(dirs, capsys):
    logs, arch = dirs
    plex = RecordingWriter(logs)
    plex.write_lines(5)
    save(logs, arch)
    last_saved = plex.now
    lost_from = len(plex.lines)
    for _ in range(7):
        plex.write_lines(3)
        plex.rotate()
    plex.write_lines(2)
    with LogSaver(logs, arch) as saver:
        summary = saver.save_once()
    [gap] = summary.gaps
    assert gap.files_missed is None
    assert gap.after == format_timestamp(last_saved)
    first_available = (logs / "Plex Media Server.5.log").read_bytes()[:25].decode()
    assert gap.before == first_available
    assert "unknowable" in gap.describe()
    kept = b"".join((logs / name).read_bytes() for name in
                    [f"Plex Media Server.{n}.log" for n in range(5, 0, -1)] + ["Plex Media Server.log"])
    assert archived(arch) == b"".join(plex.lines[:lost_from]) + kept


def test_midnight_splits_into_two_daily_archives_and_continuations_follow(dirs):
    logs, arch = dirs
    plex = RecordingWriter(logs, start=datetime(2026, 2, 6, 23, 59, 58))
    plex.write_lines(3, seconds=0.7)  # 23:59:58.7, 23:59:59.4, 00:00:00.1
    plex.write(b"   continuation of the midnight line\n")
    plex.write_lines(2)
    save(logs, arch)
    names = [path.name for path in list_archives(arch)]
    assert names == ["2026-02-06.log.gz", "2026-02-07.log.gz"]
    day1 = b"".join(read_archive(arch / names[0]))
    day2 = b"".join(read_archive(arch / names[1]))
    assert day1 == b"".join(plex.lines[:2])
    assert day2 == b"".join(plex.lines[2:])
    assert day2.splitlines()[1] == b"   continuation of the midnight line"


def test_continuation_line_after_restart_joins_the_previous_day(dirs):
    logs, arch = dirs
    plex = RecordingWriter(logs, start=datetime(2026, 2, 6, 23, 0))
    plex.write_lines(2)
    save(logs, arch)
    plex.write(b"continuation written after the save\n")
    plex.write_lines(1, seconds=7200)  # next day
    save(logs, arch)
    assert b"".join(read_archive(arch / "2026-02-06.log.gz")).endswith(b"continuation written after the save\n")
    assert archived(arch) == plex.expected


def test_uncommitted_member_from_a_crash_is_cut_at_start(dirs):
    logs, arch = dirs
    plex = RecordingWriter(logs)
    plex.write_lines(10)
    save(logs, arch)
    plex.write_lines(10)
    saver = LogSaver(logs, arch)
    saver.read_new()
    # "crash" between the archive append and the checkpoint: the member is written, no commit
    path = arch / "2026-02-06.log.gz"
    with open(path, "ab") as handle:
        handle.write(compress_member(b"".join(plex.lines[10:])))
    new_day = arch / "2026-02-07.log.gz"
    new_day.write_bytes(compress_member(b"Feb 07, 2026 00:00:00.000 [1] DEBUG - uncommitted\n"))
    saver._lock.release()  # the process is gone: the kernel drops its lock
    del saver
    save(logs, arch)
    assert not new_day.exists()  # not a daily archive any more: moved aside, not deleted
    orphan = arch / "2026-02-07.log.gz.orphan-1"
    assert b"".join(read_archive(orphan)) == b"Feb 07, 2026 00:00:00.000 [1] DEBUG - uncommitted\n"
    assert archived(arch) == plex.expected


KILL_BEFORE_COMMIT = """
import os, signal, sys
import plextray.logs.saver as saver_module
# SIGKILL at the one instant that leaves a new archive behind: its member appended and fsync'ed,
# the checkpoint that would have vouched for it not yet written.
saver_module.save_checkpoint = lambda *args: os.kill(os.getpid(), signal.SIGKILL)
saver_module.LogSaver(sys.argv[1], sys.argv[2]).save_once()
"""


def test_an_archive_newer_than_the_checkpoint_is_moved_aside_never_deleted_and_nothing_is_saved_twice(
        dirs, caplog):
    logs, arch = dirs
    plex = RecordingWriter(logs, start=datetime(2026, 2, 6, 23, 59, 50))
    plex.write_lines(10)  # up to 23:59:55
    save(logs, arch)
    plex.write_lines(30)  # across midnight: a new day, a new archive
    run = subprocess.run([sys.executable, "-c", KILL_BEFORE_COMMIT, str(logs), str(arch)], capture_output=True,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert run.returncode == -9, run.stderr
    new_day = arch / "2026-02-07.log.gz"
    uncommitted = b"".join(read_archive(new_day))
    assert uncommitted and uncommitted in plex.expected and "2026-02-07.log.gz" not in checkpoint_json(arch)["archives"]
    (arch / "2026-02-07.log.gz.orphan-1").write_bytes(b"an older orphan, left alone")

    with caplog.at_level("WARNING", logger="plextray.logs.saver"), LogSaver(logs, arch) as saver:
        summary = saver.save_once()
    orphan = arch / "2026-02-07.log.gz.orphan-2"
    assert b"".join(read_archive(orphan)) == uncommitted  # the user's bytes, kept
    assert (arch / "2026-02-07.log.gz.orphan-1").read_bytes() == b"an older orphan, left alone"
    assert stat.S_IMODE(orphan.stat().st_mode) == 0o600
    [warning] = [r.getMessage() for r in caplog.records if "orphan" in r.getMessage()]
    assert "2026-02-07.log.gz" in warning and str(orphan) in warning and "moved aside" in warning
    # the lines come again from Plex's log into a fresh daily archive; the orphan is no daily archive
    assert [p.name for p in list_archives(arch)] == ["2026-02-06.log.gz", "2026-02-07.log.gz"]
    assert summary.gaps == () and "2026-02-07.log.gz" in summary.archives
    assert archived(arch) == plex.expected  # every line once
    with LogSaver(logs, arch) as saver:  # and a later start leaves everything where it is
        saver.save_once()
    assert archived(arch) == plex.expected and orphan.exists()


def test_single_instance_lock(dirs):
    logs, arch = dirs
    RecordingWriter(logs).write_lines(1)
    with LogSaver(logs, arch):
        with pytest.raises(ArchiveBusyError, match="already writing"):
            LogSaver(logs, arch)
        code = f"from plextray.logs.saver import LogSaver; LogSaver({str(logs)!r}, {str(arch)!r})"
        other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert other.returncode != 0 and f"process {os.getpid()}" in other.stderr
    with LogSaver(logs, arch):
        pass


def test_read_new_after_a_failed_commit_does_not_hand_lines_out_twice(dirs, monkeypatch):
    import errno

    import plextray.logs.saver as saver_module
    from plextray.errors import DiskFullError

    logs, arch = dirs
    plex = RecordingWriter(logs)
    plex.write_lines(5)
    got: list[bytes] = []
    with LogSaver(logs, arch) as saver:
        got += saver.read_new().lines
        real = saver_module._append_durably

        def full(path, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(saver_module, "_append_durably", full)
        with pytest.raises(DiskFullError, match="nothing lost"):
            saver.flush()
        plex.write_lines(3)
        got += saver.read_new().lines
        monkeypatch.setattr(saver_module, "_append_durably", real)
        saver.flush()
        plex.write_lines(2)
        got += saver.read_new().lines
    assert b"".join(got) == plex.expected
    assert archived(arch) == plex.expected


def test_maybe_flush_by_size_and_by_age(dirs):
    logs, arch = dirs
    plex = RecordingWriter(logs)
    clock = [0.0]
    with LogSaver(logs, arch, flush_bytes=10_000, flush_seconds=60, clock=lambda: clock[0]) as saver:
        plex.write_lines(2)
        saver.read_new()
        assert saver.maybe_flush() is None
        clock[0] = 61
        result = saver.maybe_flush()
        assert result is not None and result.lines == 2
        plex.write_lines(100)
        saver.read_new()
        assert saver.maybe_flush().lines == 100
        assert saver.read_new().lines == []
        assert saver.maybe_flush() is None


def test_prune_keeps_the_last_n_days(dirs):
    logs, arch = dirs
    plex = RecordingWriter(logs, start=datetime(2026, 2, 1, 12, 0))
    for _ in range(6):
        plex.write_lines(2, seconds=43200)
    with LogSaver(logs, arch) as saver:
        saver.save_once()
        assert len(list_archives(arch)) == 6
        removed = saver.prune(2, date(2026, 2, 4))
    assert [p.name for p in removed] == ["2026-02-02.log.gz"]  # lines ran from Feb 2 00:00 to Feb 7
    assert [p.name for p in list_archives(arch)][0] == "2026-02-03.log.gz"
    plex.write_lines(1)
    with LogSaver(logs, arch) as saver:  # the checkpoint forgets pruned archives without complaint
        assert saver.save_once().problems == ()
        assert "2026-02-02.log.gz" not in checkpoint_json(arch)["archives"]


def test_save_logs_command(tmp_path, plextray_home):
    logs = tmp_path / "Logs"
    plex = RecordingWriter(logs, start=datetime.now() - timedelta(days=6))
    for _ in range(6):
        plex.write_lines(3, seconds=86400 / 3)
    env = {**os.environ, "PLEXTRAY_HOME": str(plextray_home)}
    run = subprocess.run([sys.executable, "-m", "plextray", "save-logs", "--log-dir", str(logs)],
                         capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"saved {len(plex.lines)} line(s)") and "no gaps" in run.stdout
    assert archived(plextray_home / "archives") == plex.expected
    again = subprocess.run([sys.executable, "-m", "plextray", "save-logs", "--log-dir", str(logs), "--keep-days", "2"],
                           capture_output=True, text=True, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("saved 0 line(s)") and "pruned" in again.stdout
    assert len(list_archives(plextray_home / "archives")) == 2
    bad = subprocess.run([sys.executable, "-m", "plextray", "save-logs", "--keep-days", "0"],
                         capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "at least 1" in bad.stderr


LINE = b"Nov 23, 2026 16:00:%02d.000 [0x7f01] DEBUG - line %d\n"


class _FlakyStat:
    """`os` as the reader sees it, with stat() of one path failing (EACCES, ESTALE on NFS...)."""

    def __init__(self, path) -> None:
        self.path = str(path)
        self.failing = False

    def __getattr__(self, name):
        return getattr(os, name)

    def stat(self, path, *args, **kwargs):
        if self.failing and str(path) == self.path:
            raise PermissionError(13, "Permission denied", self.path)
        return os.stat(path, *args, **kwargs)


def test_a_transient_stat_error_on_the_live_log_loses_no_line(tmp_path, monkeypatch):
    """A failed stat() of the live log (not ENOENT) was taken for "rotated away": the live file
    was finished and remembered as read, and every line Plex wrote to it afterwards was never
    returned (nor reported as a gap) until the next rotation."""
    live = tmp_path / const.PLEX_LOG_NAME
    live.write_bytes(LINE % (1, 1))
    flaky = _FlakyStat(live)
    monkeypatch.setattr(source_module, "os", flaky)
    reader = PlexLogSource(tmp_path)
    data, gaps = reader.read(1 << 20)
    assert data == LINE % (1, 1) and gaps == []
    with open(live, "ab") as handle:
        handle.write(LINE % (2, 2))
    flaky.failing = True
    data, gaps = reader.read(1 << 20)
    flaky.failing = False
    with open(live, "ab") as handle:
        handle.write(LINE % (3, 3))
    more, more_gaps = reader.read(1 << 20)
    assert data + more == LINE % (2, 2) + LINE % (3, 3)
    assert gaps == more_gaps == []
    reader.close()
