"""The frontier pipeline: records each article visit and when the article is due again.

Runs after the storage pipeline: an article's visit is recorded only once the article
is saved (the storage pipeline sends ``article_saved`` with what the save changed), so
a run killed between fetch and save leaves the article due, and the next run fetches
it again. A 304 (:class:`ArticleNotModified`) is a visit that found nothing changed.

Writes go through one worker thread with the pipeline's own connection; a visit is one
small transaction.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from sqlite_utils import Database

from archiver.capture.middleware import RUN_ID_STAT
from archiver.crawling.frontier import Visit, record_visit, set_run_counts, set_run_process
from archiver.crawling.items import ArticleNotModified
from archiver.crawling.revisit import RevisitPolicy
from archiver.crawling.signals import article_saved
from archiver.items import Article, ArticleGone
from archiver.storage import open_archive

logger = logging.getLogger(__name__)


def visit_outcome(result: Any) -> tuple[str, dict[str, Any]]:
    """``new`` / ``changed`` / ``unchanged`` from a storage ``SaveResult``, and its counts.

    Every field of the result counts (new, edited or deleted comments, vote changes,
    article edits...): whatever the storage reports as changed is a change.
    """
    changes = dataclasses.asdict(result) if dataclasses.is_dataclass(result) else {}
    changes = {k: v for k, v in changes.items() if isinstance(v, bool | int) and v}
    if changes.get("article_new"):
        return "new", changes
    return ("changed" if changes else "unchanged"), changes


class FrontierPipeline:
    def __init__(self, crawler: Crawler, db_path: str) -> None:
        self.crawler = crawler
        self.db_path = db_path
        self.policy = RevisitPolicy.from_settings(crawler.settings)
        self.db: Database | None = None
        self.run_id: int | None = None
        self._writer: ThreadPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        db_path = crawler.settings.get("ARCHIVE_DB")
        if not db_path:
            raise NotConfigured("ARCHIVE_DB is empty: no frontier to keep")
        pipeline = cls(crawler, str(db_path))
        crawler.signals.connect(pipeline.article_saved, signal=article_saved)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        self.db = open_archive(self.db_path)
        # The storage pipeline (before this one) opened this run and shares its id.
        self.run_id = self.crawler.stats.get_value(RUN_ID_STAT)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archiver-frontier")
        if self.run_id is not None:
            set_run_process(self.db.conn, self.run_id, os.getpid(), socket.gethostname())

    def _visit_time(self, fetched_at: str | None) -> datetime:
        spider = self.crawler.spider
        clock = getattr(spider, "clock", None)
        if clock is not None:
            return clock
        if fetched_at:
            return datetime.fromisoformat(fetched_at)
        return datetime.now().astimezone()

    def article_saved(self, article: Article, result: Any) -> None:
        """Storage saved ``article``: record the visit and what it found."""
        outcome, changes = visit_outcome(result)
        notes = getattr(self.crawler.spider, "fetch_notes", {}).pop(article.url, None)
        etag, last_modified = notes if notes else (None, None)
        self._submit(
            Visit(
                url=article.url,
                visited_at=self._visit_time(article.fetched_at),
                outcome=outcome,
                changes=changes,
                thread_complete=getattr(article, "thread_complete", True),
                etag=etag,
                last_modified=last_modified,
            )
        )

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleNotModified):
            self._submit(Visit(item.url, self._visit_time(item.fetched_at), "not_modified"))
        elif isinstance(item, ArticleGone):  # still visited, ever more rarely (backoff)
            self._submit(Visit(item.url, self._visit_time(item.fetched_at), "gone"))
        return item

    def _submit(self, visit: Visit) -> None:
        if self.db is None or self._writer is None:
            return
        self._writer.submit(self._record, visit)

    def _record(self, visit: Visit) -> None:
        try:
            record_visit(self.db.conn, visit, self.run_id, self.policy)
        except sqlite3.Error as error:  # the article stays due: fetched again next run
            logger.error("could not record the visit of %s: %s", visit.url, error)
            self.crawler.stats.inc_value("archiver/frontier/errors")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.db is None:
            return
        if self._writer is not None:
            self._writer.shutdown(wait=True)
            self._writer = None
        stats = self.crawler.stats
        try:
            if self.run_id is not None:
                set_run_counts(
                    self.db.conn,
                    self.run_id,
                    stats.get_value("archiver/articles/due", 0),
                    stats.get_value("archiver/articles/not_modified", 0),
                )
        finally:
            self.db.close()
            self.db = None
