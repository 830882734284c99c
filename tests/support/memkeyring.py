"""An in-memory keyring backend for tests (never touches the user's real keyring).

Use in-process with `keyring.set_keyring(MemoryKeyring())` (see the `memory_keyring` fixture in
tests/plex/test_credentials.py), or by name: PYTHON_KEYRING_BACKEND=support.memkeyring.MemoryKeyring
with tests/ on PYTHONPATH.
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """A dict keyed by (service, user). `locked=True` makes every call fail as a locked keyring does."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}
        self.locked = False

    def _check(self) -> None:
        if self.locked:
            raise KeyringLocked("the test keyring is locked")

    def get_password(self, service: str, username: str) -> str | None:
        self._check()
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check()
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._check()
        try:
            del self.store[(service, username)]
        except KeyError:
            raise PasswordDeleteError("not found") from None
