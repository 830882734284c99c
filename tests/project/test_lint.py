"""Names that are used but never defined (a NameError waiting on a rare path, such as a mail
refused for good), and imports nobody uses: pyflakes' checks, through ruff, on the code that
ships and the benchmarks. Rare paths are exactly where a test may be missing."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_shipped_code_has_no_undefined_names_or_unused_imports():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "F", "--no-cache", "--output-format", "concise",
         "plextray", "benchmarks", "installer"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
