"""Scheduled runs over the changing sample site: each run fetches what is new, due by
the revisit policy, or signaled as changed, and nothing else."""

from __future__ import annotations

import sqlite3

from archiver.runner import LOCAL_SITE_SETTINGS, run_crawl
from archiver.sample_site import SampleComment, SampleSite, load_site
from archiver.sample_site.server import serve

ARTICLE_PAGE_SUFFIXES = ("/", "/comment-page-")


def crawl(server, db_path, site: SampleSite, **spider_args: str) -> list[str]:
    """One run with the policy's clock at ``site.now``; returns the paths it requested."""
    server.requests.clear()
    settings = {**LOCAL_SITE_SETTINGS, "ARCHIVE_NOW": site.now.isoformat()}
    result = run_crawl(
        "grandfleet", server.url, db_path, settings=settings, spider_args=spider_args, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    return list(server.requests)


def article_paths(site: SampleSite, requested: list[str]) -> set[str]:
    """The articles (by their path on ``site``) whose page or comment pages were requested."""
    paths = {a.path for a in site.articles} | set(site.gone) | set(site.moved)
    return {p.split("comment-page-")[0] for p in requested} & paths


def archived_threads(db_path) -> dict[int, set[int]]:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT article_id, id FROM comments WHERE deleted_at IS NULL")
        threads: dict[int, set[int]] = {}
        for article_id, comment_id in rows:
            threads.setdefault(article_id, set()).add(comment_id)
    return threads


def test_runs_fetch_only_what_is_new_due_or_signaled(tmp_path):
    day0, day1 = load_site(day=0), load_site(day=1)
    server = serve(day0)
    db_path = tmp_path / "archive.db"
    try:
        first = crawl(server, db_path, day0)
        assert article_paths(day0, first) == {a.path for a in day0.articles}

        # The same day again: nothing is due, nothing changed; only discovery pages.
        same_day = crawl(server, db_path, day0)
        assert article_paths(day0, same_day) == set()
        # the listing stops after ARCHIVE_LISTING_QUIET_PAGES (2) pages showing no change
        assert {"/page/2/", "/page/3/", "/page/4/"} <= set(first)
        assert "/page/3/" in same_day and "/page/4/" not in same_day
        assert len(same_day) <= 10, same_day

        # The next day: the site changed; the run fetches the new articles, the articles
        # due by the policy, and those a surface signaled (feed, counts, lastmod) ...
        server.show(day1)
        next_day = crawl(server, db_path, day1)
        fetched = article_paths(day1, next_day)
        old_paths = {a.path for a in day0.articles}
        new_articles = {a.path for a in day1.articles} - old_paths
        assert new_articles and new_articles <= fetched
        newest_of_day0 = day0.articles[-1].path  # a day old: its 1-day checkpoint came
        assert newest_of_day0 in fetched
        # ... but not every old article: most of the archive is not due.
        assert len(fetched - new_articles) < len(old_paths) / 2
        # Every article it fetched now holds exactly the site's thread of day 1.
        threads = archived_threads(db_path)
        for article in day1.articles:
            if article.path in fetched:
                expected = {c.comment_id for c in article.comments}
                assert threads.get(article.post_id, set()) == expected, article.path

    finally:
        server.shutdown()


def test_a_comment_the_archive_lacks_in_the_feed_makes_its_article_due(tmp_path):
    day0 = load_site(day=0)
    server = serve(day0)
    db_path = tmp_path / "archive.db"
    try:
        crawl(server, db_path, day0)
        # The oldest article (not due for weeks, deep in the listings) gets a comment:
        # only the comment feed tells.
        changed = load_site(day=0)
        oldest = next(a for a in changed.articles if a.comments)
        new_id = max(c.comment_id for c in changed.all_comments()) + 1
        oldest.comments.append(
            SampleComment(
                comment_id=new_id,
                parent_id=None,
                depth=1,
                author="新しい読者",
                author_url=None,
                posted=changed.now,
                text="新しいコメント",
                html=None,
                votes=0,
            )
        )
        server.show(changed)
        requested = crawl(server, db_path, changed)
        assert article_paths(changed, requested) == {oldest.path}
        assert new_id in archived_threads(db_path)[oldest.post_id]
    finally:
        server.shutdown()
