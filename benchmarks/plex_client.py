"""What talking to Plex costs: metadata lookups with and without the cache, and a sessions poll.

1. Metadata: N lookups of 20 rating keys through MediaCache over a real SQLite file, against
   the same N lookups straight through PlexClient.metadata (HTTP to the emulator on 127.0.0.1
   plus plexapi parsing) — the baseline, measured in the same run. Prints per-lookup times and
   how many HTTP requests each way cost (the cache should cost one per key).
2. Sessions poll: PlexClient.sessions() with 0, 10 and 50 live plays, against a bare
   requests.get + ElementTree parse of the same endpoint (the baseline: plexapi's overhead).

Usage: python benchmarks/plex_client.py [--lookups 2000] [--polls 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plextray.core.model import MediaInfo  # noqa: E402
from plextray.emulator.server import PlexEmulator  # noqa: E402
from plextray.plex.client import PlexClient  # noqa: E402
from plextray.store.db import connect  # noqa: E402
from plextray.store.media_cache import MediaCache  # noqa: E402


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def metadata_bench(emu: PlexEmulator, client: PlexClient, lookups: int) -> None:
    keys = [str(5000 + n) for n in range(20)]
    for key in keys:
        emu.add_item(MediaInfo(key, f"Movie {key}", "movie", content_rating="PG-13", duration_ms=6_000_000, year=2020))
    with tempfile.TemporaryDirectory() as tmp:
        conn = connect(Path(tmp) / "history.sqlite3")
        cache = MediaCache(conn, client.metadata)
        emu.requests.clear()
        started = time.perf_counter()
        for n in range(lookups):
            cache.get(keys[n % len(keys)])
        cached = time.perf_counter() - started
        cached_requests = len(emu.requests)
        conn.close()
    emu.requests.clear()
    started = time.perf_counter()
    for n in range(lookups):
        client.metadata(keys[n % len(keys)])
    direct = time.perf_counter() - started
    direct_requests = len(emu.requests)
    print(f"metadata, {lookups} lookups of {len(keys)} keys")
    print(f"  baseline PlexClient.metadata: {direct / lookups * 1e3:8.3f} ms/lookup, {direct_requests} HTTP requests")
    print(f"  MediaCache (SQLite file):     {cached / lookups * 1e3:8.3f} ms/lookup, {cached_requests} HTTP requests")
    print(f"  speed-up: {direct / cached:.1f}x")


def sessions_bench(emu: PlexEmulator, client: PlexClient, polls: int) -> None:
    import requests

    raw = requests.Session()
    print(f"sessions poll, {polls} polls each (median ms)")
    emu.add_item(MediaInfo("9000", "Poll Movie", "movie", duration_ms=6_000_000))
    for count in (0, 10, 50):
        for n in range(count):
            machine = f"bench-device-{n}"
            if emu.household.device(machine) is None:
                emu.add_device(machine, product="Plex Web", platform="Chrome", device_name=f"Browser {n}",
                               address="192.168.1.50", account="Bench")
            if emu.live_session(machine) is None:
                emu.play(machine, "9000")

        def bare() -> None:
            response = raw.get(f"{emu.url}/status/sessions", headers={"X-Plex-Token": emu.token}, timeout=5)
            root = ET.fromstring(response.content)
            assert len(root) == count

        def adapter() -> None:
            assert len(client.sessions()) == count

        base = statistics.median(timed(bare, polls)) * 1e3
        ours = statistics.median(timed(adapter, polls)) * 1e3
        print(f"  {count:3d} live: baseline requests+ElementTree {base:7.3f} ms | PlexClient.sessions {ours:7.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--polls", type=int, default=200)
    args = parser.parse_args()
    with PlexEmulator() as emu, PlexClient(emu.url, emu.token) as client:
        client.server_info()
        metadata_bench(emu, client, args.lookups)
        sessions_bench(emu, client, args.polls)


if __name__ == "__main__":
    from _results import run_recorded

    raise SystemExit(run_recorded(main))
