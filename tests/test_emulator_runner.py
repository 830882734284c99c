"""`python -m plextray.emulator`: a hand-run emulator that PlexClient can talk to, stopped by Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from plextray.plex.client import PlexClient

ROOT = Path(__file__).resolve().parent.parent


def test_runner_serves_the_demo_household_and_stops_on_ctrl_c(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "plextray.emulator", "--port", "0", "--token", "runner-token", "--script",
         "--step", "0.2", "--log-dir", str(tmp_path / "Logs")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
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
        proc.send_signal(signal.SIGINT)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert "reporting timeline state playing" in (tmp_path / "Logs" / "Plex Media Server.log").read_text()
