"""Crawl runs and anomalies: the archive's record of what each crawl did and could not read."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from sqlite_utils import Database

from archiver.items import Anomaly
from archiver.schema import transaction
from archiver.storage.database import now_tokyo

#: The counts a run closes with, in ``crawl_runs`` column order.
RUN_COUNTS = (
    "pages",
    "articles_new",
    "articles_updated",
    "articles_edited",
    "articles_gone",
    "comments_new",
    "comments_updated",
    "comments_edited",
    "comments_deleted",
    "comments_restored",
    "votes_changed",
    "errors",
)


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
    stats: dict[str, Any] | None = None,
    **counts: int,
) -> None:
    """Close a crawl run with its status (``finished``, a close reason, ...) and counts.

    ``counts`` are keyword arguments named as in :data:`RUN_COUNTS`; missing ones are 0.
    """
    unknown = set(counts) - set(RUN_COUNTS)
    if unknown:
        raise TypeError(f"unknown crawl run counts: {', '.join(sorted(unknown))}")
    stats_json = json.dumps(stats or {}, ensure_ascii=False, sort_keys=True, default=str)
    assignments = ", ".join(f"{name} = ?" for name in RUN_COUNTS)
    with transaction(db.conn):
        db.conn.execute(
            f"UPDATE crawl_runs SET status = ?, finished_at = ?, {assignments},"
            " stats_json = ? WHERE id = ?",
            (
                status,
                finished_at,
                *(int(counts.get(name, 0)) for name in RUN_COUNTS),
                stats_json,
                run_id,
            ),
        )


def record_anomaly(
    db: Database, anomaly: Anomaly, run_id: int | None = None, seen_at: str | None = None
) -> None:
    """Record one anomaly outside an article save (e.g. the save itself failed)."""
    with transaction(db.conn):
        insert_anomalies(db.conn, [anomaly], None, run_id, seen_at or now_tokyo())


def insert_anomalies(
    conn: sqlite3.Connection,
    anomalies: list[Anomaly],
    article_id: int | None,
    run_id: int | None,
    seen_at: str,
) -> None:
    """Add anomalies inside the caller's transaction; one seen before is not a new row."""
    conn.executemany(
        "INSERT OR IGNORE INTO anomalies"
        " (run_id, article_id, url, field, raw_value, problem, seen_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(run_id, article_id, a.url, a.field, a.raw_value, a.problem, seen_at) for a in anomalies],
    )
