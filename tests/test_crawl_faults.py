"""A real crawl when pages fail: nothing else is lost and every failure is on record."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from archiver.runner import LOCAL_SITE_SETTINGS, run_crawl
from archiver.sample_site import SampleComment, load_site
from archiver.sample_site.server import serve


def test_failed_comment_page_and_missing_article(sample_site, site_server, tmp_path):
    paged = next(a for a in sample_site.articles if a.comment_pages() >= 3)
    gone = next(a for a in sample_site.articles if a.comment_pages() == 1 and a.comments)
    db_path = tmp_path / "archive.db"
    site_server.failures[f"{paged.path}comment-page-1/"] = 500
    site_server.failures[gone.path] = 404
    settings = {**LOCAL_SITE_SETTINGS, "RETRY_TIMES": "1"}
    result = run_crawl("grandfleet", site_server.url, db_path, settings=settings, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    # the failing comment page was retried once, then given up
    assert site_server.requests.count(f"{paged.path}comment-page-1/") == 2

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
    base = site_server.url.rstrip("/")
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


def test_a_thread_of_many_comment_pages_behind_a_windowed_pager(tmp_path):
    """WordPress's pager shows only a window of page numbers; every page is still fetched."""
    site = load_site(synthetic_articles=3, seed=1)
    article = site.articles[0]
    first_id = max(c.comment_id for a in site.articles for c in a.comments) + 1
    posted = article.published + timedelta(hours=1)
    article.comments = [
        SampleComment(
            first_id + n,
            None,
            1,
            f"読者{n % 7}",
            None,
            posted + timedelta(minutes=n),
            f"コメント{n}",
            None,
            n % 5,
        )
        for n in range(8 * 50)  # 400 top-level comments: 8 pages of 50
    ]
    assert article.comment_pages() == 8
    db_path = tmp_path / "archive.db"
    server = serve(site, host="127.0.0.1", port=0)
    try:
        result = run_crawl(
            "grandfleet", server.url, db_path, settings=LOCAL_SITE_SETTINGS, timeout=120
        )
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-2000:]
    # the article URL shows page 8, whose pager links only 1, 6, 7; the rest come into view page by page
    fetched = [p for p in server.requests if p.startswith(article.path + "comment-page-")]
    assert sorted(fetched) == sorted(f"{article.path}comment-page-{n}/" for n in range(1, 8))
    with sqlite3.connect(db_path) as conn:
        stored = conn.execute(
            "select id, position, votes from comments where article_id = ? order by position",
            (article.post_id,),
        ).fetchall()
    assert stored == [(first_id + n, n + 1, n % 5) for n in range(400)]
