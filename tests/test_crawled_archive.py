"""The archive a real crawl produced: normalized values, and Datasette over it via ``archiver serve``."""

from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest

from tests.servers import free_port, running_server

ARCHIVER = Path(sys.executable).with_name("archiver")
SEED_TITLE = "米国はロシアの要求を拒否するも交渉継続を希望、ウクライナ侵攻の可能性は?"


def test_pipelines_filled_normalized_fields(crawled_archive):
    """Dates and votes were normalized during the crawl, against the site's own data."""
    site = crawled_archive.site
    with crawled_archive.connect() as conn:
        articles = {row["id"]: row for row in conn.execute("select * from articles")}
        comments = {row["id"]: row for row in conn.execute("select * from comments")}
        anomalies = conn.execute("select count(*) from anomalies").fetchone()[0]
    for article in site.articles:
        row = articles[article.post_id]
        # the machine attribute (time[datetime]) gives the time to the second
        assert row["published_at"] == article.published.isoformat(timespec="seconds")
        assert row["published_date"] == article.published.date().isoformat()
        assert row["published_precision"] == "second"
        for comment in article.comments:
            crow = comments[comment.comment_id]
            assert crow["votes"] == comment.votes
            if article.comment_markup == "core":
                # core markup carries time[datetime]: a full Tokyo timestamp
                assert datetime.fromisoformat(crow["posted_at"]) == comment.posted
                assert crow["posted_precision"] == "second"
            else:
                # the TCD theme shows the date only: 2022年 1月 27日 -> 2022-01-27
                assert crow["posted_at"] == comment.posted.date().isoformat()
                assert crow["posted_precision"] == "day"
    assert anomalies == 0


@pytest.fixture(scope="module")
def datasette(crawled_archive):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(ARCHIVER), "serve", str(crawled_archive.db_path), "--port", str(port)]
    with running_server(command, base + "/-/versions.json"):
        yield base


def get(base: str, path: str, **params: object) -> object:
    query = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{base}{path}?{query}", timeout=10) as response:
        return json.loads(response.read())


def test_datasette_shows_labels_on_the_crawled_archive(datasette, crawled_archive):
    seed = next(a for a in crawled_archive.site.articles if a.title == SEED_TITLE)
    rows = get(
        datasette,
        "/archive/comments.json",
        _shape="array",
        _labels="on",
        article_id=seed.post_id,
        _sort="position",
    )
    assert [row["author"] for row in rows] == [
        "tofu",
        "Mob",
        "ダヴー",
        "幽霊",
        "tofu",
        "くらうん",
        "戦略眼",
        "匿名さん",
    ]
    assert {row["article_id"]["label"] for row in rows} == {SEED_TITLE}
    assert rows[2]["parent_id"]["label"] == "Mob"


def shown_text(site, block) -> str:
    """The text a body block shows: an inline 関連記事 link shows its target's title."""
    if block.kind == "related":
        return site.article_by_path(block.url).title
    return block.text


@pytest.mark.parametrize(
    ("table", "word"), [("comments", "中国"), ("articles", "空母"), ("articles", "戦車")]
)
def test_datasette_two_character_search_on_the_crawled_archive(
    datasette, crawled_archive, table, word
):
    """A two-character word finds exactly the rows whose text contains it."""
    if table == "comments":
        expected = [
            c.comment_id
            for a in crawled_archive.site.articles
            for c in a.comments
            if word in c.text or word in (c.author or "")
        ]
    else:
        expected = [
            a.post_id
            for a in crawled_archive.site.articles
            if word in a.title or any(word in shown_text(crawled_archive.site, b) for b in a.body)
        ]
    assert expected, f"the sample site has {table} containing {word}"
    rows = get(datasette, f"/archive/{table}.json", _shape="array", _search=word, _size="max")
    assert sorted(row["id"] for row in rows) == sorted(expected)


def test_datasette_canned_thread_of_the_seed_article(datasette, crawled_archive):
    seed = next(a for a in crawled_archive.site.articles if a.title == SEED_TITLE)
    rows = get(
        datasette, "/archive/article_thread.json", _shape="array", article_id=seed.post_id, url=""
    )
    assert [(r["position"], r["author"], r["votes"], r["parent_author"]) for r in rows] == [
        (1, "tofu", 25, None),
        (2, "Mob", 3, None),
        (3, "ダヴー", 10, "Mob"),
        (4, "幽霊", 4, None),
        (5, "tofu", 21, "幽霊"),
        (6, "くらうん", 7, None),
        (7, "戦略眼", 5, None),
        (8, "匿名さん", 4, "戦略眼"),
    ]
