"""Restriction types: one module each, found through a registry (see base.py for the contract).

Importing this package imports every module in it, and each registers its type(s): adding a
type is one file here (plus its test), nothing else. The settings window offers the types with
a form in their `order` (time, rating, quota, library, streak); all / any / not are JSON only.
"""

from __future__ import annotations

import importlib
import pkgutil

from plextray.core.restriction_types.base import (
    COMMON_KEYS,
    MAX_RULE_DEPTH,
    OK,
    REGISTRY,
    UNKNOWN,
    VIOLATED,
    Condition,
    ConditionDefaults,
    FormField,
    Meter,
    RestrictionType,
    Verdict,
    compile_condition,
    form_types,
    register,
)

_HELPERS = frozenset({"base", "windows"})  # shared code, no type of their own
for _module in sorted(pkgutil.iter_modules(__path__), key=lambda found: found.name):
    if _module.name not in _HELPERS:
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "COMMON_KEYS", "MAX_RULE_DEPTH", "OK", "REGISTRY", "UNKNOWN", "VIOLATED", "Condition", "ConditionDefaults",
    "FormField", "Meter", "RestrictionType", "Verdict", "compile_condition", "form_types", "register",
]
