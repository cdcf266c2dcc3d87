"""Merge the comment pages of one article into one thread.

WordPress shows the newest comment page at the article URL itself, so a crawl sees that
page twice (article URL and ``/comment-page-N/``); comments are deduplicated by their
WordPress id, ordered by page and position, and renumbered over the whole thread.
"""

from __future__ import annotations

from dataclasses import astuple, replace

from archiver.items import Article, Comment
from archiver.parsing.urls import article_url_of


def merge_comment_pages(pages: list[Article]) -> Article:
    """One Article with the whole thread of ``pages`` (any order, duplicates allowed).

    Article fields come from the page showing the article URL itself: all pages carry
    the article URL (the parser takes it from rel=canonical), so the page showing the
    highest comment page, which is what the article URL serves, is used; ties keep the
    first. Anomalies of all pages are kept, once each.
    """
    if not pages:
        raise ValueError("merge_comment_pages needs at least one page")
    at_article_url = [p for p in pages if p.url == article_url_of(p.url)] or pages
    base = max(at_article_url, key=lambda p: p.comment_page)  # max keeps the first on ties

    ordered = sorted(
        (
            (page_index, comment)
            for page_index, page in enumerate(pages)
            for comment in page.comments
        ),
        key=lambda pair: (pair[1].page, pair[1].position, pair[0]),
    )
    seen: set[object] = set()
    comments: list[Comment] = []
    for _, comment in ordered:
        key: object = (
            comment.comment_id
            if comment.comment_id is not None
            else ("no-id", comment.page, comment.author, comment.posted_raw, comment.body_text)
        )
        if key in seen:
            continue
        seen.add(key)
        comments.append(replace(comment, position=len(comments) + 1))

    anomalies = []
    seen_anomalies: set[tuple] = set()
    for page in pages:
        for anomaly in page.anomalies:
            if astuple(anomaly) not in seen_anomalies:
                seen_anomalies.add(astuple(anomaly))
                anomalies.append(anomaly)
    return replace(base, comments=comments, comment_page_urls=[], anomalies=anomalies)
