"""What plextray costs while nothing happens: the tray app and the headless service, idle.

Each runs in a child process against the PMS emulator (real HTTP on 127.0.0.1, a real log
folder Plex-style), with a household linked and nothing playing: the everyday state of a
family server. After a start-up allowance, CPU time and peak RSS are read from /proc over
--seconds (default 60). The tray app runs under Xvfb on a private D-Bus session bus, both
started here when the environment has none. Beside them the enforcement latency is measured
in the same run (benchmarks/enforce.py's method), so an idle engine that sleeps longer cannot
hide a slower stop.

Three processes: the tray app where the desktop has no StatusNotifierWatcher (the XEmbed icon,
pystray's xorg backend), the tray app where it has one (a minimal watcher runs on the bus, so
plextray picks the AppIndicator backend, which loads GTK), and the headless service.

Goals (issue 17): tray <= 0.2 % CPU, <= 50 MB peak RSS; headless <= 0.1 %, <= 40 MB;
enforcement p50 <= 0.3 s. Figures are printed, never asserted.

Baseline in the same run: `--baseline REF` measures the same processes for a git revision
(exported with `git archive`), e.g. the commit before the engine learnt to sleep:
`--baseline c8aea5c` (its tray forced to the X11 backend it would have used without PyGObject).

Usage: python benchmarks/idle.py [--seconds 60] [--plays 20] [--quick] [--baseline REF]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from enforce import TOKEN, measure_latency, percentile, proc_stats  # noqa: E402

from plextray.emulator.household import demo_household  # noqa: E402
from plextray.emulator.server import PlexEmulator  # noqa: E402
from plextray.paths import AppPaths  # noqa: E402

START_UP_SECONDS = 6.0  # imports, first server poll, icon shown: not idle time


def _private_session() -> tuple[dict[str, str], list[subprocess.Popen]]:
    """DISPLAY and DBUS_SESSION_BUS_ADDRESS for the tray child: Xvfb and a bus of our own if needed."""
    env: dict[str, str] = {}
    procs: list[subprocess.Popen] = []
    if not os.environ.get("DISPLAY"):
        if not shutil.which("Xvfb"):
            raise SystemExit("Xvfb is not installed: the tray app needs a display")
        read_fd, write_fd = os.pipe()
        procs.append(subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24",
                                       "-nolisten", "tcp"], pass_fds=(write_fd,), stderr=subprocess.DEVNULL))
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            env["DISPLAY"] = ":" + pipe.readline().strip()
    if shutil.which("dbus-daemon"):
        bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(bus)
        env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
    return env, procs


WATCHER = """
import asyncio
from dbus_fast.aio import MessageBus
from dbus_fast.service import ServiceInterface, method
class Watcher(ServiceInterface):
    def __init__(self):
        super().__init__("org.kde.StatusNotifierWatcher")
    @method()
    def RegisterStatusNotifierItem(self, service: "s"):
        pass
async def main():
    bus = await MessageBus().connect()
    bus.export("/StatusNotifierWatcher", Watcher())
    await bus.request_name("org.kde.StatusNotifierWatcher")
    print("ready", flush=True)
    await bus.wait_for_disconnect()
asyncio.run(main())
"""


def measure(mode: str, seconds: float, root: Path = ROOT) -> tuple[float, float, int]:
    """(CPU %, peak RSS MB, wake-ups per second) of `plextray run [--headless]` idle for `seconds`."""
    with tempfile.TemporaryDirectory() as scratch:
        logs = Path(scratch) / "Logs"
        emulator = PlexEmulator(token=TOKEN, log_dir=logs).start()
        ids = demo_household(emulator)
        home = Path(scratch) / "home"
        paths = AppPaths(home).ensure()
        paths.profiles.write_text(json.dumps({
            "version": 1,
            "people": [{"name": "Emma", "devices": [ids["kid_tablet"]], "accounts": ["Emma"],
                        "restrictions": [{"type": "rating", "max": "PG", "actions": ["stop"]}]}],
        }))
        env = dict(os.environ, PLEXTRAY_HOME=str(home), PLEX_URL=emulator.url, PLEX_TOKEN=TOKEN,
                   PYTHONPATH=str(root))
        extra: list[subprocess.Popen] = []
        argv = [sys.executable, "-m", "plextray", "run", "--log-dir", str(logs)]
        if mode == "headless":
            argv.append("--headless")
        else:
            session, extra = _private_session()
            env.update(session, NO_AT_BRIDGE="1")
            env.pop("PYSTRAY_BACKEND", None)  # the backend plextray picks for this desktop
            if root != ROOT and mode == "tray":
                env["PYSTRAY_BACKEND"] = "xorg"  # an older revision does not choose: what a venv got
            if mode == "tray-sni":
                watcher = subprocess.Popen([sys.executable, "-c", WATCHER], env=env, stdout=subprocess.PIPE, text=True)
                extra.insert(0, watcher)
                if watcher.stdout.readline().strip() != "ready":
                    raise SystemExit("the StatusNotifierWatcher stand-in did not start (dbus-fast installed?)")
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=root)
        try:
            time.sleep(START_UP_SECONDS)
            if proc.poll() is not None:
                raise SystemExit(f"{mode}: plextray exited during start-up ({proc.returncode})")
            cpu0, _ = proc_stats(proc.pid)
            wakes0 = _context_switches(proc.pid)
            time.sleep(seconds)
            cpu1, peak = proc_stats(proc.pid)
            wakes1 = _context_switches(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
            emulator.stop()
            for other in extra:
                other.terminate()
                other.wait(5)
        return 100.0 * (cpu1 - cpu0) / seconds, peak / 2**20, round((wakes1 - wakes0) / seconds)


def _context_switches(pid: int) -> int:
    """Voluntary context switches of every thread: roughly how often the process woke up."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            for line in (task / "status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="idle time measured per process")
    parser.add_argument("--plays", type=int, default=20, help="plays for the enforcement latency")
    parser.add_argument("--quick", action="store_true", help="15 s idle, 5 plays")
    parser.add_argument("--baseline", metavar="REF", help="also measure this git revision (e.g. c8aea5c)")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.plays = 15.0, 5

    print(f"idle cost over {args.seconds:.0f} s, a server and a household set up, nothing playing")
    goals = {"tray": (0.2, 50.0), "tray-sni": (0.2, 50.0), "headless": (0.1, 40.0)}
    for mode in ("tray", "tray-sni", "headless"):
        cpu, peak, wakes = measure(mode, args.seconds)
        cpu_goal, rss_goal = goals[mode]
        ok = cpu <= cpu_goal and peak <= rss_goal
        print(f"  {mode:<9}CPU {cpu:.2f} %   peak RSS {peak:.1f} MB   ~{wakes} wake-ups/s   "
              f"(goal <= {cpu_goal} %, <= {rss_goal:.0f} MB: {'meets goal' if ok else 'MISSES goal'})")
    if args.baseline:
        with tempfile.TemporaryDirectory() as scratch:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline], check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", scratch], input=archive, check=True)
            for mode in ("tray", "headless"):
                cpu, peak, wakes = measure(mode, args.seconds, Path(scratch))
                print(f"  baseline {args.baseline} {mode:<9}CPU {cpu:.2f} %   peak RSS {peak:.1f} MB   ~{wakes} wake-ups/s")
    if args.plays:
        latencies = measure_latency(args.plays)
        if latencies:
            p50 = percentile(latencies, 50)
            print(f"  enforcement latency, log line written -> terminate received ({len(latencies)}/{args.plays} plays): "
                  f"p50 {p50:.3f} s   p95 {percentile(latencies, 95):.3f} s   max {max(latencies):.3f} s   "
                  f"(goal p50 <= 0.300 s: {'meets goal' if p50 <= 0.3 else 'MISSES goal'})")
        else:
            print("  enforcement latency: no play was stopped")


if __name__ == "__main__":
    from _results import run_recorded

    raise SystemExit(run_recorded(main))
