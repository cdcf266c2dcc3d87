"""Every comment ever posted on the changing sample site, and which of them are shown.

WordPress keeps a moderated comment in its table and stops showing it; a reply whose
parent is no longer shown disappears with it (the threaded comment query walks down
from shown parents), and comes back when the parent is approved again. This module
keeps that bookkeeping for :mod:`archiver.sample_site.timeline`: the pool of comments
per post, the removed ids, and the displayed thread rebuilt from them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from archiver.sample_site.model import (
    COMMENTS_PER_PAGE,
    SampleComment,
    SampleSite,
    children_by_parent,
)

PageMap = dict[int, dict[int, int]]  # post id -> {top-level comment id -> comment page}


class Threads:
    """The comment pool of a site; ``rebuild`` writes what is shown into its articles."""

    def __init__(self, site: SampleSite) -> None:
        self.site = site
        # by post, in id order (= posting order: WordPress ids are global and increasing)
        self.pool: dict[int, dict[int, SampleComment]] = {
            a.post_id: {c.comment_id: c for c in sorted(a.comments, key=_comment_id)}
            for a in site.articles
        }
        self.removed: set[int] = set()

    def add(self, post_id: int, comment: SampleComment) -> None:
        self.pool[post_id][comment.comment_id] = comment

    def shown(self, post_id: int, comment: SampleComment) -> bool:
        """Neither the comment nor any of its ancestors is removed."""
        pool = self.pool[post_id]
        current: SampleComment | None = comment
        while current is not None:
            if current.comment_id in self.removed:
                return False
            current = pool.get(current.parent_id) if current.parent_id else None
        return True

    def subtree(self, post_id: int, comment_id: int) -> list[SampleComment]:
        """The comment and the descendants shown with it, depth-first."""
        children = self._children(post_id)
        return [self.pool[post_id][comment_id], *_walk(children, comment_id, self.removed)]

    def rebuild(self, post_ids: Iterable[int]) -> None:
        """Set each published article's ``comments`` to its shown thread."""
        for post_id in post_ids:
            article = self.site.article_by_id(post_id)
            if article is not None:
                article.comments = list(_walk(self._children(post_id), None, self.removed))

    def _children(self, post_id: int) -> dict[int | None, list[SampleComment]]:
        # siblings oldest first, as WordPress: the pool is in id order
        return children_by_parent(self.pool[post_id].values())


def _walk(
    children: dict[int | None, list[SampleComment]], parent_id: int | None, removed: set[int]
) -> Iterator[SampleComment]:
    """The shown descendants of ``parent_id`` depth-first (a removed one hides its own)."""
    stack = list(reversed(children.get(parent_id, [])))
    while stack:
        comment = stack.pop()
        if comment.comment_id in removed:
            continue
        yield comment
        stack.extend(reversed(children.get(comment.comment_id, [])))


def page_map(site: SampleSite) -> PageMap:
    """Top-level comment id -> comment page, for every article near or past one page."""
    out = {}
    for article in site.articles:
        tops = [c.comment_id for c in article.comments if c.depth == 1]
        if len(tops) > COMMENTS_PER_PAGE * 0.8:
            out[article.post_id] = {cid: i // COMMENTS_PER_PAGE for i, cid in enumerate(tops)}
    return out


def pages_moved(before: PageMap, after: PageMap) -> bool:
    """A thread moved to another comment page, or an article's page count changed."""
    for post_id, pages in after.items():
        old = before.get(post_id, {})
        if max(pages.values(), default=0) != max(old.values(), default=0):
            return True
        if any(old.get(cid, page) != page for cid, page in pages.items()):
            return True
    return False


def _comment_id(comment: SampleComment) -> int:
    return comment.comment_id
