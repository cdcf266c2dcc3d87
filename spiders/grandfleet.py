"""The ``grandfleet`` spider: every article of grandfleet.info with its whole comment thread.

The spider only decides what to fetch; the site profile's parser turns each response into
data, and the item pipelines normalize and store it. Articles are discovered three ways,
so that none is missed when one surface is incomplete: the WordPress sitemap (through
Scrapy's own ``SitemapSpider`` machinery, starting from robots.txt), the paginated home
listing, and links between articles (previous/next, related block, inline 関連記事).

An article whose thread is split over WordPress comment pages is fetched page by page
and yielded once, as one item, when its last comment page has arrived: the archive
stores an article and its whole thread in one transaction.

Usage::

    scrapy crawl grandfleet                                   # https://grandfleet.info/
    scrapy crawl grandfleet -a start_url=http://127.0.0.1:8000/ -a limit=10
    scrapy crawl grandfleet -a full=1                         # every article, due or not

The archive is the frontier: every article already archived in ``ARCHIVE_DB`` is
scheduled too, so an article that vanished from listings and sitemaps is still visited
(and its 404/410 or 301 seen).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from scrapy import Request
from scrapy.exceptions import UsageError
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.spiders import SitemapSpider
from twisted.python.failure import Failure

from archiver.crawling.frontier import archived_article_urls
from archiver.items import Anomaly, Article, ArticleGone
from archiver.parsing import (
    canonicalize_url,
    comment_page_of,
    merge_comment_pages,
    parse_article_page,
    parse_listing_page,
)
from archiver.sites import SiteProfile, get_profile

logger = logging.getLogger(__name__)

TOKYO = ZoneInfo("Asia/Tokyo")


class GrandfleetSpider(SitemapSpider):
    """Crawl a grandfleet.info-shaped WordPress site: articles, comment pages, relations."""

    name = "grandfleet"
    profile_name = "grandfleet"
    default_start_url = "https://grandfleet.info/"
    # Only post sitemaps hold articles (WordPress core and Yoast/other plugin names).
    sitemap_follow = [r"posts?-post", r"post-sitemap"]
    sitemap_rules = [("", "parse_article")]

    def __init__(
        self,
        start_url: str | None = None,
        limit: str | int | None = None,
        full: str | bool | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.profile: SiteProfile = get_profile(self.profile_name)
        self.start_url = canonicalize_url(start_url or self.default_start_url)
        parts = urlsplit(self.start_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"start_url must be an http(s) URL, got {start_url!r}")
        self.site_netloc = parts.netloc.lower()
        self.allowed_domains = [parts.hostname]
        self.sitemap_urls = [urljoin(self.start_url, "/robots.txt")]
        self.limit = int(limit) if limit not in (None, "") else None
        if self.limit is not None and self.limit < 1:
            raise UsageError(f"limit must be a positive number of articles, got {limit!r}")
        self.full = _flag("full", full)
        self.scheduled_articles: set[str] = set()

    # -- what to fetch ------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        async for request in super().start():  # robots.txt -> sitemap index -> post sitemaps
            yield request
        # WordPress core's sitemap, in case robots.txt does not name it.
        yield Request(urljoin(self.start_url, "/wp-sitemap.xml"), callback=self._parse_sitemap)
        yield Request(self.start_url, callback=self.parse_listing)
        for request in self.archived_article_requests():
            yield request

    def archived_article_requests(self) -> Iterable[Request]:
        """Every article the archive holds, on this site: the archive is the frontier."""
        db_path = self.settings.get("ARCHIVE_DB")
        if not db_path:
            return
        urls = archived_article_urls(db_path)
        self.crawler.stats.set_value("archiver/articles/archived", len(urls))
        for url in urls:
            request = self.article_request(url)
            if request is not None:
                yield request

    def on_site(self, url: str) -> bool:
        """Only the crawled site's own host and port: never another host or port."""
        try:
            return urlsplit(url).netloc.lower() == self.site_netloc
        except ValueError:  # not a URL at all
            return False

    def claim_article(self, url: str) -> str | None:
        """Return the canonical URL to fetch if this article is new and within the limit."""
        try:
            canonical = canonicalize_url(url)
        except ValueError:  # e.g. an unclosed "[" in a sitemap entry: skip it, count it
            self.crawler.stats.inc_value("archiver/urls/invalid")
            logger.warning("not a URL, skipped: %r", url)
            return None
        if not self.on_site(canonical) or not self.profile.is_article_url(canonical):
            return None
        if canonical in self.scheduled_articles:
            return None
        if self.limit is not None and len(self.scheduled_articles) >= self.limit:
            return None
        self.scheduled_articles.add(canonical)
        return canonical

    def article_request(self, url: str) -> Request | None:
        canonical = self.claim_article(url)
        if canonical is None:
            return None
        return Request(canonical, callback=self.parse_article, errback=self.article_failed)

    def sitemap_filter(self, entries: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        for entry in entries:
            loc = entry.get("loc", "")
            if "sitemap" in loc and loc.endswith((".xml", ".xml.gz")):
                if self.on_site(loc):  # a sitemap index entry
                    yield entry
                continue
            canonical = self.claim_article(loc)
            if canonical is not None:
                yield {**entry, "loc": canonical}

    def parse_listing(self, response: Response) -> Iterable[Request]:
        """Home and category listings: article links, then the next listing page."""
        if not isinstance(response, TextResponse):
            return
        listing = parse_listing_page(response, self.profile)
        for url in listing.article_urls:
            request = self.article_request(url)
            if request is not None:
                yield request
        below_limit = self.limit is None or len(self.scheduled_articles) < self.limit
        if listing.next_page_url and self.on_site(listing.next_page_url) and below_limit:
            yield Request(listing.next_page_url, callback=self.parse_listing)

    # -- articles and their comment pages ----------------------------------------------

    def parse_article(self, response: Response) -> Iterable[Any]:
        if not isinstance(response, TextResponse):
            logger.warning("not an HTML page, skipped: %s", response.url)
            return
        page = parse_article_page(response, self.profile)
        page.fetched_at = _now_iso()
        page.thread_complete = True  # until one of its comment pages fails
        yield from self._follow_article_links(page)
        # The article URL shows one comment page (the newest, on WordPress's default
        # settings): remember its number so its /comment-page-N/ twin is not fetched again.
        fetched: set[int | str] = {page.comment_page, canonicalize_url(response.url)}
        yield from self._continue_thread(pages=[page], fetched=fetched)

    def parse_comment_page(
        self, response: Response, pages: list[Article], fetched: set[int | str]
    ) -> Iterable[Any]:
        if isinstance(response, TextResponse):
            page = parse_article_page(response, self.profile)
            page.thread_complete = True
            pages.append(page)
        else:  # not HTML: its comments are unknown, so the thread is not whole
            pages[0].thread_complete = False
        yield from self._continue_thread(pages, fetched)

    def comment_page_failed(self, failure: Failure) -> Iterable[Any]:
        """A missing comment page must not lose the rest of the thread: record and go on."""
        request = failure.request
        pages: list[Article] = request.cb_kwargs["pages"]
        pages[0].thread_complete = False  # absence from this thread proves nothing now
        pages[0].anomalies.append(
            Anomaly(
                field="article.comment_page",
                raw_value=request.url,
                problem=f"comment page could not be fetched: {_failure_reason(failure)}",
                url=pages[0].url,
            )
        )
        self.crawler.stats.inc_value("archiver/comment_pages/failed")
        yield from self._continue_thread(pages, request.cb_kwargs["fetched"])

    def article_failed(self, failure: Failure) -> Iterable[Anomaly | ArticleGone]:
        """An article page that could not be fetched goes on record in the archive.

        404 and 410 are the site's answer that the article is gone (the pipeline marks an
        archived one gone, and records any other as an anomaly); other failures are
        anomalies.
        """
        if failure.check(HttpError) and failure.value.response.status in (404, 410):
            yield ArticleGone(
                url=failure.request.url,
                status=failure.value.response.status,
                fetched_at=_now_iso(),
            )
            return
        self.crawler.stats.inc_value("archiver/articles/failed")
        url, reason = failure.request.url, _failure_reason(failure)
        logger.warning("article could not be fetched: %s (%s)", url, reason)
        yield Anomaly(
            field="article",
            raw_value=url,
            problem=f"article could not be fetched: {reason}",
            url=url,
        )

    def _parse_sitemap(self, response: Response) -> Iterable[Request]:
        # SitemapSpider builds article requests without an errback; add ours so a
        # failing article found through the sitemap is recorded like any other.
        for request in super()._parse_sitemap(response):
            if request.callback == self.parse_article:
                request = request.replace(errback=self.article_failed)
            yield request

    def _continue_thread(self, pages: list[Article], fetched: set[int | str]) -> Iterable[Any]:
        """Fetch the next unfetched comment page, or yield the merged article when none is left.

        Pages are fetched one after another (not in parallel) so the whole thread is in
        hand when the item is yielded; pagers that show only a window of page numbers are
        handled because every fetched page adds the links it shows.
        """
        for page in pages:
            for url in page.comment_page_urls:
                canonical = canonicalize_url(url)
                key = comment_page_of(canonical) or canonical
                if key in fetched or not self.on_site(canonical):
                    continue
                fetched.add(key)
                self.crawler.stats.inc_value("archiver/comment_pages/requested")
                yield Request(
                    canonical,
                    callback=self.parse_comment_page,
                    errback=self.comment_page_failed,
                    cb_kwargs={"pages": pages, "fetched": fetched},
                    dont_filter=True,
                )
                return
        article = merge_comment_pages(pages)
        article.fetched_at = pages[0].fetched_at
        article.thread_complete = all(page.thread_complete for page in pages)
        self.crawler.stats.inc_value("archiver/articles/parsed")
        self.crawler.stats.inc_value("archiver/comments/parsed", len(article.comments))
        yield article

    def _follow_article_links(self, page: Article) -> Iterable[Request]:
        refs = [page.previous, page.next, *page.inline_links]
        urls = [ref.url for ref in refs if ref is not None] + [r.url for r in page.related]
        for url in urls:
            request = self.article_request(url)
            if request is not None:
                yield request


def _failure_reason(failure: Failure) -> str:
    """``HTTP 500`` for an error status, else the network error's own message."""
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"


def _flag(name: str, value: str | bool | None) -> bool:
    """A yes/no spider argument: ``-a full=1`` (also true/yes/on; 0/false/no/off/empty)."""
    if isinstance(value, bool):
        return value
    text = (value or "").strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("", "0", "false", "no", "off"):
        return False
    raise UsageError(f"{name} must be 1 or 0 (yes or no), got {value!r}")


def _now_iso() -> str:
    return datetime.now(TOKYO).isoformat(timespec="seconds")
