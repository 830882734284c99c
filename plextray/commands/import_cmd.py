"""`plextray import [ARCHIVE...]`: fill the history database from the archives and the live logs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from plextray.errors import PlexTrayError
from plextray.paths import AppPaths


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import playback history from the log archives",
        description=(
            "Save what is new in Plex's live logs into the archives, then import every archive "
            "(or only the ones named) into the history database. Re-running imports nothing twice."
        ),
    )
    parser.add_argument("archives", nargs="*", metavar="ARCHIVE", help="archive or log file (default: all archives)")
    parser.add_argument("--log-dir", metavar="DIR", help="Plex's Logs folder (default: found automatically)")
    parser.set_defaults(handler=run)


def _save_live_logs(log_dir: str | None, archive_dir) -> str | None:
    """Copy new lines of Plex's live logs into the archives. Returns why it could not, if so."""
    try:
        from plextray.logs.locate import find_log_dir
        from plextray.logs.saver import LogSaver
    except ImportError as exc:  # the saver is not part of this build
        return f"cannot save the live logs ({exc})"
    try:
        folder = find_log_dir(Path(log_dir) if log_dir else None)
        LogSaver(folder, archive_dir).save_once()
    except PlexTrayError as exc:
        return f"the live logs were not saved: {exc}"
    return None


def _look_up_titles(conn) -> str:
    """Ask the server what the imported items are (batched, through the metadata cache); a
    server that cannot be reached costs a warning, never the import."""
    from plextray.config import load_config
    from plextray.history.titles import look_up_titles, missing_keys
    from plextray.plex.client import PlexClient
    from plextray.plex.credentials import load_credentials

    if not missing_keys(conn):
        return ""
    try:
        credentials = load_credentials(load_config(AppPaths.default().config))
    except PlexTrayError as exc:
        return f"titles not looked up ({exc}); reports show item numbers until they are"
    with PlexClient(credentials.url, credentials.token, timeout=10) as client:
        result = look_up_titles(conn, client.metadata_many)
    done = f"looked up {result.found} of {result.wanted} titles"
    if result.unknown:
        done += f" ({result.unknown} no longer on the server)"
    if result.problem:
        done += f"; the rest later: {result.problem}"
    return done


def run(args: argparse.Namespace) -> int:
    from plextray.history.importer import Importer, default_archives
    from plextray.store.db import connect

    if args.log_dir:  # a folder named by hand must be Plex's: a wrong one is an error, not a warning
        from plextray.logs.locate import require_plex_log

        require_plex_log(Path(args.log_dir))
    paths = AppPaths.default().ensure()

    def warn(message: str) -> None:
        print(f"plextray import: warning: {message}", file=sys.stderr)

    if args.archives:
        files = [Path(name) for name in args.archives]
        missing = [str(path) for path in files if not path.is_file()]
        if missing:
            raise PlexTrayError(f"no such archive: {', '.join(missing)}")
    else:
        problem = _save_live_logs(args.log_dir, paths.archives)
        files = default_archives(paths.archives)
        if not files:
            raise PlexTrayError(
                f"nothing to import: no archives in {paths.archives}"
                + (f", and {problem}" if problem else "")
            )
        if problem:
            warn(problem)  # the archives can still be imported
    conn = connect(paths.database)
    try:
        summary = Importer(conn).import_archives(files)
        titles = _look_up_titles(conn)
    finally:
        conn.close()
    for problem in summary.problems:
        warn(problem)
    if "the rest later" in titles:
        warn(titles)  # a server that is set up but did not answer
    elif titles:
        print(titles)
    print(
        f"imported {summary.bytes} bytes from {summary.archives} file(s): {summary.lines} lines, "
        f"{summary.events} playback reports, {summary.sessions} sessions written, {summary.skipped} lines skipped"
    )
    return 0
