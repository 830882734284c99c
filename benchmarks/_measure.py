"""Small measuring helpers shared by the benchmarks: a child's own wall time and peak RSS.

Peak RSS of a Python child is its own VmHWM (/proc/self/status, read by the child as it exits):
rusage's ru_maxrss survives fork+exec on Linux, so a child started by a driver holding 100 MB
would report the driver's footprint. Elsewhere (macOS, Windows) it falls back to rusage.
Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ChildRun:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: bytes
    stderr: bytes


def _maxrss_mb(usage: resource.struct_rusage) -> float:
    # Linux reports KiB, macOS bytes.
    return usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)


def run_child(argv: Sequence[str], *, env: dict | None = None, stdin=None, stdout=subprocess.PIPE,
              cwd: Path | None = None) -> ChildRun:
    """Run a command to completion; its wall time and its own peak RSS (MB)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    start = time.perf_counter()
    proc = subprocess.Popen(list(argv), env=full_env, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd)
    out = b""
    err = b""
    if proc.stdout is not None:
        out = proc.stdout.read()
    if proc.stderr is not None:
        err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return ChildRun(seconds, _maxrss_mb(usage), proc.returncode, out, err)


PEAK_MARK = b"\n@@peak_rss_kb="
_REPORT_PEAK = """
import atexit as _atexit, os as _os, sys as _sys
def _report_peak():
    peak = None
    try:
        with open("/proc/self/status") as _status:
            for _line in _status:
                if _line.startswith("VmHWM:"):
                    peak = int(_line.split()[1])
    except OSError:
        import resource as _resource
        peak = _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss // (1024 if _sys.platform == "darwin" else 1)
    _sys.stdout.flush()
    _os.write(1, b"\\n@@peak_rss_kb=%d\\n" % peak)
_atexit.register(_report_peak)
"""


def run_python(code: str, *args: str, env: dict | None = None) -> ChildRun:
    """A fresh interpreter running `code` (sys.argv[1:] = args); peak RSS is the child's own VmHWM."""
    run = run_child([sys.executable, "-c", _REPORT_PEAK + code, *args], env=env)
    out, mark, tail = run.stdout.rpartition(PEAK_MARK)
    if not mark:
        return run
    return ChildRun(run.seconds, int(tail.split()[0]) / 1024, run.returncode, out, run.stderr)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def best_of(runs: int, fn: Callable[[], ChildRun]) -> list[ChildRun]:
    """Run `fn` several times; results sorted fastest first (the first is the figure to quote)."""
    return sorted((fn() for _ in range(runs)), key=lambda run: run.seconds)


def ratio(a: float, b: float) -> str:
    return f"{a / b:.3f}x" if b else "n/a"


def verdict(ok: bool) -> str:
    return "meets goal" if ok else "MISSES goal"
