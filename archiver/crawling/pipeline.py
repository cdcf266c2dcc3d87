"""The frontier pipeline: records each article visit and when the article is due again.

Writes go through the storage pipeline, the crawl's one writer to the archive (it
announces itself with the ``archive_opened`` signal). The visit of a saved article is
written in the article's own save transaction (``ArchivePipeline.after_save``): a run
killed at any moment leaves either both, or neither, and then the article is still due
and the next run fetches it again. A 304 (:class:`ArticleNotModified`) or a gone article
saves nothing: its visit is a small transaction of its own in the same writer.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from archiver.crawling.frontier import (
    Visit,
    record_visit,
    set_run_counts,
    set_run_process,
    write_visit,
)
from archiver.crawling.items import ArticleNotModified
from archiver.crawling.revisit import RevisitPolicy
from archiver.crawling.signals import archive_opened
from archiver.items import Article, ArticleGone

if TYPE_CHECKING:
    from pipelines.storage import ArchivePipeline

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
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.policy = RevisitPolicy.from_settings(crawler.settings)
        self.run_id: int | None = None
        self.archive: ArchivePipeline | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.get("ARCHIVE_DB"):
            raise NotConfigured("ARCHIVE_DB is empty: no frontier to keep")
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.archive_opened, signal=archive_opened)
        return pipeline

    def archive_opened(self, archive: ArchivePipeline) -> None:
        """The storage pipeline opened the run: write through it, visits with their saves.

        Its connection is used directly only here (no save is under way yet) and at its
        close (every save done): the run's process, then the run's counts.
        """
        self.archive = archive
        self.run_id = archive.run_id
        archive.after_save.append(self._visit_saved)
        archive.before_close.append(self._record_counts)
        if archive.db is not None and self.run_id is not None:
            set_run_process(archive.db.conn, self.run_id, os.getpid(), socket.gethostname())

    def open_spider(self) -> None:
        if self.archive is None:
            logger.warning("no storage pipeline: article visits are not recorded")

    def _record_counts(self, conn: sqlite3.Connection) -> None:
        """The frontier's counts of the run, when storage closes it."""
        if self.run_id is None:
            return
        stats = self.crawler.stats
        set_run_counts(
            conn,
            self.run_id,
            stats.get_value("archiver/articles/due", 0),
            stats.get_value("archiver/articles/not_modified", 0),
        )

    def _visit_time(self, fetched_at: str | None) -> datetime:
        spider = self.crawler.spider
        clock = getattr(spider, "clock", None)
        if clock is not None:
            return clock
        if fetched_at:
            return datetime.fromisoformat(fetched_at)
        return datetime.now().astimezone()

    def _visit_saved(self, conn: sqlite3.Connection, article: Article, result: Any) -> None:
        """In ``article``'s save transaction (writer thread): its visit, and what it found."""
        outcome, changes = visit_outcome(result)
        notes = getattr(self.crawler.spider, "fetch_notes", {}).pop(article.url, None)
        etag, last_modified = notes if notes else (None, None)
        visit = Visit(
            url=article.url,
            visited_at=self._visit_time(article.fetched_at),
            outcome=outcome,
            changes=changes,
            thread_complete=getattr(article, "thread_complete", True),
            etag=etag,
            last_modified=last_modified,
        )
        try:
            write_visit(conn, visit, self.run_id, self.policy)
        except sqlite3.Error as error:  # the article stays due: fetched again next run
            logger.error("could not record the visit of %s: %s", visit.url, error)
            self.crawler.stats.inc_value("archiver/frontier/errors")

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleNotModified):
            await self._record(Visit(item.url, self._visit_time(item.fetched_at), "not_modified"))
        elif isinstance(item, ArticleGone):  # still visited, ever more rarely (backoff)
            await self._record(Visit(item.url, self._visit_time(item.fetched_at), "gone"))
        return item

    async def _record(self, visit: Visit) -> None:
        """A visit that saved nothing, as its own transaction in the archive's writer."""
        archive = self.archive
        if archive is None or archive.db is None:
            return
        try:
            await archive.in_writer(record_visit, archive.db.conn, visit, self.run_id, self.policy)
        except sqlite3.Error as error:  # the article stays due: fetched again next run
            logger.error("could not record the visit of %s: %s", visit.url, error)
            self.crawler.stats.inc_value("archiver/frontier/errors")
