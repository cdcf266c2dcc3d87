"""The parsing engine: WordPress-aware, pure functions from a response to items.

Site specifics live in :mod:`archiver.sites` profiles; this package tries a profile's
selectors first and WordPress' generic markup second. Pages are parsed once, by lexbor
(:mod:`archiver.parsing.document`), a spec HTML5 parser that builds the tree a browser
builds; Scrapy's own lxml ``response.selector`` is not used.
"""

from __future__ import annotations

from archiver.parsing.article import parse_article_page
from archiver.parsing.listing import Listing, parse_listing_page
from archiver.parsing.merge import merge_comment_pages
from archiver.parsing.text import block_text
from archiver.parsing.urls import article_url_of, canonicalize_url, comment_page_of

__all__ = [
    "Listing",
    "article_url_of",
    "block_text",
    "canonicalize_url",
    "comment_page_of",
    "merge_comment_pages",
    "parse_article_page",
    "parse_listing_page",
]
