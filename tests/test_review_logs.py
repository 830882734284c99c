"""Review findings in the log reader: each test failed before its fix."""

from __future__ import annotations

import os as real_os

from plextray import const
from plextray.logs import source as source_module
from plextray.logs.source import PlexLogSource

LINE = b"Nov 23, 2026 16:00:%02d.000 [0x7f01] DEBUG - line %d\n"


class _FlakyStat:
    """`os` as the reader sees it, with stat() of one path failing (EACCES, ESTALE on NFS...)."""

    def __init__(self, path) -> None:
        self.path = str(path)
        self.failing = False

    def __getattr__(self, name):
        return getattr(real_os, name)

    def stat(self, path, *args, **kwargs):
        if self.failing and str(path) == self.path:
            raise PermissionError(13, "Permission denied", self.path)
        return real_os.stat(path, *args, **kwargs)


def test_a_transient_stat_error_on_the_live_log_loses_no_line(tmp_path, monkeypatch):
    """A failed stat() of the live log (not ENOENT) was taken for "rotated away": the live file
    was finished and remembered as read, and every line Plex wrote to it afterwards was never
    returned (nor reported as a gap) until the next rotation."""
    live = tmp_path / const.PLEX_LOG_NAME
    live.write_bytes(LINE % (1, 1))
    flaky = _FlakyStat(live)
    monkeypatch.setattr(source_module, "os", flaky)
    reader = PlexLogSource(tmp_path)
    data, gaps = reader.read(1 << 20)
    assert data == LINE % (1, 1) and gaps == []
    with open(live, "ab") as handle:
        handle.write(LINE % (2, 2))
    flaky.failing = True
    data, gaps = reader.read(1 << 20)
    flaky.failing = False
    with open(live, "ab") as handle:
        handle.write(LINE % (3, 3))
    more, more_gaps = reader.read(1 << 20)
    assert data + more == LINE % (2, 2) + LINE % (3, 3)
    assert gaps == more_gaps == []
    reader.close()
