"""The archive's schema: created once, idempotent, versioned, and refusing non-archives."""

from __future__ import annotations

import sqlite3

import pytest

from archiver.schema import (
    FTS_TOKENIZE,
    MIGRATIONS,
    SCHEMA_VERSION,
    VIEWS,
    NotAnArchiveError,
    ensure_schema,
    transaction,
)
from archiver.search import SEGMENTER_VERSION
from archiver.storage import open_archive, save_article, search
from tests.test_storage import SEED_POST_ID, assert_fts_consistent, rows, seed_article

TABLES = {
    "archive_meta",
    "schema_migrations",
    "articles",
    "categories",
    "tags",
    "article_tags",
    "sources",
    "credits",
    "article_links",
    "comments",
    "crawl_runs",
    "anomalies",
    "articles_fts",
    "comments_fts",
    "captures",
    "comment_revisions",
    "vote_counts",
    "comment_removals",
    "article_revisions",
    "article_urls",
    "pingbacks",
}


def schema_snapshot(conn):
    return conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def test_fresh_archive_has_every_table_view_and_version(tmp_path):
    db = open_archive(tmp_path / "archive.db")
    names = set(db.table_names())
    assert names >= TABLES
    assert set(db.view_names()) == {
        "comments_with_context",
        "article_stats",
        "comments_per_day",
        "top_commenters",
        "deleted_comments",
        "edited_comments",
        "vote_history",
    }
    assert set(VIEWS) == set(db.view_names())
    assert db.conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert [
        (r[0], r[1]) for r in db.conn.execute("SELECT version, description FROM schema_migrations")
    ] == [(m.version, m.description) for m in MIGRATIONS]
    assert db.conn.execute(
        "SELECT value FROM archive_meta WHERE key = 'segmenter_version'"
    ).fetchone() == (str(SEGMENTER_VERSION),)
    assert [c.name for c in db["articles"].columns][:3] == ["id", "title", "url"]
    db.close()


def test_ensure_schema_is_idempotent(tmp_path):
    db = open_archive(tmp_path / "archive.db")
    save_article(db, seed_article())
    before = schema_snapshot(db.conn)
    counts = db["comments"].count
    assert ensure_schema(db) == SCHEMA_VERSION
    assert ensure_schema(db) == SCHEMA_VERSION
    db.close()
    db = open_archive(tmp_path / "archive.db")
    assert schema_snapshot(db.conn) == before
    assert db["comments"].count == counts
    assert db.conn.execute("SELECT count(*) FROM schema_migrations").fetchone() == (
        len(MIGRATIONS),
    )
    db.close()


def write_version_1_archive(path, tmp_path) -> None:
    """An archive as schema 1 wrote it: the seed article's rows, unicode61 search tables.

    The rows are those today's code saves, copied column by column into the tables of
    migration 1 alone (today's save code writes history tables schema 1 did not have).
    """
    current_path = tmp_path / "current.db"
    current = open_archive(current_path)
    save_article(current, seed_article())
    current.close()
    conn = sqlite3.connect(path)
    with transaction(conn):
        conn.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT,"
            " applied_at TEXT)"
        )
        MIGRATIONS[0].apply(conn)
        conn.execute("INSERT INTO schema_migrations VALUES (1, 'initial archive schema', 'x')")
        conn.execute("INSERT INTO archive_meta VALUES ('segmenter_version', '1')")
        conn.execute("PRAGMA user_version = 1")
    conn.execute("ATTACH DATABASE ? AS current", (str(current_path),))
    with transaction(conn):
        for table in ("categories", "tags", "articles", "article_tags", "sources", "credits"):
            columns = ", ".join(row[1] for row in conn.execute(f"PRAGMA main.table_info({table})"))
            conn.execute(
                f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM current.{table}"
            )
        for table in ("article_links", "comments"):
            columns = ", ".join(row[1] for row in conn.execute(f"PRAGMA main.table_info({table})"))
            conn.execute(
                f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM current.{table}"
            )
        conn.execute(
            "INSERT INTO comments_fts (rowid, author, body_text)"
            " SELECT id, author, body_text FROM comments"
        )
    conn.execute("DETACH DATABASE current")
    assert "unicode61" in fts_definition(conn, "comments_fts")
    conn.close()


def test_version_1_archive_is_migrated_and_reindexed(tmp_path):
    """An archive written by schema 1 (unicode61 search tables) opens as the current one."""
    path = tmp_path / "archive.db"
    write_version_1_archive(path, tmp_path)

    db = open_archive(path)
    assert db.conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert [r[0] for r in db.conn.execute("SELECT version FROM schema_migrations")] == [
        m.version for m in MIGRATIONS
    ]
    assert f"tokenize='{FTS_TOKENIZE}'" in fts_definition(db.conn, "comments_fts")
    assert f"tokenize='{FTS_TOKENIZE}'" in fts_definition(db.conn, "articles_fts")
    assert db["comments"].count == 8
    assert_fts_consistent(db)
    assert [hit["author"] for hit in search(db, "キューバ", limit=10)] == [
        "幽霊",
        "tofu",
        "くらうん",
    ]
    assert [hit["id"] for hit in search(db, "ウクライナ", table="articles")] == [SEED_POST_ID]
    assert db.conn.execute(
        "SELECT value FROM archive_meta WHERE key = 'segmenter_version'"
    ).fetchone() == (str(SEGMENTER_VERSION),)
    db.close()


def test_archive_before_history_keeps_its_rows_as_first_versions(tmp_path):
    """Migration 3: every stored comment is revision 1 and its first vote observation."""
    path = tmp_path / "archive.db"
    write_version_1_archive(path, tmp_path)
    conn = sqlite3.connect(path)
    comments = conn.execute(
        "SELECT id, author, author_url, posted_raw, body_text, body_html, first_seen_at,"
        " votes_raw, votes, last_seen_at FROM comments ORDER BY id"
    ).fetchall()
    article = conn.execute(
        "SELECT id, title, body_text, body_html, content_hash, url, first_seen_at,"
        " last_crawled_at FROM articles WHERE status = 'archived'"
    ).fetchall()
    conn.close()

    db = open_archive(path)
    assert rows(
        db,
        "SELECT comment_id, revision, author, author_url, posted_raw, body_text,"
        " body_html, seen_at, run_id FROM comment_revisions ORDER BY comment_id",
    ) == [(c[0], 1, *c[1:6], c[6], None) for c in comments]
    assert rows(
        db, "SELECT comment_id, votes_raw, votes, seen_at FROM vote_counts ORDER BY comment_id"
    ) == [(c[0], c[7], c[8], c[9]) for c in comments]
    assert rows(
        db,
        "SELECT article_id, revision, title, body_text, body_html, content_hash, seen_at"
        " FROM article_revisions",
    ) == [(a[0], 1, a[1], a[2], a[3], a[4], a[6]) for a in article]
    assert rows(db, "SELECT article_id, url, first_seen_at, last_seen_at FROM article_urls") == [
        (a[0], a[5], a[6], a[7]) for a in article
    ]
    assert rows(db, "SELECT count(*) FROM comments WHERE deleted_at IS NOT NULL") == [(0,)]
    db.close()


def fts_definition(conn, table: str) -> str:
    return conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]


def test_foreign_keys_cascade_on_update(tmp_path):
    db = open_archive(tmp_path / "archive.db")
    fks = {
        (table, row[3], row[2], row[4], row[5])
        for table in (
            "comments",
            "article_links",
            "article_tags",
            "sources",
            "credits",
            "anomalies",
            "articles",
            "comment_revisions",
            "vote_counts",
            "comment_removals",
            "article_revisions",
            "article_urls",
            "pingbacks",
        )
        for row in db.conn.execute(f"PRAGMA foreign_key_list({table})")
    }
    assert fks == {
        ("comments", "article_id", "articles", "id", "CASCADE"),
        ("comments", "parent_id", "comments", "id", "CASCADE"),
        ("article_links", "from_article_id", "articles", "id", "CASCADE"),
        ("article_links", "to_article_id", "articles", "id", "CASCADE"),
        ("article_tags", "article_id", "articles", "id", "CASCADE"),
        ("article_tags", "tag_id", "tags", "id", "CASCADE"),
        ("sources", "article_id", "articles", "id", "CASCADE"),
        ("credits", "article_id", "articles", "id", "CASCADE"),
        ("anomalies", "run_id", "crawl_runs", "id", "NO ACTION"),
        ("anomalies", "article_id", "articles", "id", "CASCADE"),
        ("articles", "category_id", "categories", "id", "CASCADE"),
        ("articles", "capture_id", "captures", "id", "NO ACTION"),
        # History follows a stub re-keyed to its post id.
        ("comment_revisions", "comment_id", "comments", "id", "CASCADE"),
        ("comment_revisions", "run_id", "crawl_runs", "id", "NO ACTION"),
        ("comment_revisions", "capture_id", "captures", "id", "NO ACTION"),
        ("vote_counts", "comment_id", "comments", "id", "CASCADE"),
        ("vote_counts", "run_id", "crawl_runs", "id", "NO ACTION"),
        ("comment_removals", "comment_id", "comments", "id", "CASCADE"),
        ("comment_removals", "removed_run_id", "crawl_runs", "id", "NO ACTION"),
        ("comment_removals", "restored_run_id", "crawl_runs", "id", "NO ACTION"),
        ("article_revisions", "article_id", "articles", "id", "CASCADE"),
        ("article_revisions", "run_id", "crawl_runs", "id", "NO ACTION"),
        ("article_revisions", "capture_id", "captures", "id", "NO ACTION"),
        ("article_urls", "article_id", "articles", "id", "CASCADE"),
        ("pingbacks", "article_id", "articles", "id", "CASCADE"),
    }
    index_columns = {
        tuple(c[2] for c in db.conn.execute(f"PRAGMA index_info({idx[1]})"))
        for idx in db.conn.execute("PRAGMA index_list(article_links)")
    }
    assert ("to_article_id",) in index_columns
    db.close()


def test_views_answer(tmp_path):
    db = open_archive(tmp_path / "archive.db")
    save_article(db, seed_article())
    assert list(db.query("SELECT * FROM article_stats")) == [
        {
            "article_id": SEED_POST_ID,
            "title": seed_article().title,
            "url": seed_article().url,
            "published_date": "2022-01-27",
            "comment_count_shown": 8,
            "comments": 8,
            "replies": 3,
            "total_votes": 79,
            "max_votes": 25,
            "total_votes_down": None,  # no comment of the seed shows a down count
            "first_comment_at": "2022-01-27",
            "last_comment_at": "2022-01-27",
        }
    ]
    assert list(db.query("SELECT * FROM comments_per_day")) == [
        {
            "posted_date": "2022-01-27",
            "comments": 8,
            "articles": 1,
            "commenters": 7,
            "total_votes": 79,
        }
    ]
    assert list(
        db.query("SELECT author, comments, articles, total_votes FROM top_commenters LIMIT 2")
    ) == [
        {"author": "tofu", "comments": 2, "articles": 1, "total_votes": 46},
        {"author": "ダヴー", "comments": 1, "articles": 1, "total_votes": 10},
    ]
    assert list(
        db.query(
            "SELECT id, article_title, parent_author, author FROM comments_with_context WHERE parent_id IS NOT NULL ORDER BY position"
        )
    ) == [
        {
            "id": 303,
            "article_title": seed_article().title,
            "parent_author": "Mob",
            "author": "ダヴー",
        },
        {
            "id": 305,
            "article_title": seed_article().title,
            "parent_author": "幽霊",
            "author": "tofu",
        },
        {
            "id": 308,
            "article_title": seed_article().title,
            "parent_author": "戦略眼",
            "author": "匿名さん",
        },
    ]
    db.close()


def test_views_and_index_are_restored_on_open(tmp_path):
    path = tmp_path / "archive.db"
    db = open_archive(path)
    save_article(db, seed_article())
    db.conn.execute("DROP VIEW top_commenters")
    db.conn.execute("UPDATE archive_meta SET value = '0' WHERE key = 'segmenter_version'")
    db.conn.execute("INSERT INTO comments_fts (comments_fts) VALUES ('delete-all')")
    db.conn.commit()
    db.close()
    db = open_archive(path)
    assert "top_commenters" in db.view_names()
    assert [hit["author"] for hit in search(db, "中国")] == ["匿名さん"]
    db.close()


def test_empty_sqlite_file_becomes_an_archive(tmp_path):
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    db = open_archive(path)
    assert "articles" in db.table_names()
    db.close()


def test_other_sqlite_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(NotAnArchiveError, match=r"not an archive \(tables: recipes\)"):
        open_archive(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("recipes",)]


def test_non_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("これはデータベースではありません\n" * 200, encoding="utf-8")
    with pytest.raises(NotAnArchiveError, match="not an SQLite database"):
        open_archive(path)
    assert path.read_text(encoding="utf-8").startswith("これは")


def test_newer_archive_is_refused(tmp_path):
    path = tmp_path / "archive.db"
    open_archive(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(NotAnArchiveError, match="newer than this archiver supports"):
        open_archive(path)


def test_directory_is_refused(tmp_path):
    with pytest.raises(IsADirectoryError):
        open_archive(tmp_path)


def test_locked_archive_is_not_called_a_non_database(tmp_path, monkeypatch):
    """A lock (or I/O error) is an operational problem, reported as such, not 'not SQLite'."""
    path = tmp_path / "archive.db"
    holder = sqlite3.connect(path)  # a rollback-journal database: a writer blocks readers
    holder.execute("CREATE TABLE t (x)")
    holder.commit()
    holder.execute("BEGIN EXCLUSIVE")
    connect = sqlite3.connect
    monkeypatch.setattr(
        sqlite3, "connect", lambda *args, **kwargs: connect(*args, **{**kwargs, "timeout": 0.05})
    )
    try:
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            open_archive(path)
    finally:
        holder.rollback()
        holder.close()
