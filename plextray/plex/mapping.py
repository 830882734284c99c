"""Plex's answers (plexapi objects, or raw XML where plexapi cannot help) → plextray's domain records.

Kept apart from the HTTP/exception handling in `client`: pure functions of what the server said.
Attribute reads go through getattr because plexapi classes differ by item type (a Track has no
contentRating, a Movie no grandparentTitle).
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

from plextray.core.model import LiveSession, MediaInfo


def live_session(item: Any, elem: Element) -> LiveSession:
    """A plexapi session item (MovieSession, EpisodeSession, TrackSession, …) and its XML."""
    player, session = item.player, item.session
    user = elem.find("User")
    return LiveSession(
        session_id=session.id if session is not None else None,
        session_key=elem.attrib.get("sessionKey"),
        rating_key=elem.attrib.get("ratingKey"),
        account=item._username,
        account_id=user.attrib.get("id") if user is not None else None,
        machine_id=player.machineIdentifier if player is not None else None,
        product=player.product if player is not None else None,
        platform=player.platform if player is not None else None,
        device=player.title if player is not None else None,
        address=player.address if player is not None else None,
        state=(player.state if player is not None else None) or "playing",
        view_offset_ms=getattr(item, "viewOffset", None),
        title=getattr(item, "title", None),
        media_type=getattr(item, "type", None) or elem.attrib.get("type"),
    )


def media_info(item: Any, elem: Element, container: Element, rating_key: str) -> MediaInfo:
    """A plexapi library item; older servers name the library only on the container (or not at all)."""
    library_id = elem.attrib.get("librarySectionID") or container.attrib.get("librarySectionID")
    return MediaInfo(
        rating_key=elem.attrib.get("ratingKey") or rating_key,
        title=getattr(item, "title", None) or "",
        type=getattr(item, "type", None) or elem.attrib.get("type") or elem.tag.lower(),
        grandparent_title=getattr(item, "grandparentTitle", None),
        parent_title=getattr(item, "parentTitle", None),
        index=to_int(getattr(item, "index", None)),
        parent_index=to_int(getattr(item, "parentIndex", None)),
        library=getattr(item, "librarySectionTitle", None) or container.attrib.get("librarySectionTitle"),
        library_id=library_id,
        labels=tuple(label.tag for label in (getattr(item, "labels", None) or []) if label.tag),
        content_rating=getattr(item, "contentRating", None),
        duration_ms=to_int(getattr(item, "duration", None)),
        year=to_int(getattr(item, "year", None)),
    )


def session_from_xml(elem: Element) -> LiveSession:
    """Fallback for session items plexapi cannot build: the same fields, read from the XML."""
    user = elem.find("User")
    player = elem.find("Player")
    session = elem.find("Session")
    p = player.attrib if player is not None else {}
    return LiveSession(
        session_id=session.attrib.get("id") if session is not None else None,
        session_key=elem.attrib.get("sessionKey"),
        rating_key=elem.attrib.get("ratingKey"),
        account=user.attrib.get("title") if user is not None else None,
        account_id=user.attrib.get("id") if user is not None else None,
        machine_id=p.get("machineIdentifier"),
        product=p.get("product"),
        platform=p.get("platform"),
        device=p.get("title"),
        address=p.get("address"),
        state=p.get("state") or "playing",
        view_offset_ms=to_int(elem.attrib.get("viewOffset")),
        title=elem.attrib.get("title"),
        media_type=elem.attrib.get("type"),
    )


def to_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number


