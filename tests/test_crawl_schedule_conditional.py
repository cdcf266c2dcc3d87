"""Conditional GET: validators an article page sent are sent back on its next visit; a
304 is a visit that found nothing changed (recorded, nothing parsed)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from archiver.runner import LOCAL_SITE_SETTINGS, run_crawl
from archiver.sample_site import load_site
from archiver.sample_site.server import serve


def crawl(server, db_path, now) -> None:
    settings = {**LOCAL_SITE_SETTINGS, "ARCHIVE_NOW": now.isoformat()}
    result = run_crawl("grandfleet", server.url, db_path, settings=settings, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]


def test_a_304_is_recorded_as_seen_unchanged(tmp_path):
    site = load_site()
    server = serve(site)
    db_path = tmp_path / "archive.db"
    single = {a.path: a for a in site.articles if a.comment_pages() == 1}
    paged = {a.path: a for a in site.articles if a.comment_pages() > 1}
    try:
        crawl(server, db_path, site.now)
        server.request_log.clear()
        later = site.now + timedelta(days=2 * 365)  # every article is due again
        crawl(server, db_path, later)
    finally:
        server.shutdown()
    answers = {r.path: r for r in server.request_log}
    # one-page threads are asked conditionally and answered 304 ...
    for path in single:
        assert answers[path].if_none_match and answers[path].status == 304, path
    # ... threads of several pages are fetched whole (a 304 of one page says nothing
    # about the others)
    for path in paged:
        assert answers[path].if_none_match is None and answers[path].status == 200, path
    with sqlite3.connect(db_path) as conn:
        run = conn.execute(
            "SELECT articles_not_modified, comments_new, comments_updated FROM crawl_runs"
            " ORDER BY id DESC LIMIT 1"
        ).fetchone()
        outcomes = dict(
            conn.execute(
                "SELECT a.url, v.outcome FROM article_visits v JOIN articles a"
                " ON a.id = v.article_id WHERE v.visited_at = ?",
                (later.isoformat(),),
            ).fetchall()
        )
        seen = conn.execute(
            "SELECT DISTINCT c.last_seen_at FROM comments c JOIN articles a ON a.id = c.article_id"
            " WHERE a.url LIKE ?",
            (f"%{next(p for p, a in single.items() if a.comments)}",),
        ).fetchall()
    assert run == (len(single), 0, 0)
    base = server.url.rstrip("/")
    assert {base + p: "not_modified" for p in single}.items() <= outcomes.items()
    assert {outcomes[base + p] for p in paged} == {"unchanged"}
    assert seen == [(later.isoformat(timespec="seconds"),)]  # the thread was seen again
