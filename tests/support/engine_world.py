"""The end-to-end world: the emulator writing Plex's log and serving its API, and the real engine
built on it (`world` fixture). Import it: `from support.engine_world import world  # noqa: F401`."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from support.household import FakeClock, RecordingAlerter, RecordingNotifier, emma_profiles, write_profiles

from plextray.app import build_engine, connect_client
from plextray.config import load_config
from plextray.emulator.household import demo_household
from plextray.emulator.server import PlexEmulator
from plextray.paths import AppPaths
from plextray.plex.client import PlexClient

TOKEN = "e2e-token-5f0c2a9d"
MONDAY_4PM = datetime(2026, 11, 23, 16, 0, 0)
R_MOVIE, G_MOVIE, PG13_MOVIE, TVMA_EPISODE, KIDS_EPISODE = "1002", "1001", "1003", "2101", "2201"

RATING_PG = {"type": "rating", "max": "PG", "unrated": "block", "actions": ["notify", "alert", "stop"]}


class World:
    def __init__(self, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch, *, plex_pass: bool = True):
        self.clock = FakeClock(MONDAY_4PM)
        self.logs = tmp_path / "Logs"
        self.home = home
        self.emulator = PlexEmulator(token=TOKEN, log_dir=self.logs, clock=self.clock, plex_pass=plex_pass).start()
        self.ids = demo_household(self.emulator)
        self.kid = self.ids["kid_tablet"]
        self.notifier = RecordingNotifier()
        self.alerter = RecordingAlerter()
        self.built = None
        self.client: Any = None
        monkeypatch.setenv("PLEX_URL", self.emulator.url)
        monkeypatch.setenv("PLEX_TOKEN", TOKEN)

    def start(self, restrictions: list[dict], *, config: dict | None = None,
              wrap_client: Callable[[PlexClient], Any] | None = None, **profile_options) -> None:
        """`config`: settings to change from the defaults; `wrap_client`: a wrapper around the real
        PlexClient, kept as `self.client` (to count or fail its calls)."""
        write_profiles(self.home, emma_profiles(restrictions, kid_device=self.kid, **profile_options))
        paths = AppPaths(self.home)
        options: dict[str, Any] = {}
        if config or wrap_client:
            options["config"] = replace(load_config(paths.config), **(config or {}))
        if wrap_client:
            options["client"] = self.client = wrap_client(connect_client(options["config"]))
        self.built = build_engine(
            paths, notifier=self.notifier, alerter=self.alerter, log_dir=self.logs, wall_clock=self.clock, **options
        )
        assert self.built.problems == []
        self.built.start()

    @property
    def engine(self):
        return self.built.engine

    def terminations(self) -> int:
        return len(self.emulator.terminate_calls)

    def db(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.home / "history.sqlite3")
        conn.row_factory = sqlite3.Row
        return conn

    def violations(self) -> list[sqlite3.Row]:
        with self.db() as conn:
            return conn.execute("SELECT * FROM violations ORDER BY id").fetchall()

    def actions(self) -> list[tuple[str, str]]:
        with self.db() as conn:
            return [(r["action"], r["outcome"]) for r in conn.execute("SELECT action, outcome FROM actions ORDER BY id")]

    def close(self) -> None:
        if self.built is not None:
            self.engine.stop()
            self.built.close()
        self.emulator.stop()


@pytest.fixture
def world(tmp_path, plextray_home, monkeypatch):
    w = World(tmp_path, plextray_home, monkeypatch)
    yield w
    w.close()
