"""Saving an article page: the article, its parts, its links and (through
:mod:`archiver.storage.comments`) its thread, each save one transaction.

``save_article`` writes one :class:`~archiver.items.Article` with everything in it —
comments, tags, sources, credits, pingbacks, links (with stub rows for link targets),
anomalies and the full-text index — upserting by natural keys, so that saving the same
page twice changes nothing but ``last_crawled_at`` / ``last_seen_at``. History is
added, never overwritten: a new ``article_revisions`` row when the title or body
changed, every URL the post was seen under in ``article_urls``, and ``gone_at`` /
``http_status`` when the site took the article down (:func:`mark_gone`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from sqlite_utils import Database

from archiver.items import Anomaly, Article, ArticleGone
from archiver.schema import transaction
from archiver.storage.comments import save_comments
from archiver.storage.database import now_tokyo
from archiver.storage.ids import content_hash, synthetic_article_id
from archiver.storage.results import SaveResult
from archiver.storage.runs import insert_anomalies
from archiver.storage.search_index import (
    ARTICLES_FTS_DELETE,
    ARTICLES_FTS_INSERT,
    SearchIndexWrites,
)


def _named_row_id(conn: sqlite3.Connection, table: str, name: str | None, slug: str | None) -> int:
    """Id of a category/tag by slug (its natural key), or by name when there is no slug."""
    if slug:
        row = conn.execute(
            f"INSERT INTO {table} (name, slug) VALUES (?, ?) ON CONFLICT(slug) DO UPDATE"
            f" SET name = coalesce(excluded.name, {table}.name) RETURNING id",
            (name, slug),
        ).fetchone()
        return int(row[0])
    row = conn.execute(
        f"SELECT id FROM {table} WHERE name = ? ORDER BY slug IS NULL LIMIT 1", (name,)
    ).fetchone()
    if row:
        return int(row[0])
    return int(conn.execute(f"INSERT INTO {table} (name) VALUES (?)", (name,)).lastrowid)


_ARTICLE_COLUMNS = (
    "id, title, url, site, status, category_id, published_raw, published_attr, published_at,"
    " published_date, published_precision, modified_raw, modified_attr, modified_at,"
    " modified_date, modified_precision, author, body_text, body_html, eyecatch_credit,"
    " comment_count_shown, content_hash, first_seen_at, last_crawled_at, capture_id,"
    " gone_at, http_status"
)
_ARTICLE_UPSERT = (
    f"INSERT INTO articles ({_ARTICLE_COLUMNS}) VALUES ({', '.join(['?'] * 27)})"
    " ON CONFLICT(id) DO UPDATE SET "
    + ", ".join(
        f"{c.strip()} = excluded.{c.strip()}"
        for c in _ARTICLE_COLUMNS.split(",")
        if c.strip() not in ("id", "first_seen_at")
    )
    # The earliest time wins, whichever save came first (saves of one run may come in
    # any order; a reparse must come out the same).
    + ", first_seen_at = min(coalesce(articles.first_seen_at, excluded.first_seen_at),"
    " excluded.first_seen_at)"
)


#: Called in an article's save transaction, after its rows: what must be committed
#: together with it (the crawl frontier's record of the visit, so that a crash never
#: leaves a saved article without its visit, or a visit without its article).
AfterSave = Callable[[sqlite3.Connection, Article, SaveResult], None]


def save_article(
    db: Database, article: Article, run_id: int | None = None, after: AfterSave | None = None
) -> SaveResult:
    """Write ``article`` and everything in it as one transaction; report what changed."""
    conn = db.conn
    seen_at = article.fetched_at or now_tokyo()
    index = SearchIndexWrites()
    with transaction(conn):
        result = _save_article(conn, article, run_id, seen_at, index)
        if after is not None:
            after(conn, article, result)
        index.write(conn)
    return result


def save_articles(
    db: Database, articles: list[Article], run_id: int | None = None, after: AfterSave | None = None
) -> list[SaveResult | Exception]:
    """Write several articles in one transaction, each still all-or-nothing; one result each.

    Group commit: a COMMIT costs as much as writing a whole article (the WAL frames of
    every page it touched, and a new FTS5 segment that must later be merged), so a
    writer that has fallen behind catches up by committing its backlog at once.

    If anything fails (one bad article, or the COMMIT itself: a deferred foreign key, a
    full disk), the whole batch is rolled back and every article is saved again in a
    transaction of its own, so only the guilty one fails and its error is returned in
    its place. (Not a SAVEPOINT per article: FTS5 flushes its pending index at every
    savepoint, which would cost as much as the commits saved.)
    """
    if len(articles) <= 1:
        return [_saved_or_error(db, article, run_id, after) for article in articles]
    conn = db.conn
    try:
        index = SearchIndexWrites()
        with transaction(conn):
            results: list[SaveResult | Exception] = []
            for article in articles:
                seen_at = article.fetched_at or now_tokyo()
                result = _save_article(conn, article, run_id, seen_at, index)
                if after is not None:
                    after(conn, article, result)
                results.append(result)
            index.write(conn)
            return results
    except Exception:  # noqa: BLE001 - each article is retried alone, which reports it
        return [_saved_or_error(db, article, run_id, after) for article in articles]


def _saved_or_error(
    db: Database, article: Article, run_id: int | None, after: AfterSave | None
) -> SaveResult | Exception:
    try:
        return save_article(db, article, run_id, after)
    except Exception as error:  # noqa: BLE001 - handed back to the caller
        return error


def _save_article(
    conn: sqlite3.Connection,
    article: Article,
    run_id: int | None,
    seen_at: str,
    index: SearchIndexWrites,
) -> SaveResult:
    result = SaveResult()
    anomalies = list(article.anomalies)
    category_id = None
    if article.category or article.category_slug:
        category_id = _named_row_id(conn, "categories", article.category, article.category_slug)

    article_id = _place_article(conn, article, anomalies, index)
    old = conn.execute(
        "SELECT status, content_hash, title, body_text, body_html, gone_at FROM articles"
        " WHERE id = ?",
        (article_id,),
    ).fetchone()
    digest = content_hash(article)
    was_archived = old is not None and old[0] == "archived"
    result.article_new = not was_archived
    result.article_updated = was_archived and old[1] != digest
    revised = not was_archived or (old[2], old[3], old[4]) != (
        article.title,
        article.body_text,
        article.body_html,
    )
    result.article_edited = was_archived and revised
    if was_archived and old[5] is not None:
        anomalies.append(
            Anomaly(
                field="article.gone_at",
                raw_value=old[5],
                problem="article is shown again after it was gone",
                url=article.url,
            )
        )
    if result.article_updated:
        index.article(ARTICLES_FTS_DELETE, article_id, old[2], old[3])
    conn.execute(
        _ARTICLE_UPSERT,
        (
            article_id,
            article.title,
            article.url,
            article.site,
            "archived",
            category_id,
            article.published_raw,
            article.published_attr,
            article.published_at,
            article.published_date,
            article.published_precision,
            article.modified_raw,
            article.modified_attr,
            article.modified_at,
            article.modified_date,
            article.modified_precision,
            article.author,
            article.body_text,
            article.body_html,
            article.eyecatch_credit,
            article.comment_count_shown,
            digest,
            seen_at,
            seen_at,
            article.capture_id,
            None,  # gone_at: the page answered
            200,
        ),
    )
    if result.article_new or result.article_updated:
        index.article(ARTICLES_FTS_INSERT, article_id, article.title, article.body_text)
    if revised:
        _add_article_revision(conn, article, article_id, digest, seen_at, run_id)
    conn.execute(
        "INSERT INTO article_urls (article_id, url, first_seen_at, last_seen_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (article_id, url)"
        " DO UPDATE SET last_seen_at = excluded.last_seen_at",
        (article_id, article.url, seen_at, seen_at),
    )

    _save_article_parts(conn, article, article_id)
    _save_links(conn, article, article_id, seen_at)
    save_comments(conn, article, article_id, seen_at, run_id, result, anomalies, index)
    insert_anomalies(conn, anomalies, article_id, run_id, seen_at)
    return result


def _add_article_revision(
    conn: sqlite3.Connection,
    article: Article,
    article_id: int,
    digest: str,
    seen_at: str,
    run_id: int | None,
) -> None:
    conn.execute(
        "INSERT INTO article_revisions (article_id, revision, seen_at, run_id, title,"
        " body_text, body_html, content_hash, capture_id)"
        " SELECT ?, coalesce(max(revision), 0) + 1, ?, ?, ?, ?, ?, ?, ?"
        " FROM article_revisions WHERE article_id = ?",
        (
            article_id,
            seen_at,
            run_id,
            article.title,
            article.body_text,
            article.body_html,
            digest,
            article.capture_id,
            article_id,
        ),
    )


def mark_gone(db: Database, gone: ArticleGone, run_id: int | None = None) -> bool:
    """Record that an archived article answered 404 or 410; False if none is archived there.

    The row, its thread and its history stay; ``gone_at`` keeps the first time it was
    seen gone, ``http_status`` the latest answer (a 404 that later becomes 410).
    """
    seen_at = gone.fetched_at or now_tokyo()
    conn = db.conn
    with transaction(conn):
        row = conn.execute(
            "SELECT id, gone_at FROM articles WHERE status = 'archived' AND (url = ?"
            " OR id IN (SELECT article_id FROM article_urls WHERE url = ?))"
            " ORDER BY url = ? DESC LIMIT 1",
            (gone.url, gone.url, gone.url),
        ).fetchone()
        if row is None:
            return False
        conn.execute(
            "UPDATE articles SET gone_at = coalesce(gone_at, ?), http_status = ?,"
            " last_crawled_at = ? WHERE id = ?",
            (seen_at, gone.status, seen_at, row[0]),
        )
    return row[1] is None


def _place_article(
    conn: sqlite3.Connection,
    article: Article,
    anomalies: list[Anomaly],
    index: SearchIndexWrites,
) -> int:
    """The id the article's row has (or gets), re-keying a stub to the post id.

    A stub (or an article crawled without a post id) has a negative id; once the post id
    P is known, the row is re-keyed to P and ON UPDATE CASCADE carries links, comments,
    tags and sources along.
    """
    post_id = article.post_id
    by_url = conn.execute(
        "SELECT id, status, title, body_text FROM articles WHERE url = ?", (article.url,)
    ).fetchone()
    if post_id is None:
        return int(by_url[0]) if by_url else synthetic_article_id(article.url)
    by_id = conn.execute("SELECT url FROM articles WHERE id = ?", (post_id,)).fetchone()
    if by_id is not None and by_id[0] != article.url:
        # The same post under a new canonical URL: keep the post's row, fold any row
        # known by the new URL into it, record the move (the old URL is kept there).
        anomalies.append(
            Anomaly(
                field="article.url",
                raw_value=by_id[0],
                problem=f"post {post_id} was archived under another URL; URL updated",
                url=article.url,
            )
        )
        if by_url is not None:
            _merge_into(conn, by_url, post_id, index)
        # The caller's upsert writes the new URL (no other row holds it any more).
        return post_id
    if by_url is not None and by_url[0] != post_id:
        old_id, status, title, body = by_url
        if status == "archived":
            index.article(ARTICLES_FTS_DELETE, old_id, title, body)
        conn.execute("UPDATE articles SET id = ? WHERE id = ?", (post_id, old_id))
        if status == "archived":
            index.article(ARTICLES_FTS_INSERT, post_id, title, body)
    return post_id


def _merge_into(
    conn: sqlite3.Connection, old_row: tuple[Any, ...], new_id: int, index: SearchIndexWrites
) -> None:
    """Move what points at ``old_row`` (id, status, title, body_text) to ``new_id``; drop it."""
    old_id, status, title, body = old_row
    if status == "archived":
        index.article(ARTICLES_FTS_DELETE, old_id, title, body)
    conn.execute(
        "UPDATE article_links SET to_article_id = ? WHERE to_article_id = ?", (new_id, old_id)
    )
    conn.execute("UPDATE comments SET article_id = ? WHERE article_id = ?", (new_id, old_id))
    conn.execute("UPDATE anomalies SET article_id = ? WHERE article_id = ?", (new_id, old_id))
    # Its history joins the post's: revisions numbered after the post's own, URLs kept.
    offset = conn.execute(
        "SELECT coalesce(max(revision), 0) FROM article_revisions WHERE article_id = ?",
        (new_id,),
    ).fetchone()[0]
    conn.execute(
        "UPDATE article_revisions SET article_id = ?, revision = revision + ? WHERE article_id = ?",
        (new_id, offset, old_id),
    )
    conn.execute(
        "UPDATE OR IGNORE article_urls SET article_id = ? WHERE article_id = ?", (new_id, old_id)
    )
    conn.execute("DELETE FROM article_urls WHERE article_id = ?", (old_id,))
    conn.execute("DELETE FROM articles WHERE id = ?", (old_id,))


def _save_article_parts(conn: sqlite3.Connection, article: Article, article_id: int) -> None:
    """Tags, sources, credits and pingbacks: replaced by what the page shows now.

    (What they were before stays readable in the article's revisions' ``body_html``.)
    """
    for table in ("article_tags", "sources", "credits", "pingbacks"):
        conn.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))
    tag_ids = {_named_row_id(conn, "tags", tag.name, tag.slug) for tag in article.tags}
    conn.executemany(
        "INSERT INTO article_tags (article_id, tag_id) VALUES (?, ?)",
        [(article_id, tag_id) for tag_id in sorted(tag_ids)],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO sources (article_id, position, label, url) VALUES (?, ?, ?, ?)",
        [(article_id, s.position, s.label, s.url) for s in article.sources],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO credits (article_id, kind, position, text, url)"
        " VALUES (?, ?, ?, ?, ?)",
        [(article_id, c.kind, c.position, c.text, c.url) for c in article.credits],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO pingbacks (article_id, position, source_url, title, posted_raw)"
        " VALUES (?, ?, ?, ?, ?)",
        [(article_id, p.position, p.source_url, p.title, p.posted_raw) for p in article.pingbacks],
    )


def _save_links(conn: sqlite3.Connection, article: Article, article_id: int, seen_at: str) -> None:
    """Links to other articles, creating stub rows (titled by the link) for unknown targets."""
    links: list[tuple[str, int, str, str | None, str | None, str | None]] = []
    if article.previous:
        links.append(("prev", 1, article.previous.url, article.previous.anchor_text, None, None))
    if article.next:
        links.append(("next", 1, article.next.url, article.next.anchor_text, None, None))
    for position, ref in enumerate(article.inline_links, start=1):
        links.append(("inline", position, ref.url, ref.anchor_text, None, None))
    for related in article.related:
        links.append(
            (
                "related",
                related.position,
                related.url,
                related.title,
                related.category,
                related.excerpt,
            )
        )
    conn.execute("DELETE FROM article_links WHERE from_article_id = ?", (article_id,))
    if not links:
        return
    # A link to a URL an archived post had before it moved points at that post, not at
    # a new stub.
    moved = {
        row[0]
        for row in conn.execute(
            "SELECT url FROM article_urls WHERE url IN (SELECT value FROM json_each(?))"
            " AND url NOT IN (SELECT url FROM articles)",
            (json.dumps([link[2] for link in links]),),
        )
    }
    conn.executemany(
        "INSERT INTO articles (id, url, site, status, title, first_seen_at)"
        " VALUES (?, ?, ?, 'stub', ?, ?)"
        " ON CONFLICT(url) DO UPDATE SET title = CASE WHEN articles.status = 'stub'"
        " THEN coalesce(articles.title, excluded.title) ELSE articles.title END,"
        " first_seen_at = min(coalesce(articles.first_seen_at, excluded.first_seen_at),"
        " excluded.first_seen_at)",
        [
            (synthetic_article_id(url), url, article.site, anchor, seen_at)
            for _, _, url, anchor, _, _ in links
            if url not in moved
        ],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO article_links"
        " (from_article_id, kind, position, to_article_id, anchor_text, category, excerpt)"
        " VALUES (?, ?, ?, coalesce((SELECT id FROM articles WHERE url = ?),"
        " (SELECT article_id FROM article_urls WHERE url = ? ORDER BY last_seen_at DESC"
        " LIMIT 1)), ?, ?, ?)",
        [(article_id, kind, position, url, url, *rest) for kind, position, url, *rest in links],
    )
