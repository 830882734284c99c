"""Get a Plex token by the PIN link flow (https://plex.tv/link), for `plextray login --pin`.

Only usable where plex.tv is reachable; tests never reach this (no network). plexapi's
MyPlexPinLogin does the work; its errors are translated by plextray.plex.client.
"""

from __future__ import annotations

from collections.abc import Callable

from plextray.errors import PlexAuthError
from plextray.plex.client import load_plexapi, run_translated
from plextray.secrets import register_secret

PLEX_TV = "https://plex.tv"


def pin_login(show: Callable[[str], None], *, timeout: float = 300.0, request_timeout: float = 15.0) -> str:
    """Show a 4-character code, wait until it is linked at plex.tv/link, return the account token."""
    load_plexapi()
    from plexapi.myplex import MyPlexPinLogin

    def link() -> str:
        pin = MyPlexPinLogin(requestTimeout=request_timeout)
        show(f"Open https://plex.tv/link in a browser signed in to Plex and enter the code: {pin.pin}")
        pin.run(timeout=int(timeout))
        if not pin.waitForLogin() or not pin.token:
            raise PlexAuthError(f"the code was not linked within {timeout:g} s; run `plextray login --pin` again")
        register_secret(pin.token)
        return str(pin.token)

    return run_translated("PIN login at plex.tv", link, url=PLEX_TV, timeout=request_timeout)
