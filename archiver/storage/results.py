"""What saving one article page changed: the counts a crawl run adds up and reports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SaveResult:
    """What one ``save_article`` call changed."""

    article_new: bool = False  # first time archived (a new row, or a stub filled in)
    article_updated: bool = False  # archived before, title or body text changed
    comments_new: int = 0
    comments_updated: int = 0  # content changed (text, author, votes, date), not just position
    article_edited: bool = False  # archived before, a new revision (title or body changed)
    comments_edited: int = 0  # a new revision: author or text changed
    comments_deleted: int = 0  # no longer shown in a thread that arrived whole
    comments_restored: int = 0  # shown again after being marked deleted
    votes_changed: int = 0
