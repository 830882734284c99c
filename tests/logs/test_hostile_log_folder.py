"""Plex's log folder is read, not trusted (issue 12, part 4): a symlink to a secret outside it, a
symlink to /dev/urandom, a FIFO, a socket are never read — by `save-logs` or by the running
engine — and each is named in a warning; a symlink that stays inside the folder still works."""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys

import pytest
from support.headless import HeadlessRun
from support.household import emma_profiles, wait_for

from plextray.emulator.household import demo_household
from plextray.emulator.server import PlexEmulator
from plextray.logs.safe_open import RefusedFile, open_log_file

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX symlinks and FIFOs")

TOKEN = "svc-token-4e1d0a"
LINE = b"Jan 12, 2022 13:42:24.403 [0x7f829a4aa8] DEBUG - Request: [10.0.0.5:51234 (Subnet)] GET /identity (2 live) #1a2b\n"
SECRET = b"root:$6$not-for-the-archive$:19000:0:99999:7:::\n"


def hostile_folder(tmp_path):
    """Plex's folder as an attacker left it: three rotated names that are not Plex's files."""
    logs = tmp_path / "Logs"
    logs.mkdir()
    secret = tmp_path / "shadow"
    secret.write_bytes(SECRET)
    os.symlink(secret, logs / "Plex Media Server.1.log")
    os.symlink("/dev/urandom", logs / "Plex Media Server.2.log")
    os.mkfifo(logs / "Plex Media Server.3.log")
    return logs


def saved(home) -> bytes:
    return b"".join(gzip.decompress(path.read_bytes()) for path in sorted((home / "archives").glob("*.log.gz")))


def test_save_logs_reads_only_plex_files_and_names_what_it_refused(tmp_path, plextray_home):
    logs = hostile_folder(tmp_path)
    (logs / "Plex Media Server.log").write_bytes(LINE)
    env = dict(os.environ, PLEXTRAY_HOME=str(plextray_home))
    result = subprocess.run([sys.executable, "-m", "plextray", "save-logs", "--log-dir", str(logs)],
                            env=env, capture_output=True, text=True, timeout=60)  # a FIFO used to hang it here
    assert result.returncode == 0, result.stderr
    assert saved(plextray_home) == LINE
    for name, what in (("1", "a symlink leaving the folder"), ("2", "a symlink leaving the folder"), ("3", "a FIFO")):
        assert f"not reading {logs / f'Plex Media Server.{name}.log'} in Plex's log folder: it is {what}" in result.stderr


def test_a_symlink_inside_the_folder_is_still_followed(tmp_path, plextray_home):
    logs = tmp_path / "Logs"
    logs.mkdir()
    (logs / "older.txt").write_bytes(LINE.replace(b"#1a2b", b"#0001"))
    os.symlink("older.txt", logs / "Plex Media Server.1.log")
    (logs / "Plex Media Server.log").write_bytes(LINE)
    env = dict(os.environ, PLEXTRAY_HOME=str(plextray_home))
    result = subprocess.run([sys.executable, "-m", "plextray", "save-logs", "--log-dir", str(logs)],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert saved(plextray_home) == LINE.replace(b"#1a2b", b"#0001") + LINE
    assert "not reading" not in result.stderr


def test_special_files_are_refused_by_what_the_open_handle_is(tmp_path):
    folder = tmp_path / "Logs"
    folder.mkdir()
    os.mkfifo(folder / "fifo.log")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(folder / "socket.log"))
        for name, what in (("fifo.log", "a FIFO"), ("socket.log", "a socket")):
            with pytest.raises(RefusedFile, match=what):
                open_log_file(folder / name)
    os.symlink("/dev/zero", folder / "zero.log")
    with pytest.raises(RefusedFile, match="leaving the folder"):
        open_log_file(folder / "zero.log")
    os.symlink(folder, folder / "dir.log")
    with pytest.raises(RefusedFile):  # inside, but a folder
        open_log_file(folder / "dir.log")


def test_the_running_engine_never_archives_a_link_out_or_hangs_on_a_fifo(tmp_path, plextray_home):
    logs = hostile_folder(tmp_path)
    with PlexEmulator(token=TOKEN, log_dir=logs) as emulator:
        ids = demo_household(emulator)
        plextray_home.mkdir(parents=True)
        rating = {"type": "rating", "max": "PG", "actions": ["stop"]}
        (plextray_home / "profiles.json").write_text(json.dumps(emma_profiles([rating], kid_device=ids["kid_tablet"])))
        with HeadlessRun(emulator, plextray_home, logs, TOKEN) as service:
            emulator.play(ids["kid_tablet"], "1002")
            wait_for(lambda: emulator.terminate_calls, timeout=15)  # it read the live log and acted
            service.stop()
    assert service.returncode == 0, service.err
    archived = saved(plextray_home)
    assert b"ratingKey=1002" in archived
    assert b"not-for-the-archive" not in archived
    assert len(archived) < 1_000_000  # nothing of /dev/urandom
    app_log = (plextray_home / "logs" / "plextray.log").read_text()
    # (the emulator rotated the folder when it started, as Plex does: the names moved up by one)
    assert app_log.count("not reading ") == 3  # once each, not on every read four times a second
    assert f"it is a symlink leaving the folder (to {tmp_path / 'shadow'})" in app_log
    assert "it is a symlink leaving the folder (to /dev/urandom)" in app_log
    assert "it is a FIFO (named pipe)" in app_log
