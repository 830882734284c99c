"""profiles.json on disk: validated loads, atomic saves with a backup, and the last good copy in memory.

A broken file never stops a running engine: `reload()` hands back the error and keeps `current`.
Nothing is ever written unless the document to write is valid. When a valid save replaces a
file that was broken, the broken text is kept as `profiles.json.broken` (nothing is lost);
`profiles.json.bak` always holds the previous GOOD file.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from plextray.config import atomic_write_text
from plextray.core.household import Person, Profiles
from plextray.core.specs import ProfileIssue
from plextray.errors import ProfileError
from plextray.profiles.schema import CURRENT_VERSION, compile_document, migrate, parse_text, summarize
from plextray.profiles.schema import validate as validate_doc


def profile_error(issues: list[ProfileIssue], path: Path) -> ProfileError:
    """A ProfileError naming the file, the first JSON path and problem; all issues on `.issues`."""
    error = ProfileError(summarize(issues, source=str(path)))
    error.issues = list(issues)  # type: ignore[attr-defined]
    return error


def empty_document() -> dict[str, Any]:
    return {"version": CURRENT_VERSION, "people": [], "unknown_devices": {"actions": []}}


class ProfileStore:
    """The household's profiles file. Thread-safe: the engine reloads while the UI saves."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._current: Profiles | None = None
        self._signature: tuple[int, int, int] | None = None

    @property
    def backup_path(self) -> Path:
        return self.path.with_name(self.path.name + ".bak")

    @property
    def broken_path(self) -> Path:
        return self.path.with_name(self.path.name + ".broken")

    @property
    def current(self) -> Profiles | None:
        """The last profiles that loaded or saved cleanly (None if there never were any)."""
        return self._current

    def exists(self) -> bool:
        return self.path.exists()

    def _read_text(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except UnicodeDecodeError as exc:
            raise profile_error([ProfileIssue("$", f"not UTF-8 text ({exc.reason} at byte {exc.start})")], self.path) from exc
        except OSError as exc:
            raise ProfileError(f"cannot read {self.path}: {exc.strerror}") from exc

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def load_raw(self) -> dict[str, Any]:
        """The document as JSON (an empty household when there is no file). Bad JSON → ProfileError."""
        with self._lock:
            text = self._read_text()
            if text is None:
                return empty_document()
            doc, problems = parse_text(text)
            if problems:
                raise profile_error(problems, self.path)
            if not isinstance(doc, dict):
                raise profile_error([ProfileIssue("$", "expected a JSON object at the top level")], self.path)
            return doc

    def load(self) -> Profiles:
        """Read, migrate and validate the file. A missing file is an empty household, unless
        profiles were loaded before (a file removed while running is an error, not "no rules").

        On success the result becomes `current`; on failure ProfileError is raised (naming the
        JSON path and the problem) and `current` is left as it was.
        """
        with self._lock:
            signature = self._stat()
            text = self._read_text()
            if text is None:
                if self._current is not None:
                    self._signature = signature
                    raise ProfileError(
                        f"{self.path} was removed; still enforcing the last good profiles until it is saved again"
                    )
                profiles, problems = compile_document(empty_document())
            else:
                doc, problems = parse_text(text)
                profiles = None
                if not problems:
                    profiles, problems = compile_document(doc)
            if profiles is None:
                self._signature = signature
                raise profile_error(problems, self.path)
            self._current = profiles
            self._signature = signature
            return profiles

    def reload(self) -> Profiles | ProfileError:
        """load(), but an error is returned, not raised: the caller keeps running on `current`."""
        try:
            return self.load()
        except ProfileError as exc:
            return exc

    def changed(self) -> bool:
        """Has the file changed (or appeared or vanished) since the last load or save?"""
        return self._stat() != self._signature

    def reload_if_changed(self) -> Profiles | ProfileError | None:
        """For a polling engine: None when nothing changed, else what reload() gives."""
        with self._lock:
            if not self.changed():
                return None
            return self.reload()

    def adopt(self, profiles: Profiles) -> None:
        """Run on profiles that came from elsewhere — the `.bak` copy when the file itself is
        broken at start-up — until the file changes again."""
        with self._lock:
            self._current = profiles
            self._signature = self._stat()

    def validate(self, doc: Any) -> list[ProfileIssue]:
        return validate_doc(doc)

    def save_raw(self, doc: dict[str, Any]) -> Profiles:
        """Validate `doc`, then write it atomically, keeping the previous good file as .bak.

        Invalid → ProfileError and nothing is written. The document is saved migrated to the
        current version.
        """
        with self._lock:
            profiles, problems = compile_document(doc)
            if profiles is None:
                raise profile_error(problems, self.path)
            migrated, _ = migrate(doc)
            assert migrated is not None
            old_text = self._read_text()
            if old_text is not None:
                old_doc, old_problems = parse_text(old_text)
                if not old_problems:
                    old_problems = compile_document(old_doc)[1]
                target = self.broken_path if old_problems else self.backup_path
                atomic_write_text(target, old_text)
            atomic_write_text(self.path, json.dumps(migrated, indent=2, ensure_ascii=False) + "\n")
            self._current = profiles
            self._signature = self._stat()
            return profiles

    def person_for(self, client_id: str | None, account: str | None) -> Person | None:
        """Who is watching, by the current profiles (None: nobody linked, or no profiles yet)."""
        profiles = self._current
        return profiles.person_for(client_id, account) if profiles else None


def default_store() -> ProfileStore:
    from plextray.paths import AppPaths

    return ProfileStore(AppPaths.default().profiles)


__all__ = ["ProfileStore", "default_store", "empty_document", "profile_error"]
