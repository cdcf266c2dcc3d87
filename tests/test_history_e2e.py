"""The archive over time, end to end: real ``scrapy crawl`` runs of days 0-4 of the
changing sample site into one archive, every history table compared with the site's
own ground truth (``archiver.sample_site.load_site(day=N)``), exactly.

The expected history is derived here from the days' sites alone, by the rules an
archive must follow: a comment's revision is added when its author or text differs from
the version seen before; a vote row when its count differs from the count seen before;
a removal when a thread seen whole no longer shows it, closed when it is shown again; an
article whose page answers 404/410 is not seen that day (its thread proves nothing).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from archiver.runner import LOCAL_SITE_SETTINGS, crawl_command, run_crawl
from archiver.sample_site import SampleSite, load_site
from archiver.sample_site.changes import changes
from archiver.sample_site.server import Fault, serve

DAYS = list(range(5))  # days 0..4: run id = day + 1
FULL = {"full": "1"}


@dataclass
class History:
    sites: list[SampleSite]
    base: str  # server URL without the trailing slash
    db_path: Path
    before_repeat: dict[str, list[tuple]]  # history tables before the last day was crawled again
    repeat_run: dict
    logs: list[str]  # one per day

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path)
        conn.row_factory = sqlite3.Row
        return conn


HISTORY_TABLES = {
    "comment_revisions": "SELECT * FROM comment_revisions ORDER BY comment_id, revision",
    "vote_counts": "SELECT * FROM vote_counts ORDER BY id",
    "comment_removals": "SELECT * FROM comment_removals ORDER BY comment_id, removed_at",
    "article_revisions": "SELECT * FROM article_revisions ORDER BY article_id, revision",
    "deleted": "SELECT id, deleted_at FROM comments ORDER BY id",
    "gone": "SELECT id, gone_at, http_status FROM articles ORDER BY id",
}


def snapshot(db_path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(db_path) as conn:
        return {name: conn.execute(sql).fetchall() for name, sql in HISTORY_TABLES.items()}


def crawl(server_url: str, db_path: Path, **settings: str) -> str:
    """One full crawl into ``db_path``; returns its log."""
    result = run_crawl(
        "grandfleet",
        server_url,
        db_path,
        settings={**LOCAL_SITE_SETTINGS, **settings},
        spider_args=FULL,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> History:
    sites = [load_site(day=day) for day in DAYS]
    db_path = tmp_path_factory.mktemp("history") / "archive.db"
    server = serve(sites[0])
    logs = []
    try:
        for site in sites:
            server.show(site)
            logs.append(crawl(server.url, db_path))
        before = snapshot(db_path)
        crawl(server.url, db_path)  # the same day again
        with sqlite3.connect(db_path) as conn:
            conn.row_factory = sqlite3.Row
            repeat = dict(
                conn.execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
            )
    finally:
        server.shutdown()
    return History(sites, server.url.rstrip("/"), db_path, before, repeat, logs)


# -- the ground truth, from the sites alone ------------------------------------------


def seen_threads(sites: list[SampleSite]) -> list[dict[int, dict[int, object]]]:
    """Per day: post id -> {comment id: comment} of every article whose page answered."""
    return [
        {a.post_id: {c.comment_id: c for c in a.comments} for a in site.articles} for site in sites
    ]


def content(comment) -> tuple:
    return (comment.author or None, comment.author_url, comment.text, comment.html)


def expected_history(sites: list[SampleSite]):
    """Revisions, vote series and removal episodes (by run id) the archive must hold."""
    revisions: dict[int, list[tuple]] = defaultdict(list)  # cid -> [(run, author, text)]
    votes: dict[int, list[tuple]] = defaultdict(list)  # cid -> [(run, votes)]
    removals: dict[int, list[list]] = defaultdict(list)  # cid -> [[removed_run, restored_run]]
    last: dict[int, object] = {}
    shown_now: dict[int, bool] = {}
    article_of: dict[int, int] = {}
    for day, threads in enumerate(seen_threads(sites)):
        run = day + 1
        for post_id, thread in threads.items():
            for cid, comment in thread.items():
                article_of[cid] = post_id
                before = last.get(cid)
                if before is None or content(before) != content(comment):
                    revisions[cid].append((run, comment.author or None, comment.text))
                if before is None or before.votes != comment.votes:
                    votes[cid].append((run, comment.votes))
                if shown_now.get(cid) is False:
                    removals[cid][-1][1] = run
                last[cid] = comment
                shown_now[cid] = True
            for cid, post in article_of.items():
                if post == post_id and cid not in thread and shown_now.get(cid):
                    removals[cid].append([run, None])
                    shown_now[cid] = False
    return revisions, votes, removals, shown_now


def shown_body(site: SampleSite, article) -> list[tuple]:
    """An article's body as the page shows it (an inline link's text is the target's
    title unless the post's own text for it is written down)."""
    shown = []
    for block in article.body:
        text = block.text
        if block.kind == "related" and not text:
            target = site.article_by_path(block.url or "")
            text = target.title if target else ""
        shown.append((block.kind, text, block.url, block.image))
    return shown


def run_window(conn: sqlite3.Connection, run_id: int) -> tuple[str, str]:
    return conn.execute(
        "SELECT started_at, finished_at FROM crawl_runs WHERE id = ?", (run_id,)
    ).fetchone()


# -- the tests -----------------------------------------------------------------------


def test_every_comment_revision_is_the_sites_own(history):
    revisions, _, _, _ = expected_history(history.sites)
    with history.connect() as conn:
        stored = defaultdict(list)
        for row in conn.execute(
            "SELECT comment_id, revision, run_id, author, body_text FROM comment_revisions"
            " ORDER BY comment_id, revision"
        ):
            stored[row["comment_id"]].append(
                (row["revision"], row["run_id"], row["author"], row["body_text"])
            )
        latest = dict(conn.execute("SELECT id, body_text FROM comments"))
    assert dict(stored) == {
        cid: [(n, *version) for n, version in enumerate(versions, start=1)]
        for cid, versions in revisions.items()
    }
    # comments always holds the latest version
    assert latest == {cid: versions[-1][2] for cid, versions in revisions.items()}
    edited = [cid for cid, versions in revisions.items() if len(versions) > 1]
    assert edited, "the site's days must edit some comment"


def test_every_vote_series(history):
    _, votes, _, _ = expected_history(history.sites)
    with history.connect() as conn:
        stored = defaultdict(list)
        for row in conn.execute("SELECT comment_id, run_id, votes FROM vote_counts ORDER BY id"):
            stored[row["comment_id"]].append((row["run_id"], row["votes"]))
        # The site's like widget has no down count: none is stored, none made a row.
        down = "votes_down IS NOT NULL OR votes_down_raw IS NOT NULL"
        assert conn.execute(f"SELECT count(*) FROM vote_counts WHERE {down}").fetchone()[0] == 0
        assert conn.execute(f"SELECT count(*) FROM comments WHERE {down}").fetchone()[0] == 0
    assert dict(stored) == dict(votes)
    assert any(len(series) > 2 for series in votes.values())


def test_removals_and_returns_with_their_runs(history):
    _, _, removals, shown_now = expected_history(history.sites)
    with history.connect() as conn:
        stored = defaultdict(list)
        for row in conn.execute(
            "SELECT comment_id, removed_run_id, restored_run_id, removed_at, restored_at"
            " FROM comment_removals ORDER BY comment_id, removed_at"
        ):
            stored[row["comment_id"]].append([row["removed_run_id"], row["restored_run_id"]])
            started, finished = run_window(conn, row["removed_run_id"])
            assert started <= row["removed_at"] <= finished
        deleted = {
            row["id"]: row["deleted_at"]
            for row in conn.execute(
                "SELECT id, deleted_at FROM comments WHERE deleted_at IS NOT NULL"
            )
        }
        first_removal = {
            cid: conn.execute(
                "SELECT removed_at FROM comment_removals WHERE comment_id = ?"
                " ORDER BY removed_at DESC LIMIT 1",
                (cid,),
            ).fetchone()[0]
            for cid in deleted
        }
    assert dict(stored) == dict(removals)
    assert set(deleted) == {cid for cid, shown in shown_now.items() if not shown}
    assert deleted == first_removal
    assert any(episode[1] is not None for episodes in removals.values() for episode in episodes)


def test_ground_truth_agrees_with_the_sites_change_list(history):
    """Our expectation and the site's own changes() name the same removals and edits."""
    _, _, removals, _ = expected_history(history.sites)
    for day in DAYS[1:]:
        diff = changes(history.sites[day - 1], history.sites[day])
        assert diff.comments("removed_comments") == {
            cid for cid, episodes in removals.items() for e in episodes if e[0] == day + 1
        }


def test_article_revisions_gone_and_moved(history):
    sites = history.sites
    expected: dict[int, list[tuple]] = defaultdict(list)
    last: dict[int, tuple] = {}
    for day, site in enumerate(sites):
        for article in site.articles:
            version = (article.title, shown_body(site, article))
            if last.get(article.post_id) != version:
                expected[article.post_id].append((day + 1, article.title))
            last[article.post_id] = version
    with history.connect() as conn:
        stored = defaultdict(list)
        for row in conn.execute(
            "SELECT article_id, run_id, title FROM article_revisions ORDER BY article_id, revision"
        ):
            stored[row["article_id"]].append((row["run_id"], row["title"]))
        assert dict(stored) == dict(expected)
        assert any(len(v) > 1 for v in expected.values())

        # Gone: the row, its thread and its status stay; gone_at is the first day gone.
        final = sites[-1]
        assert final.gone, "the site must unpublish an article"
        by_path = {a.path: a for site in sites for a in site.articles}
        for path, status in final.gone.items():
            first_day = next(d for d, site in enumerate(sites) if path in site.gone)
            row = conn.execute(
                "SELECT id, status, gone_at, http_status FROM articles WHERE url = ?",
                (history.base + path,),
            ).fetchone()
            assert (row["id"], row["status"], row["http_status"]) == (
                by_path[path].post_id,
                "archived",
                status,
            )
            started, finished = run_window(conn, first_day + 1)
            assert started <= row["gone_at"] <= finished
            comments = conn.execute(
                "SELECT count(*) FROM comments WHERE article_id = ? AND deleted_at IS NULL",
                (row["id"],),
            ).fetchone()[0]
            assert comments == len(by_path[path].comments)

        # Moved: one row per post id, its current URL, the former one kept.
        assert final.moved, "the site must move an article"
        for old_path, new_path in final.moved.items():
            post_id = next(a.post_id for a in final.articles if a.path == new_path)
            assert (
                conn.execute("SELECT url FROM articles WHERE id = ?", (post_id,)).fetchone()[0]
                == history.base + new_path
            )
            urls = {
                row[0]
                for row in conn.execute(
                    "SELECT url FROM article_urls WHERE article_id = ?", (post_id,)
                )
            }
            assert urls == {history.base + old_path, history.base + new_path}
            assert (
                conn.execute(
                    "SELECT count(*) FROM articles WHERE url = ?", (history.base + old_path,)
                ).fetchone()[0]
                == 0
            )


def test_run_counts_match_the_days(history):
    revisions, votes, removals, _ = expected_history(history.sites)
    with history.connect() as conn:
        runs = {row["id"]: dict(row) for row in conn.execute("SELECT * FROM crawl_runs")}
    for day in DAYS:
        run = runs[day + 1]
        assert run["status"] == "finished"
        assert run["comments_new"] == sum(v[0][0] == day + 1 for v in revisions.values())
        assert run["comments_edited"] == sum(
            any(r[0] == day + 1 for r in v[1:]) for v in revisions.values()
        )
        assert run["votes_changed"] == sum(
            any(r[0] == day + 1 for r in v[1:]) for v in votes.values()
        )
        assert run["comments_deleted"] == sum(
            e[0] == day + 1 for episodes in removals.values() for e in episodes
        )
        assert run["comments_restored"] == sum(
            e[1] == day + 1 for episodes in removals.values() for e in episodes
        )
        new_gone = {p for p in history.sites[day].gone} - (
            set(history.sites[day - 1].gone) if day else set()
        )
        assert run["articles_gone"] == len(new_gone)
        # The closing log line reports the same counts.
        assert (
            f"crawl run {day + 1}: finished; articles {run['articles_new']} new,"
            f" {run['articles_edited']} edited, {run['articles_gone']} gone; comments"
            f" {run['comments_new']} new, {run['comments_edited']} edited,"
            f" {run['comments_deleted']} deleted, {run['comments_restored']} restored;"
            f" {run['votes_changed']} vote counts changed"
        ) in history.logs[day]


def test_the_same_day_again_adds_nothing(history):
    assert snapshot(history.db_path) == history.before_repeat
    run = history.repeat_run
    assert (run["comments_new"], run["comments_edited"], run["comments_deleted"]) == (0, 0, 0)
    assert (run["votes_changed"], run["articles_edited"], run["articles_gone"]) == (0, 0, 0)


# -- absence is no evidence -----------------------------------------------------------


def site_with_removals(site: SampleSite, post_id: int, pages: tuple[int, ...]) -> SampleSite:
    """``site`` where the article loses the first thread of each of comment ``pages``
    (a removed comment and the replies that are no longer shown with it)."""
    article = site.article_by_id(post_id)
    drop = {article.comments_on_page(page)[0].comment_id for page in pages}
    for comment in article.comments:  # thread order: a parent comes before its replies
        if comment.parent_id in drop:
            drop.add(comment.comment_id)
    article.comments = [c for c in article.comments if c.comment_id not in drop]
    return site


def false_removals(db_path: Path, site: SampleSite) -> list[int]:
    """Comments marked deleted although ``site`` still shows them."""
    shown = {c.comment_id for a in site.articles for c in a.comments}
    with sqlite3.connect(db_path) as conn:
        return [
            row[0]
            for row in conn.execute("SELECT id FROM comments WHERE deleted_at IS NOT NULL")
            if row[0] in shown
        ]


def test_a_failed_comment_page_marks_nothing_deleted(tmp_path):
    site = load_site()
    paged = next(a for a in site.articles if a.comment_pages() >= 3)
    db_path = tmp_path / "archive.db"
    server = serve(site)
    try:
        crawl(server.url, db_path)
        later = site_with_removals(load_site(), paged.post_id, pages=(1, 2))
        server.show(later)
        server.faults[f"{paged.path}comment-page-1/"] = Fault(500)
        crawl(server.url, db_path, RETRY_TIMES="0")
    finally:
        server.shutdown()
    with sqlite3.connect(db_path) as conn:
        marked = conn.execute(
            "SELECT count(*) FROM comments WHERE article_id = ? AND deleted_at IS NOT NULL",
            (paged.post_id,),
        ).fetchone()[0]
        anomaly = conn.execute(
            "SELECT count(*) FROM anomalies WHERE field = 'article.comment_page' AND run_id = 2"
        ).fetchone()[0]
    # Page 2 arrived and no longer shows one comment, but the thread was not whole.
    assert marked == 0
    assert anomaly == 1


def test_a_stopped_crawl_marks_nothing_it_did_not_see_removed(tmp_path):
    site = load_site()
    paged = next(a for a in site.articles if a.comment_pages() >= 3)
    db_path = tmp_path / "archive.db"
    server = serve(site)
    try:
        crawl(server.url, db_path)
        later = site_with_removals(load_site(), paged.post_id, pages=(1, 2, 3))
        server.show(later)
        # Stopped by a limit: only 3 articles are visited.
        result = run_crawl(
            "grandfleet",
            server.url,
            db_path,
            settings=LOCAL_SITE_SETTINGS,
            spider_args={"limit": "3"},
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert false_removals(db_path, later) == []
        # Stopped by SIGTERM while fetching one page at a time.
        settings = {
            **LOCAL_SITE_SETTINGS,
            "DOWNLOAD_DELAY": "0.2",
            "CONCURRENT_REQUESTS": "1",
            "ARCHIVE_DB": str(db_path),
        }
        command = crawl_command("grandfleet", server.url, settings, spider_args=FULL)
        env = dict(os.environ, SCRAPY_SETTINGS_MODULE="archiver.settings")
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        try:
            time.sleep(3)
            process.send_signal(signal.SIGTERM)
            stderr = process.communicate(timeout=60)[1]
        finally:
            if process.poll() is None:
                process.kill()
        assert "Traceback" not in stderr
    finally:
        server.shutdown()
    assert false_removals(db_path, later) == []
    with sqlite3.connect(db_path) as conn:
        statuses = [row[0] for row in conn.execute("SELECT status FROM crawl_runs ORDER BY id")]
        marked = {
            row[0] for row in conn.execute("SELECT id FROM comments WHERE deleted_at IS NOT NULL")
        }
    assert statuses[-1] == "shutdown"
    # What was marked is exactly what the site removed from threads seen whole.
    removed = {c.comment_id for c in paged.comments} - {
        c.comment_id for c in later.article_by_id(paged.post_id).comments
    }
    assert marked <= removed
