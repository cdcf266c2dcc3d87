"""Every HTTP exchange of a real crawl is kept as WARC/1.1 and indexed in ``captures``."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import HtmlResponse
from warcio.archiveiterator import ArchiveIterator

from archiver.capture import index
from archiver.capture.stamp import CAPTURE_ID_KEY, FETCHED_AT_KEY
from archiver.capture.warcfile import parse_record, payload_digest
from archiver.items import Article
from archiver.runner import LOCAL_SITE_SETTINGS, run_crawl
from archiver.sample_site.render import render
from spiders.grandfleet import GrandfleetSpider
from tests.test_spider import make_spider


def warc_files(db_path: Path) -> list[Path]:
    return sorted((db_path.parent / "warc").glob("*.warc.gz"))


def captures(db_path: Path) -> list[index.Capture]:
    with sqlite3.connect(db_path) as conn:
        return index.select_captures(conn)


def test_warcio_check_accepts_every_file(crawled_archive):
    files = warc_files(crawled_archive.db_path)
    assert [f.name for f in files] == ["archive-1-1.warc.gz", "archive-2-1.warc.gz"]
    warcio = Path(sys.executable).with_name("warcio")
    result = subprocess.run(
        [str(warcio), "check", "-v", *map(str, files)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "digest pass" in result.stdout and "fail" not in result.stdout


def test_every_exchange_is_captured_once_with_its_request(crawled_archive):
    rows = captures(crawled_archive.db_path)
    # one capture per request the server answered, robots.txt and sitemaps included
    captured = Counter(
        urlsplit(c.url).path + (f"?{urlsplit(c.url).query}" if urlsplit(c.url).query else "")
        for c in rows
    )
    assert captured == Counter(crawled_archive.requested_paths)
    assert {"/robots.txt", "/wp-sitemap.xml", "/"} <= set(captured)
    assert all(c.status == 200 for c in rows)

    records = []
    for path in warc_files(crawled_archive.db_path):
        with open(path, "rb") as file:
            for record in ArchiveIterator(file):
                records.append(record.rec_headers)
    by_id = {h.get_header("WARC-Record-ID"): h for h in records}
    requests = [h for h in records if h.get_header("WARC-Type") == "request"]
    assert len(requests) == len(rows)
    for request in requests:  # each request names its response or revisit, same URI and date
        response = by_id[request.get_header("WARC-Concurrent-To")]
        assert response.get_header("WARC-Type") in ("response", "revisit")
        assert response.get_header("WARC-Target-URI") == request.get_header("WARC-Target-URI")
        assert response.get_header("WARC-Date") == request.get_header("WARC-Date")
    assert all(h.protocol == "WARC/1.1" for h in records)


def test_index_rows_point_at_their_records(crawled_archive):
    db_path = crawled_archive.db_path
    for capture in captures(db_path):
        path = index.resolve(db_path, capture.warc_file)
        with open(path, "rb") as file:
            file.seek(capture.warc_offset)
            record, payload = parse_record(file.read(capture.warc_length))
        assert record.rec_type == capture.record_type
        assert record.rec_headers.get_header("WARC-Target-URI") == capture.url
        assert record.http_headers.get_statuscode() == str(capture.status)
        if capture.record_type == "response":
            assert payload_digest(payload) == capture.payload_digest
            assert record.rec_headers.get_header("WARC-Payload-Digest") == capture.payload_digest


def test_an_unchanged_recrawl_is_revisit_records_pointing_at_the_first(crawled_archive):
    rows = captures(crawled_archive.db_path)
    first = {c.url: c for c in rows if c.run_id == 1 and c.record_type == "response"}
    second = [c for c in rows if c.run_id == 2]
    assert second and all(c.record_type == "revisit" for c in second)
    for capture in second:
        original = first[capture.url]
        assert capture.payload_digest == original.payload_digest
        path = index.resolve(crawled_archive.db_path, capture.warc_file)
        with open(path, "rb") as file:
            file.seek(capture.warc_offset)
            record, payload = parse_record(file.read(capture.warc_length))
        headers = record.rec_headers
        assert headers.get_header("WARC-Profile").endswith("/revisit/identical-payload-digest")
        assert headers.get_header("WARC-Refers-To-Target-URI") == original.url
        assert headers.get_header("WARC-Refers-To-Date") == _warc_date(original)
        assert payload == b""  # the bytes are in the first record only
    sizes = {p.name: p.stat().st_size for p in warc_files(crawled_archive.db_path)}
    assert sizes["archive-2-1.warc.gz"] < sizes["archive-1-1.warc.gz"] / 3


def _warc_date(capture: index.Capture) -> str:
    from archiver.capture.middleware import _warc_date

    return _warc_date(capture)


def test_error_responses_and_retries_are_captured(sample_site, site_server, tmp_path):
    failing = next(a for a in sample_site.articles if a.comment_pages() >= 2)
    missing = next(a for a in sample_site.articles if a is not failing)
    site_server.failures[f"{failing.path}comment-page-1/"] = 500
    site_server.failures[missing.path] = 404
    db_path = tmp_path / "archive.db"
    settings = {**LOCAL_SITE_SETTINGS, "RETRY_TIMES": "1", "ARCHIVE_WARC_MAX_BYTES": "60000"}
    result = run_crawl("grandfleet", site_server.url, db_path, settings=settings, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = captures(db_path)
    base = site_server.url.rstrip("/")
    statuses = [c.status for c in rows if c.url == f"{base}{failing.path}comment-page-1/"]
    assert statuses == [500, 500]  # the first try and its retry
    assert [c.status for c in rows if c.url == f"{base}{missing.path}"] == [404]
    # small files: the run was rotated over several, each one readable on its own
    files = warc_files(db_path)
    assert len(files) > 3
    assert {index.resolve(db_path, c.warc_file) for c in rows} == set(files)
    for path in files:
        with open(path, "rb") as file:
            assert next(iter(ArchiveIterator(file))).rec_type == "warcinfo"


def test_capture_can_be_turned_off(site_server, tmp_path):
    db_path = tmp_path / "archive.db"
    settings = {**LOCAL_SITE_SETTINGS, "ARCHIVE_WARC_ENABLED": "False"}
    result = run_crawl(
        "grandfleet", site_server.url, db_path, settings=settings, spider_args={"limit": "2"}
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert not (tmp_path / "warc").exists()


def test_parsed_pages_and_their_comments_carry_their_capture(sample_site):
    article = next(a for a in sample_site.articles if a.comment_pages() >= 2)
    base = "http://127.0.0.1:8123"
    spider: GrandfleetSpider = make_spider(start_url=f"{base}/")

    def captured(capture_id: int, url: str) -> HtmlResponse:
        _, headers, body = render(sample_site, base, url[len(base) :])
        meta = {CAPTURE_ID_KEY: capture_id, FETCHED_AT_KEY: f"2024-05-01T10:00:{capture_id}+09:00"}
        return HtmlResponse(url, body=body, headers=dict(headers), request=Request(url, meta=meta))

    # the article URL shows the newest comment page; the others follow one by one
    output = list(spider.parse_article(captured(10, base + article.path)))
    while not any(isinstance(item, Article) for item in output):
        page = next(r for r in output if getattr(r, "callback", None) == spider.parse_comment_page)
        number = int(page.url.rstrip("/").rsplit("-", 1)[1])
        output = list(spider.parse_comment_page(captured(20 + number, page.url), **page.cb_kwargs))
    [merged] = [item for item in output if isinstance(item, Article)]
    assert merged.capture_id == 10
    assert merged.fetched_at == "2024-05-01T10:00:10+09:00"  # the capture's time, not now
    assert [c.comment_id for c in merged.comments] == [c.comment_id for c in article.comments]
    newest = article.comment_pages()
    for comment in merged.comments:  # each comment names the page it was read from
        expected = 10 if comment.page == newest else 20 + comment.page
        assert comment.capture_id == expected


def test_every_stored_row_names_the_capture_it_was_parsed_from(crawled_archive):
    with sqlite3.connect(crawled_archive.db_path) as conn:
        urls = dict(conn.execute("SELECT id, url FROM captures"))
        articles = conn.execute(
            "SELECT url, capture_id FROM articles WHERE status = 'archived'"
        ).fetchall()
        revisions = conn.execute(
            "SELECT a.url, r.capture_id FROM comment_revisions r"
            " JOIN comments c ON c.id = r.comment_id JOIN articles a ON a.id = c.article_id"
        ).fetchall()
        article_revisions = conn.execute(
            "SELECT a.url, r.capture_id FROM article_revisions r JOIN articles a ON a.id = r.article_id"
        ).fetchall()
    assert len(articles) == len(crawled_archive.site.articles)
    for url, capture_id in articles + article_revisions:  # the article page itself
        assert urls[capture_id] == url
    assert len(revisions) == sum(len(a.comments) for a in crawled_archive.site.articles)
    for url, capture_id in revisions:  # the article page or one of its comment pages
        assert urls[capture_id] == url or urls[capture_id].startswith(f"{url}comment-page-")
