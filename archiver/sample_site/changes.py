"""What a crawler can observe between two days of the sample site: the ground truth
tests and benchmarks compare an archive's history with.

:func:`changes` compares two :class:`SampleSite` states (usually ``load_site(day=a)`` and
``load_site(day=b)``) by post and comment id, the way an archive sees them: a comment
that is no longer shown is removed (whether moderated or hidden with its parent), one
shown again is restored. The causes, day by day, are in
:func:`archiver.sample_site.timeline.events`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from archiver.sample_site.model import BodyBlock, SampleArticle, SampleComment, SampleSite


@dataclass
class ArticleChanges:
    """The changes of one article (by post id) between two days."""

    post_id: int
    new_comments: list[int] = field(default_factory=list)  # posted after the earlier day
    removed_comments: list[int] = field(default_factory=list)  # shown before, not now
    restored_comments: list[int] = field(default_factory=list)  # shown again, posted earlier
    edited_comments: list[int] = field(default_factory=list)  # author, URL or text changed
    renamed_comments: list[int] = field(default_factory=list)  # of those, the author changed
    vote_changes: dict[int, tuple[int, int]] = field(default_factory=dict)  # id -> (old, new)
    edited: bool = False  # title or body changed (the modified date moved)
    moved: tuple[str, str] | None = None  # (old path, new path)

    def __bool__(self) -> bool:
        return bool(
            self.new_comments
            or self.removed_comments
            or self.restored_comments
            or self.edited_comments
            or self.vote_changes
            or self.edited
            or self.moved
        )


@dataclass
class SiteChanges:
    """Every observable change between two days of a site."""

    new_articles: list[int]  # post ids published in between
    gone: dict[str, int]  # path -> 404/410, where the status is new or changed
    moved: dict[str, str]  # old path -> new path, moves that happened in between
    articles: dict[int, ArticleChanges]  # post id -> its changes (only changed articles)

    def comments(self, kind: str) -> set[int]:
        """All comment ids of one kind (``new_comments``, ``removed_comments``, ...)."""
        return {cid for a in self.articles.values() for cid in getattr(a, kind)}


def changes(before: SampleSite, after: SampleSite) -> SiteChanges:
    """What changed from ``before`` to ``after`` (two days of the same site)."""
    old_articles = {a.post_id: a for a in before.articles}
    new_ids = [a.post_id for a in after.articles if a.post_id not in old_articles]
    moved = {old: new for old, new in after.moved.items() if before.moved.get(old) != new}
    moved_by_new = {new: old for old, new in moved.items()}
    result: dict[int, ArticleChanges] = {}
    for article in after.articles:
        earlier = old_articles.get(article.post_id)
        if earlier is None:
            if article.comments:
                result[article.post_id] = ArticleChanges(
                    article.post_id, new_comments=[c.comment_id for c in article.comments]
                )
            continue
        found = _article_changes(earlier, article, before.now)
        if article.path != earlier.path:
            found.moved = (moved_by_new.get(article.path, earlier.path), article.path)
        if found:
            result[article.post_id] = found
    gone = {path: status for path, status in after.gone.items() if before.gone.get(path) != status}
    return SiteChanges(new_articles=new_ids, gone=gone, moved=moved, articles=result)


def _article_changes(
    before: SampleArticle, after: SampleArticle, since: datetime | None
) -> ArticleChanges:
    old = {c.comment_id: c for c in before.comments}
    new = {c.comment_id: c for c in after.comments}
    found = ArticleChanges(after.post_id)
    for cid, comment in new.items():
        earlier = old.get(cid)
        if earlier is None:
            is_new = since is None or comment.posted >= since
            (found.new_comments if is_new else found.restored_comments).append(cid)
            continue
        if _content(earlier) != _content(comment):
            found.edited_comments.append(cid)
            if earlier.author != comment.author:
                found.renamed_comments.append(cid)
        if earlier.votes != comment.votes:
            found.vote_changes[cid] = (earlier.votes, comment.votes)
    found.removed_comments = [cid for cid in old if cid not in new]
    found.edited = before.title != after.title or _written(before.body) != _written(after.body)
    return found


def _written(body: list[BodyBlock]) -> list[tuple]:
    """A body as its author wrote it: an inline 関連記事 link's text is left out, because
    the timeline only writes the target's shown title into it (when the target is
    retitled, moved or unpublished), which does not change what the page shows."""
    return [(b.kind, "" if b.kind == "related" else b.text, b.url, b.image) for b in body]


def _content(comment: SampleComment) -> tuple[str, str | None, str, str | None]:
    return comment.author, comment.author_url, comment.text, comment.html
