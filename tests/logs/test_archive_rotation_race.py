"""Plex rotating its log while the saver is looking at the folder, at one exact instant each time.

The kill -9 test found this by chance (about 1 run in 20): a saver killed and restarted while
Plex kept writing, and Plex's rename-rotation (`.4→.5 … .log→.1`, fresh `.log`) running in
the middle of the restarted saver's first look at the folder. The look took each file's
status by name and read its first bytes by opening the same name a moment later — by then
another file. The file already read looked unknown: a false "rotated its log more than 5
times" gap whose range ran backwards, and the oldest files archived a second time. Or the file
being read was recognised but then opened by name after the rotation, so it was known by its
inode number alone; the next file Plex created under that reused number was skipped, unsaved.

Here there is no randomness: every call by which the saver touches the log folder (listdir,
stat, open — builtins.open and os.open, through which the reader opens Plex's files) is
counted, and Plex rotates right after the k-th one, for every k of the start-up.
"""

from __future__ import annotations

import builtins
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from plextray.logs.checkpoint import HEAD_BYTES
from plextray.logs.saver import LogSaver
from support.archive_helpers import RecordingWriter, archived, checkpoint_json

ROOT = Path(__file__).resolve().parents[2]
LIVE = "Plex Media Server.log"
# A saver that commits everything it can read, then dies by SIGKILL (no close, no clean-up).
SAVE_THEN_KILL = """
import os, signal, sys
from plextray.logs.saver import LogSaver
LogSaver(sys.argv[1], sys.argv[2]).save_once()
os.kill(os.getpid(), signal.SIGKILL)
"""


class RotateOnTouch:
    """Runs `action` (Plex rotating) right after this process touches `folder` for the k-th time
    (or, with `name`, first touches the file called `name`), while `armed`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, folder: Path, action, *, k: int = 0,
                 name: str | None = None) -> None:
        self.folder = str(folder)
        self.k = k
        self.name = name
        self.action = action
        self.touches: list[str] = []
        self.armed = False
        self.fired = False
        real_stat, real_listdir, real_open, real_os_open = os.stat, os.listdir, builtins.open, os.open

        def stat(path, *args, **kwargs):
            result = real_stat(path, *args, **kwargs)
            self._touched("stat", path)
            return result

        def listdir(path=".", *args, **kwargs):
            result = real_listdir(path, *args, **kwargs)
            self._touched("listdir", path)
            return result

        def open_(path, *args, **kwargs):
            result = real_open(path, *args, **kwargs)
            self._touched("open", path)
            return result

        def os_open(path, *args, **kwargs):  # open_log_file (safe_open.py) opens with os.open
            result = real_os_open(path, *args, **kwargs)
            self._touched("open", path)
            return result

        monkeypatch.setattr(os, "stat", stat)
        monkeypatch.setattr(os, "open", os_open)
        monkeypatch.setattr(os, "listdir", listdir)
        monkeypatch.setattr(builtins, "open", open_)

    def _touched(self, what: str, path) -> None:
        if not self.armed or not isinstance(path, (str, os.PathLike)):
            return
        text = str(os.fspath(path))
        if not text.startswith(self.folder):
            return
        name = Path(text).name
        self.touches.append(f"{what} {name}")
        if (self.name is not None and name == self.name) or len(self.touches) == self.k:
            self.armed = False  # Plex's own renames are not the saver's touches
            self.fired = True
            self.action()


def _kill_after_commit(logs: Path, arch: Path) -> None:
    run = subprocess.run([sys.executable, "-c", SAVE_THEN_KILL, str(logs), str(arch)],
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True)
    assert run.returncode == -signal.SIGKILL, run.stderr


def _commit_then_stop(logs: Path, arch: Path) -> None:
    """What a kill -9 right after a commit leaves on disk: the checkpoint and archives of that
    commit (nothing is staged, so close() writes nothing more). In-process: fast enough to try
    every instant."""
    saver = LogSaver(logs, arch)
    saver.save_once()
    saver.close()


def _mid_file(logs: Path, arch: Path, stop) -> RecordingWriter:
    """The saver was part-way through the live file (`.1.log` already read) when it died."""
    plex = RecordingWriter(logs)
    plex.restart()
    plex.write_lines(60)
    plex.rotate()
    plex.write_lines(60)  # > HEAD_BYTES: the checkpoint knows the live file by its first 4 KiB
    stop(logs, arch)
    assert checkpoint_json(arch)["offset"] > HEAD_BYTES
    plex.write_lines(15)  # Plex goes on while the saver is dead
    return plex


def _between_files(logs: Path, arch: Path, stop) -> RecordingWriter:
    """The saver had finished the rotated file and the fresh live file was still empty: the
    checkpoint says "the file after the last one read" (the issue's case)."""
    plex = RecordingWriter(logs)
    plex.restart()
    plex.write_lines(60)
    plex.rotate()
    plex.write_lines(40)
    stop(logs, arch)
    plex.rotate()  # the live file, read to its end, becomes .1; a fresh empty .log
    stop(logs, arch)
    assert checkpoint_json(arch)["current"] is None
    plex.write_lines(15)
    return plex


def _check_identities(arch: Path) -> None:
    """Every file the checkpoint names is pinned by as many first bytes as were read of it (a
    file known by its inode number alone would be confused with the next file reusing it)."""
    cp = checkpoint_json(arch)
    if cp["current"]:
        assert cp["current"]["head_len"] == min(cp["offset"], HEAD_BYTES), cp["current"]
    for known in cp["seen"]:
        assert known["head_len"] > 0 or known.get("mtime_ns"), known


def _restart_during_rotation(tmp_path, monkeypatch, before, stop, k: int, *, restart_plex: bool):
    logs, arch = tmp_path / "Logs", tmp_path / "archives"
    plex = before(logs, arch, stop)
    hook = RotateOnTouch(monkeypatch, logs, plex.restart if restart_plex else plex.rotate, k=k)
    hook.armed = True
    saver = LogSaver(logs, arch)
    batch = saver.read_new()
    hook.armed = False
    saver.flush()
    gaps = list(batch.gaps)
    _check_identities(arch)
    # Plex goes on for more than a whole round of rotations (deleted files' inode numbers are
    # reused by new ones); the saver keeps up.
    for _ in range(8):
        plex.write_lines(12)
        gaps += saver.save_once().gaps
        plex.rotate()
        gaps += saver.save_once().gaps
        _check_identities(arch)
    plex.write_lines(5)
    saver.close()
    with LogSaver(logs, arch) as again:
        gaps += again.save_once().gaps
    assert gaps == [], [gap.describe() for gap in gaps]
    assert archived(arch) == plex.expected  # nothing lost, nothing twice
    return hook


def test_the_issue_case_plex_rotates_right_after_the_restarted_saver_first_looks_at_the_live_log(
        tmp_path, monkeypatch):
    """Killed with SIGKILL between two rotations (checkpoint: `.1` read, the fresh `.log` empty),
    restarted; Plex rotates right after the saver's first look at `Plex Media Server.log`."""
    logs, arch = tmp_path / "Logs", tmp_path / "archives"
    plex = _between_files(logs, arch, _kill_after_commit)
    hook = RotateOnTouch(monkeypatch, logs, plex.rotate, name=LIVE)
    hook.armed = True
    saver = LogSaver(logs, arch)
    batch = saver.read_new()
    assert hook.fired
    saver.flush()
    plex.write_lines(5)
    gaps = [*batch.gaps, *saver.save_once().gaps]
    saver.close()
    assert gaps == [], [gap.describe() for gap in gaps]
    assert archived(arch) == plex.expected
    _check_identities(arch)


def _start_up_touches(tmp_path, before) -> int:
    """How many times this saver's start-up and first read touch the log folder (no rotation)."""
    logs, arch = tmp_path / "count" / "Logs", tmp_path / "count" / "archives"
    plex = before(logs, arch, _commit_then_stop)
    with pytest.MonkeyPatch.context() as patch:
        hook = RotateOnTouch(patch, logs, plex.rotate)
        hook.armed = True
        with LogSaver(logs, arch) as saver:
            saver.read_new()
        hook.armed = False
    return len(hook.touches)


@pytest.mark.parametrize("before", [_mid_file, _between_files], ids=["mid-file", "between-files"])
@pytest.mark.parametrize("restart_plex", [False, True], ids=["rotate", "restart"])
def test_plex_rotating_at_every_instant_of_the_start_up_loses_and_duplicates_nothing(
        tmp_path, monkeypatch, before, restart_plex):
    touches = _start_up_touches(tmp_path, before)
    assert touches >= 3
    for k in range(1, touches + 1):
        case = tmp_path / f"k{k}"
        with pytest.MonkeyPatch.context() as patch:
            hook = _restart_during_rotation(case, patch, before, _commit_then_stop, k, restart_plex=restart_plex)
        assert hook.fired, (k, hook.touches)


def test_a_running_saver_survives_a_second_rotation_while_it_looks_for_the_next_file(tmp_path, monkeypatch):
    """No restart: the saver finishes the rotated file and looks for the next one while Plex
    rotates again (two rotations in quick succession, as a restart right after a size rotation)."""
    logs, arch = tmp_path / "Logs", tmp_path / "archives"
    plex = RecordingWriter(logs)
    plex.restart()
    plex.write_lines(60)
    with LogSaver(logs, arch) as saver:
        saver.save_once()
        k = 0
        while True:  # every instant of the save, until the save is over before the k-th touch
            k += 1
            plex.write_lines(30)
            plex.rotate()
            plex.write_lines(3)
            hook = RotateOnTouch(monkeypatch, logs, plex.restart, k=k)
            hook.armed = True
            summary = saver.save_once()
            hook.armed = False
            monkeypatch.undo()
            assert summary.gaps == (), (k, hook.touches, [gap.describe() for gap in summary.gaps])
            _check_identities(arch)
            if not hook.fired:
                break
        summary = saver.save_once()
    assert k > 5 and summary.gaps == ()
    assert archived(arch) == plex.expected
