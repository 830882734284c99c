"""The typing ratchet: plextray.core, .engine, .store and .profiles stay strictly typed
(the packages and the flags are in pyproject.toml's [tool.mypy])."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_strict_packages_pass_mypy():
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--cache-dir", str(ROOT / ".mypy_cache")],
        cwd=ROOT, capture_output=True, text=True, timeout=170,
    )
    assert result.returncode == 0, result.stdout + result.stderr
