"""The household's profiles file (profiles.json): format, validation, migrations and the store.

The pure model and compiler live in plextray.core.household / restrictions / rules; this package
is the edge that reads and writes the file.
"""

from plextray.core.specs import ProfileIssue
from plextray.profiles.schema import CURRENT_VERSION, validate
from plextray.profiles.store import ProfileStore

__all__ = ["CURRENT_VERSION", "ProfileIssue", "ProfileStore", "validate"]
