"""`python -m plextray.emulator`: a hand-run emulator that PlexClient can talk to, stopped by Ctrl-C or SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from plextray.plex.client import PlexClient

ROOT = Path(__file__).resolve().parents[2]


def _default_sigint() -> None:
    """As a terminal starts it, whatever this test run inherited."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize(("stop_with", "started_with_sigint_ignored"), [
    (signal.SIGINT, False),  # Ctrl-C in a terminal
    (signal.SIGINT, True),  # a script's `python -m plextray.emulator &`: SIGINT comes ignored
    (signal.SIGTERM, False),  # kill, systemd, docker stop
])
def test_runner_serves_the_demo_household_and_stops_on_a_signal(tmp_path, stop_with, started_with_sigint_ignored):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "plextray.emulator", "--port", "0", "--token", "runner-token", "--script",
         "--step", "0.2", "--log-dir", str(tmp_path / "Logs")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        preexec_fn=_ignore_sigint if started_with_sigint_ignored else _default_sigint,
    )
    try:
        url = proc.stdout.readline().split()[-1]
        assert url.startswith("http://127.0.0.1:")
        with PlexClient(url, "runner-token", timeout=5) as client:
            assert client.accounts() == {"1": "Alex", "2": "Emma", "3": "Noah"}
            deadline = time.monotonic() + 10
            while not client.sessions() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert client.sessions(), "the script should have started a play"
        proc.send_signal(stop_with)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert "reporting timeline state playing" in (tmp_path / "Logs" / "Plex Media Server.log").read_text()

