"""Composition root: builds the engine and its edges from the settings. The only module that knows them all.

Both front ends use it: the tray (plextray.ui) and the headless service (plextray.service).
Nothing here imports a GUI toolkit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plextray.config import AppConfig, load_config
from plextray.control import Notifier
from plextray.errors import ConfigError, LogDirError, PlexTrayError, SecretStoreError
from plextray.paths import AppPaths

log = logging.getLogger(__name__)


@dataclass
class Built:
    """The engine, the background jobs that go with it, and what must be closed after it."""

    engine: Any
    problems: list[str] = field(default_factory=list)
    closers: list[Any] = field(default_factory=list)
    jobs: list[Any] = field(default_factory=list)  # started with the engine, stopped before closing
    # what the engine thread itself uses (the database, the saver and its lock): closed only once
    # that thread has ended — closing the database under a thread still writing to it loses data
    engine_closers: list[Any] = field(default_factory=list)

    def start(self) -> Any:
        self.engine.start()
        for job in self.jobs:
            job.start()
            self.closers.append(job.stop)
        return self.engine

    @property
    def engine_running(self) -> bool:
        return self.engine is not None and bool(getattr(self.engine, "running", False))

    def close(self) -> bool:
        """Close everything; call after `engine.stop()`. If the engine thread has still not ended, what
        it uses (the database) is left open and an error logged. Returns False in that case."""
        _close_all(self.closers)
        if self.engine_running:
            log.error(
                "the engine thread did not stop in time: the history database and the log saver are left "
                "open rather than closed under it (anything it was writing may be lost when the process exits)"
            )
            return False
        _close_all(self.engine_closers)
        return True


def _close_all(closers: list[Any]) -> None:
    for closer in reversed(closers):
        try:
            closer()
        except Exception:
            log.exception("closing %r failed", closer)


def setup_app_log(paths: AppPaths) -> None:
    """Everything at INFO and above goes to the app's own log file (redacted, rotated)."""
    import logging.handlers

    from plextray.log_format import OneLineFormatter
    from plextray.secrets import install_redaction

    paths.ensure()
    root = logging.getLogger()
    if any(getattr(h, "baseFilename", None) == str(paths.app_log) for h in root.handlers):
        return
    handler = logging.handlers.RotatingFileHandler(paths.app_log, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(OneLineFormatter())  # a client's newline never splits a record
    handler.setLevel(logging.INFO)
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    install_redaction()


def resolve_log_dir(config: AppConfig, override: Path | None) -> Path:
    from plextray.logs.locate import find_log_dir

    if override is not None:
        return find_log_dir(override)
    return find_log_dir(Path(config.log_dir) if config.log_dir else None)


def connect_client(config: AppConfig) -> Any:
    """A PlexClient from PLEX_URL/PLEX_TOKEN or the settings + keyring; None when not set up."""
    from plextray.plex.client import PlexClient
    from plextray.plex.credentials import load_credentials

    credentials = load_credentials(config)
    return PlexClient(credentials.url, credentials.token)


def build_engine(
    paths: AppPaths,
    *,
    notifier: Notifier,
    config: AppConfig | None = None,
    log_dir: Path | None = None,
    require_logs: bool = False,
    client: Any = None,
    alerter: Any = None,
    wall_clock: Any = None,
    with_mail: bool = True,
) -> Built:
    """Wire the engine (and the daily e-mail scheduler). Missing logs or server are problems the
    engine reports, not crashes — unless `require_logs` (an explicit --log-dir that does not work).
    If a step fails, what the earlier ones took (the saver's lock, the database, the client) is released."""
    from plextray.plex.credentials import migrate_alert_urls

    paths.ensure()
    kept = migrate_alert_urls(paths.config)  # alert URLs hold tokens: from config.json to the keyring
    config = config or load_config(paths.config)
    built = Built(engine=None)
    if kept:
        built.problems.append(kept)
    try:
        _wire(built, paths, config, notifier=notifier, log_dir=log_dir, require_logs=require_logs, client=client,
              alerter=alerter, wall_clock=wall_clock, with_mail=with_mail)
    except BaseException:
        built.close()  # a later step failed: let go of what the earlier ones took (the saver's lock above all)
        raise
    for problem in built.problems:
        log.warning("%s", problem)
    return built


def _wire(
    built: Built,
    paths: AppPaths,
    config: AppConfig,
    *,
    notifier: Notifier,
    log_dir: Path | None,
    require_logs: bool,
    client: Any,
    alerter: Any,
    wall_clock: Any,
    with_mail: bool,
) -> None:
    """build_engine's steps; everything taken is registered on `built` as soon as it is taken."""
    from plextray.core.parsing import PlaybackParser
    from plextray.core.sessions import SessionFolder
    from plextray.engine.engine import Engine
    from plextray.localzone import local_zone
    from plextray.logs.saver import LogSaver
    from plextray.plex.credentials import load_alert_urls
    from plextray.logs.watch import LogWatch
    from plextray.profiles.store import ProfileStore
    from plextray.store.db import ENGINE_CACHE_KIB, connect
    from plextray.store.violations import EnforcementStore
    from plextray.store.history import HistoryStore
    from plextray.store.media_cache import MediaCache

    profiles = ProfileStore(paths.profiles)
    load_profiles(profiles, built.problems)

    saver = None
    log_watch = None
    try:
        directory = resolve_log_dir(config, log_dir)
        saver = LogSaver(directory, paths.archives)
        log_watch = LogWatch(directory)
        built.engine_closers.append(saver.close)  # the engine closes it on stop; this is for never started
    except LogDirError as exc:
        if require_logs:
            raise
        built.problems.append(str(exc))
    except PlexTrayError as exc:  # e.g. another plextray already saves into these archives
        if require_logs:
            raise
        built.problems.append(str(exc))

    if client is None:
        try:
            client = connect_client(config)
            built.closers.append(client.close)
        except (ConfigError, SecretStoreError) as exc:
            built.problems.append(f"not connected to a Plex server: {exc}")
            client = None
    if alerter is None:  # the keyring's URLs (and any config.json still holds), read at the first alert
        from plextray.alerts.deferred import DeferredAlerter

        alerter = DeferredAlerter(lambda: load_alert_urls(config))
        built.closers.append(alerter.close)

    conn = connect(paths.database, cache_kib=ENGINE_CACHE_KIB)  # lives as long as the process
    built.engine_closers.append(conn.close)
    tz = local_zone()
    history = HistoryStore(conn)
    folder = SessionFolder(tz)
    folder.restore(history.live_sessions())  # plays that were going on when plextray last stopped
    since = ((wall_clock or datetime.now)() - timedelta(days=1)).isoformat(timespec="milliseconds")
    folder.remember_ended(history.ended_since(since))  # lines of these read again are not new plays
    engine = Engine(
        paths=paths,
        config=config,
        profile_store=profiles,
        history=history,
        enforcement=EnforcementStore(conn),
        media_cache=MediaCache(conn, client.metadata) if client is not None else None,
        parser=PlaybackParser(),
        folder=folder,
        notifier=notifier,
        saver=saver,
        client=client,
        alerter=alerter,
        tz=tz,
        log_watch=log_watch,
        **({"wall_clock": wall_clock} if wall_clock is not None else {}),
    )
    built.engine = engine
    from plextray.status_file import StatusFile

    built.jobs.append(StatusFile(paths.home, engine, server=getattr(client, "url", None) or config.server_url,
                                 log_dir=str(saver.log_dir) if saver is not None else None))
    if config.mqtt.configured:
        _wire_home_assistant(built, paths, config, wall_clock=wall_clock)
    if with_mail:
        from plextray.mail.service import MailScheduler

        built.jobs.append(MailScheduler(paths, lambda: load_config(paths.config)))


def _wire_home_assistant(built: Built, paths: AppPaths, config: AppConfig, *, wall_clock: Any = None) -> None:
    """The MQTT bridge as a job: started after the engine, stopped (saying `offline`) before closing.
    A bad URL or a locked keyring is a problem to report, never a reason not to enforce."""
    from plextray import __version__
    from plextray.homeassistant.bridge import HomeAssistantBridge
    from plextray.homeassistant.settings import parse_broker, with_password
    from plextray.mail.service import email_now

    try:
        broker = with_password(parse_broker(config.mqtt))
    except (ConfigError, SecretStoreError) as exc:
        built.problems.append(f"Home Assistant (MQTT) is off: {exc}")
        return
    built.jobs.append(HomeAssistantBridge(built.engine, broker, version=__version__,
                                          send_report=lambda: email_now(paths, "digest"),
                                          **({"wall_clock": wall_clock} if wall_clock is not None else {})))


def load_profiles(store: Any, problems: list[str]) -> None:
    """Load profiles.json; a broken file falls back to its last good backup, else refuses to start."""
    from plextray.errors import ProfileError
    from plextray.profiles.store import ProfileStore

    try:
        store.load()
        return
    except ProfileError as exc:
        error = exc
    backup = ProfileStore(store.backup_path)
    if backup.exists():
        try:
            good = backup.load()
        except ProfileError:
            pass
        else:
            store.adopt(good)
            problems.append(f"{error} — running on the last good copy ({store.backup_path.name}) until it is fixed")
            return
    raise error
