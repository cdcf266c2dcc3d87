"""Group commit: several articles in one transaction, each still all-or-nothing."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from dataclasses import replace

import pytest

import pipelines.storage
from archiver.items import Article, Comment
from archiver.storage import SaveResult, open_archive, save_articles
from tests.test_storage import (
    SEED_POST_ID,
    assert_fts_consistent,
    close,
    make_pipeline,
    rows,
    seed_article,
)

BASE = "https://grandfleet.info/us-related"


@pytest.fixture
def db(tmp_path):
    archive = open_archive(tmp_path / "archive.db")
    yield archive
    archive.close()


def small_article(post_id: int, comments: int = 3) -> Article:
    """An article with ``comments`` comments, the second a reply to the first."""
    return Article(
        url=f"{BASE}/post-{post_id}/",
        site="grandfleet",
        post_id=post_id,
        title=f"記事{post_id}の空母",
        body_text=f"本文{post_id}。戦車と空母。",
        fetched_at="2022-02-01T12:00:00+09:00",
        comments=[
            Comment(
                comment_id=post_id * 100 + n,
                parent_id=post_id * 100 + 1 if n == 2 else None,
                depth=2 if n == 2 else 1,
                position=n,
                author=f"読者{n}",
                posted_raw="2022年 1月 27日",
                body_text=f"コメント{post_id}-{n} 戦車",
                votes_raw=str(n),
                votes=n,
            )
            for n in range(1, comments + 1)
        ],
    )


def broken_article(post_id: int) -> Article:
    """An article whose third comment cannot be stored (a list is not an SQLite value)."""
    article = small_article(post_id)
    article.comments[2] = replace(article.comments[2], author_url=["not", "text"])
    return article


def test_batch_saves_every_article_like_single_saves(db):
    articles = [seed_article(), small_article(1001), small_article(1002, comments=0)]
    results = save_articles(db, articles)
    assert results == [
        SaveResult(True, False, 8, 0),
        SaveResult(True, False, 3, 0),
        SaveResult(True, False, 0, 0),
    ]
    assert rows(
        db, "SELECT id, parent_id, author, votes FROM comments WHERE article_id = 1001"
    ) == [
        (100101, None, "読者1", 1),
        (100102, 100101, "読者2", 2),
        (100103, None, "読者3", 3),
    ]
    assert rows(db, "SELECT count(*) FROM comments") == [(11,)]
    assert_fts_consistent(db)
    # Saving the same batch again changes nothing, as a re-crawl.
    assert save_articles(db, articles) == [SaveResult(False, False, 0, 0)] * 3


def fts_segments(db, table: str) -> set[int]:
    """Ids of the FTS5 segments holding ``table``'s index.

    Rows of ``<table>_data`` other than the averages (id 1) and the structure record
    (id 10) are pages of a segment, whose id is in the bits from 37 up of the row id.
    """
    return {
        row_id >> 37 for (row_id,) in db.conn.execute(f"SELECT id FROM {table}_data WHERE id > 10")
    }


def test_a_batch_is_indexed_as_one_segment(db):
    """The index writes of a batch go to FTS5 together, not one flushed segment per article.

    (The article upsert opens a statement savepoint, at which FTS5 writes out what it
    holds: indexing as each article was saved made a segment per article.)
    """
    save_articles(db, [small_article(1001), small_article(1002), small_article(1003)])
    assert len(fts_segments(db, "comments_fts")) == 1
    assert len(fts_segments(db, "articles_fts")) == 1
    assert_fts_consistent(db)


def test_one_bad_article_fails_alone(db):
    results = save_articles(db, [small_article(1001), broken_article(1002), seed_article()])
    assert results[0] == SaveResult(True, False, 3, 0)
    assert isinstance(results[1], sqlite3.Error)
    assert results[2] == SaveResult(True, False, 8, 0)
    assert rows(db, "SELECT id FROM articles WHERE status = 'archived' ORDER BY id") == [
        (1001,),
        (SEED_POST_ID,),
    ]
    # Nothing of the broken article was kept: no comment, no search entry.
    assert rows(db, "SELECT count(*) FROM comments WHERE article_id = 1002") == [(0,)]
    assert rows(db, "SELECT count(*) FROM comments") == [(11,)]
    assert not db.conn.in_transaction
    assert_fts_consistent(db)


def test_failed_commit_of_a_batch_is_retried_article_by_article(db):
    """A deferred foreign key fails only at COMMIT: the batch is redone one by one."""
    # Saving article 1002 leaves a reply to a parent that never exists; parent_id's
    # foreign key is deferred, so the violation only surfaces when COMMIT runs.
    db.conn.execute(
        "CREATE TEMP TRIGGER orphan_reply AFTER INSERT ON comments WHEN NEW.id = 100201"
        " BEGIN INSERT INTO comments (id, article_id, parent_id)"
        " VALUES (999999, NEW.article_id, 424242); END"
    )
    results = save_articles(db, [small_article(1001), small_article(1002), small_article(1003)])
    assert results[0] == SaveResult(True, False, 3, 0)
    assert isinstance(results[1], sqlite3.IntegrityError)
    assert results[2] == SaveResult(True, False, 3, 0)
    assert rows(db, "SELECT article_id, count(*) FROM comments GROUP BY article_id") == [
        (1001, 3),
        (1003, 3),
    ]
    assert not db.conn.in_transaction
    assert_fts_consistent(db)


async def while_writer_busy(pipeline, items: list[Article]) -> list[object]:
    """Hand ``items`` to the pipeline while its writer is busy (say, with a slow COMMIT)."""
    writer_free = threading.Event()
    pipeline._writer.submit(writer_free.wait)
    tasks = [asyncio.create_task(pipeline.process_item(item)) for item in items]
    await asyncio.sleep(0)  # each task runs until it waits for its save
    writer_free.set()
    return await asyncio.gather(*tasks)


def test_pipeline_commits_a_backlog_together(tmp_path, monkeypatch):
    """Items that arrive while the writer is busy are saved in one transaction."""
    batches: list[list[int | None]] = []
    real_save_articles = pipelines.storage.save_articles

    def recording_save_articles(archive, articles, run_id=None, after=None):
        batches.append([article.post_id for article in articles])
        return real_save_articles(archive, articles, run_id, after)

    monkeypatch.setattr(pipelines.storage, "save_articles", recording_save_articles)
    path = tmp_path / "archive.db"
    crawler, pipeline = make_pipeline({"ARCHIVE_DB": str(path)})
    pipeline.open_spider()
    items = [small_article(1000 + n) for n in range(1, 8)]
    items[3] = broken_article(1004)

    assert asyncio.run(while_writer_busy(pipeline, items)) == items
    # Every item was queued while the writer was busy: one batch, in arrival order.
    assert batches == [[1001, 1002, 1003, 1004, 1005, 1006, 1007]]
    stats = crawler.stats.get_stats()
    assert stats["archiver/articles/new"] == 6
    assert stats["archiver/comments/new"] == 18
    assert stats["archiver/storage/errors"] == 1
    close(crawler, "finished")
    conn = sqlite3.connect(path)
    assert conn.execute(
        "SELECT article_id, count(*) FROM comments GROUP BY article_id"
    ).fetchall() == [(1001, 3), (1002, 3), (1003, 3), (1005, 3), (1006, 3), (1007, 3)]
    assert conn.execute("SELECT field, url FROM anomalies").fetchall() == [
        ("storage", f"{BASE}/post-1004/")
    ]
    assert conn.execute("SELECT status, comments_new, errors FROM crawl_runs").fetchall() == [
        ("finished", 18, 0)
    ]


def test_pipeline_splits_a_long_backlog(tmp_path, monkeypatch):
    batches: list[int] = []
    real_save_articles = pipelines.storage.save_articles

    def recording_save_articles(archive, articles, run_id=None, after=None):
        batches.append(len(articles))
        return real_save_articles(archive, articles, run_id, after)

    monkeypatch.setattr(pipelines.storage, "save_articles", recording_save_articles)
    monkeypatch.setattr(pipelines.storage.ArchivePipeline, "MAX_BATCH", 3)
    crawler, pipeline = make_pipeline({"ARCHIVE_DB": str(tmp_path / "archive.db")})
    pipeline.open_spider()

    asyncio.run(while_writer_busy(pipeline, [small_article(n) for n in range(1, 8)]))
    assert batches == [3, 3, 1]
    assert crawler.stats.get_value("archiver/comments/new") == 21
    close(crawler, "finished")
