"""End to end: a real ``scrapy crawl grandfleet`` of the sample site into a real SQLite archive.

Expected values come from the sample site's own data files (``load_site()``), never
from the crawl itself.
"""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import urlsplit

from archiver.sample_site.render import comment_date_text

SEED_PATH_TITLE = "米国はロシアの要求を拒否するも交渉継続を希望、ウクライナ侵攻の可能性は?"


def _path(url: str) -> str:
    return urlsplit(url).path


def test_every_article_archived_exactly_once(crawled_archive):
    site = crawled_archive.site
    with crawled_archive.connect() as conn:
        rows = conn.execute(
            "select id, url, title, status, comment_count_shown from articles where status = 'archived'"
        ).fetchall()
        stubs = conn.execute("select url from articles where status = 'stub'").fetchall()
    assert len(rows) == len(site.articles)
    by_path = {_path(row["url"]): row for row in rows}
    assert len(by_path) == len(rows)
    for article in site.articles:
        row = by_path[article.path]
        assert row["id"] == article.post_id
        assert row["title"] == article.title
        assert row["url"] == crawled_archive.site_url.rstrip("/") + article.path
    # every article linked from another is on the site, so after a full crawl no stub is left
    assert [row["url"] for row in stubs] == []


def test_every_comment_archived_exactly_once_with_its_values(crawled_archive):
    site = crawled_archive.site
    with crawled_archive.connect() as conn:
        rows = conn.execute("select * from comments order by article_id, position").fetchall()
    assert len(rows) == sum(len(a.comments) for a in site.articles)
    by_id = {row["id"]: row for row in rows}
    assert len(by_id) == len(rows)
    for article in site.articles:
        for position, comment in enumerate(article.comments, start=1):
            row = by_id[comment.comment_id]
            expected = {
                "article_id": article.post_id,
                "parent_id": comment.parent_id,
                "depth": comment.depth,
                "position": position,
                "author": comment.author or None,
                "author_url": comment.author_url,
                "posted_raw": comment_date_text(comment, article.comment_markup),
                "body_text": comment.text,
                "votes_raw": str(comment.votes),
                "votes": comment.votes,
                # The site's like widget (wp-ulike's like-only default) has no down count.
                "votes_down_raw": None,
                "votes_down": None,
                "posted_date": comment.posted.date().isoformat(),
            }
            actual = {key: row[key] for key in expected}
            assert actual == expected, (article.path, comment.comment_id)


def test_seed_thread_is_the_seed(crawled_archive):
    with crawled_archive.connect() as conn:
        article = conn.execute(
            "select * from articles where title = ?", (SEED_PATH_TITLE,)
        ).fetchone()
        comments = conn.execute(
            """select c.author, c.posted_raw, c.posted_at, c.posted_precision, c.votes, c.depth,
                      p.author as parent_author
               from comments c left join comments p on p.id = c.parent_id
               where c.article_id = ? order by c.position""",
            (article["id"],),
        ).fetchall()
    assert [tuple(row) for row in comments] == [
        ("tofu", "2022年 1月 27日", "2022-01-27", "day", 25, 1, None),
        ("Mob", "2022年 1月 27日", "2022-01-27", "day", 3, 1, None),
        ("ダヴー", "2022年 1月 27日", "2022-01-27", "day", 10, 2, "Mob"),
        ("幽霊", "2022年 1月 27日", "2022-01-27", "day", 4, 1, None),
        ("tofu", "2022年 1月 27日", "2022-01-27", "day", 21, 2, "幽霊"),
        ("くらうん", "2022年 1月 27日", "2022-01-27", "day", 7, 1, None),
        ("戦略眼", "2022年 1月 27日", "2022-01-27", "day", 5, 1, None),
        ("匿名さん", "2022年 1月 27日", "2022-01-27", "day", 4, 2, "戦略眼"),
    ]
    assert article["comment_count_shown"] == 8
    assert article["category_id"] is not None


def test_article_links_resolve_to_archived_articles(crawled_archive):
    site = crawled_archive.site
    with crawled_archive.connect() as conn:
        links = conn.execute(
            """select f.url as from_url, t.url as to_url, t.status, l.kind, l.position
               from article_links l join articles f on f.id = l.from_article_id
               join articles t on t.id = l.to_article_id"""
        ).fetchall()
    by_from: dict[str, list] = {}
    for link in links:
        assert link["status"] == "archived"
        by_from.setdefault(_path(link["from_url"]), []).append(link)
    for article in site.articles:
        mine = by_from.get(article.path, [])
        related = [
            _path(x["to_url"])
            for x in sorted(mine, key=lambda x: x["position"])
            if x["kind"] == "related"
        ]
        assert related == article.related_paths, article.path
        prev = [_path(x["to_url"]) for x in mine if x["kind"] == "prev"]
        nxt = [_path(x["to_url"]) for x in mine if x["kind"] == "next"]
        assert prev == ([article.previous_path] if article.previous_path else [])
        assert nxt == ([article.next_path] if article.next_path else [])


def test_comment_pages_followed_and_no_replytocom_or_offsite_requests(crawled_archive):
    site = crawled_archive.site
    paged = [a for a in site.articles if a.comment_pages() > 1]
    assert paged, "the sample site must have an article with several comment pages"
    counts = Counter(crawled_archive.first_run_paths)
    for article in paged:
        last = article.comment_pages()
        for page in range(1, last):
            assert counts[f"{article.path}comment-page-{page}/"] == 1
        # the article URL already shows the newest page: its /comment-page-N/ twin is skipped
        assert counts[f"{article.path}comment-page-{last}/"] == 0
    assert not [p for p in crawled_archive.requested_paths if "replytocom" in p]
    # Every request the crawler sent reached the sample server: none left its host.
    with crawled_archive.connect() as conn:
        runs = conn.execute("select stats_json from crawl_runs order by id").fetchall()
    first_stats = json.loads(runs[0]["stats_json"])
    assert first_stats["downloader/request_count"] == len(crawled_archive.first_run_paths)
    # and each article page was fetched once in the first run
    for article in site.articles:
        assert counts[article.path] == 1, article.path


def test_second_crawl_changes_nothing(crawled_archive):
    with crawled_archive.connect() as conn:
        runs = conn.execute(
            "select status, articles_new, articles_updated, comments_new, comments_updated from crawl_runs order by id"
        ).fetchall()
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert conn.execute("pragma foreign_key_check").fetchall() == []
        duplicates = conn.execute(
            "select url, count(*) from articles group by url having count(*) > 1"
        ).fetchall()
    assert len(runs) == 2
    total_comments = sum(len(a.comments) for a in crawled_archive.site.articles)
    assert tuple(runs[0]) == ("finished", len(crawled_archive.site.articles), 0, total_comments, 0)
    assert tuple(runs[1]) == ("finished", 0, 0, 0, 0)
    assert duplicates == []


def test_discovery_used_robots_sitemaps_and_listings(crawled_archive):
    counts = Counter(crawled_archive.first_run_paths)
    # RobotsTxtMiddleware reads robots.txt for its rules, SitemapSpider for its Sitemap: lines
    assert counts["/robots.txt"] == 2
    assert counts["/wp-sitemap.xml"] == 1
    assert counts["/wp-sitemap-posts-post-1.xml"] == 1
    assert counts["/"] == 1  # the home listing
    # taxonomy sitemaps hold no articles and are not followed
    assert not [p for p in counts if p.startswith("/wp-sitemap-taxonomies")]
