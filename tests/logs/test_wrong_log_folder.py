"""A log folder chosen by hand that holds no `Plex Media Server.log` is an error (exit 2) naming
the Logs folder below it when there is one — in save-logs, import, run and the settings window —
never "saved 0 lines, no gaps"."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from plextray.errors import LogDirError
from plextray.logs.locate import find_log_dir, require_plex_log
from plextray.ui import settings_steps as steps


@pytest.fixture
def plex_root(tmp_path):
    """Plex's 'Plex Media Server' folder: the log is one level below, in Logs/."""
    root = tmp_path / "Plex Media Server"
    (root / "Logs").mkdir(parents=True)
    (root / "Logs" / "Plex Media Server.log").write_text("Dec 06, 2026 10:00:00.000 [1] DEBUG - hello\n")
    return root


def cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    return subprocess.run([sys.executable, "-m", "plextray", *args], env=env, capture_output=True, text=True,
                          timeout=60)


def test_the_folder_above_logs_names_the_logs_folder(plex_root):
    with pytest.raises(LogDirError) as info:
        find_log_dir(plex_root)
    assert str(plex_root / "Logs") in str(info.value)
    assert require_plex_log(plex_root / "Logs") == plex_root / "Logs"
    library = plex_root.parent  # two levels up: still found through the usual layout
    (library / "Library" / "Application Support").mkdir(parents=True)
    plex_root.rename(library / "Library" / "Application Support" / "Plex Media Server")
    with pytest.raises(LogDirError, match="Application Support/Plex Media Server/Logs"):
        find_log_dir(library)


def test_an_unrelated_folder_says_it_holds_no_log(tmp_path):
    with pytest.raises(LogDirError, match="holds no Plex Media Server.log"):
        find_log_dir(tmp_path)


@pytest.mark.parametrize("command", [["save-logs"], ["import"], ["run", "--headless"]])
def test_commands_exit_2_naming_the_logs_folder(plex_root, plextray_home, command):
    result = cli(*command, "--log-dir", str(plex_root))
    assert result.returncode == 2, result.stdout + result.stderr
    assert str(plex_root / "Logs") in result.stderr and "Traceback" not in result.stderr
    assert "saved 0 line" not in result.stdout and "monitoring" not in result.stdout
    assert not list((plextray_home / "archives").glob("*.gz")) if (plextray_home / "archives").exists() else True


def test_save_logs_on_the_right_folder_still_saves(plex_root, plextray_home):
    result = cli("save-logs", "--log-dir", str(plex_root / "Logs"))
    assert result.returncode == 0, result.stderr
    assert "saved 1 line" in result.stdout


def test_the_settings_window_refuses_the_folder_above(plex_root):
    errors = steps.validate_server("http://127.0.0.1:32400", "", str(plex_root))
    assert str(plex_root / "Logs") in errors["log_dir"]
    assert "log_dir" not in steps.validate_server("http://127.0.0.1:32400", "", str(plex_root / "Logs"))
