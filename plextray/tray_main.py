"""Starting the tray app: check for a desktop first, then wire the engine into plextray.ui.

Kept apart from plextray.app so that the headless path never even parses a GUI import.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from plextray.app import build_engine, setup_app_log
from plextray.paths import AppPaths

log = logging.getLogger(__name__)


def run_tray(paths: AppPaths, *, log_dir: Path | None = None) -> int:
    from plextray.ui.backend import apply_choice, choose_backend
    from plextray.ui.display import display_available, no_display_message

    backend = choose_backend()  # before anything imports pystray: it binds its backend on import
    apply_choice(backend)
    ok, reason = display_available()
    if not ok:
        print(no_display_message(reason), file=sys.stderr)
        return 2
    from plextray.notify import DesktopNotifier
    from plextray.notify_actions import OfferRunner
    from plextray.ui.app import TrayApp

    setup_app_log(paths)
    notifier = DesktopNotifier()
    current = [build_engine(paths, notifier=notifier, log_dir=log_dir, require_logs=log_dir is not None)]
    engine = current[0].start()

    def restart() -> object:
        """After the first-run window: the same engine, built again on the settings just saved."""
        current[0].engine.stop()
        current[0].close()
        current[0] = build_engine(paths, notifier=notifier, log_dir=log_dir, require_logs=log_dir is not None)
        restarted = current[0].start()
        notifier.attach_offers(OfferRunner(restarted, open_devices=app.open_settings_from_anywhere))
        return restarted

    def open_report() -> None:
        """The report builders (about 1.5 MB) load when a report is first opened, not at start."""
        from plextray.reports.build import open_today

        open_today(paths)

    app = TrayApp(engine, paths, open_report=open_report, notifier=notifier, backend=backend,
                  restart_engine=restart)
    notifier.attach_offers(OfferRunner(engine, open_devices=app.open_settings_from_anywhere))
    try:
        app.run()
    finally:
        current[0].engine.stop()
        notifier.close()
        current[0].close()
    return 0
