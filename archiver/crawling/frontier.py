"""The archive as the crawl's frontier: which archived articles a run schedules.

An archived article may vanish from every listing and sitemap (deleted, unpublished,
moved): only the archive still knows its URL, so a run schedules archived articles
itself, and sees their 404/410 or 301. The archive is read through a separate,
read-only connection: the spider decides what to fetch, the storage pipeline alone
writes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote


def connect_read_only(path: str | Path) -> sqlite3.Connection | None:
    """A read-only connection to the archive at ``path``, or None when there is none yet."""
    path = Path(path)
    if not path.is_file():
        return None
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=30.0)
    conn.row_factory = sqlite3.Row
    return conn


def archived_article_urls(path: str | Path) -> list[str]:
    """Canonical URLs of every archived article, oldest visit first.

    Empty when the archive does not exist yet or holds no ``articles`` table (a new
    archive): the storage pipeline creates it, and refuses a file that is no archive.
    """
    conn = connect_read_only(path)
    if conn is None:
        return []
    try:
        rows = conn.execute(
            "SELECT url FROM articles WHERE status = 'archived' ORDER BY last_crawled_at, id"
        ).fetchall()
    except sqlite3.DatabaseError:
        return []  # not an archive (yet): nothing to revisit
    finally:
        conn.close()
    return [row["url"] for row in rows]
