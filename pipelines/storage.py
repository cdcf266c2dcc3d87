"""Scrapy item pipeline that writes each Article into the SQLite archive.

Writes run in one worker thread, so the crawl keeps fetching and parsing while SQLite
works (the sqlite3 module releases the GIL inside SQLite). One writer thread keeps the
saves in order and the connection used by one thread at a time.

One ``crawl_runs`` row per crawl: opened when the spider opens, closed with the close
reason, counts and the whole Scrapy stats when it closes. A database error on one item
is logged, counted (``archiver/storage/errors``) and recorded as an anomaly when
possible; the crawl goes on.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Self, TypeVar

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from sqlite_utils import Database

from archiver.items import Anomaly, Article
from archiver.storage import (
    finish_run,
    now_tokyo,
    open_archive,
    record_anomaly,
    save_article,
    start_run,
)

logger = logging.getLogger(__name__)

DEFAULT_ARCHIVE_DB = "data/archive.db"

T = TypeVar("T")


class ArchivePipeline:
    """Saves :class:`~archiver.items.Article` items; records :class:`~archiver.items.Anomaly` items."""

    def __init__(self, crawler: Crawler, db_path: str) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.db: Database | None = None
        self.run_id: int | None = None
        self._writer: ThreadPoolExecutor | None = None

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
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archiver-sqlite")
        logger.info("archiving into %s (crawl run %s)", self.db_path, self.run_id)

    async def process_item(self, item: Any) -> Any:
        if self.db is None:
            return item
        if isinstance(item, Anomaly):  # e.g. an article page that could not be fetched
            await self._record(item)
            return item
        if not isinstance(item, Article):
            return item
        stats = self.crawler.stats
        try:
            result = await self._in_writer(save_article, self.db, item, self.run_id)
        except sqlite3.Error as error:
            logger.error("could not save %s: %s", item.url, error)
            stats.inc_value("archiver/storage/errors")
            await self._record_failure(item, error)
            return item
        stats.inc_value("archiver/articles/new", int(result.article_new))
        stats.inc_value("archiver/articles/updated", int(result.article_updated))
        stats.inc_value("archiver/comments/new", result.comments_new)
        stats.inc_value("archiver/comments/updated", result.comments_updated)
        return item

    async def _in_writer(self, function: Callable[..., T], *args: Any) -> T:
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

    async def _record(self, anomaly: Anomaly) -> None:
        try:
            await self._in_writer(record_anomaly, self.db, anomaly, self.run_id)
        except sqlite3.Error as error:
            logger.error("could not record the anomaly for %s: %s", anomaly.url, error)
            self.crawler.stats.inc_value("archiver/storage/errors")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.db is None or self.run_id is None:
            return
        if self._writer is not None:
            self._writer.shutdown(wait=True)  # every save has finished before the run closes
            self._writer = None
        values = self.crawler.stats.get_stats()
        try:
            finish_run(
                self.db,
                self.run_id,
                reason,  # "finished", or why the crawl stopped (closespider_*, shutdown)
                now_tokyo(),
                pages=values.get("response_received_count", 0),
                articles_new=values.get("archiver/articles/new", 0),
                articles_updated=values.get("archiver/articles/updated", 0),
                comments_new=values.get("archiver/comments/new", 0),
                comments_updated=values.get("archiver/comments/updated", 0),
                errors=values.get("log_count/ERROR", 0),
                stats=values,
            )
        finally:
            self.db.close()
            self.db = None
