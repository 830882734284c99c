"""The saver's commit record: where in Plex's files we are, and how long each archive is.

Exactly-once rests on one rule: the checkpoint is written (atomically, durably) only after the
archive bytes it vouches for are fsync'ed. It holds the source position (file identity +
offset of the first byte not yet archived) AND the committed size of every archive. On start-up
anything an archive holds beyond its committed size is an uncommitted member from a crash and
is cut off; reading resumes from the committed offset. So a kill -9 or power cut at any instant
neither loses a line (it is re-read) nor duplicates one (its first copy is cut off).

Files are identified by (st_dev, st_ino) plus a SHA-256 of their first bytes (up to 4 KiB, the
part already read): the inode survives Plex's rename-rotation, the head hash catches an inode
number reused for a new file after Plex deleted the oldest one. A file with another inode but
the same first bytes (at least CONTENT_BYTES of them, which hold a millisecond timestamp) is the
same file too: Plex's folder copied or restored to a new disk must not be archived again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from plextray.errors import ArchiveError

CHECKPOINT_NAME = ".plextray-checkpoint.json"
HEAD_BYTES = 4096
CONTENT_BYTES = 64  # enough first bytes to know a file by its content alone (its first line's timestamp)
VERSION = 1


@dataclass(frozen=True, slots=True)
class FileIdentity:
    """Which physical file: inode + device, and a hash of its first `head_len` bytes.

    A file finished while still empty has no bytes to hash; it is pinned by its modification
    time instead (`mtime_ns`; a rotated file is never written again, and a new file that reuses
    the inode number was created later). `mtime_ns` is 0 for files known by their head.
    """

    dev: int
    ino: int
    head_len: int
    head_sha: str
    mtime_ns: int = 0

    @classmethod
    def of(cls, dev: int, ino: int, head: bytes) -> "FileIdentity":
        head = head[:HEAD_BYTES]
        return cls(dev, ino, len(head), hashlib.sha256(head).hexdigest())

    @classmethod
    def of_empty(cls, st: os.stat_result) -> "FileIdentity":
        return cls(st.st_dev, st.st_ino, 0, hashlib.sha256(b"").hexdigest(), st.st_mtime_ns or 1)

    def same_inode(self, st: os.stat_result) -> bool:
        return st.st_dev == self.dev and st.st_ino == self.ino

    def matches_file(self, st: os.stat_result, head: bytes) -> bool:
        """True when the file whose status is `st` and whose first bytes are `head` is this one.

        `st` and `head` must come from ONE open handle (see read_file_head): Plex renames its
        files while we look, so a stat() by name and an open() by the same name a moment
        later can be two different files — a known file would then look unknown.
        """
        if st.st_size < self.head_len:
            return False
        if not self.same_inode(st) and (self.mtime_ns or self.head_len < CONTENT_BYTES):
            return False  # another inode: known by content only when enough of it was read
        if self.mtime_ns:
            return st.st_size == 0 and st.st_mtime_ns == self.mtime_ns
        if len(head) < self.head_len:
            return False
        return hashlib.sha256(head[: self.head_len]).hexdigest() == self.head_sha

    def to_json(self) -> dict:
        data = {"dev": self.dev, "ino": self.ino, "head_len": self.head_len, "head_sha": self.head_sha}
        if self.mtime_ns:
            data["mtime_ns"] = self.mtime_ns
        return data

    @classmethod
    def from_json(cls, data: dict) -> "FileIdentity":
        return cls(int(data["dev"]), int(data["ino"]), int(data["head_len"]), str(data["head_sha"]),
                   int(data.get("mtime_ns", 0)))


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """What is durably archived. `current`/`offset`: the next byte to archive; `seen`: files
    already archived to their end (newest last); `archives`: committed size of each archive."""

    current: FileIdentity | None = None
    offset: int = 0
    seen: tuple[FileIdentity, ...] = ()
    last_day: str | None = None  # day of the last archived line (a continuation line joins it)
    last_time: str | None = None  # timestamp text of the last archived line (gap reports)
    archives: dict[str, int] = field(default_factory=dict)
    touched: tuple[str, ...] = ()  # archives appended to by the last commit (checked first at start)

    def to_json(self) -> dict:
        return {
            "version": VERSION,
            "current": self.current.to_json() if self.current else None,
            "offset": self.offset,
            "seen": [identity.to_json() for identity in self.seen],
            "last_day": self.last_day,
            "last_time": self.last_time,
            "archives": dict(sorted(self.archives.items())),
            "touched": list(self.touched),
        }

    @classmethod
    def from_json(cls, data: dict) -> "Checkpoint":
        if data.get("version") != VERSION:
            raise ValueError(f"unknown checkpoint version {data.get('version')!r}")
        return cls(
            current=FileIdentity.from_json(data["current"]) if data.get("current") else None,
            offset=int(data.get("offset", 0)),
            seen=tuple(FileIdentity.from_json(item) for item in data.get("seen", ())),
            last_day=data.get("last_day"),
            last_time=data.get("last_time"),
            archives={str(k): int(v) for k, v in data.get("archives", {}).items()},
            touched=tuple(data.get("touched", ())),
        )


def read_file_head(path: Path) -> tuple[os.stat_result, bytes] | None:
    """(status, first HEAD_BYTES bytes) of the file at `path`, both through one handle; None if gone."""
    from plextray.logs.safe_open import open_log_file  # only regular files inside the folder

    try:
        with open_log_file(path) as handle:
            st = os.fstat(handle.fileno())
            return st, handle.read(HEAD_BYTES)
    except OSError:
        return None


def checkpoint_path(archive_dir: Path) -> Path:
    return Path(archive_dir) / CHECKPOINT_NAME


def load_checkpoint(archive_dir: Path) -> Checkpoint | None:
    """The last commit, or None on a first run. A damaged file is an error, never a silent reset
    (a reset would archive everything still in Plex's files a second time)."""
    path = checkpoint_path(archive_dir)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ArchiveError(f"cannot read the saver's checkpoint {path}: {exc.strerror or exc}") from None
    try:
        return Checkpoint.from_json(json.loads(raw))
    except (ValueError, KeyError, TypeError) as exc:
        raise ArchiveError(
            f"the saver's checkpoint {path} is damaged ({exc}). Move it aside to start over; lines still "
            "in Plex's log files would then be archived again."
        ) from None


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in `folder` durable (no-op where directories cannot be opened)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Temp file (0600) + fsync + rename + directory fsync: the file is the old or the new one."""
    folder = path.parent
    fd, temp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=folder)
    try:
        os.chmod(temp, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    try:
        fsync_dir(folder)
    except OSError as exc:  # the new file is in place; only its durability is delayed
        logging.getLogger(__name__).warning("could not fsync %s: %s", folder, exc)


def remove_stale_temps(archive_dir: Path) -> None:
    """Temp files of a checkpoint write that a crash interrupted (the old checkpoint stands)."""
    for temp in Path(archive_dir).glob(CHECKPOINT_NAME + ".*.tmp"):
        try:
            temp.unlink()
        except OSError:
            pass


def save_checkpoint(archive_dir: Path, checkpoint: Checkpoint) -> None:
    write_atomic(checkpoint_path(archive_dir), json.dumps(checkpoint.to_json(), indent=1).encode())
