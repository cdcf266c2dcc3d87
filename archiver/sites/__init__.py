"""Site profiles: the selectors and boilerplate patterns of each archived site's theme."""

from __future__ import annotations

from archiver.sites.grandfleet import GRANDFLEET
from archiver.sites.profile import SiteProfile
from archiver.sites.wordpress import WORDPRESS

PROFILES: dict[str, SiteProfile] = {p.name: p for p in (GRANDFLEET, WORDPRESS)}

DEFAULT_PROFILE = GRANDFLEET


def get_profile(name: str) -> SiteProfile:
    """The profile called ``name`` (e.g. ``"grandfleet"``); ``KeyError`` lists the known ones."""
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(f"unknown site profile {name!r}; known: {sorted(PROFILES)}") from None


__all__ = ["DEFAULT_PROFILE", "PROFILES", "SiteProfile", "get_profile"]
