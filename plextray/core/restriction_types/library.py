"""`{"type": "library", "block": ["Adult Movies"], "labels": ["no-kids"]}`: anything from a
library (its title or section id, any case) or carrying a label; at least one of the two.
Unknown until the media is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from plextray.core.context import PlayContext
from plextray.core.restriction_types.base import (
    OK,
    UNKNOWN,
    VIOLATED,
    Condition,
    ConditionDefaults,
    FormField,
    RestrictionType,
    Verdict,
    register,
    split_list,
)
from plextray.core.specs import Reader


@dataclass(frozen=True, slots=True)
class LibraryCondition(ConditionDefaults):
    """Media from a blocked library (by title or id) or carrying a blocked label."""

    block: tuple[str, ...]
    labels: tuple[str, ...]
    kind: str = "library"

    def evaluate(self, ctx: PlayContext) -> Verdict:
        media = ctx.media
        if media is None:
            return Verdict(UNKNOWN, "library unknown (media not known yet)")
        blocked = {name.casefold() for name in self.block}
        for candidate in (media.library, media.library_id):
            if candidate and candidate.strip().casefold() in blocked:
                return Verdict(VIOLATED, f"library {media.library or candidate} is blocked")
        wanted = {label.casefold() for label in self.labels}
        for label in media.labels:
            if label.strip().casefold() in wanted:
                return Verdict(VIOLATED, f"label {label} is blocked")
        return Verdict(OK, f"library {media.library or '?'} allowed")

    def describe(self) -> str:
        parts = []
        if self.block:
            parts.append("anything from the " + ("library " if len(self.block) == 1 else "libraries ") + ", ".join(self.block))
        if self.labels:
            parts.append("anything labelled " + ", ".join(self.labels))
        return " or ".join(parts)


class LibraryType(RestrictionType):
    kind = "library"
    order = 40
    keys = ("block", "labels")
    fields = (
        FormField("block", "Blocked libraries (comma-separated)"),
        FormField("labels", "Blocked labels (optional)"),
    )

    def compile(self, reader: Reader) -> Condition | None:
        block = reader.string_list("block", required=False)
        labels = reader.string_list("labels", required=False)
        if block is None or labels is None:
            return None
        if not block and not labels:
            reader.issues.add(reader.path, "a library restriction needs a non-empty \"block\" or \"labels\"")
            return None
        return LibraryCondition(block, labels)

    def from_form(self, text: Mapping[str, str], errors: dict[str, str]) -> dict[str, Any]:
        block = split_list(text.get("block", ""))
        if not block:
            errors["block"] = "Name at least one library, e.g. Adult Movies"
        labels = split_list(text.get("labels", ""))
        return {"block": block, "labels": labels} if labels else {"block": block}

    def to_form(self, spec: Mapping[str, Any]) -> dict[str, str]:
        form = super().to_form(spec)
        form["block"] = ", ".join(spec.get("block", []))
        form["labels"] = ", ".join(spec.get("labels", []))
        return form

    def summary(self, spec: Mapping[str, Any]) -> str:
        return ", ".join(list(spec.get("block", [])) + list(spec.get("labels", [])))


register(LibraryType())
