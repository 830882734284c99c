"""Review findings in plextray.ui: the tray's start-up refuses cleanly where Tk cannot run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wayland_without_xwayland_is_one_line_not_a_tk_traceback(tmp_path):
    """A Wayland session with no DISPLAY: pystray's GTK/AppIndicator backends import fine there
    (the dummy backend stands in for them), but Tk on Linux needs an X display."""
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env.update(WAYLAND_DISPLAY="wayland-9", PYSTRAY_BACKEND="dummy", PLEXTRAY_HOME=str(tmp_path / "home"))
    result = subprocess.run(
        [sys.executable, "-m", "plextray", "run"], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2
    assert result.stderr.startswith("plextray: cannot start the tray: ")
    assert "plextray run --headless" in result.stderr
