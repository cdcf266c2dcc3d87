"""Items the crawl yields about visits, besides the parsed articles themselves."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ArticleNotModified:
    """An article page answered 304 to a conditional GET: seen, unchanged, nothing parsed."""

    url: str  # canonical URL, as archived
    fetched_at: str  # ISO 8601 with offset
