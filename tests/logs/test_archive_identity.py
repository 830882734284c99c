"""A Plex log file is known by its content, not only its inode: Plex's folder copied or restored to a
new disk (new inodes, same bytes) is not archived a second time, and no gap is reported for it."""

from __future__ import annotations

import os
import shutil

from plextray.logs.saver import LogSaver
from support.archive_helpers import RecordingWriter, archived


def test_a_copied_log_folder_is_not_archived_again(tmp_path):
    old, new, arch = tmp_path / "old" / "Logs", tmp_path / "new" / "Logs", tmp_path / "archives"
    plex = RecordingWriter(old, max_bytes=6000)
    plex.write_lines(120)  # a few rotations: .log, .1.log, .2.log ...
    with LogSaver(old, arch) as saver:
        saver.save_once()
    plex.writer.close()
    shutil.copytree(old, new)  # moved to a new disk: every file has a new inode
    assert os.stat(new / "Plex Media Server.log").st_ino != os.stat(old / "Plex Media Server.log").st_ino
    shutil.rmtree(old)
    moved = RecordingWriter(new, max_bytes=6000, start=plex.now)
    moved.write_lines(30)  # Plex goes on in its new home
    with LogSaver(new, arch) as saver:
        summary = saver.save_once()
    assert summary.gaps == ()
    assert archived(arch) == plex.expected + moved.expected  # every line once


def test_a_new_file_with_another_content_is_still_a_new_file(tmp_path):
    logs, arch = tmp_path / "Logs", tmp_path / "archives"
    plex = RecordingWriter(logs)
    plex.write_lines(10)
    with LogSaver(logs, arch) as saver:
        saver.save_once()
    plex.writer.replace()  # deleted and created anew: other bytes
    plex.write_lines(5)
    with LogSaver(logs, arch) as saver:
        summary = saver.save_once()
    assert archived(arch) == plex.expected  # the new file's lines are saved
    assert len(summary.gaps) == 1  # and the unknown fate of the old one's end is said
