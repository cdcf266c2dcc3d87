"""Stable ids for rows the site gives no id, and the hash that tells an article changed."""

from __future__ import annotations

import hashlib

from archiver.items import Article, Comment

# Synthetic ids stay within +-2**52 so JavaScript (Datasette's UI) shows them exactly.
_SYNTHETIC_ID_BITS = 52


def _synthetic_id(*parts: str | None) -> int:
    digest = hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8")).digest()
    return -(int.from_bytes(digest[:8], "big") >> (64 - _SYNTHETIC_ID_BITS)) - 1


def synthetic_article_id(url: str) -> int:
    """The negative id of an article known only by its canonical URL (stable everywhere)."""
    return _synthetic_id("article", url)


def synthetic_comment_id(article_url: str, comment: Comment, occurrence: int = 0) -> int:
    """The negative id of a comment without a WordPress id.

    Derived from article URL + author + posted_raw + body_text, so a re-crawl finds the
    same row. ``occurrence`` separates identical comments on one page (1st, 2nd, ...).
    """
    parts = [article_url, comment.author, comment.posted_raw, comment.body_text]
    if occurrence:
        parts.append(str(occurrence))
    return _synthetic_id("comment", *parts)


def comment_ids(article: Article) -> list[int]:
    """The archive id of each comment of ``article``, in thread order."""
    ids: list[int] = []
    occurrences: dict[int, int] = {}
    for comment in article.comments:
        if comment.comment_id is not None:
            ids.append(comment.comment_id)
            continue
        base = synthetic_comment_id(article.url, comment)
        count = occurrences.get(base, 0)
        occurrences[base] = count + 1
        ids.append(base if count == 0 else synthetic_comment_id(article.url, comment, count))
    return ids


def content_hash(article: Article) -> str:
    """sha256 of what makes an article's content: title and body text."""
    text = f"{article.title or ''}\x1f{article.body_text or ''}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
