"""build_engine that fails part-way releases what it took: above all the saver's single-instance lock,
so the next start in the same process (the tray's "try again" after fixing the problem) works."""

from __future__ import annotations

import json
import sqlite3

import pytest
from support.household import RecordingNotifier

import plextray.store.db as store_db
from plextray.app import build_engine
from plextray.errors import PlexTrayError
from plextray.logs.lock import ArchiveLock
from plextray.paths import AppPaths

PLEX_LOG = "Nov 25, 2026 10:00:00.000 [0x7f] DEBUG - a line Plex wrote\n"


@pytest.fixture
def setup(plextray_home, tmp_path):
    paths = AppPaths(plextray_home).ensure()
    logs = tmp_path / "Plex Logs"
    logs.mkdir()
    (logs / "Plex Media Server.log").write_text(PLEX_LOG)
    return paths, logs


def build(paths, logs):
    return build_engine(paths, notifier=RecordingNotifier(), log_dir=logs, require_logs=True, with_mail=False)


def lock_is_free(paths) -> bool:
    try:
        ArchiveLock(paths.archives).acquire().release()
    except PlexTrayError:
        return False
    return True


def test_a_database_that_cannot_open_releases_the_savers_lock(setup):
    paths, logs = setup
    paths.database.write_bytes(b"this is not an SQLite database, it is a text file " * 100)
    with pytest.raises(PlexTrayError, match="cannot open the history database"):
        build(paths, logs)
    assert lock_is_free(paths)  # another plextray (or cron's save-logs) may take the archives now

    paths.database.unlink()  # the parent moves the broken file away and starts again
    built = build(paths, logs)
    try:
        assert built.engine is not None
        assert not any("saver" in problem for problem in built.problems), built.problems
    finally:
        built.close()
    assert lock_is_free(paths)


def test_a_failing_later_step_closes_the_database_it_had_opened(setup, monkeypatch):
    paths, logs = setup
    paths.profiles.write_text(json.dumps({"version": 1, "people": []}))
    opened: list[sqlite3.Connection] = []
    real_connect = store_db.connect

    def connect(path, **kwargs):
        opened.append(real_connect(path, **kwargs))
        return opened[-1]

    monkeypatch.setattr(store_db, "connect", connect)
    import plextray.localzone as localzone

    broken = [True]
    real_zone = localzone.local_zone

    def local_zone():  # the step right after the database opened
        if broken[0]:
            raise PlexTrayError("cannot tell the local time zone")
        return real_zone()

    monkeypatch.setattr(localzone, "local_zone", local_zone)
    with pytest.raises(PlexTrayError, match="local time zone"):
        build(paths, logs)
    (conn,) = opened
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        conn.execute("SELECT 1")
    assert lock_is_free(paths)

    broken[0] = False
    built = build(paths, logs)
    built.close()


def test_a_built_engine_that_is_never_started_lets_go_of_the_lock_on_close(setup):
    paths, logs = setup
    built = build(paths, logs)
    assert not lock_is_free(paths)  # held while plextray runs: one saver per archive folder
    built.close()
    assert lock_is_free(paths)
