"""Scrapy item pipeline that writes each Article into the SQLite archive.

Writes run in one worker thread, so the crawl keeps fetching and parsing while SQLite
works (the sqlite3 module releases the GIL inside SQLite). One writer thread keeps the
saves in order and the connection used by one thread at a time.

Group commit: articles that arrive while the writer is busy wait for it together and
are then written in one transaction (``archiver.storage.save_articles``; each article
still all-or-nothing). A slow crawl commits every article at once, as before; a crawl
that outpaces SQLite pays one COMMIT per backlog instead of one per article.

It is the crawl's one writer to the archive: the frontier pipeline hands it the visit
of each article (written in the article's own transaction, ``after_save``), its other
writes (``in_writer``) and its counts of the run (``before_close``), announced by the
``archive_opened`` signal. Two writers would wait on each other's locks, and a crash
between two commits could leave a saved article without its visit.

One ``crawl_runs`` row per crawl: opened when the spider opens, closed with the close
reason, counts (new, edited, deleted, restored comments, vote changes, edited and gone
articles) and the whole Scrapy stats when it closes. An :class:`~archiver.items.ArticleGone`
(an article URL that answered 404 or 410) marks the archived article gone; for a URL
that was never archived it is recorded as an anomaly. A database error on one item
is logged, counted (``archiver/storage/errors``) and recorded as an anomaly when
possible; the crawl goes on.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Self, TypeVar

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from sqlite_utils import Database

from archiver.crawling.signals import archive_opened
from archiver.items import Anomaly, Article, ArticleGone
from archiver.storage import (
    RUN_COUNTS,
    AfterSave,
    SaveResult,
    finish_run,
    mark_gone,
    now_tokyo,
    open_archive,
    record_anomaly,
    save_article,
    save_articles,
    start_run,
)

logger = logging.getLogger(__name__)

DEFAULT_ARCHIVE_DB = "data/archive.db"

T = TypeVar("T")


class ArchivePipeline:
    """Saves :class:`~archiver.items.Article` items; records :class:`~archiver.items.Anomaly` items."""

    #: At most this many articles per transaction, so one COMMIT stays short and a
    #: reader (Datasette) sees a backlog arrive in steps.
    MAX_BATCH = 50

    def __init__(self, crawler: Crawler, db_path: str) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.db: Database | None = None
        self.run_id: int | None = None
        self._writer: ThreadPoolExecutor | None = None
        # Articles waiting for the writer, with the futures their process_item awaits.
        self._pending: list[tuple[Article, asyncio.Future[SaveResult]]] = []
        self._pending_lock = threading.Lock()
        #: Run in each article's save transaction (see ``archiver.storage.AfterSave``).
        self.after_save: list[AfterSave] = []
        #: Run when the last save is written, before the run is closed (a connection).
        self.before_close: list[Callable[[sqlite3.Connection], None]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        db_path = crawler.settings.get("ARCHIVE_DB", DEFAULT_ARCHIVE_DB)
        if not db_path:
            raise NotConfigured("ARCHIVE_DB is empty: archive storage disabled")
        pipeline = cls(crawler, str(db_path))
        # The close reason reaches pipelines only through the spider_closed signal, which
        # Scrapy sends after close_spider(); the run is finished there.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.db = open_archive(self.db_path)
        spider = self.crawler.spider
        name = spider.name if spider is not None else "unknown"
        self.run_id = start_run(self.db, name, now_tokyo())
        # The capture middleware indexes its WARC records under this run.
        self.crawler.stats.set_value("archiver/run_id", self.run_id)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archiver-sqlite")
        logger.info("archiving into %s (crawl run %s)", self.db_path, self.run_id)
        self.crawler.signals.send_catch_log(archive_opened, archive=self)

    async def process_item(self, item: Any) -> Any:
        if self.db is None:
            return item
        if isinstance(item, Anomaly):  # e.g. an article page that could not be fetched
            await self._record(item, seen_at=item.seen_at)
            return item
        if isinstance(item, ArticleGone):
            await self._article_gone(item)
            return item
        if not isinstance(item, Article):
            return item
        stats = self.crawler.stats
        try:
            result = await self._save(item)
        except sqlite3.Error as error:
            logger.error("could not save %s: %s", item.url, error)
            stats.inc_value("archiver/storage/errors")
            await self._record_failure(item, error)
            return item
        for key, value in _STATS_OF_RESULT.items():
            stats.inc_value(key, int(getattr(result, value)))
        return item

    async def _article_gone(self, gone: ArticleGone) -> None:
        """Mark an archived article gone; a URL never archived is an anomaly, as before."""
        try:
            newly_gone = await self.in_writer(mark_gone, self.db, gone, self.run_id)
        except sqlite3.Error as error:
            logger.error("could not mark %s gone: %s", gone.url, error)
            self.crawler.stats.inc_value("archiver/storage/errors")
            return
        if newly_gone:
            logger.info("article gone (HTTP %s): %s", gone.status, gone.url)
            self.crawler.stats.inc_value("archiver/articles/gone")
            return
        await self._record(
            Anomaly(
                field="article",
                raw_value=gone.url,
                problem=f"article could not be fetched: HTTP {gone.status}",
                url=gone.url,
            ),
            seen_at=gone.fetched_at,  # the fetch's time (a reparse replays it), not now
        )

    async def _save(self, article: Article) -> SaveResult:
        """Queue ``article`` for the next group commit and wait for its result."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return save_article(self.db, article, self.run_id, self._after_save)
        future: asyncio.Future[SaveResult] = loop.create_future()
        with self._pending_lock:
            self._pending.append((article, future))
            first = len(self._pending) == 1
        if first:  # the writer has not been asked for this batch yet
            self._writer.submit(self._write_pending, loop)
        return await future

    def _write_pending(self, loop: asyncio.AbstractEventLoop) -> None:
        """Writer thread: save every article queued so far, MAX_BATCH per transaction."""
        with self._pending_lock:
            pending, self._pending = self._pending, []
        for start in range(0, len(pending), self.MAX_BATCH):
            batch = pending[start : start + self.MAX_BATCH]
            try:
                articles = [article for article, _ in batch]
                results = save_articles(self.db, articles, self.run_id, self._after_save)
            except Exception as error:  # noqa: BLE001 - every waiting item gets it
                results = [error] * len(batch)
            for (_, future), result in zip(batch, results, strict=True):
                loop.call_soon_threadsafe(_settle, future, result)

    def _after_save(self, conn: sqlite3.Connection, article: Article, result: SaveResult) -> None:
        for hook in self.after_save:
            hook(conn, article, result)

    async def in_writer(self, function: Callable[..., T], *args: Any) -> T:
        """Run ``function`` in the writer thread (inline when no asyncio loop runs)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return function(*args)
        return await loop.run_in_executor(self._writer, function, *args)

    async def _record_failure(self, item: Article, error: Exception) -> None:
        await self._record(
            Anomaly(field="storage", raw_value=None, problem=f"save failed: {error}", url=item.url)
        )

    async def _record(self, anomaly: Anomaly, seen_at: str | None = None) -> None:
        try:
            await self.in_writer(record_anomaly, self.db, anomaly, self.run_id, seen_at)
        except sqlite3.Error as error:
            logger.error("could not record the anomaly for %s: %s", anomaly.url, error)
            self.crawler.stats.inc_value("archiver/storage/errors")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.db is None or self.run_id is None:
            return
        if self._writer is not None:
            self._writer.shutdown(wait=True)  # every save has finished before the run closes
            self._writer = None
        for hook in self.before_close:
            try:
                hook(self.db.conn)
            except sqlite3.Error as error:  # the run is closed all the same
                logger.error("could not complete crawl run %s: %s", self.run_id, error)
        values = self.crawler.stats.get_stats()
        counts = {
            name: values.get(f"archiver/{name.replace('_', '/', 1)}", 0) for name in RUN_COUNTS
        }
        counts["pages"] = values.get("response_received_count", 0)
        counts["errors"] = values.get("log_count/ERROR", 0)
        logger.info(
            "crawl run %s: %s; articles %s new, %s edited, %s gone; comments %s new,"
            " %s edited, %s deleted, %s restored; %s vote counts changed",
            self.run_id,
            reason,
            counts["articles_new"],
            counts["articles_edited"],
            counts["articles_gone"],
            counts["comments_new"],
            counts["comments_edited"],
            counts["comments_deleted"],
            counts["comments_restored"],
            counts["votes_changed"],
        )
        try:
            finish_run(
                self.db,
                self.run_id,
                reason,  # "finished", or why the crawl stopped (closespider_*, shutdown)
                now_tokyo(),
                stats=values,
                **counts,
            )
        finally:
            self.db.close()
            self.db = None


#: Crawl stats key -> the SaveResult field it adds up.
_STATS_OF_RESULT = {
    "archiver/articles/new": "article_new",
    "archiver/articles/updated": "article_updated",
    "archiver/articles/edited": "article_edited",
    "archiver/comments/new": "comments_new",
    "archiver/comments/updated": "comments_updated",
    "archiver/comments/edited": "comments_edited",
    "archiver/comments/deleted": "comments_deleted",
    "archiver/comments/restored": "comments_restored",
    "archiver/votes/changed": "votes_changed",
}


def _settle(future: asyncio.Future[SaveResult], result: SaveResult | Exception) -> None:
    """Hand a save's outcome to the ``process_item`` waiting for it (event-loop thread)."""
    if future.cancelled():
        return
    if isinstance(result, Exception):
        future.set_exception(result)
    else:
        future.set_result(result)
