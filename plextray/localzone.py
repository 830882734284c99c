"""The host's time zone as a DST-aware tzinfo (Plex writes local wall-clock times with no zone).

`datetime.now().astimezone().tzinfo` is a fixed offset and would be wrong across a daylight-
saving change, so read the zone the way the C library does: $TZ, then /etc/localtime.
"""

from __future__ import annotations

import os
from datetime import datetime, tzinfo
from pathlib import Path


def local_zone() -> tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    localtime = Path("/etc/localtime")
    if localtime.exists():
        try:
            with localtime.open("rb") as handle:
                return ZoneInfo.from_file(handle, key="localtime")
        except (OSError, ValueError):
            pass
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone
