"""Benchmark figures land in one generated file: each run rewrites only its own section."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import _results  # noqa: E402


def test_a_run_replaces_its_own_section_and_keeps_the_others_sorted():
    when = datetime(2026, 12, 6, 4, 30)
    first = _results.merge("", "report.py", _results.section("report.py", "day 100 ms\n", argv=[], when=when))
    both = _results.merge(first, "parse.py", _results.section("parse.py", "ratio 2.9x\n", argv=["--quick"], when=when))
    again = _results.merge(both, "report.py", _results.section("report.py", "day 90 ms\n", argv=[], when=when))
    assert again.startswith(_results.HEADER)
    assert again.index("## parse.py") < again.index("## report.py")
    assert "day 90 ms" in again and "day 100 ms" not in again
    assert "ratio 2.9x" in again and "`python benchmarks/parse.py --quick`" in again
    assert again.count("## ") == 2


def _benchmark_script(tmp_path: Path, name: str, run: str) -> tuple[Path, Path]:
    """A benchmark script `name` whose run_recorded runs `run` (source that defines `main`),
    recording into its own RESULTS.md in tmp_path: (the script, that RESULTS.md)."""
    results = tmp_path / "RESULTS.md"
    script = tmp_path / name
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'benchmarks')!r})\n"
        "import _results\n"
        f"_results.RESULTS = __import__('pathlib').Path({str(results)!r})\n"
        f"{run}\n"
        "raise SystemExit(_results.run_recorded(main))\n"
    )
    return script, results


def test_a_script_run_through_run_recorded_writes_its_figures_with_date_and_machine(tmp_path, monkeypatch):
    monkeypatch.delenv("PLEXTRAY_BENCH_RECORDING", raising=False)
    script, results = _benchmark_script(
        tmp_path, "fake_bench.py", "def main():\n    print('p50 0.2 s')\n    return int(sys.argv[1])")
    failed = subprocess.run([sys.executable, str(script), "3"], capture_output=True, text=True)
    assert failed.returncode == 3 and not results.exists()  # a failed run records nothing
    ok = subprocess.run([sys.executable, str(script), "0"], capture_output=True, text=True)
    assert ok.returncode == 0 and "p50 0.2 s" in ok.stdout
    text = results.read_text()
    assert "## fake_bench.py" in text and "p50 0.2 s" in text
    assert "UTC" in text and "cores" in text and "Python" in text


def test_a_benchmark_run_as_a_child_of_another_records_nothing(tmp_path, monkeypatch):
    script, results = _benchmark_script(tmp_path, "child_bench.py", "main = lambda: print('child figures')")
    monkeypatch.setenv("PLEXTRAY_BENCH_RECORDING", "1")  # as the parent benchmark's run_recorded leaves it
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert run.returncode == 0 and "child figures" in run.stdout
    assert not results.exists()


def test_a_quick_run_records_nothing(tmp_path, monkeypatch):
    """--quick is a smoke run of every benchmark (fewer plays, shorter lines): not the figures."""
    monkeypatch.delenv("PLEXTRAY_BENCH_RECORDING", raising=False)
    monkeypatch.delenv("PLEXTRAY_BENCH_NO_RECORD", raising=False)
    script, results = _benchmark_script(tmp_path, "quick_bench.py", "main = lambda: print('quick figures')")
    run = subprocess.run([sys.executable, str(script), "--quick"], capture_output=True, text=True)
    assert run.returncode == 0 and "quick figures" in run.stdout
    assert not results.exists()
    full = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert full.returncode == 0 and "quick figures" in results.read_text()
