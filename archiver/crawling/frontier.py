"""The archive as the crawl's frontier: what a run knows before it fetches anything.

An archived article may vanish from every listing and sitemap (deleted, unpublished,
moved): only the archive still knows its URL, so a run schedules archived articles
itself, and sees their 404/410 or 301. The archive also knows when each article is due
again (``article_schedule``), what every visit found (``article_visits``), and which
validators each URL sent (``url_validators``, for conditional GETs).

Reading happens through a separate, read-only connection (the spider decides what to
fetch); writing happens in :mod:`archiver.crawling.pipeline`, after the storage
pipeline saved the article, each visit in one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from archiver.crawling.revisit import RevisitPolicy, is_due, parse_time
from archiver.schema import transaction


@dataclass
class ArchivedArticle:
    """What the archive knows about one article when a run starts."""

    article_id: int
    url: str
    status: str  # 'archived', or 'stub' (known from a link, never saved)
    published_at: datetime | None = None
    last_visit_at: datetime | None = None
    next_visit_at: datetime | None = None
    comments_archived: int = 0
    comment_count_shown: int | None = None

    def due(self, now: datetime) -> bool:
        return self.status != "archived" or is_due(self.next_visit_at, now)


@dataclass
class Frontier:
    """The archive's articles (by canonical URL) and URL validators, read at a run's start."""

    articles: dict[str, ArchivedArticle] = field(default_factory=dict)
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    conn: sqlite3.Connection | None = None

    def has_comment(self, comment_id: int) -> bool:
        """Whether the archive holds this WordPress comment id (for the comment feed)."""
        if self.conn is None:
            return False
        row = self.conn.execute("SELECT 1 FROM comments WHERE id = ?", (comment_id,)).fetchone()
        return row is not None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def connect_read_only(path: str | Path) -> sqlite3.Connection | None:
    """A read-only connection to the archive at ``path``, or None when there is none yet."""
    path = Path(path)
    if not path.is_file():
        return None
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=30.0)
    conn.row_factory = sqlite3.Row
    return conn


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def load_frontier(path: str | Path, policy: RevisitPolicy) -> Frontier:
    """Everything a run needs to plan its fetches, from the archive at ``path``.

    An article archived before the schedule existed (or whose schedule write was lost
    to a crash) gets its next visit from the policy, counting its last crawl as a visit
    that found nothing new.
    """
    conn = connect_read_only(path)
    if conn is None:
        return Frontier()
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "articles" not in tables:
        conn.close()
        return Frontier()
    alive = "AND deleted_at IS NULL" if "deleted_at" in _columns(conn, "comments") else ""
    schedule = "article_schedule" in tables
    rows = conn.execute(
        "SELECT a.id, a.url, a.status, a.published_at, a.last_crawled_at, a.comment_count_shown,"
        f" (SELECT count(*) FROM comments c WHERE c.article_id = a.id {alive}) AS comments,"
        + (
            " s.last_visit_at, s.next_visit_at FROM articles a"
            " LEFT JOIN article_schedule s ON s.article_id = a.id"
            if schedule
            else " NULL AS last_visit_at, NULL AS next_visit_at FROM articles a"
        )
    ).fetchall()
    frontier = Frontier(conn=conn)
    for row in rows:
        last_visit = parse_time(row["last_visit_at"]) or parse_time(row["last_crawled_at"])
        next_visit = parse_time(row["next_visit_at"])
        published = parse_time(row["published_at"])
        if next_visit is None and last_visit is not None:
            next_visit = policy.next_visit(published, last_visit, False, 1)
        frontier.articles[row["url"]] = ArchivedArticle(
            article_id=row["id"],
            url=row["url"],
            status=row["status"],
            published_at=published,
            last_visit_at=last_visit,
            next_visit_at=next_visit,
            comments_archived=row["comments"],
            comment_count_shown=row["comment_count_shown"],
        )
    if "url_validators" in tables:
        for row in conn.execute("SELECT url, etag, last_modified FROM url_validators"):
            frontier.validators[row["url"]] = (row["etag"], row["last_modified"])
    return frontier


def captured_urls(source: str | Path, run_id: int) -> set[str]:
    """URLs a run captured (``archiver reparse`` replays exactly those)."""
    conn = connect_read_only(source)
    if conn is None:
        return set()
    try:
        return {
            row[0] for row in conn.execute("SELECT url FROM captures WHERE run_id = ?", (run_id,))
        }
    except sqlite3.DatabaseError:
        return set()
    finally:
        conn.close()


# -- writes (in the storage pipeline's writer thread) ----------------------------------


@dataclass
class Visit:
    """One visit of an article, as the frontier records it."""

    url: str
    visited_at: datetime
    outcome: str  # 'new', 'changed', 'unchanged', 'not_modified' or 'gone'
    changes: dict[str, Any] = field(default_factory=dict)
    thread_complete: bool = True
    etag: str | None = None
    last_modified: str | None = None


def record_visit(
    conn: sqlite3.Connection, visit: Visit, run_id: int | None, policy: RevisitPolicy
) -> datetime | None:
    """:func:`write_visit` as a transaction of its own (a visit that saved nothing)."""
    with transaction(conn):
        return write_visit(conn, visit, run_id, policy)


def write_visit(
    conn: sqlite3.Connection, visit: Visit, run_id: int | None, policy: RevisitPolicy
) -> datetime | None:
    """Write ``visit`` and the article's next visit time, in the caller's transaction.

    Returns the next visit time (None for an article that is not archived).

    A 304 moves the thread's ``last_seen_at`` on (seen, unchanged). Validators are kept
    only from a whole, complete response: a 304 answered to validators of a page that
    was truncated would hide the part that was never archived.
    """
    visited = visit.visited_at.isoformat(timespec="seconds")
    article = conn.execute(
        "SELECT a.id, a.published_at, s.unchanged_streak FROM articles a"
        " LEFT JOIN article_schedule s ON s.article_id = a.id WHERE a.url = ?",
        (visit.url,),
    ).fetchone()
    if article is None:
        return None
    article_id, published_raw, streak = article[0], article[1], article[2] or 0
    found_changes = visit.outcome in ("new", "changed")
    streak = 0 if found_changes else streak + 1
    next_visit = policy.next_visit(
        parse_time(published_raw), visit.visited_at, found_changes, streak
    )
    conn.execute(
        "INSERT INTO article_visits"
        " (article_id, run_id, url, visited_at, outcome, thread_complete, changes_json)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            article_id,
            run_id,
            visit.url,
            visited,
            visit.outcome,
            int(visit.thread_complete),
            json.dumps(visit.changes, sort_keys=True) if visit.changes else None,
        ),
    )
    conn.execute(
        "INSERT INTO article_schedule (article_id, visits, changed_visits, unchanged_streak,"
        " last_visit_at, last_changed_at, next_visit_at, last_run_id)"
        " VALUES (?, 1, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (article_id) DO UPDATE SET visits = visits + 1,"
        " changed_visits = changed_visits + excluded.changed_visits,"
        " unchanged_streak = excluded.unchanged_streak,"
        " last_visit_at = excluded.last_visit_at,"
        " last_changed_at = coalesce(excluded.last_changed_at, last_changed_at),"
        " next_visit_at = excluded.next_visit_at, last_run_id = excluded.last_run_id",
        (
            article_id,
            int(found_changes),
            streak,
            visited,
            visited if found_changes else None,
            next_visit.isoformat(timespec="seconds"),
            run_id,
        ),
    )
    if visit.outcome == "not_modified":
        _mark_seen(conn, article_id, visited)
    elif visit.thread_complete and (visit.etag or visit.last_modified):
        conn.execute(
            "INSERT OR REPLACE INTO url_validators (url, etag, last_modified, fetched_at,"
            " run_id) VALUES (?, ?, ?, ?, ?)",
            (visit.url, visit.etag, visit.last_modified, visited, run_id),
        )
    else:  # no validators, or an incomplete thread: fetch in full next time
        conn.execute("DELETE FROM url_validators WHERE url = ?", (visit.url,))
    return next_visit


def _mark_seen(conn: sqlite3.Connection, article_id: int, seen_at: str) -> None:
    """A 304: the article and its (not deleted) comments were seen again, unchanged.

    The writer's connection comes from ``open_archive``, which migrated the archive: the
    ``deleted_at`` column is always there (unlike on the read-only frontier connection).
    """
    conn.execute("UPDATE articles SET last_crawled_at = ? WHERE id = ?", (seen_at, article_id))
    conn.execute(
        "UPDATE comments SET last_seen_at = ? WHERE article_id = ? AND deleted_at IS NULL",
        (seen_at, article_id),
    )


# -- crawl runs: who runs, and closing the runs of killed processes --------------------


def set_run_process(conn: sqlite3.Connection, run_id: int, pid: int, host: str) -> None:
    """Which process runs ``run_id`` (shown when a second run finds the archive busy)."""
    with transaction(conn):
        conn.execute("UPDATE crawl_runs SET pid = ?, host = ? WHERE id = ?", (pid, host, run_id))


def set_run_counts(
    conn: sqlite3.Connection, run_id: int, articles_due: int, articles_not_modified: int
) -> None:
    """The frontier's counts of a finished run: articles it meant to fetch, 304s."""
    with transaction(conn):
        conn.execute(
            "UPDATE crawl_runs SET articles_due = ?, articles_not_modified = ? WHERE id = ?",
            (articles_due, articles_not_modified, run_id),
        )


def _changed(name: str) -> str:
    return f"sum(coalesce(json_extract(changes_json, '$.{name}'), 0))"


#: crawl_runs columns a killed run gets from its recorded visits (SaveResult counts).
_KILLED_RUN_COUNTS = {
    "articles_new": "sum(outcome = 'new')",
    "articles_updated": _changed("article_updated"),
    "articles_edited": _changed("article_edited"),
    "articles_gone": "sum(outcome = 'gone')",
    "comments_new": _changed("comments_new"),
    "comments_updated": _changed("comments_updated"),
    "comments_edited": _changed("comments_edited"),
    "comments_deleted": _changed("comments_deleted"),
    "comments_restored": _changed("comments_restored"),
    "votes_changed": _changed("votes_changed"),
    "articles_not_modified": "sum(outcome = 'not_modified')",
}


def close_killed_runs(conn: sqlite3.Connection, closed_at: str) -> list[int]:
    """Close every run still ``running``: the caller holds the archive's run lock, so
    no live process runs them. Each becomes ``killed``, with the counts of what it had
    saved (from its recorded visits) and the time of its last visit as its end."""
    killed = [r[0] for r in conn.execute("SELECT id FROM crawl_runs WHERE status = 'running'")]
    if not killed:
        return []
    sums = ", ".join(f"coalesce({expr}, 0)" for expr in _KILLED_RUN_COUNTS.values())
    sets = ", ".join(f"{name} = ?" for name in _KILLED_RUN_COUNTS)
    with transaction(conn):
        for run_id in killed:
            counts = conn.execute(
                f"SELECT {sums}, max(visited_at) FROM article_visits WHERE run_id = ?",
                (run_id,),
            ).fetchone()
            conn.execute(
                f"UPDATE crawl_runs SET status = 'killed', finished_at = ?, {sets} WHERE id = ?",
                (counts[-1] or closed_at, *counts[:-1], run_id),
            )
    return killed
