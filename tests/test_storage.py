"""Saving articles into the archive: rows, upserts, re-keying, FTS sync, the pipeline."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from archiver.items import (
    Anomaly,
    Article,
    ArticleRef,
    Comment,
    Credit,
    RelatedArticle,
    Source,
    Tag,
)
from archiver.schema import transaction
from archiver.search import segment
from archiver.storage import (
    SaveResult,
    content_hash,
    finish_run,
    open_archive,
    rebuild_search_index,
    save_article,
    save_articles,
    search,
    start_run,
    synthetic_article_id,
    synthetic_comment_id,
)
from pipelines.storage import ArchivePipeline

BASE = "https://grandfleet.info"
SEED_URL = f"{BASE}/russia-related/us-rejects-russian-demands/"
SEED_POST_ID = 23456
FETCHED_AT = "2022-02-01T12:00:00+09:00"

# The seed article's thread (/work/shared/seed/article-page.txt), in page order:
# (comment id, parent id, depth, author, votes, body).
SEED_COMMENTS = [
    (
        301,
        None,
        1,
        "tofu",
        25,
        "そらせやろ感しかない\nこんなんチンピラが辺り睨み回して「いまガンつけただろコラァ!」って喧嘩売りに行くのと同じで、口実作るために言ってるにすぎないでしょ\n\n驚くべきは2022年にもなって世界大戦やってた頃とお作法が何も変わってないロシア(プーチン?)だわ",
    ),
    (
        302,
        None,
        1,
        "Mob",
        3,
        "開戦時期について小泉悠氏は2月10日〜20日ぐらいと見ていて\nリンク\n米政府は現在から2月中旬までの期間が怪しいと考えている模様\nリンク",
    ),
    (
        303,
        302,
        2,
        "ダヴー",
        10,
        "ウクライナとの時差は7時間なので、現地4~5時は日本時間だと11~12時。\nお昼のニュースで戦端が開かれた事を見ることになるんだろうな。",
    ),
    (
        304,
        None,
        1,
        "幽霊",
        4,
        "このまま行くと第二のキューバ危機が起きそうですね。\nもしキューバにロシアが開発中の超音速ミサイルを配備されると無視はできないでしょうし。",
    ),
    (
        305,
        304,
        2,
        "tofu",
        21,
        "第二のキューバ危機的なものが起きるかどうかはともかくキューバが噛むかは微妙じゃないです?\nICBM用のHGVも開発済みなんだし、ロシアがあえてキューバを巻き込むとすれば意図的な政治メッセージを発するためくらいなもんで、戦術・戦略的意味は当時と違ってほぼ皆無かと\n\nキューバはキューバでそんなことしたら今以上に苛烈な経済制裁が待ってるのは確実なわけで\nそれを埋め合わせておつりがくる程度の見返りをロシアは提供しないといけないけど、今のロシアにそこまでの力はあるのかというと微妙では",
    ),
    (
        306,
        None,
        1,
        "くらうん",
        7,
        "キューバはロシアを守るためのミサイル配備なんて内心煩わしく思ってるんだろうけど、この10年でアメリカとの融和が幻想にすぎないと思い知らされた今は、地政学的にどうしてもロシアのパワーゲームに付き合わざるをえないんだろうなあ。",
    ),
    (
        307,
        None,
        1,
        "戦略眼",
        5,
        "トランプなら未だしも、バイデンと交渉して何か決まるわけがない。\nロシアは、何がしたいのか?\nというか、作戦が失敗しているのでは?",
    ),
    (
        308,
        307,
        2,
        "匿名さん",
        4,
        "プーチンにとって、本当の交渉相手は中国なのかもね。\n\n中国の一帯一路による経済的影響力が、東ヨーロッパや中央アジアへ及んでいることを、ロシアは不服に思っているはずだから。\n\nカザフスタンの件といい、北京オリンピック前で中国が大人しいときに、事を起こして、中国に警告してるのかも。\n深読みしすぎかもしれませんが。",
    ),
]

SEED_TITLE = "米国はロシアの要求を拒否するも交渉継続を希望、ウクライナ侵攻の可能性は?"
SEED_BODY = (
    "米国とNATOはロシアが要求した安全保障協定に関する回答文書を提出、事実上ロシアの要求にNOを突きつけた格好だ。\n\n"
    "ウクライナに直接侵攻するのか?外交交渉を継続するのか?をプーチン大統領は決断する可能性が高い\n\n"
    "ロシアは米国に新しい安全保障協定に関する回答を文書にして提出するよう要求、ラブロフ外相は「回答の内容がモスクワを満足させられなければ大規模な措置をとる」と発言しウクライナ侵攻を間接的に示唆していたが、ロシア外務省は水曜日に「駐モスクワ米国大使から回答文書を受け取った」と発表した。\n\n"
    "興味深いはラブロフ外相が回答文書を受け取った同じ日に「ロシアはキューバ、ベネズエラ、ニカラグアと軍事協力を含む戦略的パートナーシップ強化で合意した」と発表した点で、ウクライナのNATO不加盟確約が得られなければ米国の裏庭に同じ安全保障上のリスクを作り出すと脅している点だろう。"
)
PREV_URL = f"{BASE}/us-related/carl-vinson-accidents/"
NEXT_URL = f"{BASE}/europe-related/germany-helmets/"
INLINE_URL = f"{BASE}/russia-related/sanctions-swift/"
RELATED = [
    (
        f"{BASE}/russia-related/novel-excuse/",
        "ロシアの斬新な言い訳、特別軍事作戦の失敗はソ連崩壊後の生き方に由来",
    ),
    (
        f"{BASE}/russia-related/wagner-revolt/",
        "ベラルーシ大統領の仲介でワグネル反乱が収束、プリゴジン氏も兵を引くと発表",
    ),
    (
        f"{BASE}/russia-related/belarus-tension/",
        "緊張感が高まるロシアとベラルーシ、国境沿いにロシアが戦車部隊を移動",
    ),
]


def seed_article() -> Article:
    """The seed page as the parser + normalize pipeline hand it to storage."""
    comments = [
        Comment(
            comment_id=comment_id,
            parent_id=parent_id,
            depth=depth,
            position=position,
            author=author,
            posted_raw="2022年 1月 27日",
            body_text=body,
            body_html="<p>" + body.replace("\n", "<br>") + "</p>",
            votes_raw=str(votes),
            posted_at="2022-01-27",
            posted_date="2022-01-27",
            posted_precision="day",
            votes=votes,
        )
        for position, (comment_id, parent_id, depth, author, votes, body) in enumerate(
            SEED_COMMENTS, start=1
        )
    ]
    return Article(
        url=SEED_URL,
        site="grandfleet",
        post_id=SEED_POST_ID,
        title=SEED_TITLE,
        category="ロシア関連",
        category_slug="russia-related",
        tags=[Tag("NATO", "nato"), Tag("ウクライナ", "ukraine")],
        published_raw="2022.01.27",
        published_attr="2022-01-27T10:12:34+09:00",
        author="管理人",
        body_text=SEED_BODY,
        body_html="<p>" + SEED_BODY.replace("\n\n", "</p><p>") + "</p>",
        sources=[
            Source(
                1,
                "NATO’s response to security guarantees handed to Russian ambassador in Brussels",
                "https://www.nato.int/x",
            ),
            Source(
                2,
                "US offers confidential response to Russia’s ultimatum for NATO amid Ukraine crisis",
                "https://www.defensenews.com/y",
            ),
        ],
        credits=[
            Credit("image", 1, "@SecBlinken", "https://twitter.com/SecBlinken"),
            Credit("image", 2, "President of Russia", "http://kremlin.ru/"),
            Credit("eyecatch", 1, "Jens Stoltenberg", "https://www.flickr.com/z"),
        ],
        eyecatch_credit="Jens Stoltenberg",
        inline_links=[
            ArticleRef(
                INLINE_URL,
                "ロシアがウクライナ侵攻を選択した場合に課す制裁の中身、SWIFT排除は一先ず除外",
            )
        ],
        previous=ArticleRef(
            PREV_URL, "事故が集中する空母カール・ヴィンソン、F-35Cは台湾海峡の南海域に沈んだ?"
        ),
        next=ArticleRef(
            NEXT_URL, "ドイツのヘルメット支援にウクライナが失望、次は枕でも送ってくるのか?"
        ),
        related=[
            RelatedArticle(position, url, title, "ロシア関連", title[:30] + "…")
            for position, (url, title) in enumerate(RELATED, start=1)
        ],
        comment_count_shown=8,
        comments=comments,
        fetched_at=FETCHED_AT,
        published_at="2022-01-27T10:12:34+09:00",
        published_date="2022-01-27",
        published_precision="second",
    )


def build_seed_archive(path: Path) -> Path:
    """An archive holding the seed article (used by the Datasette and CLI tests too)."""
    db = open_archive(path)
    run_id = start_run(db, "grandfleet", "2022-02-01T11:59:00+09:00")
    save_article(db, seed_article(), run_id)
    finish_run(
        db,
        run_id,
        "finished",
        "2022-02-01T12:01:00+09:00",
        pages=1,
        articles_new=1,
        comments_new=8,
        stats={},
    )
    db.close()
    return path


def rows(db, sql: str, params: tuple = ()) -> list[tuple]:
    return [tuple(row) for row in db.conn.execute(sql, params).fetchall()]


def table_counts(db) -> dict[str, int]:
    tables = [
        "articles",
        "comments",
        "article_links",
        "categories",
        "tags",
        "article_tags",
        "sources",
        "credits",
        "anomalies",
        "articles_fts_docsize",
        "comments_fts_docsize",
        "comment_revisions",
        "vote_counts",
        "comment_removals",
        "article_revisions",
        "article_urls",
        "pingbacks",
    ]
    return {t: db.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def indexed_tokens(db, table: str) -> dict[tuple[int, str], list[str]]:
    """What the FTS index holds, read back from the index itself: (rowid, column) -> tokens."""
    db.conn.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.v_{table} USING fts5vocab(main, {table}, instance)"
    )
    tokens: dict[tuple[int, str], list[str]] = {}
    for doc, column, term in db.conn.execute(
        f"SELECT doc, col, term FROM temp.v_{table} ORDER BY doc, col, offset"
    ):
        tokens.setdefault((doc, column), []).append(term)
    return tokens


def expected_tokens(db, sql: str, columns: tuple[str, str]) -> dict[tuple[int, str], list[str]]:
    """The tokens ``segment`` makes of the stored text: (rowid, column) -> tokens."""
    tokens: dict[tuple[int, str], list[str]] = {}
    for row in db.conn.execute(sql):
        for column, text in zip(columns, row[1:], strict=True):
            if segment(text):
                tokens[(row[0], column)] = segment(text).split(" ")
    return tokens


def assert_fts_consistent(db) -> None:
    """The index holds exactly the segmented text of every archived article and comment.

    Read back token by token (with positions) from the index, so a write that was lost,
    doubled, or applied out of order (a stale 'delete') shows up here.
    """
    assert rows(db, "SELECT id FROM articles WHERE status = 'archived' ORDER BY id") == rows(
        db, "SELECT id FROM articles_fts_docsize ORDER BY id"
    )
    assert rows(db, "SELECT id FROM comments ORDER BY id") == rows(
        db, "SELECT id FROM comments_fts_docsize ORDER BY id"
    )
    assert indexed_tokens(db, "articles_fts") == expected_tokens(
        db,
        "SELECT id, title, body_text FROM articles WHERE status = 'archived'",
        ("title", "body_text"),
    )
    assert indexed_tokens(db, "comments_fts") == expected_tokens(
        db, "SELECT id, author, body_text FROM comments", ("author", "body_text")
    )


@pytest.fixture
def db(tmp_path):
    database = open_archive(tmp_path / "archive.db")
    yield database
    database.close()


def test_seed_article_rows(db):
    result = save_article(db, seed_article())
    assert result == SaveResult(
        article_new=True, article_updated=False, comments_new=8, comments_updated=0
    )
    article = db["articles"].get(SEED_POST_ID)
    assert article == {
        "id": SEED_POST_ID,
        "title": SEED_TITLE,
        "url": SEED_URL,
        "site": "grandfleet",
        "status": "archived",
        "category_id": 1,
        "published_raw": "2022.01.27",
        "published_attr": "2022-01-27T10:12:34+09:00",
        "published_at": "2022-01-27T10:12:34+09:00",
        "published_date": "2022-01-27",
        "published_precision": "second",
        "modified_raw": None,
        "modified_attr": None,
        "modified_at": None,
        "modified_date": None,
        "modified_precision": None,
        "author": "管理人",
        "body_text": SEED_BODY,
        "body_html": seed_article().body_html,
        "eyecatch_credit": "Jens Stoltenberg",
        "comment_count_shown": 8,
        "content_hash": content_hash(seed_article()),
        "first_seen_at": FETCHED_AT,
        "last_crawled_at": FETCHED_AT,
        "capture_id": None,
        "gone_at": None,
        "http_status": 200,
    }
    assert rows(db, "SELECT * FROM categories") == [(1, "ロシア関連", "russia-related")]
    assert rows(
        db, "SELECT t.name, t.slug FROM article_tags JOIN tags t ON t.id = tag_id ORDER BY t.id"
    ) == [
        ("NATO", "nato"),
        ("ウクライナ", "ukraine"),
    ]
    assert rows(db, "SELECT article_id, position, url FROM sources") == [
        (SEED_POST_ID, 1, "https://www.nato.int/x"),
        (SEED_POST_ID, 2, "https://www.defensenews.com/y"),
    ]
    assert rows(db, "SELECT kind, position, text FROM credits ORDER BY kind, position") == [
        ("eyecatch", 1, "Jens Stoltenberg"),
        ("image", 1, "@SecBlinken"),
        ("image", 2, "President of Russia"),
    ]
    assert rows(
        db,
        "SELECT c.id, c.parent_id, c.depth, c.position, c.author, c.votes, c.votes_raw"
        " FROM comments c ORDER BY position",
    ) == [
        (301, None, 1, 1, "tofu", 25, "25"),
        (302, None, 1, 2, "Mob", 3, "3"),
        (303, 302, 2, 3, "ダヴー", 10, "10"),
        (304, None, 1, 4, "幽霊", 4, "4"),
        (305, 304, 2, 5, "tofu", 21, "21"),
        (306, None, 1, 6, "くらうん", 7, "7"),
        (307, None, 1, 7, "戦略眼", 5, "5"),
        (308, 307, 2, 8, "匿名さん", 4, "4"),
    ]
    assert db["comments"].get(303) == {
        "id": 303,
        "article_id": SEED_POST_ID,
        "parent_id": 302,
        "depth": 2,
        "position": 3,
        "author": "ダヴー",
        "author_url": None,
        "posted_raw": "2022年 1月 27日",
        "posted_attr": None,
        "posted_at": "2022-01-27",
        "posted_date": "2022-01-27",
        "posted_precision": "day",
        "body_text": SEED_COMMENTS[2][5],
        "body_html": "<p>" + SEED_COMMENTS[2][5].replace("\n", "<br>") + "</p>",
        "votes_raw": "10",
        "votes": 10,
        "votes_down_raw": None,  # the seed site's widget has no down count
        "votes_down": None,
        "page": 1,
        "first_seen_at": FETCHED_AT,
        "last_seen_at": FETCHED_AT,
        "deleted_at": None,
    }
    # Link targets exist as stubs titled by the link text, with negative ids.
    links = rows(
        db,
        "SELECT l.kind, l.position, l.to_article_id, a.url, a.status, a.title"
        " FROM article_links l JOIN articles a ON a.id = l.to_article_id"
        " WHERE l.from_article_id = ? ORDER BY l.kind, l.position",
        (SEED_POST_ID,),
    )
    assert links == [
        (
            "inline",
            1,
            synthetic_article_id(INLINE_URL),
            INLINE_URL,
            "stub",
            seed_article().inline_links[0].anchor_text,
        ),
        (
            "next",
            1,
            synthetic_article_id(NEXT_URL),
            NEXT_URL,
            "stub",
            seed_article().next.anchor_text,
        ),
        (
            "prev",
            1,
            synthetic_article_id(PREV_URL),
            PREV_URL,
            "stub",
            seed_article().previous.anchor_text,
        ),
    ] + [
        ("related", i, synthetic_article_id(url), url, "stub", title)
        for i, (url, title) in enumerate(RELATED, start=1)
    ]
    assert all(row[2] < 0 for row in links)
    assert rows(
        db, "SELECT category, excerpt FROM article_links WHERE kind = 'related' AND position = 1"
    ) == [("ロシア関連", RELATED[0][1][:30] + "…")]
    assert_fts_consistent(db)


def test_saving_twice_changes_nothing(db):
    save_article(db, seed_article())
    before = table_counts(db)
    later = replace(seed_article(), fetched_at="2022-02-02T08:00:00+09:00")
    result = save_article(db, later)
    assert result == SaveResult(
        article_new=False, article_updated=False, comments_new=0, comments_updated=0
    )
    assert table_counts(db) == before
    # first_seen_at is kept, last_seen_at / last_crawled_at move on.
    assert rows(db, "SELECT DISTINCT first_seen_at, last_seen_at FROM comments") == [
        (FETCHED_AT, "2022-02-02T08:00:00+09:00")
    ]
    assert rows(
        db, "SELECT first_seen_at, last_crawled_at FROM articles WHERE id = ?", (SEED_POST_ID,)
    ) == [(FETCHED_AT, "2022-02-02T08:00:00+09:00")]
    assert_fts_consistent(db)


def test_updates_are_counted_and_reindexed(db):
    save_article(db, seed_article())
    article = seed_article()
    article.title = SEED_TITLE + "(追記あり)"
    article.comments[0] = replace(
        article.comments[0], body_text="戦艦大和の話に変わった", votes_raw="30", votes=30
    )
    article.comments[6] = replace(article.comments[6], votes_raw="6", votes=6)
    # Only a position shift (a comment inserted earlier): rewritten, not "updated".
    article.comments[7] = replace(article.comments[7], position=9)
    result = save_article(db, article)
    assert result == SaveResult(
        article_new=False,
        article_updated=True,
        comments_new=0,
        comments_updated=2,
        article_edited=True,
        comments_edited=1,
        votes_changed=2,
    )
    assert rows(db, "SELECT body_text, votes FROM comments WHERE id = 301") == [
        ("戦艦大和の話に変わった", 30)
    ]
    assert rows(db, "SELECT position FROM comments WHERE id = 308") == [(9,)]
    assert [hit["id"] for hit in search(db, "戦艦大和")] == [301]
    assert search(db, "チンピラ") == []
    assert [hit["id"] for hit in search(db, "追記", table="articles")] == [SEED_POST_ID]
    assert rows(db, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '\"要求\"'") == [
        (1,)
    ]
    assert_fts_consistent(db)


def test_stub_is_rekeyed_to_post_id_and_links_follow(db):
    save_article(db, seed_article())
    stub_id = synthetic_article_id(NEXT_URL)
    assert rows(db, "SELECT id, status FROM articles WHERE url = ?", (NEXT_URL,)) == [
        (stub_id, "stub")
    ]
    next_article = Article(
        url=NEXT_URL,
        site="grandfleet",
        post_id=23500,
        title="ドイツのヘルメット支援にウクライナが失望、次は枕でも送ってくるのか?",
        body_text="ドイツはヘルメット5000個を送ると発表した。",
        previous=ArticleRef(SEED_URL, SEED_TITLE),
        comments=[Comment(401, None, 1, 1, "名無し", body_text="ヘルメットとは")],
    )
    assert save_article(db, next_article) == SaveResult(True, False, 1, 0)
    assert rows(db, "SELECT id, status, title FROM articles WHERE url = ?", (NEXT_URL,)) == [
        (23500, "archived", next_article.title)
    ]
    assert rows(db, "SELECT count(*) FROM articles WHERE id = ?", (stub_id,)) == [(0,)]
    assert rows(
        db,
        "SELECT from_article_id, kind, to_article_id FROM article_links WHERE to_article_id = 23500",
    ) == [(SEED_POST_ID, "next", 23500)]
    assert rows(
        db,
        "SELECT from_article_id, kind, to_article_id FROM article_links WHERE from_article_id = 23500",
    ) == [(23500, "prev", SEED_POST_ID)]
    assert rows(db, "PRAGMA foreign_key_check") == []
    assert_fts_consistent(db)


def test_article_without_post_id_keeps_negative_id_then_rekeys(db):
    article = replace(seed_article(), post_id=None)
    save_article(db, article)
    negative = synthetic_article_id(SEED_URL)
    assert rows(db, "SELECT id, status FROM articles WHERE url = ?", (SEED_URL,)) == [
        (negative, "archived")
    ]
    assert rows(db, "SELECT DISTINCT article_id FROM comments") == [(negative,)]
    assert save_article(db, article) == SaveResult(False, False, 0, 0)
    # Later the post id is found: the row, its comments, links, tags follow.
    assert save_article(db, seed_article()) == SaveResult(False, False, 0, 0)
    assert rows(db, "SELECT id FROM articles WHERE url = ?", (SEED_URL,)) == [(SEED_POST_ID,)]
    assert rows(db, "SELECT DISTINCT article_id FROM comments") == [(SEED_POST_ID,)]
    assert rows(db, "SELECT DISTINCT from_article_id FROM article_links") == [(SEED_POST_ID,)]
    assert rows(db, "SELECT DISTINCT article_id FROM article_tags") == [(SEED_POST_ID,)]
    assert [hit["id"] for hit in search(db, "モスクワ", table="articles")] == [SEED_POST_ID]
    assert rows(db, "PRAGMA foreign_key_check") == []
    assert_fts_consistent(db)


def test_comment_without_id_gets_stable_negative_id(db):
    article = seed_article()
    article.comments = [
        replace(c, comment_id=None, parent_id=None) for c in article.comments[:2]
    ] + [replace(article.comments[0], comment_id=None, parent_id=None, position=3)]
    save_article(db, article)
    ids = [row[0] for row in rows(db, "SELECT id FROM comments ORDER BY position")]
    first = synthetic_comment_id(SEED_URL, article.comments[0])
    assert ids == [
        first,
        synthetic_comment_id(SEED_URL, article.comments[1]),
        synthetic_comment_id(SEED_URL, article.comments[0], 1),
    ]
    assert all(i < 0 and abs(i) < 2**53 for i in ids)
    assert save_article(db, article) == SaveResult(False, False, 0, 0)
    assert rows(db, "SELECT count(*) FROM comments") == [(3,)]


def test_missing_parent_gives_anomaly_and_null(db):
    article = seed_article()
    article.comments = [replace(article.comments[2], parent_id=999)]
    save_article(db, article, run_id=None)
    assert rows(db, "SELECT id, parent_id FROM comments") == [(303, None)]
    assert rows(db, "SELECT article_id, url, field, raw_value, problem FROM anomalies") == [
        (
            SEED_POST_ID,
            SEED_URL,
            "comment.parent_id",
            "999",
            "parent of comment 303 is not on the page; stored NULL",
        )
    ]
    save_article(db, article)
    assert rows(db, "SELECT count(*) FROM anomalies") == [(1,)]


def test_parser_anomalies_are_stored_with_run(db):
    run_id = start_run(db, "grandfleet", "2022-02-01T11:00:00+09:00")
    article = seed_article()
    article.anomalies = [Anomaly("comment.posted", "昨日", "unparsed date", SEED_URL)]
    save_article(db, article, run_id)
    assert rows(
        db, "SELECT run_id, article_id, field, raw_value, problem, seen_at FROM anomalies"
    ) == [(run_id, SEED_POST_ID, "comment.posted", "昨日", "unparsed date", FETCHED_AT)]


def test_failed_save_rolls_back_everything(db):
    article = seed_article()
    article.comments[5] = replace(article.comments[5], author_url=["not", "text"])
    with pytest.raises(sqlite3.Error):
        save_article(db, article)
    assert table_counts(db) == dict.fromkeys(table_counts(db), 0)
    save_article(db, seed_article())
    assert rows(db, "SELECT count(*) FROM comments") == [(8,)]


def test_what_runs_after_a_save_commits_with_it_or_not_at_all(db):
    """``after`` (the frontier's visit) is in the article's transaction, batch or not."""
    db.conn.execute("CREATE TABLE visits (url TEXT)")
    first, second = seed_article(), seed_article()
    second.post_id, second.url = SEED_POST_ID + 1, SEED_URL.replace("russian", "other")

    def visit(conn, article, result):
        conn.execute("INSERT INTO visits VALUES (?)", (article.url,))
        if article.post_id == SEED_POST_ID + 1:
            raise RuntimeError("the visit failed")

    results = save_articles(db, [first, second], after=visit)
    assert isinstance(results[0], SaveResult) and results[0].article_new
    assert isinstance(results[1], RuntimeError)
    # the first article and its visit are there; of the second, neither
    assert rows(db, "SELECT url FROM articles WHERE status = 'archived'") == [(SEED_URL,)]
    assert rows(db, "SELECT url FROM visits") == [(SEED_URL,)]


def test_rebuild_search_index(db):
    save_article(db, seed_article())
    db.conn.execute("INSERT INTO comments_fts (comments_fts) VALUES ('delete-all')")
    db.conn.commit()
    assert search(db, "キューバ") == []
    rebuild_search_index(db)
    assert [hit["author"] for hit in search(db, "キューバ", limit=10)] == [
        "幽霊",
        "tofu",
        "くらうん",
    ]
    assert_fts_consistent(db)


def test_open_archive_pragmas_and_directory(tmp_path):
    path = tmp_path / "new" / "dir" / "archive.db"
    db = open_archive(path)
    assert path.exists()
    assert rows(db, "PRAGMA journal_mode") == [("wal",)]
    assert rows(db, "PRAGMA foreign_keys") == [(1,)]
    assert rows(db, "PRAGMA busy_timeout") == [(30000,)]
    assert rows(db, "PRAGMA synchronous") == [(1,)]  # NORMAL
    assert rows(db, "PRAGMA page_size") == [(16384,)]
    assert rows(db, "PRAGMA wal_autocheckpoint") == [(2560,)]  # 40 MiB of WAL
    assert rows(db, "PRAGMA temp_store") == [(2,)]  # MEMORY
    db.close()
    with pytest.raises(FileNotFoundError):
        open_archive(tmp_path / "missing.db", create=False)


def test_existing_archive_keeps_its_page_size(tmp_path, monkeypatch):
    """Archives created with 4 KiB pages (before 16 KiB) are opened as they are."""
    path = tmp_path / "archive.db"
    monkeypatch.setattr("archiver.storage.database.ARCHIVE_PAGE_SIZE", 4096)
    open_archive(path).close()
    monkeypatch.undo()
    db = open_archive(path)
    assert rows(db, "PRAGMA page_size") == [(4096,)]
    assert rows(db, "PRAGMA wal_autocheckpoint") == [(10240,)]
    save_article(db, seed_article())
    assert rows(db, "SELECT count(*) FROM comments") == [(8,)]
    db.close()


def test_runs(db):
    run_id = start_run(db, "grandfleet", "2022-02-01T11:00:00+09:00")
    assert rows(db, "SELECT id, spider, status, finished_at FROM crawl_runs") == [
        (run_id, "grandfleet", "running", None)
    ]
    finish_run(
        db,
        run_id,
        "closespider_itemcount",
        "2022-02-01T11:05:00+09:00",
        pages=3,
        articles_new=1,
        articles_updated=0,
        comments_new=8,
        comments_updated=0,
        errors=0,
        stats={"finish_time": datetime(2022, 2, 1, 2, 5), "item_scraped_count": 1},
    )
    frontier = ("pid", "host", "articles_due", "articles_not_modified")  # the crawl's own
    columns = [c for c in db["crawl_runs"].columns_dict if c not in frontier]
    assert rows(db, f"SELECT {', '.join(columns)} FROM crawl_runs") == [
        (
            run_id,
            "grandfleet",
            "2022-02-01T11:00:00+09:00",
            "2022-02-01T11:05:00+09:00",
            "closespider_itemcount",
            3,
            1,
            0,
            8,
            0,
            0,
            '{"finish_time": "2022-02-01 02:05:00", "item_scraped_count": 1}',
            0,  # comments_deleted
            0,  # comments_restored
            0,  # comments_edited
            0,  # votes_changed
            0,  # articles_edited
            0,  # articles_gone
        )
    ]


# --- the Scrapy pipeline -------------------------------------------------------------


class ArchiveTestSpider(Spider):
    name = "grandfleet"


def make_pipeline(settings: dict):
    crawler = get_crawler(ArchiveTestSpider, settings)
    crawler.spider = crawler._create_spider()
    crawler.stats.open_spider()
    return crawler, ArchivePipeline.from_crawler(crawler)


def close(crawler, reason: str) -> None:
    crawler.signals.send_catch_log(signals.spider_closed, spider=crawler.spider, reason=reason)


def test_pipeline_saves_counts_and_closes_run(tmp_path):
    path = tmp_path / "sub" / "archive.db"
    crawler, pipeline = make_pipeline({"ARCHIVE_DB": str(path)})
    pipeline.open_spider()
    crawler.stats.set_value("response_received_count", 2)
    item = seed_article()
    assert asyncio.run(pipeline.process_item(item)) is item
    asyncio.run(pipeline.process_item(seed_article()))
    article = seed_article()
    article.comments[1] = replace(article.comments[1], votes_raw="4", votes=4)
    asyncio.run(pipeline.process_item(article))
    stats = crawler.stats.get_stats()
    assert {k: v for k, v in stats.items() if k.startswith("archiver/")} == {
        "archiver/articles/new": 1,
        "archiver/articles/updated": 0,
        "archiver/articles/edited": 0,
        "archiver/comments/new": 8,
        "archiver/comments/updated": 1,
        "archiver/comments/edited": 0,
        "archiver/comments/deleted": 0,
        "archiver/comments/restored": 0,
        "archiver/votes/changed": 1,
        "archiver/run_id": 1,  # shared with the WARC capture middleware
    }
    close(crawler, "closespider_itemcount")
    conn = sqlite3.connect(path)
    run = conn.execute(
        "SELECT spider, status, pages, articles_new, articles_updated, comments_new,"
        " comments_updated, errors, stats_json, finished_at IS NOT NULL FROM crawl_runs"
    ).fetchall()
    assert run[0][:8] == ("grandfleet", "closespider_itemcount", 2, 1, 0, 8, 1, 0)
    assert json.loads(run[0][8])["archiver/comments/new"] == 8
    assert run[0][9] == 1
    assert conn.execute("SELECT count(*) FROM comments").fetchone() == (8,)


def test_pipeline_survives_a_database_error(tmp_path):
    path = tmp_path / "archive.db"
    crawler, pipeline = make_pipeline({"ARCHIVE_DB": str(path)})
    pipeline.open_spider()
    broken = seed_article()
    broken.comments[0] = replace(broken.comments[0], author_url={"not": "text"})
    assert asyncio.run(pipeline.process_item(broken)) is broken
    asyncio.run(pipeline.process_item(seed_article()))
    stats = crawler.stats.get_stats()
    assert stats["archiver/storage/errors"] == 1
    assert stats["archiver/comments/new"] == 8
    close(crawler, "finished")
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT status FROM crawl_runs").fetchall() == [("finished",)]
    anomalies = conn.execute("SELECT field, url, problem FROM anomalies").fetchall()
    assert len(anomalies) == 1
    assert anomalies[0][:2] == ("storage", SEED_URL)
    assert anomalies[0][2].startswith("save failed: ")


def test_pipeline_not_configured_when_archive_db_empty():
    crawler = get_crawler(ArchiveTestSpider, {"ARCHIVE_DB": ""})
    with pytest.raises(NotConfigured):
        ArchivePipeline.from_crawler(crawler)


def test_pipeline_saves_inline_without_asyncio_loop_and_passes_other_items(tmp_path):
    """Under a non-asyncio reactor there is no running loop: the save happens inline."""
    path = tmp_path / "archive.db"
    crawler, pipeline = make_pipeline({"ARCHIVE_DB": str(path)})
    pipeline.open_spider()
    item = seed_article()
    coroutine = pipeline.process_item(item)
    with pytest.raises(StopIteration) as stop:
        coroutine.send(None)
    assert stop.value.value is item
    other = {"url": "https://grandfleet.info/"}
    assert asyncio.run(pipeline.process_item(other)) is other
    close(crawler, "shutdown")
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM comments").fetchone() == (8,)
    assert conn.execute("SELECT status, comments_new FROM crawl_runs").fetchall() == [
        ("shutdown", 8)
    ]


def test_comment_moved_to_another_article(db):
    save_article(db, seed_article())
    other = Article(
        url=f"{BASE}/russia-related/another/",
        site="grandfleet",
        post_id=23999,
        title="別の記事",
        comments=[replace(seed_article().comments[0], body_text="移動したコメント")],
    )
    assert save_article(db, other) == SaveResult(True, False, 0, 1, comments_edited=1)
    assert rows(db, "SELECT article_id, body_text FROM comments WHERE id = 301") == [
        (23999, "移動したコメント")
    ]
    assert [hit["id"] for hit in search(db, "移動した")] == [301]
    assert search(db, "チンピラ") == []
    assert_fts_consistent(db)


WORDS = ["空母", "戦車", "戦闘機", "ウクライナ", "NATO", "キューバ", "中国", "ミサイル"]


@settings(max_examples=25, deadline=None)
@given(
    versions=st.lists(
        st.lists(
            st.tuples(st.integers(1, 6), st.sampled_from(WORDS), st.integers(0, 3)), max_size=6
        ),
        min_size=1,
        max_size=4,
    )
)
def test_index_follows_any_sequence_of_saves(versions):
    """Each version of the page (comments added, edited, re-voted) leaves the index exact."""
    with tempfile.TemporaryDirectory() as tmp:
        db = open_archive(Path(tmp) / "archive.db")
        current: dict[int, str] = {}
        for version in versions:
            comments = {}
            for comment_id, word, votes in version:
                comments[comment_id] = Comment(
                    comment_id, None, 1, comment_id, "名無し", body_text=f"{word}の話", votes=votes
                )
            article = replace(seed_article(), comments=list(comments.values()))
            save_article(db, article)
            current.update({i: c.body_text for i, c in comments.items()})
            assert_fts_consistent(db)
            for word in WORDS:
                expected = sorted(i for i, text in current.items() if word in text)
                assert sorted(hit["id"] for hit in search(db, word, limit=100)) == expected
        db.close()


def test_failed_commit_leaves_no_transaction_open(db):
    """A COMMIT that fails (deferred foreign key, disk full) must not wedge the connection.

    Otherwise every later save of the crawl fails with "cannot start a transaction
    within a transaction".
    """
    save_article(db, seed_article())
    with pytest.raises(sqlite3.IntegrityError), transaction(db.conn):
        # parent_id's foreign key is deferred: the violation surfaces at COMMIT.
        db.conn.execute(
            "INSERT INTO comments (id, article_id, parent_id) VALUES (1, ?, 999)", (SEED_POST_ID,)
        )
    assert not db.conn.in_transaction
    assert rows(db, "SELECT count(*) FROM comments WHERE id = 1") == [(0,)]
    article = seed_article()
    article.comments[0] = replace(article.comments[0], votes_raw="26", votes=26)
    assert save_article(db, article) == SaveResult(False, False, 0, 1, votes_changed=1)


def test_post_moved_to_a_new_url_keeps_its_row_and_takes_over_the_stub(db):
    save_article(db, seed_article())
    moved_url = f"{BASE}/russia-related/us-rejects-russian-demands-2/"
    other = Article(
        url=f"{BASE}/russia-related/another/",
        site="grandfleet",
        post_id=23999,
        title="別の記事",
        inline_links=[ArticleRef(moved_url, "移転後の記事")],
    )
    save_article(db, other)
    stub_id = synthetic_article_id(moved_url)
    assert rows(db, "SELECT id, status FROM articles WHERE url = ?", (moved_url,)) == [
        (stub_id, "stub")
    ]
    moved = replace(seed_article(), url=moved_url)
    assert save_article(db, moved) == SaveResult(False, False, 0, 0)
    assert rows(db, "SELECT id, status, title FROM articles WHERE url = ?", (moved_url,)) == [
        (SEED_POST_ID, "archived", SEED_TITLE)
    ]
    assert rows(
        db, "SELECT count(*) FROM articles WHERE id = ? OR url = ?", (stub_id, SEED_URL)
    ) == [(0,)]
    assert rows(db, "SELECT to_article_id FROM article_links WHERE from_article_id = 23999") == [
        (SEED_POST_ID,)
    ]
    assert rows(db, "SELECT count(*) FROM comments WHERE article_id = ?", (SEED_POST_ID,)) == [(8,)]
    assert rows(db, "SELECT article_id, url, field, raw_value FROM anomalies") == [
        (SEED_POST_ID, moved_url, "article.url", SEED_URL)
    ]
    assert [hit["id"] for hit in search(db, "モスクワ", table="articles")] == [SEED_POST_ID]
    assert rows(db, "PRAGMA foreign_key_check") == []
    assert_fts_consistent(db)


def test_post_moved_onto_a_row_archived_without_post_id_merges_it(db):
    save_article(db, seed_article())
    moved_url = f"{BASE}/russia-related/us-rejects-russian-demands-2/"
    without_id = Article(
        url=moved_url,
        site="grandfleet",
        title="仮の題名",
        body_text="潜水艦の記事",
        comments=[Comment(901, None, 1, 1, "名無し", body_text="駆逐艦")],
    )
    save_article(db, without_id)
    assert rows(db, "SELECT id FROM articles WHERE url = ?", (moved_url,)) == [
        (synthetic_article_id(moved_url),)
    ]
    moved = replace(seed_article(), url=moved_url)
    assert save_article(db, moved) == SaveResult(False, False, 0, 0)
    assert rows(db, "SELECT id, url FROM articles WHERE status = 'archived'") == [
        (SEED_POST_ID, moved_url)
    ]
    assert rows(db, "SELECT article_id FROM comments WHERE id = 901") == [(SEED_POST_ID,)]
    assert search(db, "潜水艦", table="articles") == []
    assert [hit["id"] for hit in search(db, "駆逐艦")] == [901]
    assert rows(db, "PRAGMA foreign_key_check") == []
    assert_fts_consistent(db)
