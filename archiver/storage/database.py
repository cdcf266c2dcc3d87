"""Opening the archive file: creation, migration and the connection settings it needs.

One place decides how the SQLite file is opened (WAL, busy timeout, foreign keys, page
and cache sizes), so the crawl, the CLI, Datasette's readers and the tests all see the
same archive.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlite_utils import Database

from archiver.schema import NotAnArchiveError, check_archive, ensure_schema

TOKYO = timezone(timedelta(hours=9))

#: Page size of a new archive, in bytes (an existing archive keeps its own).
ARCHIVE_PAGE_SIZE = 16384
# WAL size that triggers a checkpoint.
_CHECKPOINT_BYTES = 40 * 1024 * 1024


def now_tokyo() -> str:
    """The current time as ISO 8601 with the Tokyo offset, to the second."""
    return datetime.now(TOKYO).isoformat(timespec="seconds")


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
