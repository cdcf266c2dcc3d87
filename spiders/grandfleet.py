"""The ``grandfleet`` spider: every article of grandfleet.info with its whole comment thread.

The spider only decides what to fetch; the site profile's parser turns each response into
data, and the item pipelines normalize and store it. Articles are discovered three ways,
so that none is missed when one surface is incomplete: the WordPress sitemap (through
Scrapy's own ``SitemapSpider`` machinery, starting from robots.txt), the paginated home
listing, and links between articles (previous/next, related block, inline 関連記事).

An article whose thread is split over WordPress comment pages is fetched page by page
and yielded once, as one item, when its last comment page has arrived: the archive
stores an article and its whole thread in one transaction (the callbacks that assemble
a thread are :class:`archiver.crawling.thread.ThreadAssembly`, mixed in).

Usage::

    scrapy crawl grandfleet                                   # https://grandfleet.info/
    scrapy crawl grandfleet -a start_url=http://127.0.0.1:8000/ -a limit=10
    scrapy crawl grandfleet -a full=1                         # every article, due or not

The archive is the frontier (``archiver.crawling``): every article already archived in
``ARCHIVE_DB`` is scheduled too, so an article that vanished from listings and sitemaps
is still visited (and its 404/410 or 301 seen). A run fetches only what is due by the
revisit policy, new, or signaled as changed by a cheap discovery surface (sitemap
``lastmod``, the comment feed, a comment count that differs from the archive's), and
asks conditionally (``If-None-Match`` / ``If-Modified-Since``) where the archive holds
validators. ``-a full=1`` fetches every article in full, whatever the policy says.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any, Self
from urllib.parse import urljoin, urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.spiders import SitemapSpider
from twisted.python.failure import Failure

from archiver.crawling.discovery import listing_comment_counts, parse_comment_feed
from archiver.crawling.frontier import captured_urls
from archiver.crawling.revisit import parse_time
from archiver.crawling.startup import EXIT_USAGE, RunSetup, RunSetupError, abort, prepare_run
from archiver.crawling.thread import PRIORITY_COMMENT_PAGE as PRIORITY_COMMENT_PAGE
from archiver.crawling.thread import (
    TOKYO,
    ThreadAssembly,
    failure_fetched_at,
    failure_reason,
    first_url,
)
from archiver.items import Anomaly
from archiver.parsing import canonicalize_url, parse_listing_page
from archiver.sites import SiteProfile, get_profile

logger = logging.getLogger(__name__)

# Scheduling priorities (higher first): finish threads in hand, then discovery, then
# articles discovered but never saved (a killed run's leftovers), then new and signaled
# articles, then articles that are merely due (PRIORITY_COMMENT_PAGE: thread.py).
PRIORITY_DISCOVERY = 50
PRIORITY_UNSAVED = 30
PRIORITY_CHANGED = 20
PRIORITY_DUE = 10


class GrandfleetSpider(ThreadAssembly, SitemapSpider):
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
        if not (start_url or self.default_start_url):
            raise UsageError(f"give the site to crawl: scrapy crawl {self.name} -a start_url=URL")
        self.start_url = canonicalize_url(start_url or self.default_start_url)
        parts = urlsplit(self.start_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"start_url must be an http(s) URL, got {start_url!r}")
        self.site_netloc = parts.netloc.lower()
        self.allowed_domains = [parts.hostname]
        self.sitemap_urls = [urljoin(self.start_url, "/robots.txt")]
        try:
            self.limit = int(limit) if limit not in (None, "") else None
        except ValueError:
            self.limit = 0
        if self.limit is not None and self.limit < 1:
            raise UsageError(f"limit must be a positive number of articles, got {limit!r}")
        self.full = _flag("full", full)
        # As given, for the WARC files' warcinfo: a reparse replays the run with them.
        given = {"start_url": start_url, "limit": limit, "full": full}
        self.arguments = {name: str(value) for name, value in given.items() if value is not None}
        self.scheduled_articles: set[str] = set()
        self.setup: RunSetup | None = None
        self.replay_urls: set[str] | None = None  # a replay: the URLs the run captured
        # Validators of article pages fetched in full, for the frontier pipeline.
        self.fetch_notes: dict[str, tuple[str | None, str | None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """Bad arguments, settings or archive end the run with one line, before any write."""
        # Under `scrapy crawl` (the project's settings) a problem ends the process with
        # one line and its own exit status; a library caller gets the exception.
        exit_on_error = crawler.settings.getbool("ARCHIVE_EXIT_ON_SETUP_ERROR", False)
        try:
            spider = super().from_crawler(crawler, *args, **kwargs)
            spider.setup = prepare_run(crawler.settings)
            # A replay (archiver reparse) runs with the run's own arguments and clock
            # (warcinfo), judges due-ness at the run's start (ARCHIVE_REPLAY_NOW), and
            # asks for exactly what the run captured.
            replay_from = crawler.settings.get("ARCHIVE_REPLAY_FROM")
            if replay_from:
                run_id = crawler.settings.getint("ARCHIVE_REPLAY_RUN")
                spider.replay_urls = captured_urls(replay_from, run_id)
        except UsageError as error:
            if exit_on_error:
                abort(str(error), EXIT_USAGE)
            raise
        except RunSetupError as error:
            if exit_on_error:
                abort(str(error), error.status)
            raise
        crawler.signals.connect(spider.release_lock, signal=signals.spider_closed)
        return spider

    def release_lock(self) -> None:
        if self.setup is not None and self.setup.lock is not None:
            self.setup.frontier.close()
            self.setup.lock.release()

    @property
    def quiet_pages_allowed(self) -> int:
        """Listing pages past the archived region that may show no changed count."""
        return self.settings.getint("ARCHIVE_LISTING_QUIET_PAGES", 2)

    @property
    def clock(self) -> datetime | None:
        """The run's clock (``ARCHIVE_NOW``), when set: visits are recorded at that time."""
        return self.setup.clock if self.setup is not None else None

    # -- what to fetch ------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        discovery = []
        async for request in super().start():  # robots.txt -> sitemap index -> post sitemaps
            discovery.append(self._discovery(request, optional=request.url.endswith("/robots.txt")))
        # WordPress core's sitemap, in case robots.txt does not name it, and the site-wide
        # comment feed: optional surfaces, their absence (404/410) is no anomaly.
        discovery += [
            self._discovery(
                Request(urljoin(self.start_url, "/wp-sitemap.xml"), callback=self._parse_sitemap),
                optional=True,
            ),
            self._discovery(Request(self.start_url, callback=self.parse_listing)),
            self._discovery(
                Request(
                    urljoin(self.start_url, "/comments/feed/"), callback=self.parse_comment_feed
                ),
                optional=True,
            ),
        ]
        for request in discovery:
            if self._replayable(request):
                yield request
        for request in self.frontier_requests():
            yield request

    def _replayable(self, request: Request) -> bool:
        """Outside a replay always; in a replay only what the replayed run captured."""
        return self.replay_urls is None or request.url in self.replay_urls

    def _discovery(self, request: Request, optional: bool = False) -> Request:
        """A discovery page: fetched first; its failure is recorded in the archive.

        ``optional``: a surface a site may lack (robots.txt, /wp-sitemap.xml, the comment
        feed): a 404 or 410 only means it is absent.
        """
        meta = {**request.meta, "archiver_optional": optional}
        return request.replace(
            priority=PRIORITY_DISCOVERY, errback=self.discovery_failed, meta=meta
        )

    def frontier_requests(self) -> Iterable[Request]:
        """Articles the archive holds on this site: the archive is the frontier.

        Discovered but never saved (stubs, a killed run's leftovers) first; then archived
        articles that are due (all of them with ``full=1``), longest overdue first.
        """
        if self.setup is None:
            return
        known = [a for a in self.setup.frontier.articles.values() if self.on_site(a.url)]
        self.crawler.stats.set_value(
            "archiver/articles/archived", sum(a.status == "archived" for a in known)
        )
        far_future = datetime.max.replace(tzinfo=TOKYO)
        known.sort(key=lambda a: (a.status == "archived", a.next_visit_at or far_future))
        for article in known:
            priority = PRIORITY_DUE if article.status == "archived" else PRIORITY_UNSAVED
            request = self.article_request(article.url, priority=priority)
            if request is not None:
                yield request

    def on_site(self, url: str) -> bool:
        """Only the crawled site's own host and port: never another host or port."""
        try:
            return urlsplit(url).netloc.lower() == self.site_netloc
        except ValueError:  # not a URL at all
            return False

    def claim_article(self, url: str, signaled: bool = False) -> str | None:
        """Return the canonical URL to fetch if this article should be fetched now.

        An article is fetched when it is new to the archive, due by the revisit policy,
        signaled as changed by a discovery surface, or with ``full=1``; once per run,
        and within ``limit``.
        """
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
        if not (signaled or self.wanted(canonical)):
            return None
        if self.replay_urls is not None and canonical not in self.replay_urls:
            return None
        if self.limit is not None and len(self.scheduled_articles) >= self.limit:
            return None
        self.scheduled_articles.add(canonical)
        self.crawler.stats.inc_value("archiver/articles/due")
        return canonical

    def wanted(self, canonical: str) -> bool:
        """New, never saved, or due by the revisit policy (everything with ``full=1``)."""
        if self.replay_urls is not None:
            return canonical in self.replay_urls
        if self.full or self.setup is None:
            return True
        archived = self.setup.frontier.articles.get(canonical)
        return archived is None or archived.due(self.setup.now)

    def article_request(
        self, url: str, signaled: bool = False, priority: int = PRIORITY_CHANGED
    ) -> Request | None:
        canonical = self.claim_article(url, signaled)
        if canonical is None:
            return None
        return self._article_fetch(canonical, priority)

    def _article_fetch(self, canonical: str, priority: int = PRIORITY_CHANGED) -> Request:
        """The request of a claimed article: conditional where the archive has validators."""
        headers = {}
        validators = self.setup.frontier.validators.get(canonical) if self.setup else None
        if validators and not self.full and self.replay_urls is None:  # full=1: in full
            etag, last_modified = validators
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
        return Request(
            canonical,
            callback=self.parse_article,
            errback=self.article_failed,
            headers=headers,
            priority=priority,
            meta={"handle_httpstatus_list": [304]},
        )

    def signal_changed(self, url: str, why: str) -> Request | None:
        """A discovery surface says this archived article changed: fetch it even if not due."""
        request = self.article_request(url, signaled=True)
        if request is not None:
            self.crawler.stats.inc_value(f"archiver/signals/{why}")
        return request

    def sitemap_filter(self, entries: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        for entry in entries:
            loc = entry.get("loc", "")
            if "sitemap" in loc and loc.endswith((".xml", ".xml.gz")):
                if self.on_site(loc):  # a sitemap index entry
                    yield entry
                continue
            canonical = self.claim_article(loc, signaled=self._modified_since_visit(entry))
            if canonical is not None:
                yield {**entry, "loc": canonical}

    def _modified_since_visit(self, entry: dict[str, Any]) -> bool:
        """The sitemap's ``lastmod`` is later than the archive's last visit of the article."""
        lastmod = parse_time(entry.get("lastmod"))
        if lastmod is None or self.setup is None:
            return False
        try:
            archived = self.setup.frontier.articles.get(canonicalize_url(entry.get("loc", "")))
        except ValueError:
            return False
        if archived is None or archived.last_visit_at is None:
            return False
        return lastmod > archived.last_visit_at

    def parse_listing(self, response: Response) -> Iterable[Request]:
        """Home and category listings: article links, then the next listing page."""
        if not isinstance(response, TextResponse):
            return
        listing = parse_listing_page(response, self.profile)
        counts = listing_comment_counts(response, self.profile.listing_links)
        reached_known = False  # an archived article that is not due and shows no change
        any_signaled = False  # a count that differs from the archive's
        for url in listing.article_urls:
            signaled = self._count_differs(url, counts.get(url))
            any_signaled = any_signaled or signaled
            reached_known = reached_known or not (signaled or self.wanted(canonicalize_url(url)))
            request = self.article_request(url, signaled=signaled)
            if request is not None:
                yield request
        below_limit = self.limit is None or len(self.scheduled_articles) < self.limit
        # Newest first: past the first article the archive knows and need not fetch,
        # older pages offer nothing the sitemap, the archive and the links between
        # articles do not (after a killed run too), except comment counts that differ
        # from the archive's: paging goes on while they keep showing, until
        # ARCHIVE_LISTING_QUIET_PAGES pages in a row show none. full=1 pages to the end.
        quiet = 0 if any_signaled else response.meta.get("archiver_quiet_pages", 0) + 1
        stop = reached_known and not self.full and quiet > self.quiet_pages_allowed
        if self.replay_urls is not None:  # a replay pages as far as the run did
            stop = listing.next_page_url not in self.replay_urls
        if stop:
            self.crawler.stats.inc_value("archiver/listings/stopped_early")
            return
        if listing.next_page_url and self.on_site(listing.next_page_url) and below_limit:
            request = Request(
                listing.next_page_url,
                callback=self.parse_listing,
                meta={"archiver_quiet_pages": quiet if reached_known else 0},
            )
            yield self._discovery(request)

    def _count_differs(self, url: str, shown: int | None) -> bool:
        """A listing shows a comment count other than the archived thread's."""
        if shown is None or self.setup is None:
            return False
        archived = self.setup.frontier.articles.get(canonicalize_url(url))
        if archived is None or archived.status != "archived":
            return False
        return shown != archived.comments_archived

    def parse_comment_feed(self, response: Response) -> Iterable[Request]:
        """The site-wide comment feed: an article with a comment the archive lacks is due."""
        if not isinstance(response, TextResponse) or self.setup is None:
            return
        for entry in parse_comment_feed(response):
            if not self.on_site(entry.article_url):
                continue
            if self.setup.frontier.has_comment(entry.comment_id):
                continue
            request = self.signal_changed(entry.article_url, "comment_feed")
            if request is not None:
                yield request

    def discovery_failed(self, failure: Failure) -> Iterable[Anomaly]:
        """robots.txt, a sitemap, the comment feed or a listing page could not be read."""
        url, reason = first_url(failure.request), failure_reason(failure)
        absent = failure.check(HttpError) and failure.value.response.status in (404, 410)
        if absent and failure.request.meta.get("archiver_optional"):
            self.crawler.stats.inc_value("archiver/discovery/absent")
            logger.info("the site has no %s (%s)", url, reason)
            return
        self.crawler.stats.inc_value("archiver/discovery/failed")
        logger.warning("discovery page could not be fetched: %s (%s)", url, reason)
        yield Anomaly(
            field="discovery",
            raw_value=url,
            problem=f"discovery page could not be fetched: {reason}",
            url=url,
            seen_at=failure_fetched_at(failure),
        )

    def _parse_sitemap(self, response: Response) -> Iterable[Request]:
        # SitemapSpider builds bare requests: articles (already claimed by sitemap_filter)
        # get ours (conditional, with an errback); sitemaps are discovery pages.
        for request in super()._parse_sitemap(response):
            if request.callback == self.parse_article:
                yield self._article_fetch(request.url)
            elif self._replayable(request):
                yield self._discovery(request)


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


class WordPressSpider(GrandfleetSpider):
    """Any WordPress site, read by the generic ``wordpress`` profile (no theme selectors).

    ``scrapy crawl wordpress -a start_url=https://example.jp/``: the same discovery,
    thread assembly, revisit policy and capture as the grandfleet spider; the pages are
    read by the markup engine's fallbacks for WordPress core, its common themes and the
    Japanese themes (see ``tests/fixtures/wordpress``).
    """

    name = "wordpress"
    profile_name = "wordpress"
    default_start_url = ""
