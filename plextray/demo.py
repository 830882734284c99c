"""`plextray demo`: plextray working end to end with no Plex server of your own.

A PMS emulator (a real HTTP server on 127.0.0.1 writing real-shaped Plex log lines) plays a
family's evening: a parent watches an R-rated film (allowed), Emma watches a kids' show (allowed),
then switches to the R-rated film on her iPad — the real engine reads the new log lines, looks
the film up on the server, breaks Emma's PG ceiling, notifies, and stops the stream with a
message. Then the saved archive, the parsed events and today's report are shown. Everything
happens in a throw-away folder unless --home is given; nothing touches the user's own state.
"""

from __future__ import annotations

import json
import shlex
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from plextray.emulator.household import demo_household
from plextray.emulator.server import PlexEmulator
from plextray.paths import AppPaths

DEMO_TOKEN = "demo-token-not-a-secret"


def demo_profiles(ids: dict[str, str]) -> dict[str, Any]:
    return {
        "version": 1,
        "people": [
            {
                "name": "Emma",
                "devices": [ids["kid_tablet"]],
                "accounts": ["Emma"],
                "restrictions": [
                    {"type": "rating", "max": "PG", "unrated": "block", "actions": ["notify", "alert", "stop"]},
                    {"type": "quota", "minutes": 120, "per": "day", "actions": ["notify", "stop"]},
                ],
            },
            {"name": "Parents", "devices": [ids["parent_tv"], ids["parent_web"]], "accounts": ["Alex"], "restrictions": []},
        ],
        "unknown_devices": {"actions": ["notify"]},
        "settings": {"stop_message": "Time's up! Ask a parent if you think this is a mistake.", "grace_seconds": 0},
    }


class TerminalNotifier:
    """Prints each notification (and passes it on to the desktop when there is one)."""

    def __init__(self, out: TextIO, desktop: Any = None) -> None:
        self.out = out
        self.desktop = desktop
        self.shown: list[tuple[str, str]] = []

    def notify(self, title: str, message: str) -> bool:
        self.shown.append((title, message))
        print(f"   🔔 {title}: {message}", file=self.out, flush=True)
        if self.desktop is not None:
            self.desktop.notify(title, message)
        return True


# A simulated report every 2 min, 0.2 real seconds apart: the engine may lag up to 1 real second
# (5 steps) behind the clock before a play's 10 min of silence would end it early.
STEP_MINUTES = 2
STEP_PAUSE = 0.2


class SimClock:
    """The evening's wall clock: real time, plus the minutes the demo skips ahead. Shared by the
    emulator (its log's times) and the engine (its rules), so plays last minutes, not a second."""

    def __init__(self, start: datetime) -> None:
        self._offset = start - datetime.now()
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return datetime.now() + self._offset

    def advance(self, minutes: float) -> None:
        with self._lock:
            self._offset += timedelta(minutes=minutes)


def evening_start(now: datetime) -> datetime:
    """Where the simulated evening begins: 90 minutes ago, but never yesterday (today's report shows it)."""
    return max(now - timedelta(minutes=90), now.replace(hour=0, minute=1, second=0, microsecond=0))


class Demo:
    def __init__(self, home: Path, out: TextIO = sys.stdout, *, kept: bool = False) -> None:
        self.home = home
        self.out = out
        self.kept = kept  # --home: what the demo makes stays after it ends
        self.paths = AppPaths(home).ensure()
        self.logs = home / "Plex Media Server" / "Logs"
        self.clock = SimClock(evening_start(datetime.now()))
        self.emulator = PlexEmulator(token=DEMO_TOKEN, log_dir=self.logs, clock=self.clock)
        self.ids: dict[str, str] = {}

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def start_server(self) -> None:
        self.emulator.start()
        self.ids = demo_household(self.emulator)
        (self.paths.profiles).write_text(json.dumps(demo_profiles(self.ids), indent=2))
        self.say(f"▶ Emulated Plex server on {self.emulator.url}, writing its log to {self.logs}")

    def build(self, notifier: Any) -> Any:
        from plextray.app import build_engine
        from plextray.config import AppConfig
        from plextray.plex.client import PlexClient

        client = PlexClient(self.emulator.url, DEMO_TOKEN)
        config = AppConfig(server_url=self.emulator.url, log_dir=str(self.logs))
        return build_engine(self.paths, notifier=notifier, config=config, log_dir=self.logs, client=client,
                            wall_clock=self.clock, with_mail=False)

    def watch(self, minutes: int, positions: dict[str, int]) -> None:
        """`minutes` of simulated viewing: each playing device reports every STEP_MINUTES."""
        for _ in range(minutes // STEP_MINUTES):
            self.clock.advance(STEP_MINUTES)
            for machine in positions:
                positions[machine] += STEP_MINUTES * 60_000
                self.emulator.report(machine, position_ms=positions[machine])
            time.sleep(STEP_PAUSE)

    def scenario(self, wait: Callable[[Callable[[], bool], float], bool]) -> bool:
        """The evening; returns True when Emma's R-rated play was stopped."""
        tv, ipad = self.ids["parent_tv"], self.ids["kid_tablet"]
        self.say(f"▶ {self.clock():%H:%M} Alex watches “Night Shift” (R) on the Living Room TV — parents may.")
        self.emulator.play(tv, "1002", position_ms=0)
        self.say(f"▶ {self.clock():%H:%M} Emma watches “Little Bears · The Lost Kite” (TV-Y) on her iPad — allowed.")
        self.emulator.play(ipad, "2201")
        positions = {tv: 0, ipad: 0}
        time.sleep(STEP_PAUSE)  # the engine sees the plays start before the clock moves on
        self.watch(20, positions)  # simulated minutes, a second or two of real time
        self.emulator.stop_play(ipad)
        del positions[ipad]
        self.say(f"▶ {self.clock():%H:%M} Emma's episode is over after 20 min; Alex's film goes on.")
        self.watch(10, positions)
        self.say(f"▶ {self.clock():%H:%M} Emma switches her iPad to “Night Shift” (R)…")
        self.emulator.play(ipad, "1002")
        stopped = wait(lambda: bool(self.emulator.terminate_calls), 15.0)
        if stopped:
            call = self.emulator.terminate_calls[0]
            self.say(f"✔ plextray stopped it; her screen says: “{call.reason}”")
        else:
            self.say("✘ the play was not stopped (see the log above)")
        self.watch(16, positions)
        self.emulator.stop_play(tv)
        self.say(f"▶ {self.clock():%H:%M} Alex stops his film after {positions[tv] // 60_000} min.")
        time.sleep(STEP_PAUSE)
        return stopped

    def show_results(self, engine: Any) -> None:
        from plextray.logs.archive import list_archives

        archives = list_archives(self.paths.archives)
        self.say(f"▶ Plex's log lines saved to {len(archives)} daily archive(s) in {self.paths.archives}:")
        for path in archives:
            note = "opens with zcat" if self.kept else "plain gzip; deleted with the demo's folder"
            self.say(f"   {path.name}  ({path.stat().st_size} bytes, {note})")
        if archives:
            from plextray.core.parsing import PlaybackParser
            from plextray.logs.archive import read_archive

            parser = PlaybackParser()
            events = [e for p in archives for line in read_archive(p) for e in parser.feed(line)]
            self.say(f"▶ {len(events)} playback events parsed from them, e.g.:")
            for event in events[-3:]:
                self.say(f"   {event.time} {event.state:<9} item {event.rating_key} on {event.device or event.client_id}")
        from plextray.reports.build import build_report, render_report

        self.say("▶ Today's report:")
        self.say(render_report(build_report(self.paths, self.clock().date(), now=self.clock()), "text"))

    def farewell(self) -> None:
        if self.kept:
            self.say(f"Everything the demo made is kept in {self.home}: profiles.json, archives/, "
                     f"{self.paths.database.name}, logs/ and the emulated server's log. Look again with "
                     f"`PLEXTRAY_HOME={shlex.quote(str(self.home))} plextray report --format html --open`.")
        else:
            self.say("The demo's temporary folder is deleted now; `plextray demo --home DIR` keeps everything it made.")

    def stop(self) -> None:
        self.emulator.stop()


def _wait(condition: Callable[[], bool], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def run_terminal(home: Path | None = None, out: TextIO = sys.stdout, *, desktop_notifier: Any = None) -> int:
    with tempfile.TemporaryDirectory(prefix="plextray-demo-") as scratch:
        demo = Demo(home or Path(scratch), out, kept=home is not None)
        demo.say("plextray demo — everything below runs against an emulated Plex server on this machine.")
        demo.start_server()
        notifier = TerminalNotifier(out, desktop_notifier)
        built = demo.build(notifier)
        engine = built.start()
        try:
            stopped = demo.scenario(_wait)
            _wait(lambda: bool(notifier.shown), 5.0)
        finally:
            engine.stop()
            built.close()
        demo.show_results(engine)
        demo.stop()
        demo.farewell()
        demo.say("Done. In real use: `plextray login`, then `plextray` (tray) or `plextray run --headless`.")
        return 0 if stopped else 1


def run_tray(home: Path | None = None) -> int:
    """The same evening with the tray icon up; quit from its menu."""
    import threading

    from plextray.notify import DesktopNotifier
    from plextray.reports.build import open_today
    from plextray.ui.app import TrayApp

    with tempfile.TemporaryDirectory(prefix="plextray-demo-") as scratch:
        demo = Demo(home or Path(scratch), kept=home is not None)
        demo.start_server()
        notifier = DesktopNotifier()
        built = demo.build(TerminalNotifier(sys.stdout, notifier))
        engine = built.start()
        app = TrayApp(engine, demo.paths, open_report=lambda: open_today(demo.paths), notifier=notifier)
        threading.Thread(target=demo.scenario, args=(_wait,), name="plextray-demo", daemon=True).start()
        demo.say("The tray icon is up: right-click it for today's report and settings; Quit ends the demo.")
        try:
            app.run()
        finally:
            engine.stop()
            built.close()
            demo.stop()
            demo.farewell()
        return 0
