"""Restriction conditions, as the rest of plextray has always imported them.

The types themselves live in plextray.core.restriction_types, one module each (parse and
validate, evaluate, describe, settings form); this module keeps the old names importable.
Types (the `type` key): `time`, `rating`, `quota`, `library`, `streak`, and the combinators
`all` / `any` / `not`. Any condition may carry a `name`, used in reasons instead of the
default label ("bedtime", "quota").
"""

from __future__ import annotations

from plextray.core.restriction_types import (
    COMMON_KEYS,
    MAX_RULE_DEPTH,
    OK,
    REGISTRY,
    UNKNOWN,
    VIOLATED,
    Condition,
    Verdict,
    compile_condition,
    register,
)
from plextray.core.restriction_types.library import LibraryCondition
from plextray.core.restriction_types.quota import QuotaCondition
from plextray.core.restriction_types.rating import UNRATED_KINDS, RatingCondition
from plextray.core.restriction_types.streak import StreakCondition
from plextray.core.restriction_types.time import TimeCondition

__all__ = [
    "COMMON_KEYS", "MAX_RULE_DEPTH", "OK", "REGISTRY", "UNKNOWN", "UNRATED_KINDS", "VIOLATED", "Condition",
    "LibraryCondition", "QuotaCondition", "RatingCondition", "StreakCondition", "TimeCondition", "Verdict",
    "compile_condition", "register",
]
