"""Rebuild an archive from its captures alone: each run replayed with the real spider.

For every crawl run that has captures, in run order, the run's spider crawls into a new
archive (a new Scrapy crawler per run, all in one process: :mod:`.replayer`) with
:class:`~archiver.capture.replay.ReplayDownloadHandler` answering from the old
archive's WARC records, in the original order (:mod:`.sequence`): the same spider decides what to fetch,
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
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archiver.capture import index
from archiver.capture.replay import REPLAYED_RUN_STAT, UNREADABLE_STAT
from archiver.crawling.lock import ArchiveBusyError, RunLock
from archiver.storage import now_tokyo

#: Replay runs at full speed: politeness is for live servers.
REPLAY_SETTINGS: dict[str, str] = {
    "DOWNLOAD_HANDLERS": json.dumps(
        {
            "http": "archiver.capture.replay.ReplayDownloadHandler",
            "https": "archiver.capture.replay.ReplayDownloadHandler",
        }
    ),
    # No other handler either (file, data, s3, ftp, Scrapy's HTTP/1.1 and HTTP/2): a
    # replay cannot reach the network, and does not load their TLS stack at start.
    "DOWNLOAD_HANDLERS_BASE": "{}",
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    # Every request the spider makes goes straight to the replay handler, which answers
    # in the original order (archiver.capture.sequence); a request held back in
    # Scrapy's scheduler could not get its turn.
    "CONCURRENT_REQUESTS": "100000",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "100000",
    "LOG_LEVEL": "WARNING",
    # Scrapy starts CONCURRENT_ITEMS tasks for the output of every response (100 by
    # default); a page yields one article, so a replay, which has no network to
    # overlap with, spends less on tasks than on parsing with one.
    "CONCURRENT_ITEMS": "1",
}


#: Settings of the original run that its replay does not take over: the replay's own
#: (speed, handlers), where it writes, and what it logs.
REPLAY_DECIDES = frozenset(REPLAY_SETTINGS) | {
    "ARCHIVE_DB",
    "ARCHIVE_NOW",
    "ARCHIVE_PROGRESS_INTERVAL",
    "ARCHIVE_WARC_DIR",
    "ARCHIVE_WARC_ENABLED",
    "ARCHIVE_WARC_MAX_BYTES",
    "JOBDIR",
    "LOG_FILE",
}


class ReparseError(Exception):
    """The archive cannot be reparsed (no captures, a replay crawl failed, ...)."""


@dataclass
class ReplayRun:
    """One original crawl run to replay, as its WARC files' warcinfo describes it."""

    run_id: int
    spider: str
    captures: int
    started_at: str  # the run's own start: due-ness is judged then (ARCHIVE_REPLAY_NOW)
    arguments: dict[str, str]  # the spider arguments it ran with (start_url, full, ...)
    clock: str | None = None  # its ARCHIVE_NOW, if it had one
    settings: dict[str, str] = field(default_factory=dict)  # its -s settings (RETRY_TIMES...)

    @property
    def start_url(self) -> str:
        return self.arguments["start_url"]


@dataclass
class Progress:
    """What the new archive holds so far (polled while the replay runs)."""

    runs: list[ReplayRun]
    runs_done: int
    pages: int  # captures replayed, over all runs so far
    pages_total: int
    comments: int


def replay_runs(conn: sqlite3.Connection, source: Path) -> list[ReplayRun]:
    """The runs of an archive that have captures, in order, with how they ran."""
    rows = conn.execute(
        "SELECT c.run_id, r.spider, count(*), r.started_at,"
        " (SELECT id FROM captures WHERE run_id = c.run_id ORDER BY id LIMIT 1)"
        " FROM captures c JOIN crawl_runs r ON r.id = c.run_id"
        " GROUP BY c.run_id ORDER BY c.run_id"
    ).fetchall()
    runs = []
    for run_id, spider, count, started_at, first_id in rows:
        [first] = index.select_captures(conn, "id = ?", (first_id,))
        info = warcinfo(index.resolve(source, first.warc_file))
        arguments = json.loads(info.get("archiver-arguments") or "{}")
        if "start_url" not in arguments:  # a file written before arguments were kept
            parts = urlsplit(first.url)  # robots.txt, or the first page: the site's root
            arguments["start_url"] = f"{parts.scheme}://{parts.netloc}/"
        spider = info.get("archiver-spider") or spider
        settings = json.loads(info.get("archiver-settings") or "{}")
        runs.append(
            ReplayRun(
                run_id,
                spider,
                count,
                started_at,
                arguments,
                info.get("archiver-clock"),
                {k: v for k, v in settings.items() if k not in REPLAY_DECIDES},
            )
        )
    return runs


def warcinfo(path: Path) -> dict[str, str]:
    """The fields of the warcinfo record opening a WARC file ({} if it has none)."""
    try:
        with open(path, "rb") as file:
            record = next(iter(ArchiveIterator(file)))
            if record.rec_type != "warcinfo":
                return {}
            text = record.content_stream().read().decode("utf-8", "replace")
    except (OSError, StopIteration, ArchiveLoadFailed):
        return {}
    fields = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if value:
            fields[name.strip()] = value.strip()
    return fields


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
        _check_files(conn, source)
        runs = replay_runs(conn, source)
    except sqlite3.OperationalError as error:  # no captures table: an archive without WARC
        raise ReparseError(f"{source} has no captures to reparse ({error})") from None
    finally:
        conn.close()
    if not runs:
        raise ReparseError(f"{source} has no captures to reparse")
    total = sum(run.captures for run in runs)

    def report(pages: int, comments: int, runs_done: int) -> None:
        if on_progress is not None:
            on_progress(Progress(runs, runs_done, pages, total, comments))

    plan = [
        {
            "run_id": r.run_id,
            "spider": r.spider,
            "arguments": r.arguments,
            "settings": {
                **r.settings,
                "ARCHIVE_REPLAY_NOW": r.started_at,
                "ARCHIVE_NOW": r.clock or "",
            },
        }
        for r in runs
    ]
    command = [sys.executable, "-m", "archiver.capture.replayer"]
    command += [str(source.resolve()), str(target), json.dumps(plan)]
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="archiver.settings")
    poller = _Poller(target, report)
    poller.start()
    try:
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    finally:
        poller.stop()
    if result.returncode != 0:
        raise ReparseError(f"replay failed (exit {result.returncode}): {result.stderr[-2000:]}")
    for run in runs:
        _check_replayed(target, run)
    report(*_count(target))
    _checkpoint(target)
    return runs


def reparse_in_place(
    path: Path, on_progress: Callable[[Progress], None] | None = None
) -> list[ReplayRun]:
    """Reparse ``path`` into a new file beside it, then atomically rename it over ``path``.

    It holds the archive's run lock throughout: a crawl writing into the old file
    while it is replaced would lose what it wrote (a crawl started meanwhile finds the
    archive busy and exits 75, to be tried again). The old file must also be closed by
    every other program: one that keeps it open (Datasette) would go on showing the
    old archive, so the reparse stops and says so, and the archive stays as it was.
    """
    lock = RunLock(path)
    try:
        lock.acquire(now_tokyo())
    except ArchiveBusyError as error:
        raise ReparseError(f"{error}; reparse it in place once that run is over") from None
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.reparse-", dir=path.parent)
    os.close(fd)
    new = Path(temporary)
    new.unlink()  # reparse wants to create it
    try:
        runs = reparse(path, new, on_progress)
        try:
            _checkpoint(path)  # the old file's WAL must not outlive it next to the new one
        except sqlite3.OperationalError as error:
            raise ReparseError(
                f"{path} is open in another program ({error}): close it (Datasette, sqlite3,"
                " ...) and run the reparse again; the archive is unchanged"
            ) from None
        os.replace(new, path)
    finally:
        for leftover in (new, *(Path(f"{new}{end}") for end in ("-wal", "-shm", ".lock"))):
            leftover.unlink(missing_ok=True)
        lock.release()
    return runs


def _check_files(conn: sqlite3.Connection, source: Path) -> None:
    """Every WARC file the captures name must be there before anything is rebuilt."""
    names = [row[0] for row in conn.execute("SELECT DISTINCT warc_file FROM captures")]
    missing = [name for name in names if not index.resolve(source, name).is_file()]
    if missing:
        raise ReparseError(f"WARC file(s) missing: {', '.join(missing)}")


def _check_replayed(target: Path, run: ReplayRun) -> None:
    """The replay of ``run`` finished and read every capture it asked for."""
    conn = sqlite3.connect(str(target))
    try:
        rows = conn.execute("SELECT status, stats_json FROM crawl_runs").fetchall()
    finally:
        conn.close()
    for status, stats_json in rows:
        stats = json.loads(stats_json or "{}")
        if stats.get(REPLAYED_RUN_STAT) != run.run_id:
            continue
        unreadable = stats.get(UNREADABLE_STAT, 0)
        if status == "finished" and not unreadable:
            return
        raise ReparseError(
            f"replaying run {run.run_id} failed: status {status},"
            f" {unreadable} unreadable capture(s) (run `archiver verify`)"
        )
    raise ReparseError(f"run {run.run_id} was not replayed")


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


def _count(target: Path) -> tuple[int, int, int]:
    """(captures, comments, finished runs) in the archive being built; zeros before it exists."""
    if not target.exists():
        return 0, 0, 0
    try:
        conn = sqlite3.connect(str(target), timeout=1)
        try:
            # Every record of a run is indexed when its replay opens; the pages replayed
            # so far are those of finished runs and those up to the last article saved.
            captures = conn.execute(
                "SELECT count(*) FROM captures WHERE id <= "
                " (SELECT coalesce(max(capture_id), 0) FROM articles)"
                " OR run_id IN (SELECT id FROM crawl_runs WHERE status != 'running')"
            ).fetchone()[0]
            comments = conn.execute("SELECT count(*) FROM comments").fetchone()[0]
            done = conn.execute("SELECT count(*) FROM crawl_runs WHERE status != 'running'")
            return int(captures), int(comments), int(done.fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:  # not created yet, or busy: try again at the next tick
        return 0, 0, 0


class _Poller:
    """Reports the new archive's counts every half second while a replay crawl runs."""

    def __init__(self, target: Path, report: Callable[[int, int, int], None]) -> None:
        self.target = target
        self.report = report
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.report(*_count(self.target))
