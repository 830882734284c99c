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
    from plextray.reports.build import open_today
    from plextray.ui.app import TrayApp

    setup_app_log(paths)
    notifier = DesktopNotifier()
    built = build_engine(paths, notifier=notifier, log_dir=log_dir, require_logs=log_dir is not None)
    engine = built.start()
    app = TrayApp(engine, paths, open_report=lambda: open_today(paths), notifier=notifier, backend=backend)
    notifier.attach_offers(OfferRunner(engine, open_devices=app.open_settings_from_anywhere))
    try:
        app.run()
    finally:
        engine.stop()
        notifier.close()
        built.close()
    return 0
