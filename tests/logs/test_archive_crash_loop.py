"""Kill -9 at random instants, in-process and seeded, 200 times: no false gap, no line lost or saved twice.

Why in-process: tests/logs/test_archive_crash.py kills a real saver process (seeded instants, but
the processes' timing is the machine's), so a run cannot be replayed exactly. (Its old false gap was
a rotation between the saver's stat of a name and its re-open of that name; test_archive_rotation_race.py
replays that at every instant.) Here a "kill" is the saver abandoned
without a word at a random point — between two steps, inside a commit (after some archive bytes,
before or after the checkpoint), or while Plex is half-way through a rotation (its renames are
interleaved with the saver's reads and restarts) — and a new saver starts from what is on disk, as
after a real SIGKILL. Every run is replayable from its seed.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from plextray.logs import saver as saver_module
from plextray.logs.saver import LogSaver
from support.archive_helpers import RecordingWriter, archived

RUNS = int(os.environ.get("PLEXTRAY_CRASH_RUNS", "200"))
FIRST_SEED = int(os.environ.get("PLEXTRAY_CRASH_SEED", "0"))


class Killed(BaseException):
    """What a SIGKILL does to the saver: stops it where it is, nothing cleaned up."""


class _World:
    def __init__(self, tmp: Path, rng: random.Random) -> None:
        self.logs, self.arch = tmp / "Logs", tmp / "archives"
        self.rng = rng
        self.plex = RecordingWriter(self.logs, max_bytes=rng.choice([2000, 3000, 12_000]))
        self.saver: LogSaver | None = None
        self.gaps: list = []
        self.kill_in_commit = 0  # > 0: the n-th durable write of the running commit kills
        self.start()

    def start(self) -> None:
        self.saver = LogSaver(self.logs, self.arch, flush_bytes=self.rng.choice([300, 3000, 30_000]),
                              flush_seconds=0.0 if self.rng.random() < 0.5 else 3600.0)

    def kill(self) -> None:
        """Abandon the saver (its lock and handles go, as with the process)."""
        saver = self.saver
        assert saver is not None
        saver._source.close()
        saver._lock.release()
        self.saver = None

    def step(self) -> None:
        try:
            batch = self.saver.read_new()
            self.gaps += batch.gaps
            if self.rng.random() < 0.05:
                self.kill_in_commit = self.rng.randint(1, 3)
            self.saver.maybe_flush()
        except Killed:
            self.kill()
            self.start()
        finally:
            self.kill_in_commit = 0

    def restart(self) -> None:
        self.kill()
        self.start()


def _run(seed: int, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list, bytes, bytes]:
    rng = random.Random(seed)
    world: _World | None = None
    real_append = saver_module._append_durably
    real_save = saver_module.save_checkpoint

    def append(path: Path, data: bytes) -> int:
        if world is not None and world.kill_in_commit:
            world.kill_in_commit -= 1
            if world.kill_in_commit == 0:
                with open(path, "ab") as handle:  # killed half-way through the write
                    handle.write(data[: rng.randrange(len(data) + 1)])
                raise Killed()
        return real_append(path, data)

    def save(folder: Path, checkpoint) -> None:
        if world is not None and world.kill_in_commit == 1 and rng.random() < 0.5:
            raise Killed()  # killed just before the checkpoint
        real_save(folder, checkpoint)

    # Plex's rotation is a run of renames that goes on while the saver looks at the folder: each
    # rename may happen between two of the saver's file opens (inside one look), between its
    # steps, or while a killed saver's successor starts
    from plextray.logs import source as source_module

    pending: list = []
    real_head = source_module.read_file_head

    def head_during_rotation(path):
        if pending and rng.random() < 0.5:
            pending.pop(0)()
        return real_head(path)

    # durability is not what is tested here (the page cache outlives an in-process "kill"): fsync
    # would only make 200 runs take minutes
    monkeypatch.setattr(os, "fsync", lambda fd: None)
    monkeypatch.setattr(source_module.time, "sleep", lambda seconds: None)  # "let Plex finish its rotation"
    monkeypatch.setattr(saver_module, "_append_durably", append)
    monkeypatch.setattr(saver_module, "save_checkpoint", save)
    monkeypatch.setattr(source_module, "read_file_head", head_during_rotation)
    world = _World(tmp, rng)
    writer = world.plex.writer
    synced = {"at": 0}

    def rotate() -> None:
        if writer.rotations - synced["at"] >= 4:  # never let Plex delete a file not saved yet
            world.kill_in_commit = 0
            for _ in range(3):
                world.step()
            world.saver.flush()
            synced["at"] = writer.rotations
        writer._close_locked()
        oldest = writer.rotated_path(5)
        if oldest.exists():
            pending.append(oldest.unlink)
        for n in range(4, -1, -1):
            source = writer.rotated_path(n)
            if source.exists() or n == 0:
                pending.append(lambda a=source, b=writer.rotated_path(n + 1): os.replace(a, b) if a.exists() else None)
        while pending:
            if rng.random() < 0.3 and world.saver is not None:
                world.restart() if rng.random() < 0.3 else world.step()  # the saver runs mid-rotation
            if pending:
                pending.pop(0)()
        writer._open()  # PMS creates the fresh, empty file at once
        writer.rotations += 1

    writer._rotate_locked = rotate

    for _ in range(rng.randint(60, 160)):
        roll = rng.random()
        if roll < 0.02:
            world.plex.restart()
        elif roll < 0.15:
            line = world.plex.line()
            cut = rng.randrange(1, len(line))
            world.plex.write(line[:cut])
            if rng.random() < 0.5:
                world.step()
            world.plex.write(line[cut:])
        else:
            world.plex.write_lines(rng.randint(1, 12))
        if rng.random() < 0.6:
            world.step()
        if rng.random() < 0.05:
            world.restart()
    world.kill()
    with LogSaver(world.logs, world.arch) as last:
        summary = last.save_once()
    return world.gaps + list(summary.gaps), archived(world.arch), world.plex.expected


@pytest.mark.slow
def test_two_hundred_seeded_kills_lose_and_duplicate_nothing(tmp_path, monkeypatch):
    failures = []
    for seed in range(FIRST_SEED, FIRST_SEED + RUNS):
        run_dir = tmp_path / str(seed)
        run_dir.mkdir()
        with monkeypatch.context() as patch:
            gaps, got, expected = _run(seed, run_dir, patch)
        if gaps or got != expected:
            failures.append((seed, [g.describe() for g in gaps], len(got), len(expected)))
    assert failures == []
