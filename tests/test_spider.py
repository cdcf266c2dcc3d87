"""The grandfleet spider's decisions about what to fetch, and ``-a limit=N`` on a real crawl."""

from __future__ import annotations

import sqlite3
import urllib.request

import pytest
from scrapy import Request
from scrapy.exceptions import UsageError
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from selectolax.lexbor import LexborHTMLParser

from archiver.items import Article
from archiver.runner import LOCAL_SITE_SETTINGS, run_crawl
from spiders.grandfleet import GrandfleetSpider


def make_spider(**kwargs: str) -> GrandfleetSpider:
    return GrandfleetSpider.from_crawler(get_crawler(GrandfleetSpider), **kwargs)


def test_default_target_is_grandfleet_info():
    spider = make_spider()
    assert spider.start_url == "https://grandfleet.info/"
    assert spider.allowed_domains == ["grandfleet.info"]
    assert spider.sitemap_urls == ["https://grandfleet.info/robots.txt"]


def test_start_url_sets_the_only_host_and_port():
    spider = make_spider(start_url="http://127.0.0.1:8123/")
    assert spider.allowed_domains == ["127.0.0.1"]
    assert spider.on_site("http://127.0.0.1:8123/russia-related/x/")
    assert not spider.on_site("http://127.0.0.1:9999/russia-related/x/")  # another port
    assert not spider.on_site("https://grandfleet.info/russia-related/x/")


def test_articles_are_claimed_once_in_canonical_form_and_within_the_limit():
    spider = make_spider(start_url="http://127.0.0.1:8123/", limit="2")
    base = "http://127.0.0.1:8123"
    assert (
        spider.claim_article(f"{base}/russia-related/a/?replytocom=5#respond")
        == f"{base}/russia-related/a/"
    )
    assert spider.claim_article(f"{base}/russia-related/a/#comment-7") is None  # same article
    assert spider.claim_article(f"{base}/category/russia-related/") is None  # a listing
    assert spider.claim_article(f"{base}/tag/nato/") is None
    assert spider.claim_article("https://twitter.com/SecBlinken/status/1/") is None
    assert spider.claim_article(f"{base}/us-related/b/") == f"{base}/us-related/b/"
    assert spider.claim_article("http://[oops/x/") is None  # not a URL: skipped, counted
    assert spider.crawler.stats.get_value("archiver/urls/invalid") == 1
    assert spider.claim_article(f"{base}/us-related/c/") is None  # limit=2 reached


@pytest.mark.parametrize("bad", [{"start_url": "ftp://example.org/"}, {"limit": "0"}])
def test_bad_arguments_are_refused_with_a_clear_error(bad):
    with pytest.raises(UsageError, match="start_url|limit"):
        make_spider(**bad)


def test_limit_stops_a_real_crawl_after_n_articles(site_server, tmp_path):
    result = run_crawl(
        "grandfleet",
        site_server.url,
        tmp_path / "limited.db",
        settings=LOCAL_SITE_SETTINGS,
        spider_args={"limit": "5"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(tmp_path / "limited.db") as conn:
        archived = conn.execute(
            "select count(*) from articles where status = 'archived'"
        ).fetchone()[0]
    assert archived == 5


def _thread(spider: GrandfleetSpider, url: str, hide: str | None = None) -> Article:
    """Follow one article's comment pages as the crawl does, fetching each from the real
    sample server; ``hide`` removes that comment element from whichever page shows it
    (markup the parser cannot see), the pages still arriving whole."""

    def response(request: Request) -> HtmlResponse:
        with urllib.request.urlopen(request.url) as answer:
            body = answer.read()
        tree = LexborHTMLParser(body)
        hidden = tree.css_first(f"#{hide}") if hide else None
        if hidden is not None:
            hidden.decompose()
            body = tree.html.encode()
        return HtmlResponse(request.url, body=body, encoding="utf-8", request=request)

    request = Request(url, callback=spider.parse_article)
    outputs = list(spider.parse_article(response(request)))
    while True:
        articles = [item for item in outputs if isinstance(item, Article)]
        if articles:
            return articles[0]
        [request] = [r for r in outputs if isinstance(r, Request) and r.cb_kwargs]
        outputs = list(spider.parse_comment_page(response(request), **request.cb_kwargs))


def test_a_thread_of_several_pages_shorter_than_its_count_is_an_anomaly_not_whole(site_server):
    """Every page arrived, yet a comment was not read: recorded, and never taken as removed."""
    paged = next(a for a in site_server.site.articles if a.comment_pages() >= 3)
    url = site_server.url.rstrip("/") + paged.path
    whole = _thread(make_spider(start_url=site_server.url), url)
    assert whole.thread_complete
    assert [c.comment_id for c in whole.comments] == [c.comment_id for c in paged.comments]
    assert [a.field for a in whole.anomalies] == []

    replied_to = {c.parent_id for c in paged.comments}
    hidden = next(c for c in paged.comments_on_page(1) if c.comment_id not in replied_to)
    short = _thread(
        make_spider(start_url=site_server.url), url, hide=f"comment-{hidden.comment_id}"
    )
    assert not short.thread_complete  # storage marks no comment removed from it
    assert hidden.comment_id not in {c.comment_id for c in short.comments}
    shown = len(paged.comments)
    assert [(a.field, a.problem) for a in short.anomalies] == [
        ("article.comments", f"thread has {shown - 1} comments, the page shows {shown}")
    ]
