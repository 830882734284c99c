"""Archiving ~100 MB of realistic Plex log lines, against `gzip -6 -c` on the same bytes.

1. Generates a busy household's log (emulator.traffic.realistic_log, ~25 MB per simulated day)
   into a Plex log folder through PlexLogWriter, rotating by size like PMS (`.log` … `.5.log`,
   so all of it is still on disk for a catch-up save).
2. Runs the saver (`LogSaver.save_once`, the `save-logs` path: catch up oldest-first, split by
   day, compress, fsync, checkpoint) in a child process, so its peak RSS is its own.
3. In the same run, times `gzip -6 -c` on the same bytes (the files concatenated oldest-first).
4. Checks the archives decompress to exactly those bytes, then prints both times, both sizes,
   the ratios and the saver's peak RSS. Goals: time <= 1.3x gzip's, size <= 1.05x gzip's,
   peak RSS <= 60 MB. Each side runs --runs times (default 3); the fastest run is quoted.

Usage: python benchmarks/archive.py [--mb 100] [--runs 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import best_of, ratio, run_child, run_python, timed, verdict  # noqa: E402
from plextray.emulator.logwriter import PlexLogWriter  # noqa: E402
from plextray.emulator.traffic import realistic_log  # noqa: E402
from plextray.logs.archive import list_archives  # noqa: E402

SAVER = """
import sys
from plextray.logs.saver import LogSaver
with LogSaver(sys.argv[1], sys.argv[2]) as saver:
    summary = saver.save_once()
print(summary.describe())
"""
IDLE = "import plextray.logs.saver, plextray.logs.archive"


def generate(log_dir: Path, total: int) -> list[Path]:
    writer = PlexLogWriter(log_dir, max_bytes=int(total / 5.6))
    batch: list[bytes] = []
    for line in realistic_log(datetime(2026, 2, 6, 6, 0), total, seed=2026):
        batch.append(line)
        if len(batch) >= 256:
            writer.write_raw(b"".join(batch))
            batch = []
    writer.write_raw(b"".join(batch))
    writer.close()
    files = [writer.rotated_path(n) for n in range(5, -1, -1)]
    return [path for path in files if path.exists()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100.0, help="megabytes of log to generate (default 100)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each side; the fastest is quoted")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="plextray-bench-archive-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        logs = work / "Logs"
        if logs.exists():
            shutil.rmtree(logs)
        seconds, files = timed(lambda: generate(logs, int(args.mb * 1_000_000)))
        joined = work / "all.log"
        digest = hashlib.sha256()
        with open(joined, "wb") as out:
            for path in files:
                data = path.read_bytes()
                digest.update(data)
                out.write(data)
        raw = joined.stat().st_size
        print(f"input: {raw / 1e6:.1f} MB of Plex log lines in {len(files)} files "
              f"(generated in {seconds:.1f} s)")

        def saver_run():
            archive_dir = work / "archives"
            shutil.rmtree(archive_dir, ignore_errors=True)
            run = run_python(SAVER, str(logs), str(archive_dir))
            if run.returncode != 0:
                sys.exit(f"saver failed: {run.stderr.decode(errors='replace')}")
            return run

        def gzip_run():
            with open(joined, "rb") as source, open(work / "all.log.gz", "wb") as target:
                run = run_child(["gzip", "-6", "-c"], stdin=source, stdout=target)
            if run.returncode != 0:
                sys.exit("gzip failed")
            return run

        gzip_runs = best_of(args.runs, gzip_run)
        saver_runs = best_of(args.runs, saver_run)
        saver, gz = saver_runs[0], gzip_runs[0]
        archives = list_archives(work / "archives")
        saver_size = sum(path.stat().st_size for path in archives)
        gzip_size = (work / "all.log.gz").stat().st_size
        check = subprocess.run(["zcat", *map(str, archives)], stdout=subprocess.PIPE, check=True).stdout
        identical = hashlib.sha256(check).hexdigest() == digest.hexdigest()
        idle = run_python(IDLE)

        print(f"saver summary: {saver.stdout.decode().strip()}")
        print(f"archives: {len(archives)} daily file(s); zcat of them == input bytes: {identical}")
        print(f"time    saver {saver.seconds:.2f} s   gzip -6 {gz.seconds:.2f} s   ratio {ratio(saver.seconds, gz.seconds)}"
              f"   ({verdict(saver.seconds <= 1.3 * gz.seconds)}: <= 1.3x)")
        print(f"        all saver runs: {', '.join(f'{r.seconds:.2f}' for r in saver_runs)} s; "
              f"gzip runs: {', '.join(f'{r.seconds:.2f}' for r in gzip_runs)} s")
        print(f"size    saver {saver_size:,} B   gzip -6 {gzip_size:,} B   ratio {ratio(saver_size, gzip_size)}"
              f"   ({verdict(saver_size <= 1.05 * gzip_size)}: <= 1.05x)   input {raw:,} B")
        print(f"peak RSS saver {max(r.peak_rss_mb for r in saver_runs):.1f} MB"
              f"   ({verdict(max(r.peak_rss_mb for r in saver_runs) <= 60)}: <= 60 MB)"
              f"   [a python importing the saver and doing nothing: {idle.peak_rss_mb:.1f} MB]")
        return 0 if identical else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    from _results import run_recorded

    raise SystemExit(run_recorded(main))
