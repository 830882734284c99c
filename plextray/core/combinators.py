"""The combinators `all`, `any` and `not`, as plextray has always imported them.

They live in plextray.core.restriction_types.combinators with the other restriction types.
"""

from __future__ import annotations

from plextray.core.restriction_types.combinators import (
    AllCondition,
    AnyCondition,
    NotCondition,
)

__all__ = ["AllCondition", "AnyCondition", "NotCondition"]
