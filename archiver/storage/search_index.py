"""Keeping the Japanese full-text index in step with the rows, and searching it.

The FTS tables are external-content tables over ``articles`` and ``comments``; what
they index is the segmented text of :func:`archiver.search.segment`, written here and
nowhere else (see ``archiver.schema`` for why FTS5's own 'rebuild' must never run).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlite_utils import Database

from archiver.schema import transaction
from archiver.search import fts_query, segment

# A row is removed from an external-content index by handing FTS5 the very tokens it
# indexed ('delete' command), so the old text is segmented again for that.
ARTICLES_FTS_INSERT = "INSERT INTO articles_fts (rowid, title, body_text) VALUES (?, ?, ?)"
ARTICLES_FTS_DELETE = (
    "INSERT INTO articles_fts (articles_fts, rowid, title, body_text) VALUES ('delete', ?, ?, ?)"
)
COMMENTS_FTS_INSERT = "INSERT INTO comments_fts (rowid, author, body_text) VALUES (?, ?, ?)"
COMMENTS_FTS_DELETE = (
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
            ARTICLES_FTS_INSERT,
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
                COMMENTS_FTS_INSERT, [(row[0], segment(row[1]), segment(row[2])) for row in batch]
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
