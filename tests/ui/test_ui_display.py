"""No display: one clear line pointing to the headless mode, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECK = (
    "from plextray.ui.display import display_available, no_display_message\n"
    "ok, why = display_available()\n"
    "print(ok)\n"
    "print(no_display_message(why) if not ok else 'tray can start')\n"
)


def run_check(**env_changes: str | None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_no_display_variable():
    result = run_check(DISPLAY=None, WAYLAND_DISPLAY=None)
    assert result.returncode == 0 and result.stderr == ""
    ok, message = result.stdout.splitlines()
    assert ok == "False"
    assert message == (
        "plextray: cannot start the tray: no desktop display (DISPLAY is not set); "
        "run `plextray run --headless` to monitor without a tray (or `plextray demo` to try it)"
    )


def test_display_that_does_not_answer_is_caught_not_raised(tmp_path):
    """DISPLAY points nowhere: pystray's import raises Xlib's DisplayNameError/ConnectionError, not ImportError."""
    result = run_check(DISPLAY=":187", XAUTHORITY=str(tmp_path / "none"))
    assert result.returncode == 0, result.stderr
    ok, message = result.stdout.splitlines()
    assert ok == "False"
    assert message.startswith("plextray: cannot start the tray: cannot open the desktop display (")
    assert "plextray run --headless" in message and "\n" not in message


@pytest.mark.gui
def test_real_display_is_available(xdisplay):
    result = run_check(DISPLAY=xdisplay)
    assert result.stdout.splitlines() == ["True", "tray can start"], result.stderr


def test_plain_pystray_import_really_fails_without_a_display():
    """The reason display_available exists: this is not an ImportError."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    code = "try:\n import pystray\nexcept ImportError:\n print('ImportError')\nexcept Exception as e:\n print(type(e).__name__)"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "DisplayNameError"


def test_bare_plextray_without_display_prints_one_line():
    """`plextray` with no command and no display: the one line, no traceback (needs the integrator's run path)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run([sys.executable, "-m", "plextray"], env=env, capture_output=True, text=True,
                            timeout=60, cwd=ROOT, stdin=subprocess.DEVNULL)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if "plextray run --headless" in line]
    assert len(lines) == 1, result.stderr


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
