"""Start-up wiring: a broken profiles.json falls back to its last good copy, or refuses to start."""

from __future__ import annotations

import json

import pytest
from support.household import RecordingNotifier, emma_profiles

from plextray.app import build_engine
from plextray.errors import ProfileError
from plextray.paths import AppPaths


def test_broken_profiles_with_a_good_backup_start_on_the_backup(plextray_home, tmp_path, monkeypatch):
    paths = AppPaths(plextray_home).ensure()
    good = emma_profiles([{"type": "rating", "max": "PG", "actions": ["stop"]}], kid_device="ipad")
    paths.profiles.with_name("profiles.json.bak").write_text(json.dumps(good))
    paths.profiles.write_text('{"version": 1, "people": [{"name": 7}]}')
    built = build_engine(paths, notifier=RecordingNotifier(), log_dir=None, with_mail=False)
    try:
        assert any("last good copy" in p and "$.people[0].name" in p for p in built.problems)
        assert built.engine.snapshot().people == ("Emma", "Parents")
        assert paths.profiles.read_text() == '{"version": 1, "people": [{"name": 7}]}'  # never overwritten
    finally:
        built.close()


def test_broken_profiles_and_no_backup_refuse_to_start(plextray_home):
    paths = AppPaths(plextray_home).ensure()
    paths.profiles.write_text('{"version": 1, "people": [')
    with pytest.raises(ProfileError, match="profiles.json"):
        build_engine(paths, notifier=RecordingNotifier(), with_mail=False)


def test_nothing_set_up_is_reported_as_problems_not_a_crash(plextray_home, monkeypatch, tmp_path):
    monkeypatch.setenv("PLEX_MEDIA_SERVER_LOG_DIR", str(tmp_path / "missing"))
    paths = AppPaths(plextray_home)
    built = build_engine(paths, notifier=RecordingNotifier(), with_mail=False)
    try:
        assert any("Plex server" in p for p in built.problems)
    finally:
        built.close()
