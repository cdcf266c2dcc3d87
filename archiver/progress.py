"""Progress of a long crawl in its log: a line every 30 seconds and a closing summary.

A crawl of the real site runs for hours; Scrapy's own LogStats says only "pages and
items per minute". This extension reads the archiver's stats keys (set by the pipelines
and the spider) and logs what a person watching the crawl wants to know: pages fetched,
articles saved of those due, comments new/edited/removed, the pace, and, once the
number of due articles is known (``archiver/articles/due``), an estimate of the time
left. At the end it logs one summary of what changed in the archive.

Settings: ``ARCHIVE_PROGRESS_INTERVAL`` (seconds between lines, default 30; 0 turns
the extension off). Keys that no component sets yet count as 0.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 30.0


@dataclass(frozen=True)
class Progress:
    """A snapshot of the crawl's stats, in the words of the progress line."""

    pages: int
    articles_saved: int
    articles_due: int
    articles_not_modified: int
    comments_new: int
    comments_edited: int
    comments_removed: int

    @classmethod
    def from_stats(cls, stats: dict[str, Any]) -> Progress:
        def value(key: str) -> int:
            return int(stats.get(key) or 0)

        return cls(
            pages=value("response_received_count"),
            articles_saved=value("archiver/articles/new") + value("archiver/articles/updated"),
            articles_due=value("archiver/articles/due"),
            articles_not_modified=value("archiver/articles/not_modified"),
            comments_new=value("archiver/comments/new"),
            comments_edited=value("archiver/comments/edited"),
            comments_removed=value("archiver/comments/deleted"),
        )

    @property
    def articles_done(self) -> int:
        """Due articles dealt with: saved, or answered 304 Not Modified."""
        return self.articles_saved + self.articles_not_modified


def eta_seconds(progress: Progress, elapsed: float) -> float | None:
    """Seconds left at the pace so far, or None when it cannot be known yet."""
    if progress.articles_due <= 0 or progress.articles_done <= 0 or elapsed <= 0:
        return None
    left = max(progress.articles_due - progress.articles_done, 0)
    return left * elapsed / progress.articles_done


def format_duration(seconds: float) -> str:
    """12 s, 4 min 05 s, 2 h 03 min."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def progress_line(progress: Progress, elapsed: float) -> str:
    """One progress line (without the logger's prefix)."""
    pace = progress.pages * 60 / elapsed if elapsed > 0 else 0.0
    if progress.articles_due:
        articles = f"articles {progress.articles_done}/{progress.articles_due} done"
        if progress.articles_not_modified:
            articles += f" ({progress.articles_not_modified} not modified)"
    else:
        articles = f"articles {progress.articles_saved} saved"
    eta = eta_seconds(progress, elapsed)
    return (
        f"progress: {progress.pages} pages, {articles}, comments "
        f"{progress.comments_new} new/{progress.comments_edited} edited/"
        f"{progress.comments_removed} removed, {pace:.1f} pages/min, "
        f"elapsed {format_duration(elapsed)}"
        + (f", about {format_duration(eta)} left" if eta is not None else "")
    )


#: The closing summary's parts: (stats key, how the summary names it).
SUMMARY_KEYS: tuple[tuple[str, str], ...] = (
    ("archiver/articles/new", "new articles"),
    ("archiver/articles/updated", "updated articles"),
    ("archiver/articles/edited", "edited articles"),
    ("archiver/articles/gone", "articles gone"),
    ("archiver/articles/not_modified", "not modified"),
    ("archiver/comments/new", "new comments"),
    ("archiver/comments/updated", "updated comments"),
    ("archiver/comments/edited", "edited comments"),
    ("archiver/comments/deleted", "removed comments"),
    ("archiver/comments/restored", "restored comments"),
    ("archiver/votes/changed", "vote counts changed"),
    ("archiver/anomalies", "anomalies"),
    ("archiver/storage/errors", "storage errors"),
)


def summary_line(stats: dict[str, Any], elapsed: float, reason: str) -> str:
    """What the crawl changed, every count named (zeros included, so 'nothing' is said)."""
    parts = [f"{int(stats.get(key) or 0)} {label}" for key, label in SUMMARY_KEYS]
    pages = int(stats.get("response_received_count") or 0)
    return f"summary ({reason}, {format_duration(elapsed)}, {pages} pages): " + ", ".join(parts)


class CrawlProgress:
    """Scrapy extension: logs :func:`progress_line` periodically and :func:`summary_line` at the end."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.started = 0.0
        self._task: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        interval = crawler.settings.getfloat("ARCHIVE_PROGRESS_INTERVAL", DEFAULT_INTERVAL)
        if interval <= 0:
            raise NotConfigured("ARCHIVE_PROGRESS_INTERVAL is 0")
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def _elapsed(self) -> float:
        return time.monotonic() - self.started

    def spider_opened(self, spider: Any) -> None:
        self.started = time.monotonic()
        self._task = task.LoopingCall(self.log_progress)
        self._task.start(self.interval, now=False)

    def log_progress(self) -> None:
        progress = Progress.from_stats(self.crawler.stats.get_stats())
        logger.info("%s", progress_line(progress, self._elapsed()))

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self._task is not None and self._task.running:
            self._task.stop()
        stats = self.crawler.stats.get_stats()
        logger.info("%s", summary_line(stats, self._elapsed(), reason))
