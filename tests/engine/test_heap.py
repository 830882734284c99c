"""Freed memory goes back to the system: a burst's peak does not stay in a months-long process."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from support.engine_world import RATING_PG, world  # noqa: F401  (fixture)
from support.household import wait_for

from plextray.engine import heap
from plextray.engine.heap import HeapTrim, give_back_freed_memory

BURST = """
from plextray.engine.heap import give_back_freed_memory

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

burst = [bytes(2000) for _ in range(60_000)]  # 120 MB in chunks malloc keeps in its heap
pin = bytes(2000)  # allocated last: the freed burst is below the top of the heap
peak = rss_mb()
del burst
kept = rss_mb()
assert give_back_freed_memory()
print(peak, kept, rss_mb())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's; elsewhere there is no call")
def test_a_freed_burst_below_the_top_of_the_heap_goes_back_only_when_handed_back():
    out = subprocess.run([sys.executable, "-c", BURST], capture_output=True, text=True, check=True)
    peak, kept, after = map(float, out.stdout.split())
    assert kept > peak - 20  # glibc kept the freed burst: this is what stayed for good
    assert after < kept - 80  # handed back


def test_where_the_c_library_cannot_trim_nothing_is_called(monkeypatch):
    heap._malloc_trim.cache_clear()
    monkeypatch.setattr(sys, "platform", "darwin")
    try:
        assert give_back_freed_memory() is False
    finally:
        heap._malloc_trim.cache_clear()


def test_memory_is_handed_back_once_per_interval_of_the_clock():
    now = [100.0]
    calls: list[float] = []
    trim = HeapTrim(lambda: now[0], every=300.0, give_back=lambda: calls.append(now[0]) or True)
    for second in range(100, 1000, 5):
        now[0] = float(second)
        trim.tick()
    assert calls == [400.0, 700.0]


def test_the_running_engine_hands_memory_back_on_its_own_clock(world, monkeypatch):
    calls: list[float] = []
    monkeypatch.setattr(
        "plextray.engine.engine.HeapTrim",
        lambda monotonic: HeapTrim(monotonic, every=0.0, give_back=lambda: calls.append(time.monotonic()) or True),
    )
    world.start([RATING_PG])
    wait_for(lambda: len(calls) >= 2)  # every tick, even idle ones, with no play at all
