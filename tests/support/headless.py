"""`plextray run --headless` as a real process against an emulator, for tests that need the service."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


class HeadlessRun:
    """Started on enter (its "monitoring (headless)" line read); `stop()` sends SIGTERM and keeps
    returncode, stdout and stderr; a process still running on exit is killed."""

    def __init__(self, emulator, home: Path, logs: Path, token: str) -> None:  # noqa: ANN001 (PlexEmulator)
        env = dict(os.environ, PLEX_URL=emulator.url, PLEX_TOKEN=token, PLEXTRAY_HOME=str(home))
        env.pop("DISPLAY", None)
        self._args = [sys.executable, "-m", "plextray", "run", "--headless", "--log-dir", str(logs)]
        self._env = env
        self.proc: subprocess.Popen | None = None
        self.returncode: int | None = None
        self.out = self.err = ""

    def __enter__(self) -> "HeadlessRun":
        self.proc = subprocess.Popen(self._args, env=self._env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)  # fmt: skip
        first = self.proc.stdout.readline()
        if "monitoring (headless)" not in first:
            self.proc.kill()
            out, err = self.proc.communicate(timeout=10)
            raise AssertionError(f"the service did not start: {first}{out}{err}")
        return self

    def stop(self, timeout: float = 20) -> "HeadlessRun":
        self.proc.send_signal(signal.SIGTERM)
        self.out, self.err = self.proc.communicate(timeout=timeout)
        self.returncode = self.proc.returncode
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate(timeout=10)
