"""Run the Plex emulator by hand: `python -m plextray.emulator [--port 32400] [--log-dir DIR] [--script]`.

For trying plextray (tray, `plextray login`, the settings window) without a real server. The
demo household is loaded; with --script its devices keep playing, pausing and switching titles
(one step every --step seconds) so the log and /status/sessions stay busy. Ctrl-C or SIGTERM
stops it, between two steps: a signal never lands inside one, with the log or a lock half written.
"""

from __future__ import annotations

import argparse
import itertools
import secrets
import signal
import sys
import tempfile
import threading
from pathlib import Path

from plextray.emulator.household import demo_household
from plextray.emulator.server import PlexEmulator


def script_steps(ids: dict[str, str]):
    """An endless evening: (description, action(emulator)) pairs."""
    tv, tablet, phone = ids["parent_tv"], ids["kid_tablet"], ids["teen_phone"]
    steps = [
        ("Living Room TV plays Night Shift (R)", lambda e: e.play(tv, "1002")),
        ("Emma's iPad plays Little Bears (TV-Y)", lambda e: e.play(tablet, "2201")),
        ("Noah's Phone plays Space Cadets (PG-13)", lambda e: e.play(phone, "1003", position_ms=600_000)),
        ("Emma's iPad pauses", lambda e: e.live_session(tablet) and e.report(tablet, state="paused")),
        ("Emma's iPad switches to Night Shift (R)", lambda e: e.play(tablet, "1002")),
        ("Living Room TV moves on", lambda e: e.live_session(tv) and e.report(tv, position_ms=1_800_000)),
        ("Noah's Phone stops", lambda e: e.stop_play(phone)),
        ("Everything stops", lambda e: [e.stop_play(d) for d in (tv, tablet, phone)]),
    ]
    return itertools.cycle(steps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m plextray.emulator", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=32400)
    parser.add_argument("--token", help="the token it accepts (default: a random one, printed)")
    parser.add_argument("--log-dir", type=Path, help="where to write 'Plex Media Server.log' (default: a temp folder)")
    parser.add_argument("--no-plex-pass", action="store_true", help="a server that cannot stop streams")
    parser.add_argument("--script", action="store_true", help="keep the demo household's devices busy")
    parser.add_argument("--step", type=float, default=10.0, help="seconds between scripted steps")
    args = parser.parse_args(argv)

    log_dir = args.log_dir or Path(tempfile.mkdtemp(prefix="plex-emulator-")) / "Logs"
    emulator = PlexEmulator(token=args.token or secrets.token_urlsafe(15), log_dir=log_dir,
                            plex_pass=not args.no_plex_pass, host=args.host, port=args.port)
    try:
        emulator.start()
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc.strerror} (try --port 0)", file=sys.stderr)
        return 1
    ids = demo_household(emulator)
    print(f"Plex emulator on {emulator.url}\n  token:   {emulator.token}\n  log:     {log_dir}", flush=True)
    print("  devices: " + ", ".join(f"{role}={machine}" for role, machine in ids.items()), flush=True)
    steps = script_steps(ids) if args.script else None
    stop = threading.Event()
    for name in ("SIGINT", "SIGTERM"):  # also when started with SIGINT ignored (`cmd &` in a script)
        signal.signal(getattr(signal, name), lambda _signum, _frame: stop.set())
    try:
        while not stop.wait(args.step if steps else 3600):
            if steps:
                description, action = next(steps)
                action(emulator)
                print(f"  · {description}", flush=True)
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
