"""Render README screenshots: the settings window, the tray menu and the first-run window's steps,
as PNGs in assets/screenshots/.

    python installer/screenshots.py [OUTPUT_DIR]

Runs on an existing display or starts a private Xvfb. The tray menu is the Tk popup the app shows
when its xorg icon is clicked (built from the real pystray menu), posted next to a real pystray
icon docked in `trayer` when that is installed. Uses a throw-away PLEXTRAY_HOME.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EMMA_IPAD = "C5B092C3-B261-4344-A09F-A6939E10A468"
DEMO_PROFILES = {
    "version": 1,
    "people": [
        {"name": "Emma", "devices": [EMMA_IPAD, "xk4kbse0xxadzpvi"], "accounts": ["emma"], "restrictions": [
            {"type": "time", "days": "weeknights", "from": "20:30", "to": "07:00", "actions": ["notify", "stop"]},
            {"type": "rating", "max": "PG", "unrated": "block", "actions": ["notify", "alert", "stop"]},
            {"type": "quota", "minutes": 120, "per": "day", "actions": ["notify", "stop"]},
        ]},
        {"name": "Leo", "devices": ["a1b2c3d4e5"], "accounts": [], "restrictions": [
            {"type": "library", "block": ["Adult Movies"], "actions": ["stop"]}]},
        {"name": "Parents", "devices": [], "accounts": ["admin"], "restrictions": []},
    ],
    "unknown_devices": {"actions": ["notify"]},
}


def demo_devices() -> list:
    from plextray.core.model import Device

    return [
        Device(EMMA_IPAD, "Plex for iOS", "iOS", "Emma's iPad", "192.168.1.23", "emma", None, "2026-11-24T19:02:11"),
        Device("xk4kbse0xxadzpvi", "Plex Web", "Chrome", "Kitchen laptop", "192.168.1.31", "emma", None, "2026-11-24T17:40:02"),
        Device("a1b2c3d4e5", "Plex for Android (TV)", "Android", "Living room TV", "192.168.1.40", None, None, "2026-11-23T21:15:00"),
        Device("f00dfeed", "Plex for Roku", "Roku", "Bedroom Roku", "192.168.1.52", None, None, "2026-11-20T08:05:44"),
    ]


def ensure_display() -> subprocess.Popen | None:
    if os.environ.get("DISPLAY"):
        return None
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            pass_fds=(write_fd,), stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        os.environ["DISPLAY"] = ":" + pipe.readline().strip()
    return proc


def grab(root, x: int, y: int, width: int, height: int, out: Path) -> Path:
    from PIL import ImageGrab

    root.update()
    ImageGrab.grab(bbox=(x, y, x + width, y + height), xdisplay=os.environ["DISPLAY"]).save(out)
    return out


def settle(root, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        root.update()
        time.sleep(0.02)


def settings_shots(root, paths, out: Path) -> list[Path]:
    from plextray.profiles.store import ProfileStore
    from plextray.ui.settings import SettingsWindow

    class DemoTokens:
        available = True

        def get(self):
            return "stored"

        def set(self, token):
            pass

    from plextray.config import AppConfig, save_config

    ProfileStore(paths.profiles).save_raw(DEMO_PROFILES)
    logs = paths.home / "Plex Media Server" / "Logs"
    logs.mkdir(parents=True)
    save_config(paths.config, AppConfig(server_url="http://192.168.1.10:32400", log_dir=str(logs)))
    window = SettingsWindow(root, paths, token_store=DemoTokens(), devices=demo_devices())
    window.geometry("+20+20")
    window.wait_visibility()
    window.devices.select(EMMA_IPAD)
    window.restrictions.select_person("Emma")
    window.server.test_result.configure(text="✔ Connected to Den Server (Plex 1.40.0.7998); Plex Pass: yes (can stop playback)")
    window.server.log_dir_entry.delete(0, "end")
    window.server.log_dir_entry.insert(0, "/var/lib/plexmediaserver/Library/Application Support/Plex Media Server/Logs")
    window.server.log_note.configure(text="Auto-detected.")
    shots = []
    window.today.refresh()  # the demo household was saved after the window was built
    window.today.rows["Emma"]["+30"].invoke()  # how a grant is answered: the new time left, and Undo
    for tab, name in ((window.devices, "settings-devices.png"), (window.restrictions, "settings-restrictions.png"),
                      (window.server, "settings-server.png"), (window.today, "settings-today.png")):
        window.notebook.select(tab)
        settle(root)
        shots.append(grab(root, window.winfo_rootx(), window.winfo_rooty(), window.winfo_width(), window.winfo_height(), out / name))
    window.ask_unsaved = lambda: False  # the demo values were typed for the picture: nothing to save
    window.close()
    return shots


def first_run_shots(root, paths, out: Path) -> list[Path]:
    """The first-run window's four steps, filled in as a parent would see them mid-way."""
    from plextray import setup_flow as flow
    from plextray.ui.dispatch import Dispatcher
    from plextray.ui.first_run import FirstRunWindow

    dispatcher = Dispatcher(root)
    dispatcher.start()
    window = FirstRunWindow(root, paths, dispatcher=dispatcher, open_url=lambda url: None)
    window.geometry("+20+20")
    window.wait_visibility()
    settle(root, 2.5)  # discovery answers (nothing found here): then show what a parent sees
    window.found_label.configure(text="Found Plex Media Server at http://127.0.0.1:32400.")
    window.url_entry.delete(0, "end")
    window.url_entry.insert(0, "http://127.0.0.1:32400")
    window.pin_code.set("K4PZ")
    window.server_status.configure(text="Enter this code at https://plex.tv/link (opened in your browser), signed in "
                                   "to your Plex account. Waiting…")
    window.logs_label.configure(text="✓ Plex's logs are in /var/lib/plexmediaserver/Library/Application Support/"
                                "Plex Media Server/Logs")
    window.debug_label.configure(text="Debug logging is off.")
    window.debug_button.configure(state="normal")
    seen = flow.Seen([
        flow.Candidate("device", EMMA_IPAD, "Emma's iPad — Plex for iOS, account emma (watching now)", True),
        flow.Candidate("device", "xk4kbse0xxadzpvi", "Kitchen laptop — Plex Web, account emma, last seen 2026-11-24 17:40"),
        flow.Candidate("device", "a1b2c3d4e5", "Living room TV — Plex for Android (TV), last seen 2026-11-23 21:15"),
        flow.Candidate("account", "emma", "account emma (watching now)", True),
        flow.Candidate("account", "admin", "account admin"),
    ])
    window._show_candidates(seen)
    window.name_entry.insert(0, "Emma")
    window.tick("Emma's iPad")
    window.tick("Kitchen laptop")
    window.alert_entry.insert(0, "ntfy://ntfy.sh/emma-plex-alerts")
    window.alert_label.configure(text="test alert sent")
    shots = []
    for index, name in enumerate(("first-run-server.png", "first-run-logs.png", "first-run-people.png",
                                  "first-run-alerts.png")):
        window.notebook.select(index)
        if index == 2:  # selecting the tab starts a real device listing; keep the demo one
            window.candidates = list(seen.candidates)
        settle(root)
        shots.append(grab(root, window.winfo_rootx(), window.winfo_rooty(), window.winfo_width(), window.winfo_height(),
                          out / name))
    window.destroy()
    dispatcher.stop()
    return shots


def tray_shot(root, out: Path) -> Path:
    from plextray.core.model import EngineSnapshot, EngineState, NowPlaying
    from plextray.ui.dispatch import Dispatcher
    from plextray.ui.tray import Tray, TrayActions

    playing = (NowPlaying("Emma", "Emma's iPad", "Bluey S02E14 · Sleepytime", "playing"),)
    snapshot = EngineSnapshot(EngineState.MONITORING, now_playing=playing, people=("Emma", "Leo"))

    class DemoEngine:
        def snapshot(self):
            return snapshot

        def subscribe(self, callback):
            return lambda: None

        def pause(self): ...
        def resume(self): ...
        def grant(self, person, *, minutes=0, lift_window_until=None): ...
        def reload_profiles(self): ...
        def stop(self): ...

    dispatcher = Dispatcher(root)
    actions = TrayActions(*(lambda *a: None for _ in range(5)), autostart_enabled=lambda: True, quit=lambda: None)
    tray = Tray(DemoEngine(), dispatcher, actions)
    tray.start()
    try:
        tray.wait_ready(5)
        return _post_menu(root, tray, out)
    finally:
        tray.stop()


def _post_menu(root, tray, out: Path) -> Path:
    settle(root, 0.5)
    screen_w = root.winfo_screenwidth()
    from plextray.ui.popup_menu import build_menu

    menu = build_menu(root, tray.icon.menu, lambda item: None)
    x, y = screen_w - 560, 34
    menu.post(x, y)
    settle(root)
    menu.tk.call(menu._w, "postcascade", 2)  # Give extra time ▸
    settle(root)
    extra = menu.nametowidget(menu.entrycget(2, "menu"))
    extra.activate(0)
    emma = extra.nametowidget(extra.entrycget(0, "menu"))  # ▸ Emma, posted beside its parent entry
    emma.post(extra.winfo_rootx() + extra.winfo_width() - 2, extra.winfo_rooty())
    settle(root, 0.5)
    left = max(0, min(x, extra.winfo_rootx()) - 10)
    right = max(screen_w, emma.winfo_rootx() + emma.winfo_width() + 10)
    shot = grab(root, left, 0, min(right, screen_w) - left, 260, out / "tray-menu.png")
    emma.unpost()
    menu.unpost()
    return shot


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "assets" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="plextray-shots-"))
    os.environ["PLEXTRAY_HOME"] = str(home)
    os.environ.setdefault("PYSTRAY_BACKEND", "xorg")
    xvfb = ensure_display()
    trayer = None
    if shutil.which("trayer"):
        trayer = subprocess.Popen(["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
                                   "--height", "30", "--transparent", "false", "--tint", "0x333333", "--SetDockType", "true"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
    try:
        import tkinter as tk

        from plextray.paths import AppPaths

        root = tk.Tk()
        root.withdraw()
        paths = AppPaths(home).ensure()
        shots = settings_shots(root, paths, out) + [tray_shot(root, out)] + first_run_shots(root, paths, out)
        root.destroy()
        for shot in shots:
            print(shot.relative_to(ROOT) if shot.is_relative_to(ROOT) else shot)
    finally:
        if trayer is not None:
            trayer.terminate()
            trayer.wait(5)
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(5)
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
