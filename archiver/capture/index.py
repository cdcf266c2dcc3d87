"""The ``captures`` table: one row per WARC response or revisit record of the archive.

A row says where the bytes are (``warc_file``, ``warc_offset``, ``warc_length`` of the
gzip member holding the record), what they were (``url``, ``status``, ``record_type``,
``payload_digest``) and when (``fetched_at``, the run). ``warc_file`` is relative to the
archive's directory when the file lies below it, so an archive and its ``warc/`` folder
can be moved together; otherwise it is absolute.

The capture middleware commits a row right after its record is written and flushed, and
before the response reaches the spider, so no article row can reference a capture that
is not committed (and no committed capture lacks its bytes).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import astuple, dataclass
from pathlib import Path

_COLUMNS = (
    "run_id, url, fetched_at, status, warc_file, warc_offset, warc_length,"
    " payload_digest, record_type"
)


@dataclass
class Capture:
    """One ``captures`` row (``id`` is None until inserted)."""

    run_id: int | None
    url: str
    fetched_at: str
    status: int
    warc_file: str
    warc_offset: int
    warc_length: int
    payload_digest: str | None
    record_type: str  # "response" or "revisit"
    id: int | None = None


def connect(db_path: str | Path) -> sqlite3.Connection:
    """A connection of its own to the archive, able to wait for the pipeline's writer."""
    conn = sqlite3.connect(str(db_path), timeout=30.0)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


_INSERT = f"INSERT INTO captures ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"


def insert_capture(conn: sqlite3.Connection, capture: Capture) -> int:
    """Insert and commit ``capture``; returns (and sets) its id."""
    insert_captures(conn, [capture])
    return int(capture.id)


def insert_captures(conn: sqlite3.Connection, captures: list[Capture]) -> None:
    """Insert and commit ``captures`` in one transaction, in order; sets their ids."""
    with conn:
        for capture in captures:
            capture.id = int(conn.execute(_INSERT, astuple(capture)[:-1]).lastrowid)


def _capture(row: tuple) -> Capture:
    capture_id, *values = row
    return Capture(*values, id=capture_id)


def select_captures(conn: sqlite3.Connection, where: str = "1", args: tuple = ()) -> list[Capture]:
    """Captures matching ``where``, in capture order."""
    cursor = conn.execute(f"SELECT id, {_COLUMNS} FROM captures WHERE {where} ORDER BY id", args)
    return [_capture(row) for row in cursor]


def last_capture(conn: sqlite3.Connection, url: str) -> Capture | None:
    """The latest capture of ``url`` that has a payload digest (response or revisit)."""
    row = conn.execute(
        f"SELECT id, {_COLUMNS} FROM captures WHERE url = ? AND payload_digest IS NOT NULL"
        " ORDER BY id DESC LIMIT 1",
        (url,),
    ).fetchone()
    return _capture(row) if row else None


def original_capture(conn: sqlite3.Connection, url: str, digest: str) -> Capture | None:
    """The latest ``response`` record of ``url`` with payload ``digest`` (a revisit's target)."""
    row = conn.execute(
        f"SELECT id, {_COLUMNS} FROM captures WHERE url = ? AND payload_digest = ?"
        " AND record_type = 'response' ORDER BY id DESC LIMIT 1",
        (url, digest),
    ).fetchone()
    return _capture(row) if row else None


def stored_name(db_path: str | Path, warc_path: str | Path) -> str:
    """``warc_path`` as kept in ``captures.warc_file``: relative to the archive's folder if below it."""
    base = Path(db_path).resolve().parent
    path = Path(warc_path).resolve()
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


def resolve(db_path: str | Path, warc_file: str) -> Path:
    """The path of a ``captures.warc_file`` for the archive at ``db_path``."""
    path = Path(warc_file)
    return path if path.is_absolute() else Path(os.path.abspath(Path(db_path).parent / path))
