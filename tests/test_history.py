"""History in the archive, through the real save code: revisions, vote series, removals.

Each test saves versions of the seed article as successive crawls would hand them to
storage, and compares the history tables and views whole with what those versions say.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from archiver.items import Article, ArticleGone, ArticleRef
from archiver.storage import mark_gone, open_archive, save_article, start_run
from tests.test_storage import (
    BASE,
    SEED_POST_ID,
    SEED_TITLE,
    SEED_URL,
    assert_fts_consistent,
    rows,
    seed_article,
    table_counts,
)

T = [f"2022-02-0{day}T12:00:00+09:00" for day in range(1, 10)]


@pytest.fixture
def db(tmp_path):
    database = open_archive(tmp_path / "archive.db")
    yield database
    database.close()


def crawl(db, article: Article, day: int, complete: bool = True) -> tuple[int, object]:
    """Save ``article`` as crawl run ``day`` would: fetched that day, thread whole or not."""
    run_id = start_run(db, "grandfleet", T[day])
    article = replace(article, fetched_at=T[day], thread_complete=complete)
    return run_id, save_article(db, article, run_id)


def with_comment(article: Article, comment_id: int, **changes) -> Article:
    comments = [
        replace(c, **changes) if c.comment_id == comment_id else c for c in article.comments
    ]
    return replace(article, comments=comments)


def without(article: Article, *comment_ids: int) -> Article:
    return replace(
        article, comments=[c for c in article.comments if c.comment_id not in comment_ids]
    )


def test_first_crawl_is_revision_one_and_first_vote(db):
    run, _ = crawl(db, seed_article(), 1)
    seed = seed_article()
    assert rows(
        db,
        "SELECT comment_id, revision, seen_at, run_id, author, posted_raw, body_text, body_html"
        " FROM comment_revisions ORDER BY comment_id",
    ) == [
        (c.comment_id, 1, T[1], run, c.author, c.posted_raw, c.body_text, c.body_html)
        for c in sorted(seed.comments, key=lambda c: c.comment_id)
    ]
    assert rows(
        db, "SELECT comment_id, seen_at, run_id, votes_raw, votes FROM vote_counts ORDER BY 1"
    ) == [
        (c.comment_id, T[1], run, c.votes_raw, c.votes)
        for c in sorted(seed.comments, key=lambda c: c.comment_id)
    ]
    assert rows(
        db, "SELECT article_id, revision, seen_at, run_id, title FROM article_revisions"
    ) == [(SEED_POST_ID, 1, T[1], run, SEED_TITLE)]
    assert rows(db, "SELECT article_id, url, first_seen_at, last_seen_at FROM article_urls") == [
        (SEED_POST_ID, SEED_URL, T[1], T[1])
    ]


def test_same_page_again_adds_no_history(db):
    crawl(db, seed_article(), 1)
    before = table_counts(db)
    _, result = crawl(db, seed_article(), 2)
    assert table_counts(db) == before
    assert (result.comments_edited, result.votes_changed, result.comments_deleted) == (0, 0, 0)
    assert not result.article_edited
    assert rows(db, "SELECT DISTINCT last_seen_at FROM comments") == [(T[2],)]


def test_edits_are_revisions_compared_with_the_version_before(db):
    original = seed_article()
    old_text = original.comments[0].body_text
    crawl(db, original, 1)
    edited = with_comment(original, 301, body_text="書き直した", body_html="<p>書き直した</p>")
    run2, result = crawl(db, edited, 2)
    assert result.comments_edited == 1
    renamed = with_comment(edited, 301, author="tofu改")
    run3, _ = crawl(db, renamed, 3)
    back = with_comment(original, 301, author="tofu改")  # the first text again
    run4, _ = crawl(db, back, 4)
    assert rows(
        db,
        "SELECT revision, seen_at, run_id, author, body_text FROM comment_revisions"
        " WHERE comment_id = 301 ORDER BY revision",
    )[1:] == [
        (2, T[2], run2, "tofu", "書き直した"),
        (3, T[3], run3, "tofu改", "書き直した"),
        (4, T[4], run4, "tofu改", old_text),
    ]
    assert rows(db, "SELECT author, body_text FROM comments WHERE id = 301") == [
        ("tofu改", old_text)
    ]
    assert rows(
        db,
        "SELECT comment_id, article_id, article_title, revisions, first_text, latest_text,"
        " first_author FROM edited_comments",
    ) == [(301, SEED_POST_ID, SEED_TITLE, 4, old_text, old_text, "tofu")]
    assert_fts_consistent(db)


def test_votes_are_a_series_of_changes(db):
    crawl(db, seed_article(), 1)
    crawl(db, seed_article(), 2)  # unchanged: no row
    run3, r3 = crawl(db, with_comment(seed_article(), 301, votes_raw="30", votes=30), 3)
    run4, _ = crawl(db, with_comment(seed_article(), 301, votes_raw="28", votes=28), 4)
    assert r3.votes_changed == 1
    assert rows(
        db, "SELECT seen_at, votes_raw, votes FROM vote_counts WHERE comment_id = 301 ORDER BY id"
    ) == [(T[1], "25", 25), (T[3], "30", 30), (T[4], "28", 28)]
    assert rows(
        db,
        "SELECT comment_id, article_id, seen_at, votes, run_id FROM vote_history"
        " WHERE comment_id = 301 ORDER BY seen_at",
    ) == [
        (301, SEED_POST_ID, T[1], 25, 1),
        (301, SEED_POST_ID, T[3], 30, run3),
        (301, SEED_POST_ID, T[4], 28, run4),
    ]
    # An unparseable count is kept raw beside NULL, and is a change like any other.
    crawl(db, with_comment(seed_article(), 301, votes_raw="??", votes=None), 5)
    assert rows(db, "SELECT votes_raw, votes FROM vote_counts WHERE comment_id = 301 ORDER BY id")[
        -1
    ] == ("??", None)


def test_absence_from_an_incomplete_thread_proves_nothing(db):
    crawl(db, seed_article(), 1)
    _, result = crawl(db, without(seed_article(), 306), 2, complete=False)
    assert result.comments_deleted == 0
    assert rows(db, "SELECT count(*) FROM comments WHERE deleted_at IS NOT NULL") == [(0,)]
    assert rows(db, "SELECT count(*) FROM comment_removals") == [(0,)]
    assert rows(db, "SELECT last_seen_at FROM comments WHERE id = 306") == [(T[1],)]


def test_removal_return_and_removed_parent(db):
    seed = seed_article()
    crawl(db, seed, 1)
    run2, r2 = crawl(db, without(seed, 306, 307, 308), 2)  # 307's reply 308 goes with it
    assert r2.comments_deleted == 3
    run3, r3 = crawl(db, without(seed, 306, 307, 308), 3)  # still gone: the first time stays
    assert r3.comments_deleted == 0
    run4, r4 = crawl(db, without(seed, 307, 308), 4)  # 306 comes back
    assert (r4.comments_restored, r4.comments_deleted) == (1, 0)
    texts = {c.comment_id: c for c in seed.comments}
    assert rows(
        db,
        "SELECT comment_id, article_id, article_title, author, last_text, last_seen_at,"
        " deleted_at FROM deleted_comments ORDER BY comment_id",
    ) == [
        (i, SEED_POST_ID, SEED_TITLE, texts[i].author, texts[i].body_text, T[1], T[2])
        for i in (307, 308)
    ]
    assert rows(
        db,
        "SELECT comment_id, removed_at, removed_run_id, restored_at, restored_run_id"
        " FROM comment_removals ORDER BY comment_id",
    ) == [
        (306, T[2], run2, T[4], run4),
        (307, T[2], run2, None, None),
        (308, T[2], run2, None, None),
    ]
    assert rows(db, "SELECT deleted_at, last_seen_at FROM comments WHERE id = 306") == [
        (None, T[4])
    ]
    # Removed comments stay rows, searchable like any other.
    assert rows(db, "SELECT count(*) FROM comments") == [(8,)]
    assert_fts_consistent(db)


def test_article_edit_is_a_revision(db):
    crawl(db, seed_article(), 1)
    edited = replace(seed_article(), title=SEED_TITLE + "【更新】", body_text="本文を差し替え")
    run2, result = crawl(db, edited, 2)
    assert result.article_edited and result.article_updated
    assert rows(
        db,
        "SELECT revision, seen_at, run_id, title, body_text FROM article_revisions ORDER BY 1",
    ) == [
        (1, T[1], 1, SEED_TITLE, seed_article().body_text),
        (2, T[2], run2, SEED_TITLE + "【更新】", "本文を差し替え"),
    ]
    assert rows(db, "SELECT title FROM articles WHERE id = ?", (SEED_POST_ID,)) == [
        (SEED_TITLE + "【更新】",)
    ]


def test_gone_article_keeps_its_row_and_thread(db):
    crawl(db, seed_article(), 1)
    assert mark_gone(db, ArticleGone(SEED_URL, 404, T[2]), 2)
    assert not mark_gone(db, ArticleGone(SEED_URL, 410, T[3]), 3)  # already gone
    assert not mark_gone(db, ArticleGone(f"{BASE}/never/archived/", 404, T[3]))
    assert rows(
        db, "SELECT status, gone_at, http_status FROM articles WHERE id = ?", (SEED_POST_ID,)
    ) == [("archived", T[2], 410)]
    assert rows(db, "SELECT count(*) FROM comments WHERE deleted_at IS NULL") == [(8,)]


def test_moved_article_keeps_one_row_and_its_former_urls(db):
    crawl(db, seed_article(), 1)
    new_url = f"{BASE}/russia-related/us-rejects-russian-demands-moved/"
    crawl(db, replace(seed_article(), url=new_url), 2)
    assert rows(db, "SELECT id, url FROM articles WHERE status = 'archived'") == [
        (SEED_POST_ID, new_url)
    ]
    assert rows(
        db, "SELECT url, first_seen_at, last_seen_at FROM article_urls ORDER BY first_seen_at"
    ) == [(SEED_URL, T[1], T[1]), (new_url, T[2], T[2])]
    # A link to the former URL is a link to the post, not to a new stub.
    linking = Article(
        url=f"{BASE}/russia-related/linking/",
        site="grandfleet",
        post_id=30000,
        title="リンク元",
        previous=ArticleRef(url=SEED_URL, anchor_text="前の記事"),
    )
    crawl(db, linking, 3)
    assert rows(db, "SELECT to_article_id FROM article_links WHERE from_article_id = 30000") == [
        (SEED_POST_ID,)
    ]
    assert rows(db, "SELECT count(*) FROM articles WHERE url = ?", (SEED_URL,)) == [(0,)]
    assert mark_gone(db, ArticleGone(SEED_URL, 410, T[4]))  # the old URL answers for the post
