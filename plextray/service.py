"""Headless mode: the same engine with no GUI import, for NAS boxes, servers and systemd.

Logs go to the app log and stderr; SIGTERM and Ctrl-C stop it cleanly (the saver flushes and
commits before exit).
"""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Any

from plextray.app import build_engine, setup_app_log
from plextray.paths import AppPaths

log = logging.getLogger(__name__)


def run_headless(
    paths: AppPaths,
    *,
    log_dir: Path | None = None,
    stop_event: threading.Event | None = None,
    stop_timeout: float = 10.0,
) -> int:
    """Run until SIGTERM / Ctrl-C / `stop_event`. 0 after a clean stop; 1 when the engine died, or did
    not end within `stop_timeout` seconds (its database is then left open, never closed under it)."""
    from plextray.notify import DesktopNotifier
    from plextray.notify_actions import OfferRunner

    setup_app_log(paths)
    notifier = DesktopNotifier()
    built = build_engine(paths, notifier=notifier, log_dir=log_dir, require_logs=log_dir is not None)
    notifier.attach_offers(OfferRunner(built.engine))  # "+15 min" on a notification grants, as `plextray grant`
    stop = stop_event or threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("signal %d: stopping", signum)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    engine = built.start()
    print("plextray: monitoring (headless). Stop with Ctrl-C or SIGTERM.", flush=True)
    status = 0
    try:
        while not stop.wait(2.0):  # a signal wakes this at once; the engine's death is noticed within 2 s
            if not engine.running:
                log.error("the engine stopped unexpectedly")
                status = 1
                break
    finally:
        engine.stop(timeout=stop_timeout)
        notifier.close()
        if built.close():  # closes the database only once the engine thread has really ended
            print("plextray: stopped.", flush=True)
        else:
            status = 1
            print(f"plextray: the engine did not stop within {stop_timeout:g} s; exiting without closing "
                  "its database (see the log).", flush=True)
    return status
