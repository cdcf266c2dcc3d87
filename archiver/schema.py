"""The shape of the archive: tables, indexes, foreign keys, full-text search, views.

This is the one place the archive's schema is declared (the migrations' SQL in
:mod:`archiver.migrations`, the views here). :func:`ensure_schema` is safe to
run on every start: it creates a fresh archive, applies the migrations an older archive
lacks (recorded in ``schema_migrations`` and ``PRAGMA user_version``), recreates the
views, and rebuilds the search index when the Japanese segmenter changed. It refuses,
with :class:`NotAnArchiveError`, a file that is not an archive, rather than adding our
tables to somebody else's database.

Design notes a researcher may care about:

* ``articles.id`` is the WordPress post id. Articles known only through a link (stubs)
  get a synthetic *negative* id derived from their URL, re-keyed to the post id when the
  article is crawled; every foreign key to ``articles.id`` is ``ON UPDATE CASCADE``.
* ``comments.id`` is the WordPress comment id, or a negative id derived from a hash
  when the page shows none (see ``archiver.storage.synthetic_comment_id``).
* ``articles_fts`` / ``comments_fts`` are FTS5 *external content* tables over
  ``articles`` / ``comments`` (so Datasette finds them with no configuration and the text
  is not stored twice), but what is indexed is the *segmented* text of
  ``archiver.search.segment``, written by ``archiver.storage``. Never run FTS5's
  ``'rebuild'`` command (or ``sqlite-utils rebuild-fts``) on them: it would index the
  unsegmented text. Use ``archiver.storage.rebuild_search_index`` instead. Only
  ``archived`` articles are indexed, not stubs.
* History (migration 3) follows git-history / sqlite-history: ``comments`` and
  ``articles`` always hold the latest state, and every version ever seen is a row of
  ``comment_revisions`` / ``article_revisions`` (numbered, with when and in which run it
  was seen); vote counts are a series in ``vote_counts`` (a row per observed change of
  the up or the down count, holding both; migration 6 added the down counts);
  a removal is a fact with a time (``comments.deleted_at`` and a row of
  ``comment_removals`` per episode, closed when the comment comes back), never a
  deleted row. ``captures`` indexes the raw HTTP exchanges kept as WARC; rows parsed
  from a capture carry its ``capture_id``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database

from archiver.migrations import FTS_TOKENIZE, MIGRATIONS, SCHEMA_VERSION, Migration
from archiver.search import SEGMENTER_VERSION

__all__ = [
    "FTS_TOKENIZE",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "VIEWS",
    "Migration",
    "NotAnArchiveError",
    "apply_migration",
    "check_archive",
    "ensure_schema",
    "schema_version",
    "transaction",
]


class NotAnArchiveError(Exception):
    """The file is not an archive (not SQLite, or an SQLite database of something else)."""


# Views are derived data: dropped and recreated on every start so they always match
# the code. Names are what researchers type; keep them stable.
VIEWS: dict[str, str] = {
    "comments_with_context": """
SELECT
    c.id, c.article_id, a.title AS article_title, a.url AS article_url,
    c.position, c.depth, c.parent_id, p.author AS parent_author,
    c.author, c.posted_raw, c.posted_at, c.posted_date, c.votes, c.votes_down, c.body_text,
    c.page
FROM comments c
JOIN articles a ON a.id = c.article_id
LEFT JOIN comments p ON p.id = c.parent_id
""",
    "article_stats": """
SELECT
    a.id AS article_id, a.title, a.url, a.published_date, a.comment_count_shown,
    count(c.id) AS comments,
    coalesce(sum(c.depth > 1), 0) AS replies,
    coalesce(sum(c.votes), 0) AS total_votes,
    max(c.votes) AS max_votes,
    sum(c.votes_down) AS total_votes_down,
    min(c.posted_at) AS first_comment_at,
    max(c.posted_at) AS last_comment_at
FROM articles a
LEFT JOIN comments c ON c.article_id = a.id
WHERE a.status = 'archived'
GROUP BY a.id
""",
    "deleted_comments": """
SELECT
    c.id AS comment_id, c.article_id, a.title AS article_title, c.author,
    c.body_text AS last_text, c.posted_raw, c.posted_at, c.first_seen_at, c.last_seen_at,
    c.deleted_at
FROM comments c
JOIN articles a ON a.id = c.article_id
WHERE c.deleted_at IS NOT NULL
""",
    "edited_comments": """
SELECT
    c.id AS comment_id, c.article_id, a.title AS article_title, c.author,
    r.revisions, first.body_text AS first_text, c.body_text AS latest_text,
    first.author AS first_author, r.first_seen_at, r.last_edit_seen_at
FROM (
    SELECT comment_id, count(*) AS revisions, min(seen_at) AS first_seen_at,
        max(seen_at) AS last_edit_seen_at
    FROM comment_revisions GROUP BY comment_id HAVING count(*) > 1
) r
JOIN comments c ON c.id = r.comment_id
JOIN articles a ON a.id = c.article_id
JOIN comment_revisions first ON first.comment_id = r.comment_id AND first.revision = 1
""",
    "vote_history": """
SELECT
    v.comment_id, c.article_id, a.title AS article_title, c.author, v.seen_at, v.votes,
    v.votes_raw, v.votes_down, v.votes_down_raw, v.run_id
FROM vote_counts v
JOIN comments c ON c.id = v.comment_id
JOIN articles a ON a.id = c.article_id
""",
    "comments_per_day": """
SELECT
    posted_date,
    count(*) AS comments,
    count(DISTINCT article_id) AS articles,
    count(DISTINCT author) AS commenters,
    coalesce(sum(votes), 0) AS total_votes
FROM comments
WHERE posted_date IS NOT NULL
GROUP BY posted_date
ORDER BY posted_date
""",
    "top_commenters": """
SELECT
    author,
    count(*) AS comments,
    count(DISTINCT article_id) AS articles,
    coalesce(sum(votes), 0) AS total_votes,
    min(posted_date) AS first_comment_date,
    max(posted_date) AS last_comment_date
FROM comments
WHERE author IS NOT NULL
GROUP BY author
ORDER BY comments DESC, total_votes DESC
""",
}


def _user_tables(conn: sqlite3.Connection) -> set[str]:
    try:
        rows = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
    except sqlite3.OperationalError:
        raise  # locked, unreadable, I/O error: a problem opening the file, not its content
    except sqlite3.DatabaseError as error:  # "file is not a database", encrypted, corrupt
        raise NotAnArchiveError(f"not an SQLite database ({error})") from error
    return {row[0] for row in rows}


def schema_version(conn: sqlite3.Connection) -> int:
    """The archive schema version of an open database (0 for an empty one)."""
    return conn.execute("PRAGMA user_version").fetchone()[0]


def check_archive(conn: sqlite3.Connection) -> None:
    """Raise :class:`NotAnArchiveError` unless this is an archive or an empty database."""
    tables = _user_tables(conn)
    if not tables:
        return
    if "schema_migrations" not in tables or "articles" not in tables:
        shown = ", ".join(sorted(tables)[:5])
        raise NotAnArchiveError(f"an SQLite database but not an archive (tables: {shown})")
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise NotAnArchiveError(
            f"archive schema version {version} is newer than this archiver supports "
            f"({SCHEMA_VERSION}); upgrade archiver"
        )


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taken at once (IMMEDIATE) so it cannot fail half way on a lock.

    COMMIT itself can fail (a deferred foreign key, a full disk) and then leaves the
    transaction open; it is rolled back too, or every later BEGIN on the connection fails.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.commit()
    except BaseException:
        conn.rollback()
        raise


def ensure_schema(db: Database) -> int:
    """Create or migrate the archive in ``db``; returns the schema version now in place.

    Idempotent and cheap when the archive is current. Each migration runs in its own
    transaction together with its ``schema_migrations`` row, so a failed migration leaves
    the previous version intact.
    """
    conn = db.conn
    check_archive(conn)
    if conn.in_transaction:
        conn.commit()
    version = schema_version(conn)
    for migration in MIGRATIONS:
        if migration.version <= version:
            continue
        apply_migration(conn, migration)
        version = migration.version
    _ensure_views(conn)
    stored = conn.execute(
        "SELECT value FROM archive_meta WHERE key = 'segmenter_version'"
    ).fetchone()
    if stored is None or stored[0] != str(SEGMENTER_VERSION):
        from archiver.storage import rebuild_search_index

        rebuild_search_index(db)
        with conn:
            conn.execute(
                "INSERT OR REPLACE INTO archive_meta (key, value) VALUES ('segmenter_version', ?)",
                (str(SEGMENTER_VERSION),),
            )
    return version


def apply_migration(conn: sqlite3.Connection, migration: Migration) -> None:
    """Apply one migration with its ``schema_migrations`` row and ``user_version``, in
    one transaction. (Tests also use it to build an archive as an older version left it.)
    """
    with transaction(conn):
        if migration.version == 1:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, description TEXT, applied_at TEXT)"
            )
        migration.apply(conn)
        conn.execute(
            "INSERT INTO schema_migrations (version, description, applied_at) "
            "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            (migration.version, migration.description),
        )
        conn.execute(f"PRAGMA user_version = {int(migration.version)}")


def _ensure_views(conn: sqlite3.Connection) -> None:
    existing = {
        row[0]: row[1]
        for row in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'")
    }
    wanted = {name: f"CREATE VIEW {name} AS{sql.rstrip()}" for name, sql in VIEWS.items()}
    if all(existing.get(name) == sql for name, sql in wanted.items()):
        return  # nothing to write: opening a current archive takes no write lock
    with conn:
        for name, sql in wanted.items():
            if existing.get(name) != sql:
                conn.execute(f"DROP VIEW IF EXISTS {name}")
                conn.execute(sql)
