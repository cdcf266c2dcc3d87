"""The archive in a real Datasette (subprocess on 127.0.0.1), checked over HTTP.

No options are passed to Datasette: labels, Japanese search and canned queries must
come from the schema and the archiver plugin alone.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils

from tests.servers import free_port, running_server
from tests.test_storage import (
    RELATED,
    SEED_COMMENTS,
    SEED_POST_ID,
    SEED_TITLE,
    SEED_URL,
    build_seed_archive,
)

DATASETTE = Path(sys.executable).with_name("datasette")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("datasette")
    db_path = build_seed_archive(tmp / "archive.db")
    # A second, ordinary database in the same Datasette: the plugin must leave it alone.
    other = sqlite_utils.Database(tmp / "other.db")
    other["notes"].insert_all(
        [{"id": 1, "text": "hello world"}, {"id": 2, "text": "world peace"}], pk="id"
    )
    other["notes"].enable_fts(["text"])
    other.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(DATASETTE), "serve", str(db_path), str(tmp / "other.db")]
    with running_server(
        [*command, "--host", "127.0.0.1", "--port", str(port)], base + "/-/versions.json"
    ):
        yield base


def get(base: str, path: str, **params) -> object:
    query = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{base}{path}?{query}", timeout=10) as response:
        return json.loads(response.read())


def test_labels_from_foreign_keys(server):
    rows = get(server, "/archive/comments.json", _shape="array", _labels="on", _sort="position")
    assert [row["author"] for row in rows] == [c[3] for c in SEED_COMMENTS]
    assert rows[0]["article_id"] == {"value": SEED_POST_ID, "label": SEED_TITLE}
    assert rows[2]["parent_id"] == {"value": 302, "label": "Mob"}
    links = get(
        server,
        "/archive/article_links.json",
        _shape="array",
        _labels="on",
        kind="related",
        _sort="position",
    )
    assert [link["to_article_id"]["label"] for link in links] == [title for _, title in RELATED]


def search_ids(server, table, text):
    rows = get(server, f"/archive/{table}.json", _shape="array", _search=text)
    return sorted(row["id"] for row in rows)


def test_search_box_two_character_word(server):
    assert search_ids(server, "comments", "中国") == [308]
    assert search_ids(server, "comments", "時差") == [303]


def test_search_box_longer_japanese_words(server):
    assert search_ids(server, "comments", "キューバ") == [304, 305, 306]
    assert search_ids(server, "comments", "ウクライナ") == [303]
    assert search_ids(server, "comments", "戦略眼") == [307]  # the author column
    assert search_ids(server, "comments", "キューバ危機") == [304, 305]
    assert search_ids(server, "comments", "潜水艦") == []
    assert search_ids(server, "articles", "安全保障協定") == [SEED_POST_ID]
    assert search_ids(server, "articles", "ＮＡＴＯ") == [SEED_POST_ID]


def test_search_box_one_character(server):
    assert search_ids(server, "comments", "危") == [304, 305]  # 危機


def test_other_databases_are_left_alone(server):
    rows = get(server, "/other/notes.json", _shape="array", _search="world")
    assert sorted(row["id"] for row in rows) == [1, 2]
    metadata = get(server, "/-/metadata.json")
    assert set(metadata["databases"]) == {"archive"}


def test_article_thread_canned_query(server):
    expected = [
        (position, c[2], c[3], {302: "Mob", 304: "幽霊", 307: "戦略眼"}.get(c[1]), c[4])
        for position, c in enumerate(SEED_COMMENTS, start=1)
    ]
    for params in ({"article_id": SEED_POST_ID, "url": ""}, {"article_id": "", "url": SEED_URL}):
        rows = get(server, "/archive/article_thread.json", _shape="array", **params)
        assert [
            (r["position"], r["depth"], r["author"], r["parent_author"], r["votes"]) for r in rows
        ] == expected


def test_thread_as_of_canned_query(server):
    """The thread as it was, in Datasette: nested in thread order, votes as of the time."""
    rows = get(server, "/archive/thread_as_of.json", _shape="array", article_id=SEED_POST_ID, at="")
    assert [
        (r["comment_id"], r["depth"], r["author"], r["votes"], r["edited"], r["deleted"])
        for r in rows
    ] == [(c[0], c[2], c[3], c[4], 0, 0) for c in SEED_COMMENTS]
    assert [r["thread"] for r in rows][:3] == ["tofu", "Mob", "　ダヴー"]
    before = get(
        server,
        "/archive/thread_as_of.json",
        _shape="array",
        article_id=SEED_POST_ID,
        at="2000-01-01",
    )
    assert before == []


def test_other_canned_queries(server):
    voted = get(server, "/archive/most_voted_comments.json", _shape="array")
    assert [(r["votes"], r["author"]) for r in voted[:3]] == [
        (25, "tofu"),
        (21, "tofu"),
        (10, "ダヴー"),
    ]
    graph = get(server, "/archive/related_graph.json", _shape="array", article_id=SEED_POST_ID)
    assert [(r["direction"], r["kind"], r["position"], r["other_status"]) for r in graph] == [
        ("outgoing", "inline", 1, "stub"),
        ("outgoing", "next", 1, "stub"),
        ("outgoing", "prev", 1, "stub"),
        ("outgoing", "related", 1, "stub"),
        ("outgoing", "related", 2, "stub"),
        ("outgoing", "related", 3, "stub"),
    ]
    found = get(server, "/archive/search_all.json", _shape="array", q="キューバ")
    assert sorted((r["kind"], r["id"]) for r in found) == [
        ("article", SEED_POST_ID),
        ("comment", 304),
        ("comment", 305),
        ("comment", 306),
    ]
    assert get(server, "/archive/search_all.json", _shape="array", q="") == []


def test_views_and_metadata(server):
    stats = get(server, "/archive/article_stats.json", _shape="array")
    assert [(r["article_id"], r["comments"], r["replies"], r["total_votes"]) for r in stats] == [
        (SEED_POST_ID, 8, 3, 79)
    ]
    top = get(server, "/archive/top_commenters.json", _shape="array")
    assert top[0] == {
        "author": "tofu",
        "comments": 2,
        "articles": 1,
        "total_votes": 46,
        "first_comment_date": "2022-01-27",
        "last_comment_date": "2022-01-27",
    }
    assert get(server, "/archive/comments_per_day.json", _shape="array") == [
        {
            "posted_date": "2022-01-27",
            "comments": 8,
            "articles": 1,
            "commenters": 7,
            "total_votes": 79,
        }
    ]
    context = get(server, "/archive/comments_with_context.json", _shape="array", id=308)
    assert (context[0]["article_title"], context[0]["parent_author"]) == (SEED_TITLE, "戦略眼")
    metadata = get(server, "/-/metadata.json")
    tables = metadata["databases"]["archive"]["tables"]
    assert "posted_raw" in tables["comments"]["columns"]
    assert set(metadata["databases"]["archive"]["queries"]) == {
        "article_thread",
        "most_voted_comments",
        "related_graph",
        "search_all",
        "thread_as_of",
    }


def get_html(base: str, path: str) -> str:
    with urllib.request.urlopen(f"{base}{path}", timeout=10) as response:
        return response.read().decode()


CARD = re.compile(
    r'data-comment-id="(-?\d+)" data-parent-id="(-?\d*)"\s+data-depth="(\d+)"', re.MULTILINE
)


def test_article_row_page_shows_the_thread(server):
    html = get_html(server, f"/archive/articles/{SEED_POST_ID}")
    cards = [(int(i), int(p) if p else None, int(d)) for i, p, d in CARD.findall(html)]
    assert cards == [(c[0], c[1], c[2]) for c in SEED_COMMENTS]
    assert 'class="archive-article"' in html
    # Other tables' and other databases' row pages are Datasette's own.
    assert "archive-article" not in get_html(server, "/archive/categories/1")
    assert "archive-" not in get_html(server, "/other/notes/1")


def test_landing_page_and_dashboards_follow_the_archive(server):
    html = get_html(server, "/")
    assert html.count('class="archive-landing"') == 1
    assert "holds <strong>1</strong> articles" in " ".join(html.split())
    metadata = get(server, "/-/metadata.json")
    dashboards = metadata["plugins"]["datasette-dashboards"]
    assert {chart["db"] for d in dashboards.values() for chart in d["charts"].values()} == {
        "archive"
    }
    plugins = {p["name"]: p for p in get(server, "/-/plugins.json")}
    assert plugins["archiver"]["templates"] and plugins["archiver"]["static"]
    assert "datasette-dashboards" in plugins
