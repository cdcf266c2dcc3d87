"""A real crawl when pages fail: nothing else is lost and every failure is on record."""

from __future__ import annotations

import sqlite3

from archiver.runner import LOCAL_SITE_SETTINGS, run_crawl
from archiver.sample_site.server import serve


def test_failed_comment_page_and_missing_article(sample_site, tmp_path):
    paged = next(a for a in sample_site.articles if a.comment_pages() >= 3)
    gone = next(a for a in sample_site.articles if a.comment_pages() == 1 and a.comments)
    db_path = tmp_path / "archive.db"
    server = serve(sample_site, host="127.0.0.1", port=0)
    server.failures[f"{paged.path}comment-page-1/"] = 500
    server.failures[gone.path] = 404
    try:
        settings = {**LOCAL_SITE_SETTINGS, "RETRY_TIMES": "1"}
        result = run_crawl("grandfleet", server.url, db_path, settings=settings, timeout=120)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-2000:]
    # the failing comment page was retried once, then given up
    assert server.requests.count(f"{paged.path}comment-page-1/") == 2

    with sqlite3.connect(db_path) as conn:
        conn.row_factory = sqlite3.Row
        stored = {
            row[0]
            for row in conn.execute(
                "select id from comments where article_id = ?", (paged.post_id,)
            )
        }
        anomalies = conn.execute("select field, raw_value, problem, url from anomalies").fetchall()
        statuses = dict(conn.execute("select id, status from articles"))
        run = conn.execute("select status, articles_new from crawl_runs").fetchone()
    # every comment of the pages that did arrive is kept
    expected = {
        c.comment_id
        for page in range(2, paged.comment_pages() + 1)
        for c in paged.comments_on_page(page)
    }
    assert stored == expected
    base = server.url.rstrip("/")
    assert sorted(tuple(a) for a in anomalies) == [
        ("article", base + gone.path, "article could not be fetched: HTTP 404", base + gone.path),
        (
            "article.comment_page",
            base + f"{paged.path}comment-page-1/",
            "comment page could not be fetched: HTTP 500",
            base + paged.path,
        ),
    ]
    # the missing article is known only through links to it; every other one is archived
    assert statuses.pop(gone.post_id, "stub") == "stub"
    assert set(statuses.values()) <= {"archived", "stub"}
    assert sum(1 for s in statuses.values() if s == "archived") == len(sample_site.articles) - 1
    assert tuple(run) == ("finished", len(sample_site.articles) - 1)
