"""What the archive's pages show beyond Datasette's own: read from the database here.

Each function takes a Datasette ``Database`` and returns plain data for a template in
``archiver/datasette/templates``. Columns and tables of later schema versions (the
history tables of migration 3) are used when the archive has them, so one page works on
every archive version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archiver.datasette.thread import (
    FOLD_REPLIES_ABOVE,
    ThreadComment,
    build_thread,
    safe_html,
    text_diff,
)

_COMMENT_COLUMNS = (
    "id, article_id, parent_id, depth, position, author, author_url, posted_raw, "
    "posted_at, votes, body_text, body_html"
)


async def _columns(db: Any, table: str) -> set[str]:
    rows = await db.execute(f"SELECT name FROM pragma_table_info('{table}')")
    return {row[0] for row in rows}


async def _tables(db: Any) -> set[str]:
    rows = await db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
    return {row[0] for row in rows}


async def _comment_select(db: Any, tables: set[str]) -> str:
    """The comment columns this archive has, with history marks when it keeps history
    (``tables``: the archive's tables, from :func:`_tables`)."""
    columns = _COMMENT_COLUMNS
    present = await _columns(db, "comments")
    columns += ", deleted_at" if "deleted_at" in present else ", NULL AS deleted_at"
    columns += ", votes_down" if "votes_down" in present else ", NULL AS votes_down"
    if "comment_revisions" in tables:
        columns += (
            ", (SELECT count(*) FROM comment_revisions r WHERE r.comment_id = comments.id)"
            " AS revisions"
        )
    else:
        columns += ", 0 AS revisions"
    return columns


@dataclass
class ArticlePage:
    article: dict[str, Any]
    body: str  # safe HTML
    thread: list[ThreadComment]
    comments: int
    fold_replies: bool
    links: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


async def article_page(db: Any, article_id: int) -> ArticlePage | None:
    tables = await _tables(db)
    history = {"gone_at", "http_status"} <= await _columns(db, "articles")
    gone = "gone_at, http_status" if history else "NULL AS gone_at, NULL AS http_status"
    revisions = (
        "(SELECT count(*) FROM article_revisions r WHERE r.article_id = articles.id)"
        if "article_revisions" in tables
        else "0"
    )
    rows = await db.execute(
        "SELECT id, title, url, status, published_at, body_html,"
        f" {gone}, {revisions} AS revisions FROM articles WHERE id = ?",
        [article_id],
    )
    if not rows:
        return None
    article = dict(rows.first())
    select = await _comment_select(db, tables)
    comments = await db.execute(
        f"SELECT {select} FROM comments WHERE article_id = ? ORDER BY position, id",
        [article_id],
    )
    links: dict[str, list[dict[str, Any]]] = {"prev": [], "next": [], "related": [], "inline": []}
    for row in await db.execute(
        "SELECT l.kind, l.position, l.to_article_id AS id, a.title, a.url, a.status,"
        " l.anchor_text FROM article_links l JOIN articles a ON a.id = l.to_article_id"
        " WHERE l.from_article_id = ? ORDER BY l.kind, l.position",
        [article_id],
    ):
        links.setdefault(row["kind"], []).append(dict(row))
    thread = build_thread(comments.rows)
    return ArticlePage(
        article=article,
        body=safe_html(article.pop("body_html")),
        thread=thread,
        comments=len(comments.rows),
        fold_replies=len(comments.rows) > FOLD_REPLIES_ABOVE,
        links=links,
    )


@dataclass
class CommentPage:
    comment: ThreadComment
    article: dict[str, Any]
    parent: ThreadComment | None
    replies: list[ThreadComment]
    revisions: list[dict[str, Any]]
    has_vote_history: bool


async def comment_page(db: Any, comment_id: int) -> CommentPage | None:
    tables = await _tables(db)
    select = await _comment_select(db, tables)
    rows = await db.execute(f"SELECT {select} FROM comments WHERE id = ?", [comment_id])
    if not rows:
        return None
    comment = ThreadComment(dict(rows.first()))
    article = dict(
        (
            await db.execute(
                "SELECT id, title, url FROM articles WHERE id = ?", [comment.row["article_id"]]
            )
        ).first()
    )
    parent = None
    if comment.row["parent_id"] is not None:
        found = await db.execute(
            f"SELECT {select} FROM comments WHERE id = ?", [comment.row["parent_id"]]
        )
        parent = ThreadComment(dict(found.first())) if found else None
    replies = await db.execute(
        f"SELECT {select} FROM comments WHERE parent_id = ? ORDER BY position, id", [comment_id]
    )
    revisions: list[dict[str, Any]] = []
    if "comment_revisions" in tables:
        previous = None
        for row in await db.execute(
            "SELECT * FROM comment_revisions WHERE comment_id = ? ORDER BY revision", [comment_id]
        ):
            revision = dict(row)
            revision["changed"] = _changed_fields(previous, revision)
            revision["body"] = ThreadComment(revision).body
            revision["diff"] = (
                text_diff(previous["body_text"], revision["body_text"])
                if previous is not None and previous["body_text"] != revision["body_text"]
                else None
            )
            revisions.append(revision)
            previous = revision
    return CommentPage(
        comment=comment,
        article=article,
        parent=parent,
        replies=[ThreadComment(dict(row)) for row in replies],
        revisions=revisions,
        has_vote_history="vote_counts" in tables,
    )


_REVISED_FIELDS = ("author", "author_url", "posted_raw", "body_text")


def _changed_fields(previous: dict[str, Any] | None, revision: dict[str, Any]) -> list[str]:
    """What a revision changed compared with the one before it (git-history style)."""
    if previous is None:
        return ["first seen"]
    return [name for name in _REVISED_FIELDS if previous.get(name) != revision.get(name)]


@dataclass
class ArchiveSummary:
    """What a first-time visitor needs to know about one archive database."""

    database: str
    sites: list[str]
    articles: int
    stubs: int
    comments: int
    first_published: str | None
    last_published: str | None
    first_comment: str | None
    last_comment: str | None
    last_crawl: dict[str, Any] | None
    most_commented: list[dict[str, Any]]


async def archive_summary(db: Any) -> ArchiveSummary:
    counts = (
        await db.execute(
            "SELECT"
            " (SELECT count(*) FROM articles WHERE status = 'archived') AS articles,"
            " (SELECT count(*) FROM articles WHERE status = 'stub') AS stubs,"
            " (SELECT count(*) FROM comments) AS comments,"
            " (SELECT min(published_date) FROM articles) AS first_published,"
            " (SELECT max(published_date) FROM articles) AS last_published,"
            " (SELECT min(posted_date) FROM comments) AS first_comment,"
            " (SELECT max(posted_date) FROM comments) AS last_comment"
        )
    ).first()
    sites = [
        row[0]
        for row in await db.execute(
            "SELECT DISTINCT site FROM articles WHERE site IS NOT NULL ORDER BY site"
        )
    ]
    crawl = await db.execute(
        "SELECT id, started_at, finished_at, status, pages, articles_new, articles_updated,"
        " comments_new, comments_updated, errors FROM crawl_runs ORDER BY id DESC LIMIT 1"
    )
    most_commented = await db.execute(
        # Counted on the (article_id, position) index alone: cheap on a large archive.
        "SELECT a.id, a.title, top.comments FROM ("
        "SELECT article_id, count(*) AS comments FROM comments GROUP BY article_id"
        " ORDER BY comments DESC, article_id LIMIT 5) top"
        " JOIN articles a ON a.id = top.article_id ORDER BY top.comments DESC, a.id"
    )
    return ArchiveSummary(
        database=db.name,
        sites=sites,
        articles=counts["articles"],
        stubs=counts["stubs"],
        comments=counts["comments"],
        first_published=counts["first_published"],
        last_published=counts["last_published"],
        first_comment=counts["first_comment"],
        last_comment=counts["last_comment"],
        last_crawl=dict(crawl.first()) if crawl else None,
        most_commented=[dict(row) for row in most_commented],
    )
