"""Opening a file in Plex's log folder: read, not trusted.

Why: the folder is only as safe as whatever can write into it (Plex's own account, a misconfigured
share, a container volume). Followed blindly, `Plex Media Server.1.log -> /etc/shadow` got
archived (and mailed with "e-mail today's logs"), a link to /dev/urandom grew an archive to
1.28 GB in 30 s, and a FIFO made `save-logs` hang forever in open(). So every Plex file is opened
here, and only a regular file is ever read:

- the last path component is opened without following a symlink (POSIX and macOS: O_NOFOLLOW).
  A symlink is followed only when its target resolves inside the same folder (some setups link
  `.log` files within it); anything leaving the folder is refused;
- O_NONBLOCK, so opening a FIFO returns at once instead of waiting for a writer; then fstat() of
  the opened handle (not a stat of the name, which could be swapped meanwhile) must say "regular
  file", else the handle is closed: FIFOs, devices, sockets, directories are refused;
- Windows has no O_NOFOLLOW: a name that is a symlink or another reparse point (junction) is
  refused by lstat(), then the opened handle must be the same file (volume + file index) as the
  name's, which closes the window between the two looks.

A refused file is reported once (a warning naming it and what it is), not on every read: the
engine looks at the folder four times a second.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from pathlib import Path
from typing import BinaryIO

# not under "plextray.logs", which `save-logs` quiets (it prints gaps itself): a refused file is
# said on stderr there too
log = logging.getLogger("plextray.log_folder")

_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # POSIX, macOS; 0 on Windows (see _open_windows)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_REPARSE_POINT = getattr(stat, "FILE_ATTRIBUTE_REPARSE_POINT", 0x400)
_warned: set[tuple[str, str]] = set()


class RefusedFile(OSError):
    """A name in Plex's log folder that is not a regular file inside it (never read)."""


def kind_of(mode: int) -> str:
    for test, word in ((stat.S_ISLNK, "a symlink"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):  # fmt: skip
        if test(mode):
            return word
    return "not a regular file"


def _refuse(path: Path, why: str) -> RefusedFile:
    key = (str(path), why)
    if key not in _warned:
        if len(_warned) > 1024:
            _warned.clear()
        _warned.add(key)
        log.warning("not reading %s in Plex's log folder: it is %s", path, why)
    return RefusedFile(f"{path} is {why}; only regular files in Plex's log folder are read")


def _inside(target: str, folder: Path) -> bool:
    root = os.path.realpath(folder)
    try:
        return os.path.commonpath([target, root]) == root
    except ValueError:  # another drive (Windows)
        return False


def _open_posix(path: Path) -> int:
    try:
        return os.open(path, _FLAGS | _NOFOLLOW | _NONBLOCK)
    except OSError as exc:
        if not os.path.islink(path):
            raise
        # ELOOP (Linux, macOS) or EMLINK (FreeBSD): the name is a symlink
        target = os.path.realpath(path)
        if not _inside(target, path.parent):
            raise _refuse(path, f"a symlink leaving the folder (to {target})") from exc
        return os.open(target, _FLAGS | _NOFOLLOW | _NONBLOCK)  # its target, itself no link


def _open_windows(path: Path) -> int:
    before = os.lstat(path)
    if stat.S_ISLNK(before.st_mode) or getattr(before, "st_file_attributes", 0) & _REPARSE_POINT:
        target = os.path.realpath(path)
        if not _inside(target, path.parent):
            raise _refuse(path, f"a link leaving the folder (to {target})")
        before = os.stat(target)
        path = Path(target)
    fd = os.open(path, _FLAGS)
    after = os.fstat(fd)
    if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino):
        os.close(fd)
        raise _refuse(path, "a file that changed while it was opened")
    return fd


def open_log_file(path: Path | str) -> BinaryIO:
    """A binary handle on the regular file `path` of Plex's log folder (its parent), or OSError
    (RefusedFile for anything plextray must not read; FileNotFoundError etc. as open() raises)."""
    path = Path(path)
    try:
        fd = _open_windows(path) if os.name == "nt" else _open_posix(path)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket cannot even be opened: say what it is
            try:
                raise _refuse(path, kind_of(os.lstat(path).st_mode)) from exc
            except FileNotFoundError:
                pass
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _refuse(path, kind_of(st.st_mode))
        if _NONBLOCK:
            os.set_blocking(fd, True)  # (no effect on a regular file; restored for clarity)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")
