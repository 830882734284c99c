"""`{"type": "rating", "max": "PG", "unrated": "block"|"allow"}`: anything rated above `max`.

`max` may be a rating of any system (MPAA, US TV, `gb/15`, `de/12`...); ratings compare by age
(plextray.core.ratings). `unrated` (default "allow" in the file, "block" in the form) decides for
videos with no usable rating; music and photos never need one. Unknown until the media is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from plextray.core.context import PlayContext
from plextray.core.ratings import is_known_rating, is_unrated, rating_age
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
)
from plextray.core.specs import Reader

# Media kinds that never carry a content rating: the `unrated` policy does not apply to them.
UNRATED_KINDS = frozenset({"track", "album", "artist", "photo", "picture"})
UNRATED_CHOICES = ("block", "allow")
RATING_CHOICES = ("G", "PG", "PG-13", "R", "TV-Y", "TV-Y7", "TV-G", "TV-PG", "TV-14", "gb/12A", "gb/15", "de/12", "au/M", "ca/14A")


@dataclass(frozen=True, slots=True)
class RatingCondition(ConditionDefaults):
    """Media rated above a ceiling, or (with `unrated: block`) media with no usable rating."""

    max_code: str
    max_age: int
    block_unrated: bool
    label: str = "rating"
    kind: str = "rating"

    def evaluate(self, ctx: PlayContext) -> Verdict:
        media = ctx.media
        if media is None:
            return Verdict(UNKNOWN, f"{self.label} unknown (media not known yet)")
        code = (media.content_rating or "").strip()
        age = rating_age(code) if code else None
        if age is None:
            if media.type in UNRATED_KINDS and not code:
                return Verdict(OK, f"no {self.label} needed for a {media.type}")
            what = "unrated" if is_unrated(code) else f"unknown {self.label} {code!r}"
            if self.block_unrated:
                return Verdict(VIOLATED, f"{what} (max {self.max_code}, unrated blocked)")
            return Verdict(OK, f"{what} allowed")
        if age > self.max_age:
            return Verdict(VIOLATED, f"{self.label} {code} > {self.max_code}")
        return Verdict(OK, f"{self.label} {code} ≤ {self.max_code}")

    def describe(self) -> str:
        unrated = "unrated included" if self.block_unrated else "unrated allowed"
        return f"anything rated above {self.max_code} (age {self.max_age}+; {unrated})"


class RatingType(RestrictionType):
    kind = "rating"
    order = 20
    keys = ("max", "unrated")
    fields = (
        FormField("max", "Highest rating allowed", "PG", "choice", RATING_CHOICES, typed=True),
        FormField("unrated", "Unrated titles", "block", "choice", UNRATED_CHOICES),
    )

    def compile(self, reader: Reader) -> Condition | None:
        code = reader.string("max")
        policy = reader.string("unrated", required=False, default="allow")
        if policy not in ("block", "allow"):
            reader.issues.add(reader.at("unrated"), f"must be \"block\" or \"allow\", got {policy!r}")
            return None
        if code is None:
            return None
        age = rating_age(code)
        if age is None:
            reader.issues.add(reader.at("max"), f"unknown rating {code!r}")
            return None
        return RatingCondition(" ".join(code.split()), age, policy == "block", str(reader.data.get("name") or "rating"))

    def from_form(self, text: Mapping[str, str], errors: dict[str, str]) -> dict[str, Any]:
        ceiling = text.get("max", "")
        if not ceiling:
            errors["max"] = "Choose the highest rating allowed, e.g. PG or gb/12A"
        elif not is_known_rating(ceiling):
            errors["max"] = f"Unknown rating {ceiling!r}: use e.g. PG, TV-14, gb/15, de/12"
        unrated = text.get("unrated", "block") or "block"
        if unrated not in UNRATED_CHOICES:
            errors["unrated"] = "Choose block or allow"
        return {"max": ceiling, "unrated": unrated}

    def covers(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
        new_age, old_age = _age(new), _age(old)
        unrated_ok = new.get("unrated", "allow") == old.get("unrated", "allow") or old.get("unrated") == "block"
        return new_age is not None and old_age is not None and old_age <= new_age and unrated_ok

    def to_form(self, spec: Mapping[str, Any]) -> dict[str, str]:
        # the file's default is "allow": an edited rule must not start blocking unrated titles
        return {**super().to_form(spec), "unrated": str(spec.get("unrated", "allow"))}

    def summary(self, spec: Mapping[str, Any]) -> str:
        return f"above {spec.get('max')} (unrated: {spec.get('unrated', 'allow')})"


def _age(spec: Mapping[str, Any]) -> int | None:
    if spec.get("unrated", "allow") not in ("allow", "block"):
        return None
    try:
        return rating_age(str(spec.get("max")))
    except Exception:
        return None


register(RatingType())
