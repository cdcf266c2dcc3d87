"""Rebuild an archive from its captures alone: each run replayed with the real spider.

For every crawl run that has captures, in run order, ``scrapy crawl`` runs the run's
spider into a new archive with :class:`~archiver.capture.replay.ReplayDownloadHandler`
answering from the old archive's WARC records: the same spider decides what to fetch,
the same parser reads the pages, the same pipelines normalize and store, and every
page carries its original fetch time, so history (first/last seen, revisions) comes out
as if the site had been crawled again, with today's parser. There is no second code
path to keep in step with the crawl.

``--in-place`` builds the new archive beside the old one and renames it over the old
file only when every run has been replayed; until then the old archive is untouched.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from archiver.capture import index
from archiver.capture.replay import UNREADABLE_STAT
from archiver.runner import run_crawl

#: Replay runs at full speed: politeness is for live servers.
REPLAY_SETTINGS: dict[str, str] = {
    "DOWNLOAD_HANDLERS": json.dumps(
        {
            "http": "archiver.capture.replay.ReplayDownloadHandler",
            "https": "archiver.capture.replay.ReplayDownloadHandler",
        }
    ),
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "LOG_LEVEL": "WARNING",
}


class ReparseError(Exception):
    """The archive cannot be reparsed (no captures, a replay crawl failed, ...)."""


@dataclass
class ReplayRun:
    """One original crawl run to replay."""

    run_id: int
    spider: str
    start_url: str
    captures: int


@dataclass
class Progress:
    """What the new archive holds so far (polled while a replay crawl runs)."""

    run: ReplayRun
    runs_done: int
    runs_total: int
    pages: int  # captures replayed, over all runs so far
    pages_total: int
    comments: int


def replay_runs(conn: sqlite3.Connection) -> list[ReplayRun]:
    """The runs of an archive that have captures, in order, with what to start them from."""
    rows = conn.execute(
        "SELECT c.run_id, r.spider, count(*),"
        " (SELECT url FROM captures WHERE run_id = c.run_id ORDER BY id LIMIT 1)"
        " FROM captures c JOIN crawl_runs r ON r.id = c.run_id"
        " GROUP BY c.run_id ORDER BY c.run_id"
    ).fetchall()
    runs = []
    for run_id, spider, count, first_url in rows:
        parts = urlsplit(first_url)  # robots.txt (or the first page): the site's root
        runs.append(ReplayRun(run_id, spider, f"{parts.scheme}://{parts.netloc}/", count))
    return runs


def reparse(
    source: Path,
    target: Path,
    on_progress: Callable[[Progress], None] | None = None,
    timeout: float | None = None,
) -> list[ReplayRun]:
    """Rebuild ``source``'s parsed tables into the new archive ``target`` (must not exist)."""
    if target.exists():
        raise ReparseError(f"{target} already exists; reparse writes a new archive")
    conn = sqlite3.connect(str(source))
    try:
        runs = replay_runs(conn)
    except sqlite3.OperationalError as error:  # no captures table: an archive without WARC
        raise ReparseError(f"{source} has no captures to reparse ({error})") from None
    finally:
        conn.close()
    if not runs:
        raise ReparseError(f"{source} has no captures to reparse")
    _check_files(source)
    total = sum(run.captures for run in runs)
    done_pages = 0
    with tempfile.TemporaryDirectory(prefix="archiver-reparse-") as logs:
        for number, run in enumerate(runs, start=1):

            def report(
                pages: int, comments: int, run: ReplayRun = run, done: int = done_pages, n=number
            ) -> None:
                if on_progress is not None:
                    on_progress(Progress(run, n - 1, len(runs), done + pages, total, comments))

            _replay(source, target, run, Path(logs) / f"run-{run.run_id}.log", report, timeout)
            done_pages += run.captures
            if on_progress is not None:
                on_progress(Progress(run, number, len(runs), done_pages, total, _count(target)[1]))
    _checkpoint(target)
    return runs


def _replay(
    source: Path,
    target: Path,
    run: ReplayRun,
    log_file: Path,
    report: Callable[[int, int], None],
    timeout: float | None,
) -> None:
    """One ``scrapy crawl`` of ``run``'s spider into ``target``, answered from ``source``."""
    settings = dict(
        REPLAY_SETTINGS,
        ARCHIVE_REPLAY_FROM=str(source.resolve()),
        ARCHIVE_REPLAY_RUN=str(run.run_id),
    )
    poller = _Poller(target, report)
    poller.start()
    try:
        result = run_crawl(
            run.spider, run.start_url, target, settings, log_file=log_file, timeout=timeout
        )
    finally:
        poller.stop()
    if result.returncode != 0:
        log = log_file.read_text(errors="replace") if log_file.exists() else ""
        raise ReparseError(
            f"replaying run {run.run_id} failed (exit {result.returncode}):"
            f" {(result.stderr or log).strip()[-2000:]}"
        )
    _check_replayed(target, run)


def reparse_in_place(
    path: Path, on_progress: Callable[[Progress], None] | None = None
) -> list[ReplayRun]:
    """Reparse ``path`` into a new file beside it, then atomically rename it over ``path``."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.reparse-", dir=path.parent)
    os.close(fd)
    new = Path(temporary)
    new.unlink()  # reparse wants to create it
    try:
        runs = reparse(path, new, on_progress)
        _checkpoint(path)  # the old file's WAL must not outlive it next to the new one
        os.replace(new, path)
    finally:
        for leftover in (new, Path(f"{new}-wal"), Path(f"{new}-shm")):
            leftover.unlink(missing_ok=True)
    return runs


def _check_files(source: Path) -> None:
    """Every WARC file the captures name must be there before anything is rebuilt."""
    conn = sqlite3.connect(str(source))
    try:
        names = [row[0] for row in conn.execute("SELECT DISTINCT warc_file FROM captures")]
    finally:
        conn.close()
    missing = [name for name in names if not index.resolve(source, name).is_file()]
    if missing:
        raise ReparseError(f"WARC file(s) missing: {', '.join(missing)}")


def _check_replayed(target: Path, run: ReplayRun) -> None:
    """The replay of ``run`` finished and read every capture it asked for."""
    conn = sqlite3.connect(str(target))
    try:
        row = conn.execute(
            "SELECT status, stats_json FROM crawl_runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    status, stats = row if row else (None, None)
    unreadable = json.loads(stats or "{}").get(UNREADABLE_STAT, 0)
    if status != "finished" or unreadable:
        raise ReparseError(
            f"replaying run {run.run_id} failed: status {status},"
            f" {unreadable} unreadable capture(s) (run `archiver verify`)"
        )


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the file and remove it, so the file alone is the archive."""
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()
    conn = sqlite3.connect(str(path))
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()


def _count(target: Path) -> tuple[int, int]:
    """(captures, comments) in the archive being built; (0, 0) before it exists."""
    if not target.exists():
        return 0, 0
    try:
        conn = sqlite3.connect(str(target), timeout=1)
        try:
            captures = conn.execute("SELECT count(*) FROM captures").fetchone()[0]
            comments = conn.execute("SELECT count(*) FROM comments").fetchone()[0]
            return int(captures), int(comments)
        finally:
            conn.close()
    except sqlite3.Error:  # not created yet, or busy: try again at the next tick
        return 0, 0


class _Poller:
    """Reports the new archive's counts every half second while a replay crawl runs."""

    def __init__(self, target: Path, report: Callable[[int, int], None]) -> None:
        self.target = target
        self.report = report
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._base = _count(target)[0]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            captures, comments = _count(self.target)
            self.report(max(0, captures - self._base), comments)
