"""Cheap change signals: the site-wide comment feed, read purely from its response.

WordPress's ``/comments/feed/`` lists the newest comments, each ``<item>`` with a
``<link>`` to the comment (``<post permalink>[comment-page-N/]#comment-<id>``). A
comment id the archive does not have means its article changed since the last visit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scrapy.http import TextResponse

from archiver.parsing import article_url_of, canonicalize_url

_COMMENT_FRAGMENT = re.compile(r"#comment-(\d+)$")


@dataclass(frozen=True)
class FeedComment:
    article_url: str  # canonical permalink of the commented article
    comment_id: int


def parse_comment_feed(response: TextResponse) -> list[FeedComment]:
    """The (article, comment id) pairs a comment feed names; unreadable items are skipped."""
    entries: list[FeedComment] = []
    try:
        links = response.xpath("//item/link/text()").getall()
        links += response.xpath("//item/guid/text()").getall()
    except ValueError:  # not XML at all
        return entries
    seen: set[int] = set()
    for link in links:
        match = _COMMENT_FRAGMENT.search(link.strip())
        if match is None:
            continue
        comment_id = int(match[1])
        if comment_id in seen:
            continue
        try:  # the comment's link, less its fragment and comment page: the article
            article_url = article_url_of(link.strip())
        except ValueError:
            continue
        if "?p=" in article_url:
            continue
        seen.add(comment_id)
        entries.append(FeedComment(article_url, comment_id))
    return entries


_COUNT = re.compile(r"(\d[\d,]*)")


def listing_comment_counts(
    response: TextResponse, link_selectors: tuple[str, ...]
) -> dict[str, int]:
    """Comment counts a listing shows beside its article links (``コメント ( 12 )``).

    ``link_selectors`` are the site profile's listing links; the count is the number in
    an element inside the link (or its listing item) whose class names comments.
    """
    counts: dict[str, int] = {}
    for selector in link_selectors:
        for link in response.css(selector):
            href = link.attrib.get("href")
            shown = link.css("[class*=comment] ::text").getall()
            if not href or not shown:
                continue
            match = _COUNT.search(" ".join(shown))
            if match is None:
                continue
            try:
                url = canonicalize_url(response.urljoin(href))
            except ValueError:
                continue
            counts.setdefault(url, int(match[1].replace(",", "")))
    return counts
