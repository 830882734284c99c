"""Finding Plex's log folder: Plex's own variables, platform defaults, and clear errors (exit 2)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from plextray.errors import LogDirError
from plextray.logs import locate
from plextray.logs.locate import candidate_log_dirs, find_log_dir

ROOT = Path(__file__).resolve().parents[2]


def test_platform_defaults():
    home = Path("/home/kid")
    linux = candidate_log_dirs(environ={}, platform="linux", home=home)
    assert linux == [
        Path("/var/lib/plexmediaserver/Library/Application Support/Plex Media Server/Logs"),
        Path("/var/snap/plexmediaserver/common/Library/Application Support/Plex Media Server/Logs"),
        Path("/config/Library/Application Support/Plex Media Server/Logs"),
    ]
    assert candidate_log_dirs(environ={}, platform="darwin", home=home) == [
        home / "Library" / "Logs" / "Plex Media Server"]
    windows = candidate_log_dirs(environ={"LOCALAPPDATA": r"C:\Users\kid\AppData\Local"}, platform="win32", home=home)
    assert windows == [Path(r"C:\Users\kid\AppData\Local") / "Plex Media Server" / "Logs"]


def test_plex_variables_come_first():
    env = {"PLEX_MEDIA_SERVER_LOG_DIR": "/srv/plex/logs", "PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR": "/srv/plex/data"}
    found = candidate_log_dirs(environ=env, platform="linux", home=Path("/root"))
    assert found[:2] == [Path("/srv/plex/logs"), Path("/srv/plex/data/Plex Media Server/Logs")]


def test_application_support_variable_is_used(tmp_path, monkeypatch):
    logs = tmp_path / "data" / "Plex Media Server" / "Logs"
    logs.mkdir(parents=True)
    (logs / "Plex Media Server.log").write_bytes(b"")
    monkeypatch.delenv("PLEX_MEDIA_SERVER_LOG_DIR", raising=False)
    monkeypatch.setenv("PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR", str(tmp_path / "data"))
    assert find_log_dir() == logs


def test_folder_with_the_log_wins_over_an_empty_one(tmp_path, monkeypatch):
    empty, real = tmp_path / "empty", tmp_path / "real"
    empty.mkdir()
    real.mkdir()
    (real / "Plex Media Server.log").write_bytes(b"x\n")
    monkeypatch.setattr(locate, "candidate_log_dirs", lambda **kw: [tmp_path / "missing", empty, real])
    assert find_log_dir() == real
    (real / "Plex Media Server.log").unlink()
    assert find_log_dir() == empty  # Plex installed but not started yet


def test_nothing_found_names_every_folder_tried(tmp_path, monkeypatch):
    tried = [tmp_path / "a", tmp_path / "b"]
    monkeypatch.setattr(locate, "candidate_log_dirs", lambda **kw: tried)
    with pytest.raises(LogDirError) as info:
        find_log_dir()
    assert info.value.exit_status == 2
    for path in tried:
        assert str(path) in str(info.value)
    assert "--log-dir" in str(info.value)


def test_override_must_exist(tmp_path):
    (tmp_path / "Plex Media Server.log").write_text("")
    assert find_log_dir(tmp_path) == tmp_path
    with pytest.raises(LogDirError, match="does not exist"):
        find_log_dir(tmp_path / "nope")


def _cli(args, **extra_env):
    env = {**os.environ, "PYTHONPATH": str(ROOT), **extra_env}
    return subprocess.run([sys.executable, "-m", "plextray", *args], capture_output=True, text=True, env=env)


def test_cli_without_a_log_folder_exits_2_without_traceback(tmp_path):
    run = _cli(["save-logs", "--log-dir", str(tmp_path / "missing")])
    assert run.returncode == 2
    assert run.stderr.startswith("plextray: Plex log folder") and "Traceback" not in run.stderr


def test_unreadable_log_folder_says_how_to_fix_it(tmp_path):
    logs = tmp_path / "Logs"
    logs.mkdir()
    (logs / "Plex Media Server.log").write_bytes(b"secret\n")
    logs.chmod(0o700)
    home = tmp_path / "home"
    home.mkdir()
    args = ["save-logs", "--log-dir", str(logs)]
    if os.geteuid() == 0:  # root reads everything: run as nobody, who cannot enter a 0700 folder of root's
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv to drop privileges")
        tmp_path.chmod(0o755)
        home.chmod(0o777)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PLEXTRAY_HOME": str(home), "HOME": str(home)}
        run = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                              sys.executable, "-m", "plextray", *args], capture_output=True, text=True, env=env)
    else:
        logs.chmod(0o000)
        try:
            run = _cli(args, PLEXTRAY_HOME=str(home))
        finally:
            logs.chmod(0o700)
    assert run.returncode == 2, run.stderr
    assert "not readable" in run.stderr and "plex" in run.stderr and "--log-dir" in run.stderr
    assert "Traceback" not in run.stderr
