"""``scrapy crawl wordpress``: any WordPress site, read by the generic profile alone.

The sample site is crawled with the ``wordpress`` spider, which has no selector of the
site's theme: every article and every comment of every comment page must still be
archived with the sample site's own values.
"""

from __future__ import annotations

import sqlite3

from archiver.runner import LOCAL_SITE_SETTINGS, run_crawl
from archiver.sample_site.render import comment_date_text


def test_the_generic_spider_archives_every_thread_of_an_unknown_theme(site_server, tmp_path):
    site = site_server.site
    db_path = tmp_path / "archive.db"
    result = run_crawl("wordpress", site_server.url, db_path, settings=LOCAL_SITE_SETTINGS)
    assert result.returncode == 0, result.stderr[-3000:]
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        articles = {
            row["id"]: row
            for row in conn.execute("SELECT * FROM articles WHERE status = 'archived'")
        }
        comments = {row["id"]: row for row in conn.execute("SELECT * FROM comments")}
        anomalies = conn.execute("SELECT field, problem FROM anomalies").fetchall()
    finally:
        conn.close()
    assert sorted(articles) == sorted(a.post_id for a in site.articles)
    assert len(comments) == sum(len(a.comments) for a in site.articles)
    for article in site.articles:
        row = articles[article.post_id]
        assert (row["title"], row["site"]) == (article.title, "wordpress")
        assert row["comment_count_shown"] == len(article.comments)
        for position, comment in enumerate(article.comments, start=1):
            expected = (
                article.post_id,
                comment.parent_id,
                position,
                comment.author or None,
                comment_date_text(comment, article.comment_markup),
                comment.text,
                comment.votes,
            )
            got = comments[comment.comment_id]
            actual = tuple(
                got[key]
                for key in (
                    "article_id",
                    "parent_id",
                    "position",
                    "author",
                    "posted_raw",
                    "body_text",
                    "votes",
                )
            )
            assert actual == expected, (article.path, comment.comment_id)
    assert [tuple(a) for a in anomalies] == []


def test_the_generic_spider_needs_the_site(tmp_path):
    result = run_crawl("wordpress", "", tmp_path / "archive.db", settings=LOCAL_SITE_SETTINGS)
    assert result.returncode != 0
    assert "give the site to crawl: scrapy crawl wordpress -a start_url=URL" in result.stderr
    assert "Traceback" not in result.stderr
