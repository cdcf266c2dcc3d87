"""Never silent: a thread the page shows but the parser cannot read is an anomaly.

The pages are small on purpose: each shows one sign of a thread (a count, a comment
section with comment-like elements) in a markup no selector knows.
"""

from __future__ import annotations

from scrapy.http import HtmlResponse

from archiver.items import Anomaly
from archiver.parsing import parse_article_page
from archiver.sites import get_profile

URL = "https://unknown.example.jp/2022/01/27/post/"
HEAD = (
    '<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>記事</title>'
    f'<link rel="canonical" href="{URL}"></head><body class="single postid-9">'
    '<article id="post-9" class="post hentry"><h1 class="entry-title">記事</h1>'
    '<time class="entry-date published" datetime="2022-01-27T09:00:00+09:00">2022年1月27日</time>'
    '<div class="entry-content"><p>本文</p></div></article>'
)


def parse(thread_html: str, url: str = URL) -> list[Anomaly]:
    body = f"{HEAD}{thread_html}</body></html>".encode()
    response = HtmlResponse(
        url=url, body=body, headers={"Content-Type": "text/html; charset=UTF-8"}
    )
    return parse_article_page(response, get_profile("wordpress")).anomalies


def unknown_comment(n: int) -> str:
    return f'<div class="kommentar"><span class="wer">読者{n}</span><p>意見{n}</p></div>'


def test_a_count_shown_with_no_comment_read_is_an_anomaly() -> None:
    thread = (
        '<section id="comments"><h2 class="comments-title">コメント 3件</h2>'
        + "".join(unknown_comment(n) for n in range(3))
        + "</section>"
    )
    assert parse(thread) == [
        Anomaly(
            "article.comments",
            "3",
            "the page shows a count of 3 comments but no comment could be read",
            URL,
        )
    ]


def test_fewer_comments_read_than_the_count_shown_is_an_anomaly() -> None:
    readable = "".join(
        f'<li id="comment-{n}" class="comment"><b class="fn">読者{n}</b>'
        f'<div class="comment-metadata"><time datetime="2022-01-27T10:0{n}:00+09:00">'
        f'2022年1月27日 10:0{n} AM</time></div><div class="comment-content"><p>意見{n}</p></div></li>'
        for n in range(1, 4)
    )
    thread = (
        '<div id="comments" class="comments-area"><h2 class="comments-title">5件のコメント</h2>'
        f'<ol class="comment-list">{readable}</ol>{unknown_comment(4)}{unknown_comment(5)}</div>'
    )
    assert parse(thread) == [
        Anomaly(
            "article.comments",
            "5",
            "the page shows a count of 5 comments but only 3 could be read",
            URL,
        )
    ]


def test_a_comment_section_without_a_count_is_still_seen() -> None:
    thread = (
        '<div id="comments"><article class="kommentar"><span>読者1</span><p>意見1</p></article>'
        '<article class="kommentar"><span>読者2</span><p>意見2</p></article></div>'
    )
    assert parse(thread) == [
        Anomaly(
            "article.comments",
            "読者1 意見1",
            "2 comment-like elements in the comment section but no comment could be read",
            URL,
        )
    ]


def test_no_thread_zero_count_and_a_paged_thread_are_no_anomalies() -> None:
    assert parse("") == []
    assert parse('<div id="comments"><h2 class="comments-title">コメント 0件</h2></div>') == []
    form_only = (
        '<div id="comments"><div id="respond" class="comment-respond"><form id="commentform">'
        '<ul><li><textarea name="comment"></textarea></li></ul></form></div></div>'
    )
    assert parse(form_only) == []
    paged = (
        '<div id="comments"><h2 class="comments-title">12件のコメント</h2><ol class="comment-list">'
        '<li id="comment-1" class="comment"><b class="fn">読者</b><div class="comment-metadata">'
        '<time datetime="2022-01-27T10:00:00+09:00">2022年1月27日</time></div>'
        '<div class="comment-content"><p>意見</p></div></li></ol><nav class="comment-navigation">'
        f'<a class="page-numbers" href="{URL}comment-page-1/#comments">1</a>'
        '<span class="page-numbers current">2</span></nav></div>'
    )
    assert parse(paged, URL + "comment-page-2/") == []
