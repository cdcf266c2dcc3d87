"""The manners middlewares' decisions, without a crawl: Retry-After values, the
Crawl-delay opt-out, the same-site rule."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from archiver.crawling.manners import (
    PolitenessMiddleware,
    SameSiteMiddleware,
    retry_after_seconds,
)

SITE = "http://127.0.0.1:8123"


def test_retry_after_as_seconds_or_an_http_date():
    now = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(b"120") == 120.0
    assert retry_after_seconds(format_datetime(now + timedelta(minutes=2), usegmt=True), now) == 120
    assert retry_after_seconds(format_datetime(now - timedelta(minutes=2), usegmt=True), now) == 0
    assert retry_after_seconds(b"soon") is None
    assert retry_after_seconds(None) is None


def robots(delay: str) -> TextResponse:
    body = f"User-agent: *\nCrawl-delay: {delay}\nDisallow: /wp-admin/\n".encode()
    return TextResponse(f"{SITE}/robots.txt", body=body, encoding="utf-8")


@pytest.mark.parametrize("obey", [True, False])
def test_crawl_delay_spaces_requests_unless_the_operator_opts_out(obey):
    crawler = get_crawler(settings_dict={"ARCHIVE_OBEY_CRAWL_DELAY": obey})
    middleware = PolitenessMiddleware.from_crawler(crawler)
    request = Request(f"{SITE}/robots.txt")
    asyncio.run(middleware.process_response(request, robots("0.2")))
    assert middleware.crawl_delay == {"127.0.0.1:8123": 0.2}

    async def three_requests() -> float:
        started = time.monotonic()
        for n in range(3):
            await middleware.process_request(Request(f"{SITE}/page/{n + 2}/"))
        return time.monotonic() - started

    elapsed = asyncio.run(three_requests())
    if obey:
        assert elapsed >= 0.39  # the 2nd and 3rd wait 0.2 s each
    else:
        assert elapsed < 0.1


def test_only_the_start_urls_host_and_port():
    crawler = get_crawler()
    crawler.spider = type("Spider", (), {"site_netloc": "127.0.0.1:8123"})()
    middleware = SameSiteMiddleware.from_crawler(crawler)
    assert middleware.process_request(Request(f"{SITE}/x/")) is None
    for other in ("http://127.0.0.1:8124/x/", "http://localhost:8123/x/", "http://example.org/"):
        with pytest.raises(IgnoreRequest, match="not on the crawled site 127.0.0.1:8123"):
            middleware.process_request(Request(other))
