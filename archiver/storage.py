"""Saving articles and crawl runs into the archive: plain functions over a Database.

``save_article`` writes one :class:`~archiver.items.Article` with everything in it —
comments, tags, sources, credits, links (with stub rows for link targets), anomalies and
the full-text index — as one transaction, upserting by natural keys so that saving the
same page twice changes nothing but ``last_crawled_at`` / ``last_seen_at``.

It is written for speed: one SELECT of the article's existing comments, then
``executemany`` batches; no SELECT per comment.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from operator import attrgetter
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from archiver.items import Anomaly, Article, Comment
from archiver.schema import NotAnArchiveError, check_archive, ensure_schema, transaction
from archiver.search import fts_query, segment

TOKYO = timezone(timedelta(hours=9))

#: Page size of a new archive, in bytes (an existing archive keeps its own).
ARCHIVE_PAGE_SIZE = 16384
# WAL size that triggers a checkpoint.
_CHECKPOINT_BYTES = 40 * 1024 * 1024

# Synthetic ids stay within +-2**52 so JavaScript (Datasette's UI) shows them exactly.
_SYNTHETIC_ID_BITS = 52


@dataclass
class SaveResult:
    """What one ``save_article`` call changed."""

    article_new: bool = False  # first time archived (a new row, or a stub filled in)
    article_updated: bool = False  # archived before, title or body changed
    comments_new: int = 0
    comments_updated: int = 0  # content changed (text, author, votes, date), not just position


def now_tokyo() -> str:
    """The current time as ISO 8601 with the Tokyo offset, to the second."""
    return datetime.now(TOKYO).isoformat(timespec="seconds")


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


def content_hash(article: Article) -> str:
    """sha256 of what makes an article's content: title and body text."""
    text = f"{article.title or ''}\x1f{article.body_text or ''}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def open_archive(path: str | Path, create: bool = True) -> Database:
    """Open (and create or migrate) the archive at ``path``.

    WAL mode so Datasette can read while a crawl writes; a 30 s busy timeout so two
    writers wait for each other instead of failing; foreign keys enforced.
    Raises FileNotFoundError (``create=False`` and no file), IsADirectoryError,
    :class:`NotAnArchiveError`, or ``sqlite3.OperationalError`` (locked, unreadable).
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory, not an archive file")
    if not path.exists():
        if not create:
            raise FileNotFoundError(f"{path}: no such archive")
        path.parent.mkdir(parents=True, exist_ok=True)
    # check_same_thread=False: the Scrapy pipeline hands writes to one worker thread;
    # callers must not use one Database from two threads at once.
    conn = sqlite3.connect(str(path), timeout=30.0, check_same_thread=False)
    try:
        check_archive(conn)
        if conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,):
            # A new archive (page size is fixed once the first table exists). Comment
            # rows are ~1-2 KB: with 16 KiB pages instead of 4 KiB, inserting them went
            # from ~30k to 55-85k rows/s (bench/bench_storage.py, "SQLite floor").
            conn.execute(f"PRAGMA page_size = {ARCHIVE_PAGE_SIZE}")
        conn.execute("PRAGMA journal_mode = WAL")
    except NotAnArchiveError as error:
        conn.close()
        raise NotAnArchiveError(f"{path}: {error}") from None
    except sqlite3.Error:
        conn.close()
        raise
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA foreign_keys = ON")
    # WAL + NORMAL is durable across application crashes (only an OS crash can lose the
    # last transactions) and much faster than FULL.
    conn.execute("PRAGMA synchronous = NORMAL")
    # Checkpoints (copying the WAL into the file, with two fsyncs) took half the time
    # of committing 100-row transactions at the default of every 1,000 pages; every
    # ~40 MB of WAL nearly doubled that micro-benchmark (bench/). The WAL file is cut
    # back to 64 MB after a checkpoint.
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.execute(f"PRAGMA wal_autocheckpoint = {_CHECKPOINT_BYTES // page_size}")
    conn.execute("PRAGMA journal_size_limit = 67108864")
    # A larger page cache than the 2 MiB default for FTS segment merges and the comment
    # indexes; temp b-trees (the views' GROUP BY, DISTINCT) stay in memory.
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("PRAGMA temp_store = MEMORY")
    db = Database(conn)
    ensure_schema(db)
    return db


def start_run(db: Database, spider: str, started_at: str) -> int:
    """Record a crawl run as ``running``; returns its id."""
    with transaction(db.conn):
        cursor = db.conn.execute(
            "INSERT INTO crawl_runs (spider, started_at, status) VALUES (?, ?, 'running')",
            (spider, started_at),
        )
    return int(cursor.lastrowid)


def finish_run(
    db: Database,
    run_id: int,
    status: str,
    finished_at: str,
    *,
    pages: int = 0,
    articles_new: int = 0,
    articles_updated: int = 0,
    comments_new: int = 0,
    comments_updated: int = 0,
    errors: int = 0,
    stats: dict[str, Any] | None = None,
) -> None:
    """Close a crawl run with its status (``finished``, a close reason, ...) and counts."""
    stats_json = json.dumps(stats or {}, ensure_ascii=False, sort_keys=True, default=str)
    with transaction(db.conn):
        db.conn.execute(
            "UPDATE crawl_runs SET status = ?, finished_at = ?, pages = ?, articles_new = ?,"
            " articles_updated = ?, comments_new = ?, comments_updated = ?, errors = ?,"
            " stats_json = ? WHERE id = ?",
            (
                status,
                finished_at,
                pages,
                articles_new,
                articles_updated,
                comments_new,
                comments_updated,
                errors,
                stats_json,
                run_id,
            ),
        )


def record_anomaly(
    db: Database, anomaly: Anomaly, run_id: int | None = None, seen_at: str | None = None
) -> None:
    """Record one anomaly outside an article save (e.g. the save itself failed)."""
    with transaction(db.conn):
        _insert_anomalies(db.conn, [anomaly], None, run_id, seen_at or now_tokyo())


def _insert_anomalies(
    conn: sqlite3.Connection,
    anomalies: list[Anomaly],
    article_id: int | None,
    run_id: int | None,
    seen_at: str,
) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO anomalies"
        " (run_id, article_id, url, field, raw_value, problem, seen_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(run_id, article_id, a.url, a.field, a.raw_value, a.problem, seen_at) for a in anomalies],
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


# The FTS tables are external-content tables: a row is removed by handing FTS5 the very
# tokens it indexed ('delete' command), so the old text is segmented again for that.
_ARTICLES_FTS_INSERT = "INSERT INTO articles_fts (rowid, title, body_text) VALUES (?, ?, ?)"
_ARTICLES_FTS_DELETE = (
    "INSERT INTO articles_fts (articles_fts, rowid, title, body_text) VALUES ('delete', ?, ?, ?)"
)
_COMMENTS_FTS_INSERT = "INSERT INTO comments_fts (rowid, author, body_text) VALUES (?, ?, ?)"
_COMMENTS_FTS_DELETE = (
    "INSERT INTO comments_fts (comments_fts, rowid, author, body_text) VALUES ('delete', ?, ?, ?)"
)


class SearchIndexWrites:
    """The full-text index writes of a transaction, held back until just before COMMIT.

    Why: FTS5 writes its pending index to disk as a new segment at every savepoint, and
    SQLite opens one (a statement journal) for any statement that may change several
    rows and then abort: the article upsert, with its ``ON UPDATE CASCADE`` foreign
    keys, is one. Indexing each article's comments as it was saved therefore cut the
    index into one small segment per article, each flushed and later merged again,
    even when 50 articles shared one transaction. Written together at the end, a
    transaction's index writes become one segment: the rows and the index still
    change in the same transaction, so a reader never sees them out of sync.

    Writes to one table keep their order (a 'delete' of a comment's old tokens must
    come after the insert that put them there); consecutive writes with the same
    statement become one ``executemany``.
    """

    def __init__(self) -> None:
        self._writes: dict[str, list[tuple[str, list[tuple[Any, ...]]]]] = {}

    def add(self, table: str, statement: str, rows: list[tuple[Any, ...]]) -> None:
        """Queue ``statement`` for each row of ``rows``, after what is queued for ``table``."""
        if not rows:
            return
        queue = self._writes.setdefault(table, [])
        if queue and queue[-1][0] == statement:
            queue[-1][1].extend(rows)
        else:
            queue.append((statement, list(rows)))

    def article(self, statement: str, article_id: int, title: str | None, body: str | None) -> None:
        """Queue an ``articles_fts`` insert or delete of this text, segmented."""
        self.add("articles_fts", statement, [(article_id, segment(title), segment(body))])

    def write(self, conn: sqlite3.Connection) -> None:
        """Run every queued write, in order, and forget them."""
        for queue in self._writes.values():
            for statement, rows in queue:
                conn.executemany(statement, rows)
        self._writes.clear()


_ARTICLE_COLUMNS = (
    "id, title, url, site, status, category_id, published_raw, published_attr, published_at,"
    " published_date, published_precision, modified_raw, modified_attr, modified_at,"
    " modified_date, modified_precision, author, body_text, body_html, eyecatch_credit,"
    " comment_count_shown, content_hash, first_seen_at, last_crawled_at"
)
_ARTICLE_UPSERT = (
    f"INSERT INTO articles ({_ARTICLE_COLUMNS}) VALUES ({', '.join(['?'] * 24)})"
    " ON CONFLICT(id) DO UPDATE SET "
    + ", ".join(
        f"{c.strip()} = excluded.{c.strip()}"
        for c in _ARTICLE_COLUMNS.split(",")
        if c.strip() not in ("id", "first_seen_at")
    )
    + ", first_seen_at = coalesce(articles.first_seen_at, excluded.first_seen_at)"
)

_COMMENT_FIELDS = (
    "article_id, parent_id, depth, position, author, author_url, posted_raw, posted_attr,"
    " posted_at, posted_date, posted_precision, body_text, body_html, votes_raw, votes, page"
)
_COMMENT_FIELD_NAMES = [c.strip() for c in _COMMENT_FIELDS.split(",")]
# Fields whose change makes a comment "updated"; position/page/depth shift when other
# comments are added and are rewritten silently.
_COMMENT_CONTENT = [
    _COMMENT_FIELD_NAMES.index(name)
    for name in (
        "author",
        "author_url",
        "posted_raw",
        "posted_attr",
        "body_text",
        "body_html",
        "votes_raw",
        "parent_id",
    )
]
# The comment's own fields in _COMMENT_FIELDS order after article_id and parent_id,
# read in one C call per comment.
_COMMENT_VALUES = attrgetter(*_COMMENT_FIELD_NAMES[2:])
_AUTHOR = _COMMENT_FIELD_NAMES.index("author")
_BODY = _COMMENT_FIELD_NAMES.index("body_text")
_COMMENT_INSERT = (
    f"INSERT INTO comments (id, {_COMMENT_FIELDS}, first_seen_at, last_seen_at)"
    f" VALUES ({', '.join(['?'] * (len(_COMMENT_FIELD_NAMES) + 3))})"
)
_COMMENT_UPDATE = (
    "UPDATE comments SET "
    + ", ".join(f"{name} = ?" for name in _COMMENT_FIELD_NAMES)
    + ", last_seen_at = ? WHERE id = ?"
)


def save_article(db: Database, article: Article, run_id: int | None = None) -> SaveResult:
    """Write ``article`` and everything in it as one transaction; report what changed."""
    conn = db.conn
    seen_at = article.fetched_at or now_tokyo()
    index = SearchIndexWrites()
    with transaction(conn):
        result = _save_article(conn, article, run_id, seen_at, index)
        index.write(conn)
    return result


def save_articles(
    db: Database, articles: list[Article], run_id: int | None = None
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
        return [_saved_or_error(db, article, run_id) for article in articles]
    conn = db.conn
    try:
        index = SearchIndexWrites()
        with transaction(conn):
            results: list[SaveResult | Exception] = [
                _save_article(conn, article, run_id, article.fetched_at or now_tokyo(), index)
                for article in articles
            ]
            index.write(conn)
            return results
    except Exception:  # noqa: BLE001 - each article is retried alone, which reports it
        return [_saved_or_error(db, article, run_id) for article in articles]


def _saved_or_error(db: Database, article: Article, run_id: int | None) -> SaveResult | Exception:
    try:
        return save_article(db, article, run_id)
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
        "SELECT status, content_hash, title, body_text FROM articles WHERE id = ?",
        (article_id,),
    ).fetchone()
    digest = content_hash(article)
    was_archived = old is not None and old[0] == "archived"
    result.article_new = not was_archived
    result.article_updated = was_archived and old[1] != digest
    if result.article_updated:
        index.article(_ARTICLES_FTS_DELETE, article_id, old[2], old[3])
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
        ),
    )
    if result.article_new or result.article_updated:
        index.article(_ARTICLES_FTS_INSERT, article_id, article.title, article.body_text)

    _save_article_parts(conn, article, article_id)
    _save_links(conn, article, article_id, seen_at)
    _save_comments(conn, article, article_id, seen_at, result, anomalies, index)
    _insert_anomalies(conn, anomalies, article_id, run_id, seen_at)
    return result


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
            index.article(_ARTICLES_FTS_DELETE, old_id, title, body)
        conn.execute("UPDATE articles SET id = ? WHERE id = ?", (post_id, old_id))
        if status == "archived":
            index.article(_ARTICLES_FTS_INSERT, post_id, title, body)
    return post_id


def _merge_into(
    conn: sqlite3.Connection, old_row: tuple[Any, ...], new_id: int, index: SearchIndexWrites
) -> None:
    """Move what points at ``old_row`` (id, status, title, body_text) to ``new_id``; drop it."""
    old_id, status, title, body = old_row
    if status == "archived":
        index.article(_ARTICLES_FTS_DELETE, old_id, title, body)
    conn.execute(
        "UPDATE article_links SET to_article_id = ? WHERE to_article_id = ?", (new_id, old_id)
    )
    conn.execute("UPDATE comments SET article_id = ? WHERE article_id = ?", (new_id, old_id))
    conn.execute("UPDATE anomalies SET article_id = ? WHERE article_id = ?", (new_id, old_id))
    conn.execute("DELETE FROM articles WHERE id = ?", (old_id,))


def _save_article_parts(conn: sqlite3.Connection, article: Article, article_id: int) -> None:
    """Tags, sources and credits: replaced by what the page shows now."""
    for table in ("article_tags", "sources", "credits"):
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
    conn.executemany(
        "INSERT INTO articles (id, url, site, status, title, first_seen_at)"
        " VALUES (?, ?, ?, 'stub', ?, ?)"
        " ON CONFLICT(url) DO UPDATE SET title = coalesce(articles.title, excluded.title)"
        " WHERE articles.status = 'stub'",
        [
            (synthetic_article_id(url), url, article.site, anchor, seen_at)
            for _, _, url, anchor, _, _ in links
        ],
    )
    conn.executemany(
        "INSERT OR REPLACE INTO article_links"
        " (from_article_id, kind, position, to_article_id, anchor_text, category, excerpt)"
        " VALUES (?, ?, ?, (SELECT id FROM articles WHERE url = ?), ?, ?, ?)",
        [(article_id, *link) for link in links],
    )


def _save_comments(
    conn: sqlite3.Connection,
    article: Article,
    article_id: int,
    seen_at: str,
    result: SaveResult,
    anomalies: list[Anomaly],
    index: SearchIndexWrites,
) -> None:
    if not article.comments:
        return
    ids = _comment_ids(article)
    on_page = set(ids)
    # The article's stored comments, plus any comment of this page stored under another
    # article (a moved comment): one query, then everything is compared in Python.
    existing = {
        row[0]: row[1:]
        for row in conn.execute(
            f"SELECT id, {_COMMENT_FIELDS} FROM comments WHERE article_id = ?"
            f" UNION ALL SELECT id, {_COMMENT_FIELDS} FROM comments"
            " WHERE id IN (SELECT value FROM json_each(?)) AND article_id != ?",
            (article_id, json.dumps(ids), article_id),
        )
    }
    new_rows: list[tuple[Any, ...]] = []
    changed_rows: list[tuple[Any, ...]] = []
    seen_ids: list[tuple[str, int]] = []
    fts_delete: list[tuple[Any, ...]] = []
    fts_insert: list[tuple[Any, ...]] = []
    done: set[int] = set()
    comment_values = _COMMENT_VALUES
    # A thread has few authors and many comments each: segment each name once.
    author_segments: dict[str | None, str] = {}

    def author_tokens(author: str | None) -> str:
        tokens = author_segments.get(author)
        if tokens is None:
            tokens = author_segments[author] = segment(author)
        return tokens

    for comment_id, comment in zip(ids, article.comments, strict=True):
        if comment_id in done:
            anomalies.append(
                Anomaly(
                    field="comment.comment_id",
                    raw_value=str(comment_id),
                    problem="comment id appears twice on the page; kept the first",
                    url=article.url,
                )
            )
            continue
        done.add(comment_id)
        parent_id = comment.parent_id
        if parent_id is not None and parent_id not in on_page and parent_id not in existing:
            anomalies.append(
                Anomaly(
                    field="comment.parent_id",
                    raw_value=str(parent_id),
                    problem=f"parent of comment {comment_id} is not on the page; stored NULL",
                    url=article.url,
                )
            )
            parent_id = None
        values = (article_id, parent_id, *comment_values(comment))
        old = existing.get(comment_id)
        if old is None:
            new_rows.append((comment_id, *values, seen_at, seen_at))
            fts_insert.append(
                (comment_id, author_tokens(comment.author), segment(comment.body_text))
            )
            continue
        if old == values:
            seen_ids.append((seen_at, comment_id))
            continue
        changed_rows.append((*values, seen_at, comment_id))
        if any(old[i] != values[i] for i in _COMMENT_CONTENT):
            result.comments_updated += 1
        if old[_AUTHOR] != values[_AUTHOR] or old[_BODY] != values[_BODY]:
            fts_delete.append((comment_id, author_tokens(old[_AUTHOR]), segment(old[_BODY])))
            fts_insert.append(
                (comment_id, author_tokens(comment.author), segment(comment.body_text))
            )
    conn.executemany(_COMMENT_INSERT, new_rows)
    result.comments_new = len(new_rows)
    conn.executemany(_COMMENT_UPDATE, changed_rows)
    conn.executemany("UPDATE comments SET last_seen_at = ? WHERE id = ?", seen_ids)
    index.add("comments_fts", _COMMENTS_FTS_DELETE, fts_delete)
    index.add("comments_fts", _COMMENTS_FTS_INSERT, fts_insert)


def _comment_ids(article: Article) -> list[int]:
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


def rebuild_search_index(db: Database) -> None:
    """Re-segment every archived article and every comment into the FTS tables.

    Needed after the segmenter changes, or if the index was damaged (e.g. by FTS5's own
    ``'rebuild'``, which would index unsegmented text). One transaction.
    """
    conn = db.conn
    with transaction(conn):
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
        conn.execute("INSERT INTO comments_fts (comments_fts) VALUES ('delete-all')")
        conn.executemany(
            _ARTICLES_FTS_INSERT,
            (
                (row[0], segment(row[1]), segment(row[2]))
                for row in conn.execute(
                    "SELECT id, title, body_text FROM articles WHERE status = 'archived'"
                ).fetchall()
            ),
        )
        cursor = conn.execute("SELECT id, author, body_text FROM comments")
        while batch := cursor.fetchmany(5000):
            conn.executemany(
                _COMMENTS_FTS_INSERT, [(row[0], segment(row[1]), segment(row[2])) for row in batch]
            )


_SEARCH_SQL = {
    "comments": (
        "SELECT c.id, c.article_id, a.title AS article_title, c.author, c.posted_at,"
        " c.votes, c.body_text, bm25(comments_fts) AS rank"
        " FROM comments_fts JOIN comments c ON c.id = comments_fts.rowid"
        " JOIN articles a ON a.id = c.article_id"
        " WHERE comments_fts MATCH ? ORDER BY rank LIMIT ?"
    ),
    # A hit in the title weighs more than one in the body.
    "articles": (
        "SELECT a.id, a.title, a.url, a.published_date, bm25(articles_fts, 5.0, 1.0) AS rank"
        " FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid"
        " WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?"
    ),
}


def search(
    db: Database, query: str, table: str = "comments", limit: int = 20
) -> list[dict[str, Any]]:
    """Ranked (bm25) hits of a Japanese-aware query in ``comments`` or ``articles``."""
    sql = _SEARCH_SQL.get(table)
    if sql is None:
        raise ValueError(f"cannot search table {table!r}: use 'comments' or 'articles'")
    expression = fts_query(query)
    if not expression:
        return []
    cursor = db.conn.execute(sql, (expression, limit))
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
