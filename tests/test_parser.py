"""The page parser on fixture pages kept as the original bytes, compared whole.

Each ``tests/fixtures/pages/NAME.html`` has ``NAME.json`` beside it holding the request
(URL, headers: the charset matters), the profile, and the expected result
(``dataclasses.asdict`` of the Article or Listing).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from archiver.items import Article
from archiver.parsing import merge_comment_pages, parse_article_page, parse_listing_page
from archiver.sites import get_profile

PAGES = Path(__file__).parent / "fixtures" / "pages"
FIXTURES = sorted(p.stem for p in PAGES.glob("*.json"))
SEED_URL = "http://127.0.0.1:8765/russia-related/us-rejects-russian-demands/"


def load(name: str, url: str | None = None) -> tuple[HtmlResponse, dict]:
    spec = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
    response = HtmlResponse(
        url=url or spec["request"]["url"],
        body=(PAGES / f"{name}.html").read_bytes(),
        headers=spec["request"]["headers"],
    )
    return response, spec


def parse(name: str, url: str | None = None) -> Article:
    response, spec = load(name, url)
    return parse_article_page(response, get_profile(spec["profile"]))


def test_every_fixture_page_has_its_expected_output() -> None:
    assert FIXTURES == [
        "broken_article",
        "core_nested_article",
        "eucjp_tcd_article",
        "sjis_core_article",
        "tcd_c_comment_article",
        "tcd_core_comments_page1",
        "tcd_listing_page2",
        "tcd_no_comments",
        "tcd_paged_p1",
        "tcd_paged_p2",
        "tcd_paged_p3",
        "tcd_seed_article",
    ]
    assert sorted(p.stem for p in PAGES.glob("*.html")) == FIXTURES


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_parses_to_expected_output(name: str) -> None:
    response, spec = load(name)
    profile = get_profile(spec["profile"])
    if spec["kind"] == "listing":
        result = parse_listing_page(response, profile)
    else:
        result = parse_article_page(response, profile)
    assert dataclasses.asdict(result) == spec["expected"]


def test_seed_comments_are_exactly_the_seed_page() -> None:
    article = parse("tcd_seed_article")
    assert [
        (c.comment_id, c.parent_id, c.depth, c.position, c.author, c.posted_raw, c.votes_raw)
        for c in article.comments
    ] == [
        (1201, None, 1, 1, "tofu", "2022年 1月 27日", "25"),
        (1202, None, 1, 2, "Mob", "2022年 1月 27日", "3"),
        (1203, 1202, 2, 3, "ダヴー", "2022年 1月 27日", "10"),
        (1204, None, 1, 4, "幽霊", "2022年 1月 27日", "4"),
        (1205, 1204, 2, 5, "tofu", "2022年 1月 27日", "21"),
        (1206, None, 1, 6, "くらうん", "2022年 1月 27日", "7"),
        (1207, None, 1, 7, "戦略眼", "2022年 1月 27日", "5"),
        (1208, 1207, 2, 8, "匿名さん", "2022年 1月 27日", "4"),
    ]
    assert article.comments[0].body_text == (
        "そらせやろ感しかない\n"
        "こんなんチンピラが辺り睨み回して「いまガンつけただろコラァ!」って喧嘩売りに行くのと同じで、"
        "口実作るために言ってるにすぎないでしょ\n\n"
        "驚くべきは2022年にもなって世界大戦やってた頃とお作法が何も変わってないロシア(プーチン?)だわ"
    )
    assert article.comments[1].body_text == (
        "開戦時期について小泉悠氏は2月10日〜20日ぐらいと見ていて\nリンク\n"
        "米政府は現在から2月中旬までの期間が怪しいと考えている模様\nリンク"
    )
    assert article.comment_count_shown == 8
    assert article.anomalies == []


def test_seed_article_fields_follow_the_issue() -> None:
    article = parse("tcd_seed_article")
    assert (article.post_id, article.category, article.category_slug) == (
        23456,
        "ロシア関連",
        "russia-related",
    )
    assert "お知らせ" not in article.body_text and "お知らせ" not in article.body_html
    assert "<script" not in article.body_html and "onload" not in article.body_html
    assert article.body_text.endswith("※アイキャッチ画像の出典:Jens Stoltenberg")
    assert article.eyecatch_credit == "Jens Stoltenberg"
    assert article.previous is not None and "前のページ" not in (article.previous.anchor_text or "")
    assert article.next is not None and "次のページ" not in (article.next.anchor_text or "")
    assert len(article.related) == 6  # the 5 sidebar ranking entries are not related articles
    assert all("ranking" not in r.url and r.category == "ロシア関連" for r in article.related)


def test_generic_profile_reads_the_seed_comments_through_fallbacks() -> None:
    """With no theme selectors, WordPress' own markup still yields the same thread."""
    response, _ = load("tcd_seed_article")
    generic = parse_article_page(response, get_profile("wordpress"))
    assert generic.comments == parse("tcd_seed_article").comments
    assert (generic.post_id, generic.title, generic.comment_count_shown) == (
        23456,
        "米国はロシアの要求を拒否するも交渉継続を希望、ウクライナ侵攻の可能性は?",
        8,
    )


def test_default_profile_is_grandfleet() -> None:
    response, _ = load("tcd_seed_article")
    assert parse_article_page(response) == parse("tcd_seed_article")


def test_parsing_leaves_the_response_untouched() -> None:
    response, _ = load("tcd_seed_article")
    before = response.selector.get()
    parse_article_page(response, get_profile("grandfleet"))
    assert response.selector.get() == before
    assert "お知らせ" in response.css("p.p-entry__notice::text").get()


@pytest.mark.parametrize(
    ("name", "charset", "title", "first_author"),
    [
        ("sjis_core_article", "shift_jis", "零式艦上戦闘機の保存機を見学", "航空ファン"),
        ("eucjp_tcd_article", "euc-jp", "陸自の新型装輪装甲車が公開", "装甲車好き"),
    ],
)
def test_japanese_legacy_encodings_are_decoded(
    name: str, charset: str, title: str, first_author: str
) -> None:
    raw = (PAGES / f"{name}.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the fixture really is stored in its legacy encoding
    assert title in raw.decode(charset)
    article = parse(name)
    assert (article.title, article.comments[0].author) == (title, first_author)


def test_comment_pages_merge_into_one_thread() -> None:
    base = "http://127.0.0.1:8765/russia-related/russian-losses/"
    page3_at_article_url = parse("tcd_paged_p3", base)
    page3 = parse("tcd_paged_p3", base + "comment-page-3/")
    page1, page2 = parse("tcd_paged_p1"), parse("tcd_paged_p2")
    assert (page1.comment_page, page2.comment_page, page3.comment_page) == (1, 2, 3)
    assert page1.comment_page_urls == [base + "comment-page-2/", base + "comment-page-3/"]

    merged = merge_comment_pages([page3_at_article_url, page2, page3, page1])
    assert [(c.comment_id, c.parent_id, c.page, c.position) for c in merged.comments] == [
        (2001, None, 1, 1),
        (2002, 2001, 1, 2),
        (2003, None, 1, 3),
        (2004, None, 2, 4),
        (2005, None, 2, 5),
        (2006, 2005, 2, 6),
        (2007, None, 3, 7),
        (2008, None, 3, 8),
    ]
    assert merged.comment_page_urls == []
    assert merged.comment_count_shown == len(merged.comments) == 8
    expected_fields = dataclasses.replace(page3_at_article_url, comments=[], comment_page_urls=[])
    assert dataclasses.replace(merged, comments=[]) == expected_fields
    # Inputs are not modified.
    assert [c.position for c in page2.comments] == [1, 2, 3]


def test_merge_is_independent_of_page_order() -> None:
    pages = [parse(f"tcd_paged_p{n}") for n in (1, 2, 3)]
    assert merge_comment_pages(pages) == merge_comment_pages(list(reversed(pages)))


def test_merge_keeps_each_pages_anomalies_once() -> None:
    broken = parse("broken_article")
    merged = merge_comment_pages([broken, broken])
    assert merged.anomalies == broken.anomalies
    assert [c.comment_id for c in merged.comments] == [None, 42]


def test_merge_needs_a_page() -> None:
    with pytest.raises(ValueError):
        merge_comment_pages([])
