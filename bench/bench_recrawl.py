"""Benchmark: what scheduled recrawls cost and what they capture, on the changing sample site.

Four real ``scrapy crawl`` runs into one archive, against a synthetic site of N articles
(default 1,000) served on 127.0.0.1 with ETag/Last-Modified (``--no-validators`` serves
none, like many WordPress sites), each with the policy's clock at the site's own time:

(a) the first, full crawl of day 0;
(b) a recrawl the same day, nothing changed (target: at most 5% of (a)'s requests);
(c) a recrawl of day 1 (target: at most twice the pages of the articles that changed,
    plus the discovery pages; every new comment, edit and removal on the articles that
    were due or signaled captured);
(d) freshness after each run: the share of the site's articles whose archived thread
    (comment ids, texts, votes; removed comments marked) equals the site's.

    .venv/bin/python bench/bench_recrawl.py [--articles 1000] [--no-validators]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from archiver.runner import LOCAL_SITE_SETTINGS, run_crawl
from archiver.sample_site import SampleArticle, SampleSite, load_site
from archiver.sample_site.server import SampleSiteServer, serve


@dataclass
class Run:
    name: str
    requests: int
    bytes: int
    article_paths: set[str]
    discovery: int
    seconds: float


def crawl(server: SampleSiteServer, db: Path, site: SampleSite, now, name: str) -> Run:
    server.requests.clear()
    settings = {**LOCAL_SITE_SETTINGS, "ARCHIVE_NOW": now.isoformat()}
    started = time.perf_counter()
    result = run_crawl("grandfleet", server.url, db, settings=settings)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"crawl {name} failed:\n{result.stderr[-3000:]}")
    with sqlite3.connect(db) as conn:
        (stats,) = conn.execute(
            "SELECT stats_json FROM crawl_runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
    stats = json.loads(stats)
    known = {a.path for a in site.articles} | set(site.gone) | set(site.moved)
    articles = {p.split("comment-page-")[0] for p in server.requests} & known
    discovery = sum(1 for p in server.requests if p.split("comment-page-")[0] not in known)
    return Run(
        name,
        len(server.requests),
        int(stats.get("downloader/response_bytes", 0)),
        articles,
        discovery,
        seconds,
    )


def thread(article: SampleArticle) -> set[tuple]:
    return {(c.comment_id, c.text, c.votes) for c in article.comments}


def archived_threads(db: Path) -> dict[int, set[tuple]]:
    threads: dict[int, set[tuple]] = {}
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT article_id, id, body_text, votes FROM comments WHERE deleted_at IS NULL"
        )
        for article_id, comment_id, text, votes in rows:
            threads.setdefault(article_id, set()).add((comment_id, text, votes))
    return threads


def freshness(db: Path, site: SampleSite) -> float:
    archived = archived_threads(db)
    fresh = sum(1 for a in site.articles if archived.get(a.post_id, set()) == thread(a))
    return fresh / len(site.articles)


def changes(day0: SampleSite, day1: SampleSite) -> dict[str, dict[str, set[int]]]:
    """Per article path (day 1): new, edited and removed comment ids; article edits."""
    result: dict[str, dict[str, set[int]]] = {}
    for article in day1.articles:
        before = day0.article_by_id(article.post_id)
        old = {c.comment_id: c for c in before.comments} if before else {}
        new = {c.comment_id: c for c in article.comments}
        found = {
            "new": set(new) - set(old),
            "edited": {i for i in set(new) & set(old) if new[i].text != old[i].text},
            "removed": set(old) - set(new),
            "votes": {i for i in set(new) & set(old) if new[i].votes != old[i].votes},
        }
        edited_article = before is None or (before.title, before.body) != (
            article.title,
            article.body,
        )
        if any(found.values()) or edited_article:
            result[article.path] = found
    return result


def captured(db: Path, wanted: dict[str, dict[str, set[int]]], day1: SampleSite) -> dict:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, body_text, votes, deleted_at FROM comments").fetchall()
    stored = {row[0]: row[1:] for row in rows}
    counts = {kind: [0, 0] for kind in ("new", "edited", "removed", "votes")}
    for path, found in wanted.items():
        article = {c.comment_id: c for c in day1.article_by_path(path).comments}
        for kind, ids in found.items():
            for comment_id in ids:
                counts[kind][1] += 1
                row = stored.get(comment_id)
                if kind == "removed":
                    ok = row is None or row[2] is not None
                else:
                    site_comment = article[comment_id]
                    ok = row is not None and row[2] is None
                    ok = ok and (row[0], row[1]) == (site_comment.text, site_comment.votes)
                counts[kind][0] += int(ok)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--no-validators", action="store_true")
    args = parser.parse_args()
    day0 = load_site(synthetic_articles=args.articles, day=0)
    day1 = load_site(synthetic_articles=args.articles, day=1)
    server = serve(day0, validators=not args.no_validators)
    runs: list[Run] = []
    fresh: list[float] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "archive.db"
            runs.append(crawl(server, db, day0, day0.now, "(a) full crawl, day 0"))
            fresh.append(freshness(db, day0))
            same_day = day0.now + timedelta(minutes=30)
            runs.append(crawl(server, db, day0, same_day, "(b) same day, nothing changed"))
            fresh.append(freshness(db, day0))
            server.show(day1)
            runs.append(crawl(server, db, day1, day1.now, "(c) next day"))
            fresh.append(freshness(db, day1))
            changed = changes(day0, day1)
            visited = runs[2].article_paths
            on_visited = {p: f for p, f in changed.items() if p in visited}
            elsewhere = {p: f for p, f in changed.items() if p not in visited}
            got = captured(db, on_visited, day1)
            missed = captured(db, elsewhere, day1)
    finally:
        server.shutdown()

    a = runs[0]
    print(
        f"site: {len(day1.articles)} articles on day 1, validators "
        f"{'off' if args.no_validators else 'on'}"
    )
    for run, share in zip(runs, fresh, strict=True):
        print(
            f"{run.name}: {run.requests} requests ({run.requests / a.requests:.1%} of (a)),"
            f" {run.bytes / 1e6:.2f} MB ({run.bytes / max(a.bytes, 1):.1%}),"
            f" {len(run.article_paths)} articles, {run.discovery} discovery pages,"
            f" {run.seconds:.1f} s; freshness after: {share:.1%}"
        )
    pages = sum(day1.article_by_path(p).comment_pages() for p in changed if day1.article_by_path(p))
    c = runs[2]
    bound = 2 * pages + c.discovery
    print(
        f"(b) target <= 5% of (a)'s requests: {runs[1].requests / a.requests:.1%}"
        f" -> {'met' if runs[1].requests <= 0.05 * a.requests else 'NOT met'}"
    )
    print(
        f"(c) {len(changed)} articles changed ({pages} pages); bound 2 x {pages} + "
        f"{c.discovery} discovery = {bound}; requests {c.requests}"
        f" -> {'met' if c.requests <= bound else 'NOT met'}"
    )
    for kind in ("new", "edited", "removed", "votes"):
        done, total = got[kind]
        left, out_of = missed[kind]
        print(
            f"(c) {kind} comments on due or signaled articles captured: {done}/{total};"
            f" on articles not visited: {left}/{out_of} (left for their due time)"
        )


if __name__ == "__main__":
    main()
