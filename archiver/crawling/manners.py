"""Downloader middlewares that keep a crawl polite and its captures whole.

* :class:`SameSiteMiddleware`: no request ever leaves the start URL's host *and port*,
  whatever produced it (a redirect, a robots.txt ``Sitemap:`` line, a sitemap entry, a
  link). Scrapy's own offsite filter compares domains only, so another port of the same
  host would pass it.
* :class:`PolitenessMiddleware`: robots.txt ``Crawl-delay`` is the minimum time between
  two requests to the site, whatever ``DOWNLOAD_DELAY`` and AutoThrottle say
  (``ARCHIVE_OBEY_CRAWL_DELAY = False`` opts out); a 429/503 with ``Retry-After`` pauses
  the whole site for that long before the request is retried, up to
  ``ARCHIVE_RETRY_AFTER_MAX`` seconds (a longer demand is given up and recorded).
* :class:`PartialResponseMiddleware`: a response whose end could not be verified
  (Scrapy flags it ``partial``) or that stopped short of its Content-Length (``dataloss``,
  reaching the crawl because ``DOWNLOAD_FAIL_ON_DATALOSS = False``) is retried; if it
  stays incomplete it goes on flagged, and the spider records it as an anomaly and never
  counts its thread as whole.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Self
from urllib.parse import urlsplit

from protego import Protego
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

logger = logging.getLogger(__name__)

#: Response flags of a body that may be incomplete (Scrapy's HTTP/1.1 handler).
INCOMPLETE_FLAGS = frozenset({"partial", "dataloss"})

#: Meta key the spider reads to explain why a request failed (e.g. Retry-After too long).
FAILURE_NOTE = "archiver_failure"


def netloc_of(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


class SameSiteMiddleware:
    """Refuse every request to another host or port than the spider's site."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        site = getattr(spider, "site_netloc", None)
        if site is None or netloc_of(request.url) == site:
            return
        self.crawler.stats.inc_value("archiver/requests/refused_offsite")
        logger.warning("refused a request off the site %s: %s", site, request.url)
        raise IgnoreRequest(f"refused: {request.url} is not on the crawled site {site}")


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


async def _sleep(seconds: float) -> None:
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet import reactor
    from twisted.internet.task import deferLater

    if seconds <= 0:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # a non-asyncio reactor
        await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))
        return
    await asyncio.sleep(seconds)


class PolitenessMiddleware:
    """robots.txt Crawl-delay and Retry-After: one clock of "not before" per site."""

    RETRY_STATUSES = (429, 503)

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.obey_crawl_delay = settings.getbool("ARCHIVE_OBEY_CRAWL_DELAY", True)
        self.retry_after_max = settings.getfloat("ARCHIVE_RETRY_AFTER_MAX", 300.0)
        self.max_retry_times = settings.getint("RETRY_TIMES", 2)
        self.user_agent = settings.get("USER_AGENT", "")
        self.crawl_delay: dict[str, float] = {}
        self._not_before: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        netloc = netloc_of(request.url)
        now = time.monotonic()
        start = max(now, self._not_before.get(netloc, 0.0))
        delay = self.crawl_delay.get(netloc, 0.0) if self.obey_crawl_delay else 0.0
        if delay or start > now:
            self._not_before[netloc] = start + delay
            await _sleep(start - now)

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if urlsplit(response.url).path == "/robots.txt" and response.status == 200:
            self._read_crawl_delay(response)
        if response.status not in self.RETRY_STATUSES or request.meta.get("dont_retry"):
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is None:
            return response  # the ordinary retry middleware handles it
        stats = self.crawler.stats
        if wait > self.retry_after_max:
            stats.inc_value("archiver/retry_after/refused")
            request.meta["dont_retry"] = True
            request.meta[FAILURE_NOTE] = (
                f"HTTP {response.status} with Retry-After {wait:.0f} s, more than"
                f" ARCHIVE_RETRY_AFTER_MAX ({self.retry_after_max:.0f} s)"
            )
            return response
        retry = get_retry_request(
            request,
            spider=spider or self.crawler.spider,
            reason=f"{response.status} Retry-After {wait:g}s",
            max_retry_times=self.max_retry_times,
        )
        if retry is None:  # retries exhausted: the errback records the failure
            request.meta["dont_retry"] = True
            request.meta[FAILURE_NOTE] = f"HTTP {response.status} after honoring Retry-After"
            return response
        stats.inc_value("archiver/retry_after/waited")
        stats.inc_value("archiver/retry_after/seconds", wait)
        netloc = netloc_of(request.url)
        # The whole site waits, not just this request: the server asked for a pause.
        self._not_before[netloc] = max(self._not_before.get(netloc, 0.0), time.monotonic() + wait)
        logger.info("%s asked to wait %.1f s (Retry-After) before %s", netloc, wait, request.url)
        return retry

    def _read_crawl_delay(self, response: Response) -> None:
        try:
            robots = Protego.parse(response.text)
            delay = robots.crawl_delay(self.user_agent)
        except Exception:  # noqa: BLE001 - an unreadable robots.txt sets no delay
            return
        if delay:
            netloc = netloc_of(response.url)
            self.crawl_delay[netloc] = float(delay)
            self.crawler.stats.set_value("archiver/crawl_delay", float(delay))
            if self.obey_crawl_delay:
                logger.info("robots.txt Crawl-delay of %s: %s s between requests", netloc, delay)


class PartialResponseMiddleware:
    """Retry a response flagged ``partial``; let it through flagged when retries run out."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_retry_times = crawler.settings.getint("RETRY_TIMES", 2)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if not is_incomplete(response):
            return response
        self.crawler.stats.inc_value("archiver/responses/partial")
        retry = get_retry_request(
            request,
            spider=spider or self.crawler.spider,
            reason="partial response",
            max_retry_times=self.max_retry_times,
        )
        if retry is not None:
            return retry
        self.crawler.stats.inc_value("archiver/responses/partial_kept")
        logger.warning("still partial after retries, kept as incomplete: %s", response.url)
        return response


def is_incomplete(response: Response) -> bool:
    """Scrapy could not verify that this response's body is whole."""
    return bool(INCOMPLETE_FLAGS.intersection(response.flags))


def describe_meta(meta: dict[str, Any]) -> str | None:
    """The middleware's own explanation of a failure, when it left one."""
    note = meta.get(FAILURE_NOTE)
    return str(note) if note else None
