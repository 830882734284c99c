"""Property: over random schedules of Plex writes, partial lines, rotations, restarts, reads,
flushes, saves and crashes (with power cuts), the archives hold every line written, once."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import plextray.logs.saver as saver_module
from plextray.logs.archive import list_archives
from plextray.logs.saver import LogSaver
from support.archive_helpers import RecordingWriter, archived, checkpoint_json


class _Crash(BaseException):
    """The process dies here (nothing after this point runs, no cleanup)."""


OPS = st.one_of(
    st.tuples(st.just("write"), st.integers(1, 30)),
    st.tuples(st.just("partial"), st.floats(0.05, 0.95)),
    st.tuples(st.just("odd"), st.sampled_from(["nonutf8", "continuation", "cr"])),
    st.tuples(st.just("midnight"), st.just(0)),
    st.tuples(st.just("rotate"), st.just(0)),
    st.tuples(st.just("restart"), st.just(0)),
    st.tuples(st.just("read"), st.just(0)),
    st.tuples(st.just("flush"), st.just(0)),
    st.tuples(st.just("maybe_flush"), st.just(0)),
    st.tuples(st.just("save_once"), st.just(0)),
    st.tuples(st.just("crash"), st.sampled_from(["idle", "after_archive", "mid_archive", "before_rename"])),
)


def _crash(saver: LogSaver, how: str) -> None:
    """Kill the saver at a chosen instant of a commit; leave disk state as a dead process would."""
    if how == "after_archive":  # members appended and fsync'ed, checkpoint never written
        with mock.patch.object(saver_module, "save_checkpoint", side_effect=_Crash):
            try:
                saver.flush()
            except _Crash:
                pass
    elif how == "mid_archive":  # torn member: half of it reached the file
        def torn(path, data):
            with open(path, "ab") as handle:
                handle.write(data[: len(data) // 2])
            raise _Crash

        with mock.patch.object(saver_module, "_append_durably", torn):
            try:
                saver.flush()
            except _Crash:
                pass
    elif how == "before_rename":  # checkpoint temp file written, rename never happened
        import plextray.logs.checkpoint as cp

        def dies(src, dst):
            raise _Crash

        # (the process dies: its own clean-up of the temp file never runs either)
        with mock.patch.object(cp.os, "replace", dies), mock.patch.object(cp.os, "unlink", lambda path: None):
            try:
                saver.flush()
            except _Crash:
                pass
    saver._source.close()  # the kernel closes a dead process's files and drops its lock
    saver._lock.release()


def _power_cut(arch: Path, rng: random.Random) -> None:
    """Unsynced tails may or may not reach the disk: keep a random part of what is past the commit."""
    committed = checkpoint_json(arch)["archives"]
    for path in list_archives(arch):
        size, keep = path.stat().st_size, committed.get(path.name, 0)
        if size > keep:
            with open(path, "r+b") as handle:
                handle.truncate(rng.randint(keep, size))
        if rng.random() < 0.3:
            with open(path, "ab") as handle:
                handle.write(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 40))))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(OPS, max_size=40), seed=st.integers(0, 2**32 - 1), cut=st.booleans())
def test_archives_hold_every_written_line_exactly_once(ops, seed, cut):
    run_schedule(ops, seed, cut)


def run_schedule(ops, seed: int, cut: bool) -> None:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        logs, arch = Path(tmp) / "Logs", Path(tmp) / "archives"
        plex = RecordingWriter(logs, max_bytes=rng.choice([None, 2500, 8000]))
        # Plex's first line is dated (the banner). A headless line with no line at all before it
        # goes to its file's modification day, which would not sort with the rest.
        plex.write_lines(1)
        saver = LogSaver(logs, arch, flush_bytes=rng.choice([200, 5000, 1 << 20]),
                         read_bytes=rng.choice([150, 1000, 1 << 20]))
        rest = b""  # the unwritten end of a partial line
        rotations_read = rotations_committed = 0
        delivered: list[bytes] = []
        gaps = []

        def note_read() -> None:
            nonlocal rotations_read
            rotations_read = plex.writer.rotations

        def committed() -> None:
            nonlocal rotations_committed
            rotations_committed = rotations_read

        def save() -> None:
            nonlocal delivered
            note_read()
            gaps.extend(saver.save_once().gaps)
            committed()
            delivered = []  # save_once consumes lines without handing them out

        def finish_partial() -> None:
            nonlocal rest
            if rest:
                plex.write(rest)
                rest = b""

        for op, arg in ops:
            if op in ("rotate", "restart") or (op == "write" and plex.writer.max_bytes):
                # Never let Plex delete a file whose lines are not committed (that would be a real gap).
                if plex.writer.rotations - rotations_committed >= 3:
                    finish_partial()
                    save()
            if op == "write":
                finish_partial()
                plex.write_lines(arg)
            elif op == "partial":
                finish_partial()
                line = plex.line()
                cut_at = max(1, int(len(line) * arg))
                plex.write(line[:cut_at])
                rest = line[cut_at:]
            elif op == "odd":
                finish_partial()
                if arg == "nonutf8":
                    plex.write(plex.line()[:-1] + b" \xff\xfe\xc3\x28 bytes\n")
                elif arg == "continuation":
                    plex.write(b"    at frame 3 (no timestamp)\n")
                else:
                    plex.write(plex.line()[:-1] + b" GET / HTTP/1.1\r\n")
            elif op == "midnight":
                plex.tick(6 * 3600)
            elif op == "rotate":
                rest = b""  # the rotation closed the unfinished line (the saver adds its newline)
                plex.rotate()
            elif op == "restart":
                rest = b""
                plex.restart()
            elif op == "read":
                note_read()
                batch = saver.read_new()
                delivered.append(b"".join(batch.lines))
                gaps.extend(batch.gaps)
            elif op == "flush":
                saver.flush()
                committed()
            elif op == "maybe_flush":
                if saver.maybe_flush() is not None:
                    committed()
            elif op == "save_once":
                save()
            elif op == "crash":
                _crash(saver, arg)
                if cut:
                    _power_cut(arch, rng)
                saver = LogSaver(logs, arch, flush_bytes=rng.choice([200, 5000, 1 << 20]),
                         read_bytes=rng.choice([150, 1000, 1 << 20]))
                gaps.extend(saver.gaps)
                delivered = []  # a new process: what the dead one handed out is handed out again
            # one saver never hands a line out twice nor out of order
            stream = b"".join(delivered)
            assert stream in plex.expected or not stream
        finish_partial()
        save()
        saver.close()
        assert gaps == []
        assert archived(arch) == plex.expected
        assert not list(arch.glob("*.tmp"))  # an interrupted checkpoint write leaves nothing behind
