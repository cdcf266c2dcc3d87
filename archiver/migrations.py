"""The archive's migrations: every schema change ever shipped, in order, as SQL.

Shipped migrations are frozen history (an archive made by any earlier version is
brought up to date by applying the ones it lacks), so this module only grows:
append a new migration, never edit one. :func:`archiver.schema.ensure_schema` applies
them; the views, which are derived and recreated on every start, live in
:mod:`archiver.schema`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

#: The schema version this code writes; ``PRAGMA user_version`` of an up-to-date archive.
SCHEMA_VERSION = 6


#: FTS5 tokenizer of the search tables. The text they index is already cut into tokens
#: by ``archiver.search.segment`` (lowercased, diacritics folded, space-separated), so
#: the tokenizer only has to split on spaces: ``ascii`` does that in one byte test per
#: byte, where ``unicode61`` looked every character up in Unicode tables. Storing
#: comments with their index, 50 articles per transaction, went from ~5,500 to ~8,000
#: comments/s (bench/bench_storage.py).
FTS_TOKENIZE = "ascii"
# What migration 1 created; kept as shipped, migration 2 replaces it.
_FTS_TOKENIZE_V1 = "unicode61 remove_diacritics 2"

_SCHEMA_V1 = f"""
CREATE TABLE archive_meta (
    key TEXT PRIMARY KEY,
    value TEXT
);
CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    name TEXT,
    slug TEXT UNIQUE
);
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT,
    slug TEXT UNIQUE
);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    title TEXT,
    url TEXT NOT NULL UNIQUE,
    site TEXT,
    status TEXT NOT NULL DEFAULT 'stub' CHECK (status IN ('archived', 'stub')),
    category_id INTEGER REFERENCES categories(id) ON UPDATE CASCADE,
    published_raw TEXT,
    published_attr TEXT,
    published_at TEXT,
    published_date TEXT,
    published_precision TEXT,
    modified_raw TEXT,
    modified_attr TEXT,
    modified_at TEXT,
    modified_date TEXT,
    modified_precision TEXT,
    author TEXT,
    body_text TEXT,
    body_html TEXT,
    eyecatch_credit TEXT,
    comment_count_shown INTEGER,
    content_hash TEXT,
    first_seen_at TEXT,
    last_crawled_at TEXT
);
CREATE INDEX idx_articles_published_date ON articles(published_date);
CREATE INDEX idx_articles_category_id ON articles(category_id);
CREATE INDEX idx_articles_status ON articles(status);
CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON UPDATE CASCADE ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON UPDATE CASCADE,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX idx_article_tags_tag_id ON article_tags(tag_id);
CREATE TABLE sources (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON UPDATE CASCADE ON DELETE CASCADE,
    position INTEGER NOT NULL,
    label TEXT,
    url TEXT,
    PRIMARY KEY (article_id, position)
);
CREATE TABLE credits (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON UPDATE CASCADE ON DELETE CASCADE,
    kind TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT,
    url TEXT,
    PRIMARY KEY (article_id, kind, position)
);
CREATE TABLE article_links (
    from_article_id INTEGER NOT NULL
        REFERENCES articles(id) ON UPDATE CASCADE ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('related', 'prev', 'next', 'inline')),
    position INTEGER NOT NULL,
    to_article_id INTEGER NOT NULL
        REFERENCES articles(id) ON UPDATE CASCADE ON DELETE CASCADE,
    anchor_text TEXT,
    category TEXT,
    excerpt TEXT,
    PRIMARY KEY (from_article_id, kind, position)
);
CREATE INDEX idx_article_links_to_article_id ON article_links(to_article_id);
CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON UPDATE CASCADE,
    parent_id INTEGER REFERENCES comments(id) ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED,
    depth INTEGER,
    position INTEGER,
    author TEXT,
    author_url TEXT,
    posted_raw TEXT,
    posted_attr TEXT,
    posted_at TEXT,
    posted_date TEXT,
    posted_precision TEXT,
    body_text TEXT,
    body_html TEXT,
    votes_raw TEXT,
    votes INTEGER,
    page INTEGER,
    first_seen_at TEXT,
    last_seen_at TEXT
);
CREATE INDEX idx_comments_article_position ON comments(article_id, position);
CREATE INDEX idx_comments_parent_id ON comments(parent_id);
CREATE INDEX idx_comments_posted_date ON comments(posted_date);
CREATE INDEX idx_comments_author ON comments(author);
CREATE TABLE crawl_runs (
    id INTEGER PRIMARY KEY,
    spider TEXT,
    started_at TEXT,
    finished_at TEXT,
    status TEXT,
    pages INTEGER,
    articles_new INTEGER,
    articles_updated INTEGER,
    comments_new INTEGER,
    comments_updated INTEGER,
    errors INTEGER,
    stats_json TEXT
);
CREATE TABLE anomalies (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES crawl_runs(id),
    article_id INTEGER REFERENCES articles(id) ON UPDATE CASCADE ON DELETE SET NULL,
    url TEXT,
    field TEXT,
    raw_value TEXT,
    problem TEXT,
    seen_at TEXT
);
-- The same anomaly seen again on a re-crawl is not a new row.
CREATE UNIQUE INDEX idx_anomalies_natural_key
    ON anomalies(coalesce(url, ''), field, coalesce(raw_value, ''), problem);
CREATE INDEX idx_anomalies_run_id ON anomalies(run_id);
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body_text, content="articles", content_rowid="id", tokenize='{_FTS_TOKENIZE_V1}'
);
CREATE VIRTUAL TABLE comments_fts USING fts5(
    author, body_text, content="comments", content_rowid="id", tokenize='{_FTS_TOKENIZE_V1}'
);
"""

_FTS_TABLES_V2 = f"""
DROP TABLE articles_fts;
DROP TABLE comments_fts;
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body_text, content="articles", content_rowid="id", tokenize='{FTS_TOKENIZE}'
);
CREATE VIRTUAL TABLE comments_fts USING fts5(
    author, body_text, content="comments", content_rowid="id", tokenize='{FTS_TOKENIZE}'
);
-- The new tables are empty: ensure_schema re-indexes everything after the migration.
DELETE FROM archive_meta WHERE key = 'segmenter_version';
"""

# Migration 3: history. Every statement is additive; existing rows become revision 1
# and the first vote observation, so an archive made before history keeps all it had.
_HISTORY_V3 = """
CREATE TABLE captures (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES crawl_runs(id),
    url TEXT NOT NULL,
    fetched_at TEXT,
    status INTEGER,
    warc_file TEXT,
    warc_offset INTEGER,
    warc_length INTEGER,
    payload_digest TEXT,
    record_type TEXT
);
CREATE INDEX idx_captures_url ON captures(url, fetched_at);
CREATE INDEX idx_captures_run_id ON captures(run_id);
ALTER TABLE articles ADD COLUMN gone_at TEXT;
ALTER TABLE articles ADD COLUMN http_status INTEGER;
ALTER TABLE articles ADD COLUMN capture_id INTEGER REFERENCES captures(id);
ALTER TABLE comments ADD COLUMN deleted_at TEXT;
CREATE INDEX idx_comments_deleted_at ON comments(deleted_at) WHERE deleted_at IS NOT NULL;
CREATE TABLE comment_revisions (
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON UPDATE CASCADE,
    revision INTEGER NOT NULL,
    seen_at TEXT NOT NULL,
    run_id INTEGER REFERENCES crawl_runs(id),
    author TEXT,
    author_url TEXT,
    posted_raw TEXT,
    body_text TEXT,
    body_html TEXT,
    capture_id INTEGER REFERENCES captures(id),
    PRIMARY KEY (comment_id, revision)
);
CREATE TABLE vote_counts (
    id INTEGER PRIMARY KEY,
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON UPDATE CASCADE,
    seen_at TEXT NOT NULL,
    run_id INTEGER REFERENCES crawl_runs(id),
    votes_raw TEXT,
    votes INTEGER
);
CREATE INDEX idx_vote_counts_comment ON vote_counts(comment_id, seen_at);
CREATE TABLE comment_removals (
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON UPDATE CASCADE,
    removed_at TEXT NOT NULL,
    removed_run_id INTEGER REFERENCES crawl_runs(id),
    restored_at TEXT,
    restored_run_id INTEGER REFERENCES crawl_runs(id),
    PRIMARY KEY (comment_id, removed_at)
);
CREATE TABLE article_revisions (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON UPDATE CASCADE,
    revision INTEGER NOT NULL,
    seen_at TEXT NOT NULL,
    run_id INTEGER REFERENCES crawl_runs(id),
    title TEXT,
    body_text TEXT,
    body_html TEXT,
    content_hash TEXT,
    capture_id INTEGER REFERENCES captures(id),
    PRIMARY KEY (article_id, revision)
);
CREATE TABLE article_urls (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON UPDATE CASCADE,
    url TEXT NOT NULL,
    first_seen_at TEXT,
    last_seen_at TEXT,
    PRIMARY KEY (article_id, url)
);
CREATE INDEX idx_article_urls_url ON article_urls(url);
CREATE TABLE pingbacks (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON UPDATE CASCADE ON DELETE CASCADE,
    position INTEGER NOT NULL,
    source_url TEXT,
    title TEXT,
    posted_raw TEXT,
    PRIMARY KEY (article_id, position)
);
ALTER TABLE crawl_runs ADD COLUMN comments_deleted INTEGER;
ALTER TABLE crawl_runs ADD COLUMN comments_restored INTEGER;
ALTER TABLE crawl_runs ADD COLUMN comments_edited INTEGER;
ALTER TABLE crawl_runs ADD COLUMN votes_changed INTEGER;
ALTER TABLE crawl_runs ADD COLUMN articles_edited INTEGER;
ALTER TABLE crawl_runs ADD COLUMN articles_gone INTEGER;
-- What an archive made before history holds becomes the first version of each row: the
-- text as last seen (dated from when the row was first seen), the votes as last seen.
INSERT INTO comment_revisions
    (comment_id, revision, seen_at, author, author_url, posted_raw, body_text, body_html)
SELECT id, 1, coalesce(first_seen_at, last_seen_at, ''), author, author_url, posted_raw,
    body_text, body_html
FROM comments;
INSERT INTO vote_counts (comment_id, seen_at, votes_raw, votes)
SELECT id, coalesce(last_seen_at, first_seen_at, ''), votes_raw, votes
FROM comments WHERE votes_raw IS NOT NULL OR votes IS NOT NULL;
INSERT INTO article_revisions
    (article_id, revision, seen_at, title, body_text, body_html, content_hash)
SELECT id, 1, coalesce(first_seen_at, last_crawled_at, ''), title, body_text, body_html,
    content_hash
FROM articles WHERE status = 'archived';
INSERT INTO article_urls (article_id, url, first_seen_at, last_seen_at)
SELECT id, url, first_seen_at, last_crawled_at FROM articles WHERE status = 'archived';
"""

# Migration 5 (crawl frontier, archiver.crawling): the archive remembers what each visit
# found, when each article is due again, which validators each URL sent, and which
# process runs a crawl (so a run killed with -9 can be closed by the next one).
_FRONTIER_V5 = """
CREATE TABLE article_schedule (
    article_id INTEGER PRIMARY KEY
        REFERENCES articles(id) ON UPDATE CASCADE ON DELETE CASCADE,
    visits INTEGER NOT NULL DEFAULT 0,
    changed_visits INTEGER NOT NULL DEFAULT 0,
    unchanged_streak INTEGER NOT NULL DEFAULT 0,
    last_visit_at TEXT,
    last_changed_at TEXT,
    next_visit_at TEXT,
    last_run_id INTEGER REFERENCES crawl_runs(id)
);
CREATE INDEX idx_article_schedule_next_visit_at ON article_schedule(next_visit_at);
CREATE TABLE article_visits (
    id INTEGER PRIMARY KEY,
    article_id INTEGER REFERENCES articles(id) ON UPDATE CASCADE ON DELETE CASCADE,
    run_id INTEGER REFERENCES crawl_runs(id),
    url TEXT NOT NULL,
    visited_at TEXT NOT NULL,
    outcome TEXT NOT NULL
        CHECK (outcome IN ('new', 'changed', 'unchanged', 'not_modified', 'gone')),
    thread_complete INTEGER,
    changes_json TEXT
);
CREATE INDEX idx_article_visits_article_id ON article_visits(article_id);
CREATE INDEX idx_article_visits_run_id ON article_visits(run_id);
CREATE TABLE url_validators (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    fetched_at TEXT,
    run_id INTEGER REFERENCES crawl_runs(id)
);
ALTER TABLE crawl_runs ADD COLUMN pid INTEGER;
ALTER TABLE crawl_runs ADD COLUMN host TEXT;
ALTER TABLE crawl_runs ADD COLUMN articles_due INTEGER;
ALTER TABLE crawl_runs ADD COLUMN articles_not_modified INTEGER;
"""

# Migration 6 (down votes): the second count of two-button vote widgets (Comments Like
# Dislike, Thumbs Rating, wp-ulike's up/down templates), beside the up count in the
# latest state and in the vote series. A series row holds both counts as seen together;
# archives made before have none (NULL), as their pages were read without them.
_VOTES_DOWN_V6 = """
ALTER TABLE comments ADD COLUMN votes_down_raw TEXT;
ALTER TABLE comments ADD COLUMN votes_down INTEGER;
ALTER TABLE vote_counts ADD COLUMN votes_down_raw TEXT;
ALTER TABLE vote_counts ADD COLUMN votes_down INTEGER;
"""


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


def _script(script: str) -> Callable[[sqlite3.Connection], None]:
    """A migration that runs the statements of ``script`` inside the caller's transaction."""

    def apply(conn: sqlite3.Connection) -> None:
        for statement in _split_statements(script):
            conn.execute(statement)

    return apply


def _split_statements(script: str) -> list[str]:
    """Statements of a script; executescript() would commit, breaking the transaction."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    return [s for s in statements if s]


#: Append new migrations here; never edit one that has shipped.
MIGRATIONS: list[Migration] = [
    Migration(1, "initial archive schema", _script(_SCHEMA_V1)),
    Migration(
        2, "search tables use the ascii tokenizer over segmented text", _script(_FTS_TABLES_V2)
    ),
    Migration(
        3,
        "history: revisions, vote series, removals, gone and moved articles, captures",
        _script(_HISTORY_V3),
    ),
    Migration(5, "crawl frontier: revisit schedule, visits, validators", _script(_FRONTIER_V5)),
    Migration(6, "down (dislike) vote counts beside the votes", _script(_VOTES_DOWN_V6)),
]
