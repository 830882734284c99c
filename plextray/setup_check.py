"""The state of this install worked out from its files, for `plextray status` when nothing runs.

The same checklist the running engine uses (plextray.engine.status.check_setup), fed from the
configuration instead of a live engine: is a server set up and does it answer, are Plex's logs
found, does anyone have a rule. Nothing is written.
"""

from __future__ import annotations

import os
from typing import Any

from plextray import const
from plextray.paths import AppPaths

STOPPED = "stopped"  # everything is set up, but no plextray is running to watch


def offline_status(paths: AppPaths, *, timeout: float = 5.0) -> dict[str, Any]:
    """The status dictionary `plextray status --json` prints when no tray or service runs."""
    from plextray.app import resolve_log_dir
    from plextray.config import load_config
    from plextray.engine.status import check_setup
    from plextray.errors import ConfigError, PlexTrayError, ProfileError, SecretStoreError
    from plextray.plex.credentials import load_credentials
    from plextray.profiles.store import ProfileStore

    problems: list[str] = []
    config = load_config(paths.config)
    server = (os.environ.get(const.ENV_PLEX_URL) or config.server_url or "").strip().rstrip("/") or None
    credentials = None
    try:
        credentials = load_credentials(config)
    except (ConfigError, SecretStoreError) as exc:
        if server:  # a URL but no token: say what is missing in the error's own words
            problems.append(f"The Plex server is not signed in: {exc}")
    reachable = False
    debug_logging: bool | None = None
    if credentials is not None:
        from plextray.plex.client import PlexClient

        with PlexClient(credentials.url, credentials.token, timeout=timeout) as client:
            try:
                client.server_info()
                reachable = True
                debug_logging = client.debug_logging_enabled()
            except PlexTrayError as exc:
                if not reachable:
                    problems.append(f"The Plex server at {credentials.url} does not answer: {exc}")
    log_dir: str | None = None
    try:
        log_dir = str(resolve_log_dir(config, None))
    except PlexTrayError as exc:
        problems.append(str(exc))
    profiles = None
    try:
        profiles = ProfileStore(paths.profiles).load()
    except ProfileError as exc:
        problems.append(str(exc))
    check = check_setup(server_configured=credentials is not None, logs_found=log_dir is not None, profiles=profiles)
    if check.missing:
        state = "needs_setup"
    elif not reachable:
        state = "unreachable"
    else:
        state = STOPPED
    if debug_logging is False:
        problems.append("Plex's debug logging is off, so plays do not appear in its log: run `plextray debug-logging on`.")
    return {
        "state": state,
        "detail": "missing: " + ", ".join(check.labels) if check.missing else "",
        "problems": [*check.missing, *check.notes, *problems],
        "running": False,
        "server": server,
        "server_reachable": reachable,
        "log_dir": log_dir,
        "debug_logging": debug_logging,
        "live_source": "not running",
        "people": [p.name for p in profiles.people] if profiles else [],
        "now_playing": [],
        "paused": False,
        "home": str(paths.home),
    }
