"""One history whatever the source and whatever happened to plextray: a report's stand-in is always
handed over to the client it turns out to be, a 0.9.x `[Now] Device is` line names the report it
follows, and lines of a play that already ended (read again after a crash, or late) add nothing."""

from __future__ import annotations

import json
import sqlite3
import time
from zoneinfo import ZoneInfo

from conftest import shared_path

from plextray.cli import main
from plextray.core.parsing import PlaybackParser
from plextray.core.sessions import SessionFolder

PHT_2014 = [  # 0.9.x (2014): no milliseconds, no request ids; the device line follows its report
    "Oct 05, 2014 17:48:00 [0x108f7e000] DEBUG - Request: [192.168.1.210:55204] GET /:/timeline?ratingKey=15273"
    "&key=%2Flibrary%2Fmetadata%2F15273&state=playing&time=1000&duration=5000000"
    "&X-Plex-Client-Identifier=pht-mac-1 (26 live)",
    "Oct 05, 2014 17:48:00 [0x108f7e000] DEBUG - [Now] Device is Plex Home Theater (xbmcs-MacBook).",
    "Oct 05, 2014 17:48:10 [0x108f7e000] DEBUG - Request: [192.168.1.210:55204] GET /:/timeline?ratingKey=15273"
    "&key=%2Flibrary%2Fmetadata%2F15273&state=stopped&time=11000&duration=5000000"
    "&X-Plex-Client-Identifier=pht-mac-1 (26 live)",
]


def _block_a() -> list[str]:
    text = shared_path("pms", "log-lines.txt").read_text(encoding="utf-8")
    block = text.split("# BLOCK A", 1)[1].split("# BLOCK B", 1)[0]
    return [line for line in block.splitlines() if line and not line.startswith("#")]


def _events(lines: list[str]):
    parser = PlaybackParser()
    return [event for line in lines for event in parser.feed(line)]


def test_block_a_is_one_session_with_no_phantom_stand_in_fed_event_by_event_or_in_bulk():
    events = _events(_block_a())
    live_path = SessionFolder(ZoneInfo("UTC"))
    keys = {}
    for event in events:  # as the engine feeds them
        for session in live_path.feed(event):
            keys[session.key] = session
    for key in live_path.retired():
        keys.pop(key)
    bulk = SessionFolder(ZoneInfo("UTC")).feed_many(events)  # as `plextray import` does
    for sessions in (list(keys.values()), [s for s in bulk if not s.client_id.startswith("anon:")]):
        (session,) = sessions
        assert session.client_id == "msmy7vq7wxjdzu42rml5mges" and session.device == "Net-Hunter"


def test_plextray_import_of_block_a_writes_one_session(tmp_path, plextray_home, capsys):
    log = tmp_path / "Plex Media Server.log"
    log.write_text("\n".join(_block_a()) + "\n", encoding="utf-8")
    assert main(["import", str(log)]) == 0
    with sqlite3.connect(plextray_home / "history.sqlite3") as db:
        rows = db.execute("SELECT client_id, device, account FROM sessions").fetchall()
    assert rows == [("msmy7vq7wxjdzu42rml5mges", "Net-Hunter", "Flavio_59")]
    assert main(["history", "--since", "2022-01-01"]) == 0
    assert "anon:" not in capsys.readouterr().out


def test_a_now_device_line_names_the_report_it_follows(tmp_path, capsys):
    log = tmp_path / "Plex Media Server.log"
    log.write_text("\n".join(PHT_2014) + "\n", encoding="utf-8")
    assert main(["events", str(log), "--json"]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert (first["device"], first["platform"]) == ("xbmcs-MacBook", "Plex Home Theater")
    assert second["device"] == "xbmcs-MacBook"


def _pht(seconds: int, state: str) -> str:
    return (f"Oct 05, 2014 17:48:{seconds:02d} [0x108f7e000] DEBUG - Request: [192.168.1.210:55204] GET "
            f"/:/timeline?ratingKey=15273&key=%2Flibrary%2Fmetadata%2F15273&state={state}&time={seconds * 1000}"
            "&duration=5000000&X-Plex-Client-Identifier=pht-mac-1 (26 live)")


def test_lines_of_an_ended_play_read_again_after_a_crash_add_no_second_session():
    lines = [_pht(0, "playing"), _pht(10, "playing"), _pht(20, "playing"), _pht(30, "stopped")]
    first_run = SessionFolder(ZoneInfo("UTC"))
    (written,) = first_run.feed_many(_events(lines))
    assert not written.live
    # killed before the checkpoint caught up: the next run reads the play's last lines again
    second_run = SessionFolder(ZoneInfo("UTC"))
    second_run.remember_ended([written])
    assert second_run.feed_many(_events(lines[2:])) == []
    # while a later play of the same film on the same device is a play of its own
    (later,) = second_run.feed_many(_events([_pht(45, "playing")]))
    assert later.key != written.key and later.live


def test_a_late_line_of_a_play_another_source_ended_does_not_reopen_it():
    """The websocket said `stopped` first; the log's earlier `playing` line is read after it."""
    events = _events(PHT_2014)
    folder = SessionFolder(ZoneInfo("UTC"))
    (start,) = folder.feed(events[0])
    ws_stop = type(events[0])(**{**{f: getattr(events[0], f) for f in events[0].__slots__},
                                 "time": "2014-10-05T17:48:05", "state": "stopped"})
    (ended,) = folder.feed(ws_stop)
    assert not ended.live and ended.key == start.key
    assert folder.feed(events[1]) == []  # the device line's update of the first report: already ended
    assert folder.feed(events[2]) == []  # its own `stopped`, later: nothing new either


def test_the_engine_reading_block_a_writes_one_session(tmp_path, plextray_home, monkeypatch):
    """As `run --headless` on the same lines: the engine's own read of the log."""
    from support.household import RecordingNotifier, emma_profiles, wait_for, write_profiles

    from plextray.app import build_engine
    from plextray.paths import AppPaths

    monkeypatch.delenv("PLEX_URL", raising=False)
    monkeypatch.delenv("PLEX_TOKEN", raising=False)
    logs = tmp_path / "Logs"
    logs.mkdir()
    (logs / "Plex Media Server.log").write_text("\n".join(_block_a()) + "\n", encoding="utf-8")
    write_profiles(plextray_home, emma_profiles([], kid_device="kid"))
    built = build_engine(AppPaths(plextray_home), notifier=RecordingNotifier(), log_dir=logs, with_mail=False)
    built.start()
    try:
        def rows() -> list:
            with sqlite3.connect(plextray_home / "history.sqlite3") as db:
                return db.execute("SELECT client_id, device FROM sessions").fetchall()

        wait_for(rows)
        time.sleep(0.6)  # a couple more reads: nothing more may come
        assert rows() == [("msmy7vq7wxjdzu42rml5mges", "Net-Hunter")]
    finally:
        built.engine.stop()
        built.close()
