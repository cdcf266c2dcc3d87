"""Saving an article's thread: the latest state in ``comments``, every change as history.

``comments`` always holds each comment as last seen. What changed is added, never
overwritten (git-history / sqlite-history): a new ``comment_revisions`` row when the
author or the text differs from the version before, a ``vote_counts`` row when the vote
count or the down (dislike) count differs, and a removal (``comments.deleted_at`` plus a
``comment_removals`` row) when a thread that arrived whole no longer shows the comment.
A version is compared only with the one before it, so a change back to an earlier text
is a new revision.

It is written for speed: one SELECT of the article's stored comments, then
``executemany`` batches; an unchanged comment costs one ``last_seen_at`` update.
"""

from __future__ import annotations

import json
import sqlite3
from operator import attrgetter
from typing import Any

from archiver.items import Anomaly, Article
from archiver.search import segment
from archiver.storage.ids import comment_ids
from archiver.storage.results import SaveResult
from archiver.storage.search_index import (
    COMMENTS_FTS_DELETE,
    COMMENTS_FTS_INSERT,
    SearchIndexWrites,
)

_FIELDS = (
    "article_id, parent_id, depth, position, author, author_url, posted_raw, posted_attr,"
    " posted_at, posted_date, posted_precision, body_text, body_html, votes_raw, votes,"
    " votes_down_raw, votes_down, page"
)
_FIELD_NAMES = [c.strip() for c in _FIELDS.split(",")]


def _index(name: str) -> int:
    return _FIELD_NAMES.index(name)


# Fields whose change makes a comment "updated"; position/page/depth shift when other
# comments are added and are rewritten silently.
_CONTENT = [
    _index(name)
    for name in (
        "author",
        "author_url",
        "posted_raw",
        "posted_attr",
        "body_text",
        "body_html",
        "votes_raw",
        "votes_down_raw",
        "parent_id",
    )
]
# What makes a new revision: who wrote it and what it says. (Not the date text: a
# relative date such as 3時間前 changes on every visit without the comment changing.)
_REVISED = [_index(name) for name in ("author", "author_url", "body_text", "body_html")]
# A vote series row holds both counts as seen together; a change of either adds one.
_VOTES = [_index(name) for name in ("votes_raw", "votes", "votes_down_raw", "votes_down")]
# The comment's own fields in _FIELDS order after article_id and parent_id, read in one
# C call per comment.
_VALUES = attrgetter(*_FIELD_NAMES[2:])
_AUTHOR = _index("author")
_BODY = _index("body_text")
_REVISION_VALUES = [_index(name) for name in ("author", "author_url", "posted_raw")]
_BODY_HTML = _index("body_html")

_INSERT = (
    f"INSERT INTO comments (id, {_FIELDS}, first_seen_at, last_seen_at)"
    f" VALUES ({', '.join(['?'] * (len(_FIELD_NAMES) + 3))})"
)
_UPDATE = (
    "UPDATE comments SET "
    + ", ".join(f"{name} = ?" for name in _FIELD_NAMES)
    + ", last_seen_at = ?, deleted_at = NULL WHERE id = ?"
)
_REVISION_INSERT = (
    "INSERT INTO comment_revisions (comment_id, revision, seen_at, run_id, author,"
    " author_url, posted_raw, body_text, body_html, capture_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_VOTES_INSERT = (
    "INSERT INTO vote_counts (comment_id, seen_at, run_id, votes_raw, votes, votes_down_raw,"
    " votes_down) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def save_comments(
    conn: sqlite3.Connection,
    article: Article,
    article_id: int,
    seen_at: str,
    run_id: int | None,
    changes: SaveResult,
    anomalies: list[Anomaly],
    index: SearchIndexWrites,
) -> None:
    """Write the thread of ``article`` (stored as ``article_id``) and its history,
    adding what changed to the ``comments_*`` / ``votes_changed`` counts of ``changes``."""
    ids = comment_ids(article)
    on_page = set(ids)
    # The article's stored comments, plus any comment of this page stored under another
    # article (a moved comment): one query, then everything is compared in Python.
    existing: dict[int, tuple[Any, ...]] = {}
    deleted: dict[int, str] = {}
    for row in conn.execute(
        f"SELECT id, deleted_at, {_FIELDS} FROM comments WHERE article_id = ?"
        f" UNION ALL SELECT id, deleted_at, {_FIELDS} FROM comments"
        " WHERE id IN (SELECT value FROM json_each(?)) AND article_id != ?",
        (article_id, json.dumps(ids), article_id),
    ):
        existing[row[0]] = row[2:]
        if row[1] is not None:
            deleted[row[0]] = row[1]
    new_rows: list[tuple[Any, ...]] = []
    changed_rows: list[tuple[Any, ...]] = []
    seen_ids: list[tuple[str, int]] = []
    revisions: list[tuple[Any, ...]] = []  # (comment_id, values, capture_id); numbered below
    votes: list[tuple[Any, ...]] = []
    fts_delete: list[tuple[Any, ...]] = []
    fts_insert: list[tuple[Any, ...]] = []
    done: set[int] = set()
    comment_values = _VALUES
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
            revisions.append((comment_id, values, comment.capture_id))
            if any(values[i] is not None for i in _VOTES):
                votes.append((comment_id, seen_at, run_id, *(values[i] for i in _VOTES)))
            fts_insert.append(
                (comment_id, author_tokens(comment.author), segment(comment.body_text))
            )
            continue
        was_deleted = comment_id in deleted
        if was_deleted:
            changes.comments_restored += 1
        if old == values and not was_deleted:
            seen_ids.append((seen_at, comment_id))
            continue
        changed_rows.append((*values, seen_at, comment_id))
        if any(old[i] != values[i] for i in _CONTENT):
            changes.comments_updated += 1
        if any(old[i] != values[i] for i in _REVISED):
            changes.comments_edited += 1
            revisions.append((comment_id, values, comment.capture_id))
        if any(old[i] != values[i] for i in _VOTES):
            changes.votes_changed += 1
            votes.append((comment_id, seen_at, run_id, *(values[i] for i in _VOTES)))
        if old[_AUTHOR] != values[_AUTHOR] or old[_BODY] != values[_BODY]:
            fts_delete.append((comment_id, author_tokens(old[_AUTHOR]), segment(old[_BODY])))
            fts_insert.append(
                (comment_id, author_tokens(comment.author), segment(comment.body_text))
            )
    conn.executemany(_INSERT, new_rows)
    changes.comments_new = len(new_rows)
    conn.executemany(_UPDATE, changed_rows)
    conn.executemany("UPDATE comments SET last_seen_at = ? WHERE id = ?", seen_ids)
    _write_revisions(conn, revisions, seen_at, run_id)
    conn.executemany(_VOTES_INSERT, votes)
    restored = [comment_id for comment_id in deleted if comment_id in done]
    conn.executemany(
        "UPDATE comment_removals SET restored_at = ?, restored_run_id = ?"
        " WHERE comment_id = ? AND restored_at IS NULL",
        [(seen_at, run_id, comment_id) for comment_id in restored],
    )
    if article.thread_complete:
        changes.comments_deleted = _mark_removed(
            conn, existing, deleted, article_id, done, seen_at, run_id
        )
    index.add("comments_fts", COMMENTS_FTS_DELETE, fts_delete)
    index.add("comments_fts", COMMENTS_FTS_INSERT, fts_insert)


def _write_revisions(
    conn: sqlite3.Connection,
    revisions: list[tuple[Any, ...]],
    seen_at: str,
    run_id: int | None,
) -> None:
    """Add one numbered revision per (comment id, values, capture id), after the last one."""
    if not revisions:
        return
    last = dict(
        conn.execute(
            "SELECT comment_id, max(revision) FROM comment_revisions"
            " WHERE comment_id IN (SELECT value FROM json_each(?)) GROUP BY comment_id",
            (json.dumps([comment_id for comment_id, _, _ in revisions]),),
        )
    )
    rows = []
    for comment_id, values, capture_id in revisions:
        author, author_url, posted_raw = (values[i] for i in _REVISION_VALUES)
        rows.append(
            (
                comment_id,
                last.get(comment_id, 0) + 1,
                seen_at,
                run_id,
                author,
                author_url,
                posted_raw,
                values[_BODY],
                values[_BODY_HTML],
                capture_id,
            )
        )
    conn.executemany(_REVISION_INSERT, rows)


def _mark_removed(
    conn: sqlite3.Connection,
    existing: dict[int, tuple[Any, ...]],
    deleted: dict[int, str],
    article_id: int,
    shown: set[int],
    seen_at: str,
    run_id: int | None,
) -> int:
    """Mark the article's stored comments that a whole thread no longer shows; how many.

    Only comments stored under this article count (``existing`` also holds comments of
    the page stored under another one), and one already marked keeps its first time.
    """
    gone = [
        comment_id
        for comment_id, values in existing.items()
        if values[0] == article_id and comment_id not in shown and comment_id not in deleted
    ]
    conn.executemany(
        "UPDATE comments SET deleted_at = ? WHERE id = ?",
        [(seen_at, comment_id) for comment_id in gone],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO comment_removals (comment_id, removed_at, removed_run_id)"
        " VALUES (?, ?, ?)",
        [(comment_id, seen_at, run_id) for comment_id in gone],
    )
    return len(gone)
