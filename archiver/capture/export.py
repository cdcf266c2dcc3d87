"""Package an archive's WARC files as WACZ, with a pages list of its archived articles.

WACZ (the Webrecorder format read by ReplayWeb.page and pywb) is a zip of the WARC files,
a CDXJ index and ``pages/pages.jsonl``; the ``wacz`` package writes it. The pages list
names every archived article at its latest full capture, so a replay tool opens on the
articles rather than on robots.txt and sitemaps.
"""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from wacz.main import main as wacz_main

from archiver.capture import index


class ExportError(Exception):
    """The WACZ could not be written (no captures, a missing WARC file, ...)."""


#: The steps ``wacz create`` announces on stdout, in order: what export progress counts.
EXPORT_STEPS = (
    "Validating passed pages.jsonl file",
    "Reading and Indexing All WARCs",
    "Writing archives...",
    "Generating page index from passed pages...",
)


class _StepListener(io.StringIO):
    """Keeps what ``wacz`` prints (for an error message) and reports each known step."""

    def __init__(self, on_step: Callable[[str], None] | None) -> None:
        super().__init__()
        self.on_step = on_step
        self._line = ""

    def write(self, text: str) -> int:
        self._line += text
        *lines, self._line = self._line.split("\n")
        for line in lines:
            if self.on_step is not None and line.strip() in EXPORT_STEPS:
                self.on_step(line.strip())
        return super().write(text)


def article_pages(conn: sqlite3.Connection) -> list[dict[str, str]]:
    """One page entry per archived article: its URL, title and latest full capture time."""
    rows = conn.execute(
        "SELECT a.url, a.title, max(c.fetched_at) FROM articles a"
        " JOIN captures c ON c.url = a.url AND c.record_type = 'response' AND c.status = 200"
        " WHERE a.status = 'archived' GROUP BY a.id ORDER BY a.published_at, a.id"
    ).fetchall()
    pages = []
    for url, title, fetched_at in rows:
        moment = datetime.fromisoformat(fetched_at).astimezone(UTC)
        pages.append(
            {"url": url, "title": title or url, "ts": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}
        )
    return pages


def export_wacz(
    conn: sqlite3.Connection,
    db_path: str,
    out: Path,
    on_step: Callable[[str], None] | None = None,
) -> tuple[int, int]:
    """Write ``out`` (a .wacz); returns (WARC files, pages).

    ``on_step`` is called with each of :data:`EXPORT_STEPS` as ``wacz`` reaches it (the
    package indexes and writes every WARC in one call, so steps are its progress).
    """
    files = [
        index.resolve(db_path, row[0])
        for row in conn.execute("SELECT DISTINCT warc_file FROM captures ORDER BY warc_file")
    ]
    if not files:
        raise ExportError(f"{db_path} has no captures to export")
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise ExportError(f"WARC file(s) missing: {', '.join(missing)}")
    pages = article_pages(conn)
    with tempfile.TemporaryDirectory(prefix="archiver-wacz-") as tmp:
        pages_file = Path(tmp) / "pages.jsonl"
        lines = [{"format": "json-pages-1.0", "id": "pages", "title": "Archived articles"}]
        pages_file.write_text(
            "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines + pages),
            encoding="utf-8",
        )
        chatter = _StepListener(on_step)  # wacz prints progress to stdout; stdout is for data
        with contextlib.redirect_stdout(chatter):
            status = wacz_main(["create", "-o", str(out), "-p", str(pages_file), *map(str, files)])
    if status not in (0, None):
        raise ExportError(f"wacz failed: {chatter.getvalue().strip()[-500:]}")
    return len(files), len(pages)
