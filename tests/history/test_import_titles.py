"""`plextray import` names what it imported: titles looked up in batches from the (emulated) server.

Plays backfilled from archives know only rating keys; without a lookup the reports said "item
2201". The lookup goes through the metadata cache, 50 keys per request (/library/metadata/1,2,3
as PMS answers it), and a server that cannot be reached never fails the import.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from support.emulator_fixtures import TOKEN, emulator, plex_client  # noqa: F401
from support.mail_server import free_port
from support.timeline_lines import evening, member

from plextray.history.titles import look_up_titles, missing_keys
from plextray.plex.client import PlexClient
from plextray.store.db import connect

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, home: Path, url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PLEXTRAY_HOME": str(home), "PYTHONPATH": str(ROOT), "TZ": "Europe/London",
           "PLEX_URL": url, "PLEX_TOKEN": TOKEN}
    return subprocess.run([sys.executable, "-m", "plextray", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=90)


def _archive(home: Path) -> None:
    archives = home / "archives"
    archives.mkdir(parents=True, exist_ok=True)
    lines = (evening(datetime(2026, 1, 10, 17, 0), 2, rating_key="2201")
             + evening(datetime(2026, 1, 10, 18, 0), 2, rating_key="1001", first_n=300)
             + evening(datetime(2026, 1, 10, 19, 0), 1, rating_key="999999", first_n=600))
    (archives / "2026-01-10.log.gz").write_bytes(member(lines))


def _quiet_plex_logs(tmp_path):
    """Plex's log folder with nothing new in it: the import reads only plextray's archives."""
    logs = tmp_path / "Logs"
    logs.mkdir(exist_ok=True)
    (logs / "Plex Media Server.log").touch()
    return logs


def test_import_looks_the_titles_up_in_one_batch(tmp_path, plextray_home, emulator):  # noqa: F811
    _archive(plextray_home)
    done = _cli("import", "--log-dir", str(_quiet_plex_logs(tmp_path)), home=plextray_home, url=emulator.url)
    assert done.returncode == 0, done.stderr
    assert "looked up 2 of 3 titles (1 no longer on the server)" in done.stdout
    batched = [path for method, path in emulator.requests if path.startswith("/library/metadata/")]
    assert len(batched) == 1 and set(batched[0].rsplit("/", 1)[1].split(",")) == {"2201", "1001", "999999"}
    report = _cli("report", "--date", "2026-01-10", home=plextray_home, url=emulator.url)
    assert "Little Bears S02E" in report.stdout and "The Incredible Journey" in report.stdout
    assert "item 2201" not in report.stdout and "item 1001" not in report.stdout
    again = _cli("import", "--log-dir", str(_quiet_plex_logs(tmp_path)), home=plextray_home, url=emulator.url)
    assert "looked up" not in again.stdout or "looked up 0 of 1" in again.stdout  # known titles are not asked again


def test_a_server_that_is_down_never_fails_the_import_and_is_asked_next_time(tmp_path, plextray_home, emulator):  # noqa: F811
    _archive(plextray_home)
    down = f"http://127.0.0.1:{free_port()}"
    done = _cli("import", "--log-dir", str(_quiet_plex_logs(tmp_path)), home=plextray_home, url=down)
    assert done.returncode == 0, done.stderr
    assert "sessions written" in done.stdout and "the rest later" in done.stderr
    assert "item 2201" in _cli("report", "--date", "2026-01-10", home=plextray_home, url=down).stdout
    back = _cli("import", "--log-dir", str(_quiet_plex_logs(tmp_path)), home=plextray_home, url=emulator.url)
    assert "looked up 2 of 3 titles" in back.stdout
    assert "Little Bears" in _cli("report", "--date", "2026-01-10", home=plextray_home, url=emulator.url).stdout


def test_lookup_keeps_what_was_answered_in_batches_of_fifty(tmp_path, emulator, plex_client):  # noqa: F811
    conn = connect(tmp_path / "h.sqlite3")
    conn.execute("INSERT INTO devices(client_id, first_seen, last_seen) VALUES ('tv', '', '')")
    keys = ["2201", "2301", "1001", *(str(5000 + n) for n in range(117))]
    conn.executemany(
        "INSERT INTO sessions(key, client_id, rating_key, start, end, start_utc, end_utc, state) "
        "VALUES (?, 'tv', ?, '2026-01-10T10:00:00', '2026-01-10T10:30:00', 0, 0, 'stopped')",
        [(f"s{k}", k) for k in keys],
    )
    calls: list[int] = []

    def lookup(part: list[str]):
        calls.append(len(part))
        return plex_client.metadata_many(part)

    result = look_up_titles(conn, lookup)
    assert (result.wanted, result.found, result.unknown, result.problem) == (120, 3, 117, None)
    assert calls == [50, 50, 20]
    assert set(missing_keys(conn)) == {k for k in keys if k not in ("2201", "2301", "1001")}  # the unknown stay missing
    offline = PlexClient(f"http://127.0.0.1:{free_port()}", TOKEN, timeout=1)
    assert look_up_titles(conn, offline.metadata_many).problem  # a sentence, not an exception
