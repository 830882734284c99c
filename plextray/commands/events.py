"""`plextray events FILE... [--json]`: the playback reports found in Plex logs or archives."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from plextray.errors import PlexTrayError

# An update of a report (same report number) always comes within the lines of its request;
# a report is printed once this many lines have passed since it began, or at the end.
_HOLD_LINES = 5000


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "events",
        help="print the playback events found in Plex log files",
        description=(
            "Read Plex Media Server log files (plain or gzip: Plex's own logs or plextray's "
            "archives) and print one line per playback report. Skipped lines are summed up on stderr."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="log file or archive (.gz)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.set_defaults(handler=run)


def _format(event, as_json: bool) -> str:
    import json

    from plextray.safe_text import for_json, for_terminal as safe

    if as_json:  # the same keys and values, the characters a terminal would act on escaped
        return for_json(json.dumps(event.to_json_dict(), ensure_ascii=False))
    position = "-" if event.position_ms is None else f"{event.position_ms / 1000:.0f}s"
    duration = "-" if event.duration_ms is None else f"{event.duration_ms / 1000:.0f}s"
    who = event.account or "?"
    device = event.device or event.product or event.client_id or event.ip or "?"
    # every field but the numbers was written by the client: cleaned before the terminal sees it
    return (
        f"{safe(event.time)}  {safe(event.state):<9} item {safe(event.rating_key or '?')} at {position}/{duration}  "
        f"{safe(who)} on {safe(device)} [{safe(event.client_id or '-')}] {safe(event.ip or '')}".rstrip()
    )


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except BrokenPipeError:  # `plextray events x | head`: the reader has had enough
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _run(args: argparse.Namespace) -> int:
    from plextray.core.logline import LineBlocks
    from plextray.core.parsing import PlaybackParser
    from plextray.history.importer import decompressed_chunks

    parser = PlaybackParser()
    problems: list[str] = []
    pending: dict[int, tuple[int, object]] = {}  # report number -> (first line number, last version)
    out = sys.stdout

    def flush(upto_line: int | None) -> None:
        for number in list(pending):
            first_line, event = pending[number]
            if upto_line is not None and first_line > upto_line:
                break
            print(_format(event, args.json), file=out)
            del pending[number]

    too_long = 0
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise PlexTrayError(f"no such file: {path}")
        blocks = LineBlocks()
        try:
            for chunk in decompressed_chunks(path, problems):
                block = blocks.push(chunk)
                if block:
                    for number, event in parser.feed_block(block):
                        first = pending.get(number, (parser.stats.lines, None))[0]
                        pending[number] = (first, event)
                    flush(parser.stats.lines - _HOLD_LINES)
            tail = blocks.finish()
            if tail:
                for number, event in parser.feed_block(tail):
                    first = pending.get(number, (parser.stats.lines, None))[0]
                    pending[number] = (first, event)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise PlexTrayError(f"cannot read {path}: {exc}") from exc
        too_long += blocks.too_long
    flush(None)
    stats = parser.stats
    stats.skipped_too_long += too_long
    print(
        f"plextray events: {stats.lines} lines, {stats.events} playback reports; skipped "
        f"{stats.skipped_garbled} garbled, {stats.skipped_binary} binary, {stats.skipped_too_long} too long, "
        f"{stats.unknown_format} of unknown format",
        file=sys.stderr,
    )
    for problem in problems:
        print(f"plextray events: warning: {problem}", file=sys.stderr)
    return 0
