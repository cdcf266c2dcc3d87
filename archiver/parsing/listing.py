"""Listing pages (home, /page/N/, /category/<slug>/…): article links and the next page."""

from __future__ import annotations

from dataclasses import dataclass, field

from scrapy.http import TextResponse

from archiver.parsing.document import base_url, parse_document
from archiver.parsing.select import Finder, attr
from archiver.parsing.urls import canonicalize_url
from archiver.sites import DEFAULT_PROFILE, SiteProfile

GENERIC_LISTING_LINKS = (
    "#post_list a.p-archive__link",
    "a.p-archive__link",
    "article .entry-title a",
    "article a[rel=bookmark]",
    ".post .entry-title a",
    "main article a[href]",
)
GENERIC_LISTING_NEXT = (
    "nav.pagination a.next",
    ".nav-links a.next",
    "a.next.page-numbers",
    ".nav-previous a",  # core "Older posts": the next page of a newest-first listing
    'head > link[rel="next" s][href]',
)


@dataclass
class Listing:
    """What a listing page offers the crawler."""

    article_urls: list[str] = field(default_factory=list)  # canonical, in page order, unique
    next_page_url: str | None = None


def parse_listing_page(response: TextResponse, profile: SiteProfile | None = None) -> Listing:
    """Article URLs on a listing page (only URLs shaped like permalinks) and the next page."""
    profile = profile or DEFAULT_PROFILE
    tree = parse_document(response)
    root = tree.root
    find = Finder(root, base_url(response))
    urls: list[str] = []
    for link in find.all(root, profile.listing_links + GENERIC_LISTING_LINKS):
        href = find.absolute(attr(link, "href"))
        if not href:
            continue
        url = canonicalize_url(href)
        if profile.is_article_url(url) and url not in urls:
            urls.append(url)
    next_link = find.first(root, profile.listing_next + GENERIC_LISTING_NEXT)
    next_href = find.absolute(attr(next_link, "href")) if next_link is not None else ""
    next_url = canonicalize_url(next_href) if next_href else None
    return Listing(article_urls=urls, next_page_url=next_url)
