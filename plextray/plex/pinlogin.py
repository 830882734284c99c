"""Get a Plex token by the PIN link flow (https://plex.tv/link), for `plextray login --pin`.

Only usable where plex.tv is reachable; tests never reach this (no network). plexapi's
MyPlexPinLogin does the work; its errors are translated by plextray.plex.client.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from plextray.errors import PlexAuthError
from plextray.plex.client import load_plexapi, run_translated
from plextray.secrets import register_secret

PLEX_TV = "https://plex.tv"
LINK_PAGE = "https://plex.tv/link"
ENV_PLEX_TV = "PLEXTRAY_PLEX_TV"  # another plex.tv (a local stand-in in tests: plextray.emulator.plextv)


def plex_tv() -> str:
    return (os.environ.get(ENV_PLEX_TV) or PLEX_TV).rstrip("/")


def pin_login(show: Callable[[str], None], *, timeout: float = 300.0, request_timeout: float = 15.0,
              on_code: Callable[[str], None] | None = None, cancelled: Callable[[], bool] | None = None) -> str:
    """Show a 4-character code, wait until it is linked at plex.tv/link, return the account token.
    `on_code` gets the bare code (a window shows it big); `cancelled` ends the wait early."""
    load_plexapi()
    from plexapi.myplex import MyPlexPinLogin

    base = plex_tv()

    class PinLogin(MyPlexPinLogin):  # type: ignore[misc]
        PINS = f"{base}/api/v2/pins"
        POLLINTERVAL = 1

    def link() -> str:
        pin = PinLogin(requestTimeout=request_timeout)
        code = pin.pin
        if on_code is not None:
            on_code(code)
        show(f"Open {LINK_PAGE} in a browser signed in to Plex and enter the code: {code}")
        pin.run(timeout=int(timeout))
        if cancelled is not None:
            while not pin.finished:
                if cancelled():
                    pin.stop()
                    raise PlexAuthError("sign-in cancelled")
                time.sleep(0.2)
        if not pin.waitForLogin() or not pin.token:
            raise PlexAuthError(f"the code was not linked within {timeout:g} s; try signing in again")
        register_secret(pin.token)
        return str(pin.token)

    return run_translated("PIN login at plex.tv", link, url=base, timeout=request_timeout)
