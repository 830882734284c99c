"""End to end, the trust model (issue 11): who is watching is what Plex authenticates, and a stop
hits only the offender. The emulator serves Plex's API over real HTTP and writes Plex's log; the
real engine reads it, judges and stops through the API."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import replace
from typing import Any

import pytest
from support.household import write_profiles, wait_for
from support.engine_world import G_MOVIE, KIDS_EPISODE, R_MOVIE, RATING_PG, World

from plextray.app import build_engine, connect_client
from plextray.config import load_config
from plextray.paths import AppPaths


def household(world: World, *, emma_accounts=("Emma",), parents_devices=(), parents_accounts=("Alex",),
              noah: bool = False, shared: dict | None = None) -> dict[str, Any]:
    people = [
        {"name": "Emma", "devices": [world.kid], "accounts": list(emma_accounts), "restrictions": [RATING_PG]},
        {"name": "Parents", "devices": list(parents_devices), "accounts": list(parents_accounts), "restrictions": []},
    ]
    if noah:
        people.append({"name": "Noah", "devices": [world.ids["teen_phone"]], "accounts": ["Noah"],
                       "restrictions": [RATING_PG]})
    doc: dict[str, Any] = {"version": 1, "people": people, "unknown_devices": {"actions": []},
                           "settings": {"stop_message": "Time's up! Ask a parent.", "grace_seconds": 0}}
    if shared:
        doc["shared"] = shared
    return doc


def start(world: World, doc: dict[str, Any], **config: Any) -> None:
    write_profiles(world.home, doc)
    paths = AppPaths(world.home)
    options: dict[str, Any] = {}
    if config:
        options["config"] = replace(load_config(paths.config), **config)
        options["client"] = connect_client(options["config"])
    world.built = build_engine(paths, notifier=world.notifier, alerter=world.alerter, log_dir=world.logs,
                               wall_clock=world.clock, **options)
    assert world.built.problems == []
    world.built.start()
    wait_for(lambda: world.engine.snapshot().state.value == "monitoring")


def terminated(world: World) -> list[str]:
    return [call.session_id for call in world.emulator.terminate_calls if call.status == 200]


def playing(world: World, machine_id: str) -> str | None:
    play = world.emulator.live_session(machine_id)
    return play.session_id if play else None


@pytest.fixture
def world(tmp_path, plextray_home, monkeypatch):
    w = World(tmp_path, plextray_home, monkeypatch)
    yield w
    w.close()


def test_a_forged_unauthenticated_report_touches_nothing_and_is_counted(world):
    """Anyone on the LAN sends Plex a timeline naming Emma's iPad for the film the parent is
    watching, with no token: Plex answers 401. The parent's film plays on, nothing is recorded
    against Emma, and the parent hears of suspicious requests once."""
    start(world, household(world, parents_devices=[world.ids["parent_tv"]]))
    parent = world.emulator.play(world.ids["parent_tv"], R_MOVIE)
    wait_for(lambda: world.engine.snapshot().now_playing)
    url = (f"{world.emulator.url}/:/timeline?ratingKey={R_MOVIE}&key=%2Flibrary%2Fmetadata%2F{R_MOVIE}"
           f"&state=playing&time=60000&duration=6600000&X-Plex-Client-Identifier={world.kid}")
    for _ in range(3):  # a burst: one alert
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=5)
        assert refused.value.code == 401
    wait_for(lambda: any("suspicious requests from 127.0.0.1" in body for _, body in world.alerter.sent))
    with world.db() as conn:
        wait_for(lambda: conn.execute("SELECT SUM(count) FROM rejected_requests").fetchone()[0] == 3)
        assert conn.execute("SELECT COUNT(*) FROM sessions WHERE client_id = ?", (world.kid,)).fetchone()[0] == 0
    time.sleep(1.5)  # a few engine ticks
    assert terminated(world) == [] and playing(world, world.ids["parent_tv"]) == parent
    assert world.violations() == []
    assert len([body for _, body in world.alerter.sent if "suspicious" in body]) == 1
    from plextray.paths import AppPaths
    from plextray.reports.build import build_report, render_report

    report = build_report(AppPaths(world.home), world.clock().date(), now=world.clock())
    text = render_report(report, "text")
    assert "Suspicious requests" in text and "127.0.0.1 — 3 refused" in text and world.kid in text
    assert "Suspicious requests" in render_report(report, "html")


def test_a_childs_own_account_on_the_parents_tv_is_restricted(world):
    """Emma switches the living-room TV (linked to Parents) to her own Plex user: her rules apply,
    the play counts as hers, and the message says how she was identified."""
    start(world, household(world, parents_devices=[world.ids["parent_tv"]]))
    session = world.emulator.play(world.ids["parent_tv"], R_MOVIE, account="Emma")
    wait_for(lambda: terminated(world) == [session])
    wait_for(lambda: ("stop", "ok") in world.actions())
    (violation,) = world.violations()
    assert violation["person"] == "Emma"
    assert violation["reason"].endswith("on Living Room TV (Parents' device) — Emma's account")  # report, history
    wait_for(lambda: world.alerter.sent)
    assert "Living Room TV (Parents' device) — Emma's account" in world.alerter.sent[0][1]


def test_a_childs_account_with_a_copied_parent_client_id_is_stopped_and_the_parent_is_not(world):
    """Emma's laptop browser sends the client id copied from a parent's Plex Web, signed in as
    herself: the copied id adds the parents' rules (none) but removes none of hers."""
    web = world.ids["parent_web"]
    start(world, household(world, parents_devices=[web, world.ids["parent_tv"]]))
    emma = world.emulator.play(web, R_MOVIE, account="Emma")
    wait_for(lambda: terminated(world) == [emma])
    wait_for(lambda: not world.engine.snapshot().now_playing)
    alex = world.emulator.play(web, R_MOVIE)  # the parent, on the real Plex Web
    wait_for(lambda: world.engine.snapshot().now_playing)
    time.sleep(2.0)
    assert terminated(world) == [emma] and playing(world, web) == alex


def test_parent_and_child_on_the_same_film_only_the_childs_session_is_stopped(world):
    start(world, household(world, parents_devices=[world.ids["parent_tv"]]))
    parent = world.emulator.play(world.ids["parent_tv"], R_MOVIE)
    child = world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: terminated(world) == [child])
    time.sleep(2.0)
    assert terminated(world) == [child] and playing(world, world.ids["parent_tv"]) == parent


def test_a_device_name_carrying_another_client_id_makes_one_session_on_the_right_client(world):
    """Emma names her iPad "Emma / X-Plex-Client-Identifier => <the TV's id>" and PMS dumps the
    request headers: the play is hers, on her iPad, one session — and the TV is untouched."""
    tv = world.ids["parent_tv"]
    world.emulator.household.add_device(replace(
        world.emulator.household.device(world.kid), device_name=f"Emma / X-Plex-Client-Identifier => {tv}"))
    world.emulator.log.header_dumps = True
    start(world, household(world, parents_devices=[tv]))
    parent = world.emulator.play(tv, G_MOVIE)
    child = world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: terminated(world) == [child])
    time.sleep(1.0)
    with world.db() as conn:
        rows = conn.execute("SELECT client_id, rating_key, device FROM sessions ORDER BY start").fetchall()
    assert [(r["client_id"], r["rating_key"]) for r in rows if r["rating_key"] == R_MOVIE] == [(world.kid, R_MOVIE)]
    assert {r["client_id"] for r in rows} == {tv, world.kid}
    assert terminated(world) == [child] and playing(world, tv) == parent


def test_one_shared_account_the_device_decides(world):
    """The whole family uses the account "Alex": only the device tells Emma from her parents
    (README: a child copying a parent's client id on a shared account is not caught)."""
    tv = world.ids["parent_tv"]
    start(world, household(world, emma_accounts=("Alex",), parents_devices=[tv]))
    world.emulator.household.add_device(replace(world.emulator.household.device(world.kid), account="Alex"))
    parent = world.emulator.play(tv, R_MOVIE)
    child = world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: terminated(world) == [child])
    time.sleep(1.5)
    assert terminated(world) == [child] and playing(world, tv) == parent
    (violation,) = world.violations()
    assert violation["person"] == "Emma" and violation["client_id"] == world.kid


def test_with_a_slow_server_repeated_stops_never_hit_another_play(world):
    """Every request to the server takes 3 s. Emma plays an R film, then (while stops are in
    flight) switches to an allowed episode on the same iPad and back; Noah watches a G film and a
    parent an R film. Only Emma's R sessions are ever terminated, and never two stops at once."""
    start(world, household(world, parents_devices=[world.ids["parent_tv"]], noah=True), sessions_poll_seconds=1.0)
    world.emulator.set_fault("slow", seconds=3.0)
    parent = world.emulator.play(world.ids["parent_tv"], R_MOVIE)
    noah = world.emulator.play(world.ids["teen_phone"], G_MOVIE)
    offending = [world.emulator.play(world.kid, R_MOVIE)]
    wait_for(lambda: world.violations(), timeout=20)
    allowed = world.emulator.play(world.kid, KIDS_EPISODE)  # the R film ends before the stop lands
    time.sleep(5.0)
    offending.append(world.emulator.play(world.kid, R_MOVIE))
    wait_for(lambda: offending[-1] in terminated(world), timeout=40)
    time.sleep(6.0)  # restop windows pass while the server is slow
    calls = [call.session_id for call in world.emulator.terminate_calls]
    assert calls and set(calls) <= set(offending), (calls, offending)
    assert len(calls) == len(set(calls))  # no stop doubled while another was in flight
    assert allowed not in calls
    assert playing(world, world.ids["parent_tv"]) == parent and playing(world, world.ids["teen_phone"]) == noah
    assert ("stop", "failed") not in world.actions() or any(
        detail.startswith("could not stop: no matching session") for detail in _details(world))


def _details(world: World) -> list[str]:
    with world.db() as conn:
        return [r[0] for r in conn.execute("SELECT detail FROM actions WHERE action = 'stop'")]
