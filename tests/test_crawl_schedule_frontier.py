"""The archive is the frontier: an archived article that vanished from every listing,
sitemap and link is still visited by the next run (so its 404/410 or 301 is seen)."""

from __future__ import annotations

import sqlite3

from archiver.runner import LOCAL_SITE_SETTINGS, run_crawl
from archiver.sample_site import SampleSite, load_site


def without_article(path: str) -> SampleSite:
    """The curated site with the article at ``path`` removed, and every link to it."""
    site = load_site()
    site.articles = [a for a in site.articles if a.path != path]
    for article in site.articles:
        article.related_paths = [p for p in article.related_paths if p != path]
        article.body = [b for b in article.body if not (b.kind == "related" and b.url == path)]
    site.popular_paths = [p for p in site.popular_paths if p != path]
    site.reindex()
    return site


def test_an_archived_article_gone_from_every_listing_is_still_visited(
    sample_site, site_server, tmp_path
):
    db_path = tmp_path / "archive.db"
    first = run_crawl("grandfleet", site_server.url, db_path, settings=LOCAL_SITE_SETTINGS)
    assert first.returncode == 0, first.stderr[-2000:]
    vanished = sample_site.articles[len(sample_site.articles) // 2]
    with sqlite3.connect(db_path) as conn:
        archived = conn.execute(
            "SELECT title FROM articles WHERE url = ?",
            (site_server.url.rstrip("/") + vanished.path,),
        ).fetchone()
    assert archived == (vanished.title,)

    site_server.site = without_article(vanished.path)
    site_server._cache.clear()
    site_server.requests.clear()
    second = run_crawl(
        "grandfleet",
        site_server.url,
        db_path,
        settings=LOCAL_SITE_SETTINGS,
        spider_args={"full": "1"},  # every archived article, due or not
    )
    assert second.returncode == 0, second.stderr[-2000:]
    assert vanished.path in site_server.requests
    # Only the archive leads there now: a crawl of the same site into a new archive
    # never asks for it.
    site_server.requests.clear()
    fresh = run_crawl(
        "grandfleet", site_server.url, tmp_path / "new.db", settings=LOCAL_SITE_SETTINGS
    )
    assert fresh.returncode == 0, fresh.stderr[-2000:]
    assert site_server.requests and vanished.path not in site_server.requests
    with sqlite3.connect(db_path) as conn:
        gone = conn.execute(
            "SELECT status, gone_at IS NOT NULL, http_status, title FROM articles WHERE url = ?",
            (site_server.url.rstrip("/") + vanished.path,),
        ).fetchall()
        run = conn.execute("SELECT articles_gone FROM crawl_runs WHERE id = 2")
    # The site's answer that the article is gone is a fact on the row, which stays.
    assert gone == [("archived", 1, 404, vanished.title)]
    assert run.fetchone() == (1,)
