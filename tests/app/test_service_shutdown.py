"""Headless shutdown: the history database is closed only once the engine thread has really ended.

The engine thread is held up for real (its wall clock blocks until the test lets it go), so
`engine.stop` times out the way it does when a step hangs; the service must then leave the
database open and say so, not close it under the thread still using it.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from datetime import datetime

import pytest

import plextray.service as service
import plextray.store.db as store_db
from plextray.paths import AppPaths


class HangingClock:
    """The engine's wall clock; once `hang` is set, the engine thread blocks in it until `release`."""

    def __init__(self) -> None:
        self.hang = threading.Event()
        self.hung = threading.Event()
        self.release = threading.Event()

    def __call__(self) -> datetime:
        if self.hang.is_set() and threading.current_thread().name == "plextray-engine":
            self.hung.set()
            self.release.wait(30)
        return datetime.now()


@pytest.fixture
def headless(plextray_home, monkeypatch):
    """run_headless on a worker thread (no signal handlers in pytest), with the engine's clock and
    database connection within the test's reach."""
    clock = HangingClock()
    seen: dict = {"connections": []}
    real_build, real_connect = service.build_engine, store_db.connect

    def build(paths, **kwargs):
        built = real_build(paths, **{**kwargs, "wall_clock": clock, "with_mail": False})
        seen["built"] = built
        return built

    def connect(path, **kwargs):
        conn = real_connect(path, **kwargs)
        seen["connections"].append(conn)
        return conn

    monkeypatch.setattr(service, "build_engine", build)
    monkeypatch.setattr(store_db, "connect", connect)
    monkeypatch.setenv("PLEX_MEDIA_SERVER_LOG_DIR", str(plextray_home.parent / "no-plex-logs"))
    stop = threading.Event()
    result: dict = {}

    def start(stop_timeout: float) -> threading.Thread:
        worker = threading.Thread(
            target=lambda: result.setdefault("status", service.run_headless(
                AppPaths(plextray_home), stop_event=stop, stop_timeout=stop_timeout)),
            name="test-headless",
        )
        worker.start()
        for _ in range(500):  # until the engine runs (10 s at most)
            if "built" in seen and seen["built"].engine.running:
                break
            time.sleep(0.02)
        assert seen["built"].engine.running
        return worker

    yield clock, stop, start, seen, result
    clock.release.set()
    stop.set()
    for conn in seen["connections"]:
        conn.close()


def test_a_hung_engine_keeps_its_database_open_and_the_error_is_logged(headless, caplog, capsys):
    clock, stop, start, seen, result = headless
    caplog.set_level(logging.INFO)
    worker = start(stop_timeout=0.3)
    clock.hang.set()
    assert clock.hung.wait(10), "the engine thread never read its clock"
    stop.set()
    worker.join(20)
    assert not worker.is_alive()

    built = seen["built"]
    assert built.engine.running  # still blocked in its clock: stop() timed out
    (conn,) = seen["connections"]
    assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0  # not closed under the thread
    assert result["status"] == 1
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("engine thread did not stop" in e and "left open" in e for e in errors), errors
    assert "did not stop within 0.3 s" in capsys.readouterr().out

    clock.release.set()  # the thread goes on, still with a working database, and ends
    built.engine.join(10)
    assert not built.engine.running
    assert not any("closed database" in r.getMessage() + str(r.exc_info) for r in caplog.records)


def test_an_engine_that_stops_in_time_has_its_database_closed(headless, capsys):
    clock, stop, start, seen, result = headless
    worker = start(stop_timeout=10)
    stop.set()
    worker.join(20)
    assert result["status"] == 0 and "plextray: stopped." in capsys.readouterr().out
    assert not seen["built"].engine.running
    (conn,) = seen["connections"]
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        conn.execute("SELECT 1")
