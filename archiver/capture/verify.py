"""Check an archive against its WARC files: every capture's bytes, every article's capture.

For each ``captures`` row the record at its offset must be there, be the record the row
says (type, target URI), and hold a payload whose digest is the row's digest (a revisit
must name that digest and have the response record it refers to). Every archived article
must have a capture. A torn record at the end of a file (a killed crawl) is cut off and
recorded, as the next crawl would, and reported. Each problem is one line of text.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from warcio.exceptions import ArchiveLoadFailed

from archiver.capture import index
from archiver.capture.index import Capture
from archiver.capture.repair import archive_warc_files, record_cut, tail_start
from archiver.capture.warcfile import parse_record, payload_digest, repair_tail


@dataclass
class VerifyReport:
    captures: int = 0
    files: int = 0
    articles: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        verdict = "OK" if self.ok else f"{len(self.problems)} problem(s)"
        return (
            f"{self.captures} captures in {self.files} WARC file(s),"
            f" {self.articles} archived articles: {verdict}"
        )


def verify_archive(conn: sqlite3.Connection, db_path: str, warc_dir: Path) -> VerifyReport:
    """Check every capture and every archived article of the archive behind ``conn``."""
    report = VerifyReport()
    for path in archive_warc_files(db_path, warc_dir):
        removed = repair_tail(path, tail_start(conn, db_path, path))
        if removed:
            record_cut(conn, path, removed, None)
            report.problems.append(
                f"{path}: half-written record at the end ({removed} bytes), cut off"
            )
    by_file: dict[str, list[Capture]] = defaultdict(list)
    for capture in index.select_captures(conn):
        by_file[capture.warc_file].append(capture)
    report.captures = sum(len(c) for c in by_file.values())
    report.files = len(by_file)
    originals = {
        (c.url, c.payload_digest)
        for captures in by_file.values()
        for c in captures
        if c.record_type == "response"
    }
    for warc_file, captures in sorted(by_file.items()):
        path = index.resolve(db_path, warc_file)
        if not path.is_file():
            report.problems.append(f"{warc_file}: WARC file missing ({len(captures)} captures)")
            continue
        with open(path, "rb") as file:
            for capture in sorted(captures, key=lambda c: c.warc_offset):
                problem = _check(file, capture, originals)
                if problem:
                    report.problems.append(f"capture {capture.id} ({capture.url}): {problem}")
    report.articles, missing = _articles_without_capture(conn)
    report.problems += [f"article {url}: archived without a capture" for url in missing]
    return report


def _check(file, capture: Capture, originals: set[tuple[str, str | None]]) -> str | None:  # noqa: ANN001
    file.seek(capture.warc_offset)
    member = file.read(capture.warc_length)
    if len(member) < capture.warc_length:
        return f"record cut short in {capture.warc_file} at offset {capture.warc_offset}"
    try:
        record, payload = parse_record(member)
    except (ArchiveLoadFailed, StopIteration, zlib.error, OSError, ValueError) as error:
        return f"no readable record at offset {capture.warc_offset}: {error}"
    uri = record.rec_headers.get_header("WARC-Target-URI")
    if record.rec_type != capture.record_type or uri != capture.url:
        return f"offset {capture.warc_offset} holds a {record.rec_type} of {uri}"
    stated = record.rec_headers.get_header("WARC-Payload-Digest")
    if capture.record_type == "response":
        actual = payload_digest(payload)
        if actual != capture.payload_digest or stated != capture.payload_digest:
            return f"payload digest {actual}, expected {capture.payload_digest}"
    elif capture.payload_digest is not None:
        if stated != capture.payload_digest:
            return f"revisit names digest {stated}, expected {capture.payload_digest}"
        if (capture.url, capture.payload_digest) not in originals:
            return "revisit of a payload no response record holds"
    return None


def _articles_without_capture(conn: sqlite3.Connection) -> tuple[int, list[str]]:
    """(archived articles, URLs of those without a capture).

    With ``articles.capture_id`` (history schema) the id must name a capture; before it,
    a capture of the article's URL must exist.
    """
    archived = conn.execute("SELECT count(*) FROM articles WHERE status = 'archived'").fetchone()
    columns = {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
    if "capture_id" in columns:
        sql = (
            "SELECT url FROM articles a WHERE status = 'archived' AND NOT EXISTS"
            " (SELECT 1 FROM captures c WHERE c.id = a.capture_id) ORDER BY url"
        )
    else:
        sql = (
            "SELECT url FROM articles a WHERE status = 'archived' AND NOT EXISTS"
            " (SELECT 1 FROM captures c WHERE c.url = a.url) ORDER BY url"
        )
    return int(archived[0]), [row[0] for row in conn.execute(sql)]
