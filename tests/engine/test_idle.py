"""An idle plextray sleeps: the engine wakes when Plex writes (not four times a second), and Tk's
loop wakes when something is posted (not every 50 ms). Counted, never timed; benchmarks/idle.py
prints what it costs."""

from __future__ import annotations

import threading
import time

import pytest
from support.household import wait_for
from support.engine_world import R_MOVIE, RATING_PG, world  # noqa: F401  (fixture)

from plextray.logs.watch import LogWatch, concerns_plex_log


def test_only_plex_media_servers_own_logs_count():
    assert concerns_plex_log("/var/lib/plex/Logs/Plex Media Server.log")
    assert concerns_plex_log(b"C:\\Plex\\Logs\\Plex Media Server.3.log")
    assert not concerns_plex_log("/Logs/Plex Media Scanner.log")
    assert not concerns_plex_log("/Logs/Plex Transcoder Statistics.xml")


def test_a_write_wakes_the_watch_once_until_taken_and_reading_never_does(tmp_path):
    live = tmp_path / "Plex Media Server.log"
    live.write_text("")
    wakes: list[int] = []
    seen: list[str] = []
    watch = LogWatch(tmp_path)
    original = watch._on_change

    def record(path):  # what reached the watch's filter, in the kernel's order
        if concerns_plex_log(path):
            seen.append(str(path).rsplit("/", 1)[-1])
        original(path)

    watch._on_change = record
    assert watch.start(lambda: wakes.append(1)), watch.reason
    try:
        with live.open("a") as handle:
            for n in range(20):
                handle.write(f"line {n}\n")
                handle.flush()
        wait_for(lambda: wakes)
        (tmp_path / "Plex Media Server.1.log").write_text("x\n")  # events after the first wake…
        wait_for(lambda: "Plex Media Server.1.log" in seen)
        assert wakes == [1]  # … wake nobody until the engine has taken the first
        watch.taken()
        seen.clear()
        live.read_text()  # the engine reading the log: opened and closed, not written
        (tmp_path / "Plex Media Scanner.log").write_text("scan\n")
        (tmp_path / "Plex Media Server.2.log").write_text("marker\n")
        wait_for(lambda: "Plex Media Server.2.log" in seen)
        assert "Plex Media Server.log" not in seen  # its writes all came before .1's: this was the read
        assert wakes == [1, 1]
    finally:
        watch.stop()


def test_the_watchdog_observer_macos_and_windows_use_wakes_the_same_way(tmp_path):
    from watchdog.observers import Observer

    live = tmp_path / "Plex Media Server.log"
    live.write_text("")
    wakes: list[int] = []
    watch = LogWatch(tmp_path, observer_factory=Observer)
    assert watch.start(lambda: wakes.append(1))
    try:
        (tmp_path / "Plex Media Scanner.log").write_text("not ours\n")
        live.write_text("line\n")
        wait_for(lambda: wakes)
    finally:
        watch.stop()


def test_a_folder_that_cannot_be_watched_falls_back_to_polling(tmp_path):
    watch = LogWatch(tmp_path / "missing")
    assert watch.start(lambda: None) is False
    assert "cannot watch" in watch.reason and not watch.active


def test_with_polling_an_hour_apart_a_play_is_still_stopped_because_the_os_says_plex_wrote(world):
    world.start([RATING_PG], config={"poll_seconds": 3600.0, "sessions_poll_seconds": 3600.0})
    wait_for(lambda: world.engine._watching_logs)  # set by the engine thread as it starts
    world.emulator.play(world.kid, R_MOVIE)
    wait_for(lambda: world.terminations() == 1)


def test_an_idle_engine_does_not_loop(world, monkeypatch):
    """Nothing playing: the engine's loop turns for the server poll (every 5 s) and Plex's writes,
    not four times a second as it did."""
    from plextray.engine.engine import Engine

    steps: list[float] = []
    real_step = Engine._step

    def counting_step(self):
        steps.append(time.monotonic())
        real_step(self)

    monkeypatch.setattr(Engine, "_step", counting_step)
    world.start([RATING_PG])
    wait_for(lambda: world.engine.snapshot().people)
    time.sleep(1.0)  # start-up: server identity, first session poll
    before = len(steps)
    time.sleep(2.0)
    assert len(steps) - before <= 2  # a 0.25 s poll made 8 here


@pytest.mark.gui
def test_a_post_from_another_thread_wakes_tk_without_a_polling_tick(xdisplay):
    import tkinter as tk

    from plextray.ui.dispatch import Dispatcher

    root = tk.Tk()
    root.withdraw()
    dispatcher = Dispatcher(root)
    dispatcher.start()
    try:
        assert dispatcher.woken_by_fd
        assert root.tk.call("after", "info") == ""  # nothing scheduled: Tk sleeps until told
        ran: list[str] = []

        def on_tk() -> None:
            ran.append(threading.current_thread().name)
            root.quit()

        safety = root.after(10_000, root.quit)
        threading.Thread(target=lambda: (time.sleep(0.2), dispatcher.post(on_tk)), name="poster").start()
        root.mainloop()
        root.after_cancel(safety)
        assert ran == ["MainThread"]
    finally:
        dispatcher.stop()
        root.destroy()


def test_a_log_folder_on_a_network_mount_is_polled_not_watched():
    """inotify hears only this machine's writes: Plex writing from another host would never wake us."""
    from pathlib import Path

    from plextray.logs.watch import network_fs_type

    mounts = ("/dev/sda1 / ext4 rw 0 0\n"
              "nas:/plex /mnt/plex nfs4 rw 0 0\n"
              "//nas/media /mnt/media\\040share cifs rw 0 0\n"
              "/dev/sdb1 /mnt/plex/local ext4 rw 0 0\n")
    assert network_fs_type(Path("/mnt/plex/Library/Logs"), mounts) == "nfs4"
    assert network_fs_type(Path("/mnt/media share/Logs"), mounts) == "cifs"
    assert network_fs_type(Path("/mnt/plex/local/Logs"), mounts) is None  # a local disk mounted inside it
    assert network_fs_type(Path("/var/lib/plexmediaserver"), mounts) is None
    assert network_fs_type(Path("/mnt/plexed"), mounts) is None  # a prefix of the name is not inside
