"""Find and cut the half-written record a killed crawl leaves at the end of a WARC file.

A crawl killed mid-write leaves one torn gzip member at the end of its last file; its
``captures`` row was never committed (the row is committed only after the bytes are
flushed), so cutting the torn member loses nothing the archive refers to. Only the tail
is scanned: from the last indexed record of the file (or the start, for a file with no
indexed record), so the check costs a few records per file, not the whole file.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from archiver.capture import index
from archiver.capture.warcfile import repair_tail

logger = logging.getLogger(__name__)


def archive_warc_files(db_path: str, directory: Path) -> list[Path]:
    """The WARC files this archive wrote into ``directory`` (``<archive>-<run>-<n>.warc.gz``)."""
    if not directory.is_dir():
        return []
    return sorted(directory.glob(f"{Path(db_path).stem}-*.warc.gz"))


def tail_start(conn: sqlite3.Connection, db_path: str, path: Path) -> int:
    """Offset of the last indexed record of ``path`` (0 when none is indexed)."""
    row = conn.execute(
        "SELECT max(warc_offset) FROM captures WHERE warc_file = ?",
        (index.stored_name(db_path, path),),
    ).fetchone()
    return int(row[0] or 0)


def repair_archive_tails(
    conn: sqlite3.Connection, db_path: str, directory: Path, run_id: int | None
) -> list[tuple[Path, int]]:
    """Cut torn tails off this archive's WARC files; each cut is logged and recorded.

    Returns ``(file, bytes cut)`` for every file that was cut.
    """
    cut = []
    for path in archive_warc_files(db_path, directory):
        removed = repair_tail(path, tail_start(conn, db_path, path))
        if removed:
            cut.append((path, removed))
            logger.warning("cut a half-written record (%s bytes) off %s", removed, path)
            record_cut(conn, path, removed, run_id)
    return cut


def record_cut(conn: sqlite3.Connection, path: Path, removed: int, run_id: int | None) -> None:
    """The cut, as a row of the ``anomalies`` table (so it is on record, not only in a log)."""
    from archiver.storage import now_tokyo

    with conn:
        conn.execute(
            "INSERT OR IGNORE INTO anomalies (run_id, url, field, raw_value, problem, seen_at)"
            " VALUES (?, NULL, 'warc', ?, ?, ?)",
            (run_id, path.name, f"half-written record cut off: {removed} bytes", now_tokyo()),
        )
