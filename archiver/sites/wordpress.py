"""A profile for any WordPress site: no theme selectors, only the engine's fallbacks.

Used for pages of an unknown theme, and as the baseline the fallback tests run against.
"""

from __future__ import annotations

from archiver.sites.profile import SiteProfile

WORDPRESS = SiteProfile(name="wordpress")
