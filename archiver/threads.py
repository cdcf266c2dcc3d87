"""An article's comment thread as the archive knew it at a given time.

The history tables say, for every comment, which text it had from when
(``comment_revisions``), which vote counts (``vote_counts``: votes, and down votes where
the widget shows them) and when it was not shown (``comment_removals``).
:data:`THREAD_AS_OF_SQL` puts them together for one moment: the comments first seen by
then, each with its text and votes as of then, nested under its parent, marked edited
(a later revision than the first was seen by then) and deleted (removed by then and not
back yet). The same SQL serves ``archiver thread`` and the Datasette canned query
``thread_as_of``, so both always show the same thread.

Times are ISO 8601 text as stored (``2022-02-03T12:00:00+09:00``, Tokyo time);
:func:`normalize_time` turns what a user types into that form.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from datetime import date, datetime, time
from typing import Any

from archiver.storage.database import TOKYO

#: Parameters: ``:article_id`` (the post id) and ``:at`` (ISO 8601 text as stored, or
#: empty / NULL for "now": every version the archive has).
THREAD_AS_OF_SQL = """
WITH RECURSIVE
params(article_id, at) AS (
    SELECT CAST(:article_id AS INTEGER), coalesce(nullif(:at, ''), '9999-12-31')
),
versions AS (
    SELECT r.comment_id, r.revision, r.seen_at, r.author, r.posted_raw, r.body_text,
        row_number() OVER (PARTITION BY r.comment_id ORDER BY r.revision DESC) AS newest
    FROM comment_revisions r
    JOIN comments c ON c.id = r.comment_id, params p
    WHERE c.article_id = p.article_id AND r.seen_at <= p.at
),
votes AS (
    SELECT v.comment_id, v.votes, v.votes_raw, v.votes_down, v.votes_down_raw,
        row_number() OVER (PARTITION BY v.comment_id ORDER BY v.seen_at DESC, v.id DESC) AS newest
    FROM vote_counts v
    JOIN comments c ON c.id = v.comment_id, params p
    WHERE c.article_id = p.article_id AND v.seen_at <= p.at
),
shown AS (
    SELECT c.id, c.parent_id, c.position FROM comments c
    JOIN versions v ON v.comment_id = c.id AND v.newest = 1
),
tree(id, level, sort_key) AS (
    SELECT id, 1, printf('%08d.%020d', position, id) FROM shown
    WHERE parent_id IS NULL OR parent_id NOT IN (SELECT id FROM shown)
    UNION ALL
    SELECT s.id, t.level + 1, t.sort_key || '/' || printf('%08d.%020d', s.position, s.id)
    FROM shown s JOIN tree t ON s.parent_id = t.id
)
SELECT
    c.id AS comment_id,
    c.parent_id,
    t.level AS depth,
    substr('　　　　　　　　　　　　　　　　', 1, t.level - 1) || v.author AS thread,
    v.author,
    v.posted_raw,
    c.posted_at,
    vo.votes,
    vo.votes_raw,
    vo.votes_down,
    vo.votes_down_raw,
    v.revision > 1 AS edited,
    EXISTS (
        SELECT 1 FROM comment_removals m, params p
        WHERE m.comment_id = c.id AND m.removed_at <= p.at
            AND (m.restored_at IS NULL OR m.restored_at > p.at)
    ) AS deleted,
    v.revision,
    v.seen_at AS revision_seen_at,
    v.body_text
FROM tree t
JOIN comments c ON c.id = t.id
JOIN versions v ON v.comment_id = c.id AND v.newest = 1
LEFT JOIN votes vo ON vo.comment_id = c.id AND vo.newest = 1
ORDER BY t.sort_key
"""


@dataclass(frozen=True)
class ThreadComment:
    """One comment of a thread as of a moment."""

    comment_id: int
    parent_id: int | None
    depth: int
    author: str | None
    posted_raw: str | None
    posted_at: str | None
    votes: int | None
    votes_raw: str | None
    votes_down: int | None  # dislikes, on sites whose vote widget shows them
    votes_down_raw: str | None
    edited: bool
    deleted: bool
    revision: int
    body_text: str | None


class UnknownArticleError(LookupError):
    """No archived article has that post id or URL."""


def normalize_time(text: str) -> str:
    """A user's ISO 8601 date or time as the archive stores times (Tokyo, to the second).

    A date alone means the start of that day in Tokyo; a time without an offset is
    Tokyo time. Raises ValueError for anything else.
    """
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date or time: {text!r}") from None
    if len(text) == 10:  # a date alone: fromisoformat gave midnight
        moment = datetime.combine(date.fromisoformat(text), time())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TOKYO)
    return moment.astimezone(TOKYO).isoformat(timespec="seconds")


def find_article(conn: sqlite3.Connection, reference: str) -> tuple[int, str | None]:
    """(post id, title) of an archived article given its post id, URL or a former URL."""
    reference = reference.strip()
    if reference.lstrip("-").isdigit():
        row = conn.execute(
            "SELECT id, title FROM articles WHERE id = ? AND status = 'archived'",
            (int(reference),),
        ).fetchone()
    else:
        candidates = {reference, reference.split("#", 1)[0]}
        candidates |= {c.rstrip("/") + "/" for c in list(candidates)}
        placeholders = ", ".join("?" * len(candidates))
        row = conn.execute(
            f"SELECT id, title FROM articles WHERE status = 'archived' AND (url IN ({placeholders})"
            f" OR id IN (SELECT article_id FROM article_urls WHERE url IN ({placeholders})))",
            (*candidates, *candidates),
        ).fetchone()
    if row is None:
        raise UnknownArticleError(f"no archived article {reference}")
    return int(row[0]), row[1]


def thread_as_of(
    conn: sqlite3.Connection, article_id: int, at: str | None = None
) -> list[ThreadComment]:
    """The thread of ``article_id`` as the archive knew it at ``at`` (None: now)."""
    cursor = conn.execute(THREAD_AS_OF_SQL, {"article_id": article_id, "at": at})
    columns = [d[0] for d in cursor.description]
    wanted = {f.name for f in fields(ThreadComment)}
    comments = []
    for values in cursor.fetchall():
        row: dict[str, Any] = {
            name: value for name, value in zip(columns, values, strict=True) if name in wanted
        }
        row["edited"], row["deleted"] = bool(row["edited"]), bool(row["deleted"])
        comments.append(ThreadComment(**row))
    return comments


def format_thread(comments: list[ThreadComment]) -> str:
    """The thread as indented text: a header line per comment, then its text."""
    lines: list[str] = []
    for comment in comments:
        indent = "    " * (comment.depth - 1)
        votes = comment.votes if comment.votes is not None else (comment.votes_raw or "-")
        if comment.votes_down is not None or comment.votes_down_raw is not None:
            down = comment.votes_down
            votes = f"{votes} down {down if down is not None else comment.votes_down_raw}"
        marks = "".join(
            mark
            for mark, on in ((" [edited]", comment.edited), (" [deleted]", comment.deleted))
            if on
        )
        author = comment.author if comment.author else "(no name)"
        lines.append(
            f"{indent}#{comment.comment_id} {author} | {comment.posted_raw or '-'} |"
            f" votes {votes}{marks}"
        )
        for text_line in (comment.body_text or "").splitlines() or [""]:
            lines.append(f"{indent}  {text_line}".rstrip())
        lines.append("")
    return "\n".join(lines)
