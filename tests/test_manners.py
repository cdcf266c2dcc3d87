"""Manners and completeness on a real crawl: Retry-After, Crawl-delay, no other port
(redirects, robots.txt Sitemap: lines), partial responses retried then recorded."""

from __future__ import annotations

import sqlite3
from itertools import pairwise

from archiver.runner import LOCAL_SITE_SETTINGS, run_crawl
from archiver.sample_site.server import Fault, serve


def test_a_crawl_keeps_its_manners_and_records_what_it_could_not_get(
    sample_site, site_server, tmp_path
):
    other = serve(sample_site)  # the same host, another port: never to be asked
    single = [a for a in sample_site.articles if a.comment_pages() == 1 and a.comments]
    redirected, truncated_once = single[0], single[1]
    paged = next(a for a in sample_site.articles if a.comment_pages() >= 3)
    site_server.robots_extra = [f"Sitemap: {other.url}wp-sitemap.xml"]
    site_server.faults.update(
        {
            "/": Fault(503, headers=[("Retry-After", "1")], times=1),
            "/page/2/": Fault(429, headers=[("Retry-After", "3600")]),
            redirected.path: Fault(301, headers=[("Location", other.url.rstrip("/") + "/x/")]),
            truncated_once.path: Fault(truncate=True, times=1),
            f"{paged.path}comment-page-1/": Fault(truncate=True),
        }
    )
    db_path = tmp_path / "archive.db"
    try:
        result = run_crawl(
            "grandfleet",
            site_server.url,
            db_path,
            settings={**LOCAL_SITE_SETTINGS, "RETRY_TIMES": "1", "ARCHIVE_RETRY_AFTER_MAX": "60"},
        )
    finally:
        other.shutdown()
    assert result.returncode == 0, result.stderr[-3000:]
    assert other.requests == []  # neither the Sitemap: line nor the redirect reached it

    log = site_server.request_log
    home = [r for r in log if r.path == "/"]
    assert [r.status for r in home] == [503, 200]
    assert home[1].at - home[0].at >= 1.0  # Retry-After honored before the retry
    assert [r.path for r in log].count("/page/2/") == 1  # an hour's wait is not waited
    assert [r.path for r in log].count(truncated_once.path) == 2  # retried, then whole
    assert [r.path for r in log].count(f"{paged.path}comment-page-1/") == 2  # retried once

    base = site_server.url.rstrip("/")
    with sqlite3.connect(db_path) as conn:
        anomalies = conn.execute(  # a cut page may also leave a half comment: not at issue
            "SELECT field, raw_value, problem FROM anomalies"
            " WHERE field IN ('article', 'article.response', 'discovery')"
        ).fetchall()
        complete = dict(
            conn.execute(
                "SELECT a.url, v.thread_complete FROM article_visits v"
                " JOIN articles a ON a.id = v.article_id"
            ).fetchall()
        )
        whole = conn.execute(
            "SELECT count(*) FROM comments WHERE article_id = ?", (truncated_once.post_id,)
        ).fetchone()[0]
    assert sorted(anomalies) == sorted(
        [
            (
                "article",
                base + redirected.path,
                f"article could not be fetched: IgnoreRequest: refused: {other.url}x/"
                f" is not on the crawled site {base.split('//')[1]}",
            ),
            (
                "article.response",
                base + f"{paged.path}comment-page-1/",
                "response truncated (partial) after retries: thread incomplete",
            ),
            (
                "discovery",
                f"{other.url}wp-sitemap.xml",
                f"discovery page could not be fetched: IgnoreRequest: refused: {other.url}"
                f"wp-sitemap.xml is not on the crawled site {base.split('//')[1]}",
            ),
            (
                "discovery",
                base + "/page/2/",
                "discovery page could not be fetched: HTTP 429 with Retry-After 3600 s,"
                " more than ARCHIVE_RETRY_AFTER_MAX (60 s)",
            ),
        ]
    )
    assert complete[base + paged.path] == 0  # never counted as a whole thread
    assert complete[base + truncated_once.path] == 1
    assert whole == len(truncated_once.comments)


def test_robots_crawl_delay_is_the_minimum_gap_between_requests(site_server, tmp_path):
    site_server.robots_extra = ["User-agent: *", "Crawl-delay: 0.3"]
    result = run_crawl(
        "grandfleet",
        site_server.url,
        tmp_path / "archive.db",
        settings=LOCAL_SITE_SETTINGS,  # DOWNLOAD_DELAY 0, 16 at once
        spider_args={"limit": "2"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    times = [r.at for r in site_server.request_log]
    first_robots = next(i for i, r in enumerate(site_server.request_log) if r.path == "/robots.txt")
    gaps = [b - a for a, b in pairwise(times[first_robots + 1 :])]
    assert len(gaps) >= 4
    # Times are the server's, when each request arrived: on a loaded machine one can
    # arrive late and the next on time, so a single gap may look short by the
    # server's scheduling delay. Without the delay the gaps are milliseconds.
    assert min(gaps) >= 0.2, gaps
    assert sum(gaps) / len(gaps) >= 0.29, gaps
