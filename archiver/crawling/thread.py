"""Thread assembly: an article page and its WordPress comment pages, yielded as one item.

An article whose thread is split over comment pages is fetched page by page (one after
another, ahead of everything else) and yielded once, as one item, when its last comment
page has arrived: the archive stores an article and its whole thread in one transaction.
A page that failed or came back truncated leaves the thread marked not whole, with an
anomaly. :class:`ThreadAssembly` holds these spider callbacks; the spider decides what to
fetch (``claim_article``, ``article_request``, ``on_site``) and mixes them in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archiver.capture import capture_of, stamp_capture
from archiver.crawling.items import ArticleNotModified
from archiver.crawling.manners import describe_meta, is_incomplete
from archiver.items import Anomaly, Article, ArticleGone
from archiver.parsing import (
    canonicalize_url,
    comment_page_of,
    merge_comment_pages,
    parse_article_page,
)
from archiver.sites import SiteProfile

logger = logging.getLogger(__name__)

TOKYO = ZoneInfo("Asia/Tokyo")

#: Scheduling priority of a thread's comment pages: finish threads in hand first.
PRIORITY_COMMENT_PAGE = 100


class ThreadAssembly:
    """Spider callbacks of article pages and their comment pages (a mixin of the spider).

    The spider provides ``crawler``, ``profile``, ``fetch_notes`` (validators of article
    pages fetched in full), ``on_site(url)`` and ``article_request(url)``.
    """

    crawler: Crawler
    profile: SiteProfile
    fetch_notes: dict[str, tuple[str | None, str | None]]

    def parse_article(self, response: Response) -> Iterable[Any]:
        if response.status == 304:  # seen, unchanged: nothing to parse
            self.crawler.stats.inc_value("archiver/articles/not_modified")
            fetched_at = capture_of(response)[1] or _now_iso()
            yield ArticleNotModified(url=canonicalize_url(response.url), fetched_at=fetched_at)
            return
        if not isinstance(response, TextResponse):
            logger.warning("not an HTML page, skipped: %s", response.url)
            return
        page = parse_article_page(response, self.profile)
        page.fetched_at = stamp_capture(page, response) or _now_iso()
        page.thread_complete = True  # until one of its comment pages fails
        self._check_whole(page, response)  # a partial page is not whole
        self.fetch_notes[canonicalize_url(response.url)] = (
            _header(response, "ETag"),
            _header(response, "Last-Modified"),
        )
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
            stamp_capture(page, response)
            self._check_whole(page, response)
            pages.append(page)
        else:  # not HTML: its comments are unknown, so the thread is not whole
            pages[0].thread_complete = False
        yield from self._continue_thread(pages, fetched)

    def _check_whole(self, page: Article, response: Response) -> None:
        """A response still incomplete after retries: an anomaly, the thread not whole."""
        if not is_incomplete(response):
            return
        page.thread_complete = False
        page.anomalies.append(
            Anomaly(
                field="article.response",
                raw_value=response.url,
                problem="response truncated (partial) after retries: thread incomplete",
                url=page.url,
            )
        )

    def comment_page_failed(self, failure: Failure) -> Iterable[Any]:
        """A missing comment page must not lose the rest of the thread: record and go on."""
        request = failure.request
        pages: list[Article] = request.cb_kwargs["pages"]
        pages[0].thread_complete = False  # absence from this thread proves nothing now
        pages[0].anomalies.append(
            Anomaly(
                field="article.comment_page",
                raw_value=request.url,
                problem=f"comment page could not be fetched: {failure_reason(failure)}",
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
                fetched_at=capture_of(failure.value.response)[1] or _now_iso(),
            )
            return
        self.crawler.stats.inc_value("archiver/articles/failed")
        url, reason = first_url(failure.request), failure_reason(failure)
        logger.warning("article could not be fetched: %s (%s)", url, reason)
        yield Anomaly(
            field="article",
            raw_value=url,
            problem=f"article could not be fetched: {reason}",
            url=url,
            seen_at=failure_fetched_at(failure),
        )

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
                    priority=PRIORITY_COMMENT_PAGE,  # finish threads in hand first
                )
                return
        article = merge_comment_pages(pages)
        article.fetched_at = pages[0].fetched_at
        article.thread_complete = all(page.thread_complete for page in pages)
        shown = article.comment_count_shown
        if not article.thread_complete or len(pages) > 1:
            # Validators only for a whole thread on one page: a 304 of the article URL
            # says nothing about its other comment pages, nor about a broken capture.
            self.fetch_notes.pop(article.url, None)
        # Every page arrived, on one page or several, yet fewer comments than the count
        # shown: some were not read (a pager misread, a markup not understood). Never
        # silent, and not whole: what was not read must not be taken for removed.
        if article.thread_complete and shown is not None and len(article.comments) < shown:
            article.thread_complete = False
            self.crawler.stats.inc_value("archiver/threads/short")
            article.anomalies.append(
                Anomaly(
                    field="article.comments",
                    raw_value=str(len(article.comments)),
                    problem=f"thread has {len(article.comments)} comments, the page shows {shown}",
                    url=article.url,
                )
            )
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


def failure_reason(failure: Failure) -> str:
    """``HTTP 500`` for an error status, else the network error's own message."""
    note = describe_meta(failure.request.meta) if getattr(failure, "request", None) else None
    if note:
        return note
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"


def failure_fetched_at(failure: Failure) -> str | None:
    """When the error response of ``failure`` was fetched (None for a network error)."""
    if failure.check(HttpError):
        return capture_of(failure.value.response)[1]
    return None


def first_url(request: Request) -> str:
    """The URL the spider asked for, before any redirect."""
    return (request.meta.get("redirect_urls") or [request.url])[0]


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _now_iso() -> str:
    return datetime.now(TOKYO).isoformat(timespec="seconds")
