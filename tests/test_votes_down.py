"""Down (dislike) vote counts, end to end: parsed beside the votes, normalized to a
count, stored with their history, migrated into old archives, shown in threads.

Expected values are read from the fixture pages' own markup by another route than the
parser's (XPath on the plugin's per-comment ids: Comments Like Dislike's
``data-comment-id``, Thumbs Rating's ``thumbs_rating_vote(id, 2)``), never typed in.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from parsel import Selector
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from archiver.cli import cli
from archiver.items import Anomaly, Article
from archiver.normalize import parse_down_vote_count, parse_vote_count
from archiver.parsing import parse_article_page
from archiver.schema import MIGRATIONS, SCHEMA_VERSION, apply_migration, transaction
from archiver.sites import get_profile
from archiver.storage import open_archive, save_article
from pipelines.normalize import NormalizePipeline
from tests.test_history import T, crawl, with_comment
from tests.test_storage import rows, seed_article

FIXTURES = Path(__file__).parent / "fixtures" / "wordpress"
CLD = "comments_like_dislike_twentysixteen"
THUMBS = "astra_thumbs_rating"
# Per plugin: (the comment's id, its up count text, its down count text) from the markup.
SHOWN_COUNTS = {
    CLD: (
        '//a[@data-trigger-type="like"]',
        "string(@data-comment-id)",
        "string(following-sibling::span[1])",
        '//a[@data-trigger-type="dislike"][@data-comment-id="{id}"]/following-sibling::span[1]',
    ),
    THUMBS: (
        '//span[@class="thumbs-rating-up"]',
        'substring-before(substring-after(@onclick, "("), ",")',
        "string(.)",
        '//span[@class="thumbs-rating-down"][starts-with(@onclick, "thumbs_rating_vote({id}, 2)")]',
    ),
}


def fixture_article(name: str, html: bytes | None = None) -> Article:
    spec = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    response = HtmlResponse(
        url=spec["request"]["url"],
        body=html if html is not None else (FIXTURES / f"{name}.html").read_bytes(),
        headers=spec["request"]["headers"],
    )
    return parse_article_page(response, get_profile(spec["profile"]))


def shown_counts(name: str) -> list[tuple[int, str, str]]:
    """(comment id, up text, down text) of every vote widget, in page order."""
    up_path, id_of, up_text, down_path = SHOWN_COUNTS[name]
    page = Selector(text=(FIXTURES / f"{name}.html").read_text(encoding="utf-8"))
    shown = []
    for up in page.xpath(up_path):
        comment_id = up.xpath(id_of).get()
        down = page.xpath(down_path.format(id=comment_id))
        assert len(down) == 1
        shown.append((int(comment_id), up.xpath(up_text).get(), down.xpath("string(.)").get()))
    return shown


def normalized(article: Article) -> tuple[Article, dict]:
    crawler = get_crawler()
    pipeline = NormalizePipeline.from_crawler(crawler)
    pipeline.process_item(article)
    return article, crawler.stats.get_stats()


@pytest.mark.parametrize("name", [CLD, THUMBS])
def test_both_counts_of_two_button_widgets_are_parsed(name):
    article = fixture_article(name)
    shown = shown_counts(name)
    assert len({down for _, _, down in shown}) > 1  # the fixture tells comments apart
    assert sorted((c.comment_id, c.votes_raw, c.votes_down_raw) for c in article.comments) == (
        sorted(shown)
    )
    for comment in article.comments:  # the widget is not part of the text
        assert comment.votes_down_raw not in comment.body_text.split()


WP_ULIKE_PRO_UPDOWN = """<!DOCTYPE html><html lang="ja"><head><meta charset="UTF-8">
<title>t</title></head><body class="single postid-123"><article class="post-123 post">
<h1 class="entry-title">記事</h1></article>
<div id="comments" class="comments-area"><ol class="comment-list">
{comments}
</ol></div></body></html>"""
# wp-ulike Pro, includes/functions/general.php wp_ulike_pro_default_global_template
# ("updown-voting"): two buttons, each followed by an empty count box that CSS fills
# from data-ulike-counter-value.
WP_ULIKE_PRO_COMMENT = """<li id="comment-{id}" class="comment depth-1">
<article id="div-comment-{id}" class="comment-body"><footer class="comment-meta">
<div class="comment-author vcard"><b class="fn">{author}</b> <span class="says">より:</span></div>
<div class="comment-metadata"><time datetime="2022-01-27T10:12:00+09:00">2022年1月27日 10:12 AM</time></div>
</footer><div class="comment-content"><p>{text}</p>
<div class="wpulike wpulike-updown-voting "><div class="wp_ulike_general_class wpulike_up_vote wp_ulike_is_not_liked">
<button type="button" aria-label="Like Button" data-ulike-id="{id}" data-ulike-factor="up" class="wp_ulike_btn wp_ulike_btn_up wp_ulike_put_image"></button>
<span class="count-box wp_ulike_counter_up" data-ulike-counter-value="{up}"></span></div>
<div class="wp_ulike_general_class wpulike_down_vote wp_ulike_is_not_liked">
<button type="button" aria-label="Dislike Button" data-ulike-id="{id}" data-ulike-factor="down" class="wp_ulike_btn wp_ulike_btn_down wp_ulike_put_image"></button>
<span class="count-box wp_ulike_counter_down" data-ulike-counter-value="{down}"></span></div></div>
</div></article></li>"""


def test_wp_ulike_pro_updown_counts_are_read_from_their_attribute():
    shown = [(501, "佐藤", "賛成です。", "+4", "-2"), (502, "鈴木", "反対。", "+0", "-7")]
    html = WP_ULIKE_PRO_UPDOWN.format(
        comments="\n".join(
            WP_ULIKE_PRO_COMMENT.format(id=i, author=a, text=t, up=u, down=d)
            for i, a, t, u, d in shown
        )
    )
    response = HtmlResponse(
        url="https://ulike.example.jp/2022/01/27/a/",
        body=html.encode(),
        headers={"Content-Type": "text/html; charset=UTF-8"},
    )
    article = parse_article_page(response, get_profile("wordpress"))
    assert [
        (c.comment_id, c.author, c.body_text, c.votes_raw, c.votes_down_raw)
        for c in article.comments
    ] == shown


SITE_WIDGET_PAGE = """<!DOCTYPE html><html><head><meta charset="UTF-8"><title>t</title></head>
<body class="single postid-7"><article class="post-7 post"><h1 class="entry-title">記事</h1>
</article><ol class="comment-list">
<li id="comment-71" class="comment depth-1"><div class="comment-author"><b class="fn">甲</b></div>
<div class="comment-metadata"><time datetime="2022-01-27T10:00:00+09:00">1月27日</time></div>
<div class="comment-content"><p>親のコメント</p></div>
<div class="rate"><span class="rate-good">5</span></div>
<ol class="children"><li id="comment-72" class="comment depth-2">
<div class="comment-author"><b class="fn">乙</b></div>
<div class="comment-metadata"><time datetime="2022-01-27T11:00:00+09:00">1月27日</time></div>
<div class="comment-content"><p>返信</p></div>
<div class="rate"><span class="rate-good">1</span><span class="rate-bad">2</span></div>
</li></ol></li></ol></body></html>"""


def test_a_profiles_own_down_selector_reads_its_widget_and_not_a_replys():
    """A site profile names its widget's counts; the parent's widget has no down count,
    and its reply's is not taken for it."""
    profile = replace(
        get_profile("wordpress"), comment_votes=(".rate-good",), comment_votes_down=(".rate-bad",)
    )
    response = HtmlResponse(
        url="https://site.example.jp/2022/01/27/a/",
        body=SITE_WIDGET_PAGE.encode(),
        headers={"Content-Type": "text/html; charset=UTF-8"},
    )
    article = parse_article_page(response, profile)
    assert [
        (c.comment_id, c.parent_id, c.votes_raw, c.votes_down_raw) for c in article.comments
    ] == [
        (71, None, "5", None),
        (72, 71, "1", "2"),
    ]


def test_a_down_count_alone_is_never_taken_as_the_votes():
    """With the like counts gone, "[class*=like-count]" would match the dislike count."""
    html = (FIXTURES / f"{CLD}.html").read_text(encoding="utf-8")
    html = re.sub(r'<span class="cld-like-count-wrap cld-count-wrap">\d+</span>', "", html)
    article = fixture_article(CLD, html.encode())
    assert [(c.comment_id, c.votes_raw, c.votes_down_raw) for c in article.comments] == [
        (comment_id, None, down) for comment_id, _, down in shown_counts(CLD)
    ]


def test_down_counts_normalize_to_counts_of_down_votes():
    for text in ["0", "3", "25", "1,234", "１２", "1.2k", "3.4万"]:
        assert parse_down_vote_count(text) == parse_vote_count(text)  # same reading
        assert parse_down_vote_count("-" + text) == parse_vote_count(text)  # minus shown
        assert parse_down_vote_count("−" + text) == parse_vote_count(text)  # U+2212
    for text in ["", "  ", "- 3", "3/5", "1.5", "12 34", "よくないね", None]:
        assert parse_down_vote_count(text) is None


@pytest.mark.parametrize("name", [CLD, THUMBS])
def test_the_pipeline_fills_votes_down(name):
    article, stats = normalized(fixture_article(name))
    shown = {comment_id: (up, down) for comment_id, up, down in shown_counts(name)}
    assert {c.comment_id: (c.votes, c.votes_down) for c in article.comments} == {
        comment_id: (int(up), abs(int(down))) for comment_id, (up, down) in shown.items()
    }
    assert all(c.votes_down >= 0 for c in article.comments)
    assert stats["archiver/votes_down/parsed"] == len(shown)
    assert "archiver/votes_down/unparsed" not in stats


def test_unreadable_down_count_keeps_its_text_and_is_an_anomaly():
    article = fixture_article(CLD)
    article.comments[0].votes_down_raw = "よくないね"
    article.comments[1].votes_down_raw = " "
    article, stats = normalized(article)
    assert [(c.votes_down_raw, c.votes_down) for c in article.comments[:2]] == [
        ("よくないね", None),
        (" ", None),
    ]
    assert [a for a in article.anomalies if a.field == "comment.votes_down"] == [
        Anomaly("comment.votes_down", "よくないね", "unparsed votes_down", article.url),
        Anomaly("comment.votes_down", " ", "empty votes_down", article.url),
    ]
    assert stats["archiver/votes_down/unparsed"] == 2
    assert stats["archiver/votes_down/parsed"] == len(article.comments) - 2


def test_a_change_of_the_down_count_is_a_new_vote_row(tmp_path):
    db = open_archive(tmp_path / "archive.db")
    seed = seed_article()
    first = seed.comments[0]
    down = {"votes_down_raw": "-1", "votes_down": 1}
    run1, r1 = crawl(db, with_comment(seed, first.comment_id, **down), 1)
    run2, r2 = crawl(db, with_comment(seed, first.comment_id, **down), 2)  # unchanged
    more = {"votes_down_raw": "-4", "votes_down": 4}
    run3, r3 = crawl(db, with_comment(seed, first.comment_id, **more), 3)
    assert rows(
        db,
        "SELECT seen_at, run_id, votes_raw, votes, votes_down_raw, votes_down FROM vote_counts"
        " WHERE comment_id = ? ORDER BY id",
        (first.comment_id,),
    ) == [
        (T[1], run1, first.votes_raw, first.votes, "-1", 1),
        (T[3], run3, first.votes_raw, first.votes, "-4", 4),
    ]
    assert (r2.votes_changed, r3.votes_changed) == (0, 1)
    assert rows(
        db, "SELECT votes_down_raw, votes_down FROM comments WHERE id = ?", (first.comment_id,)
    ) == [("-4", 4)]
    # The seed's other comments show no down count: none stored, no row added for it.
    assert rows(db, "SELECT count(*) FROM vote_counts") == [(len(seed.comments) + 1,)]
    assert rows(
        db,
        "SELECT count(*) FROM comments WHERE votes_down_raw IS NOT NULL OR votes_down IS NOT NULL",
    ) == [(1,)]
    assert rows(
        db,
        "SELECT seen_at, votes, votes_down, votes_down_raw, run_id FROM vote_history"
        " WHERE comment_id = ? ORDER BY seen_at",
        (first.comment_id,),
    ) == [(T[1], first.votes, 1, "-1", run1), (T[3], first.votes, 4, "-4", run3)]
    db.close()


def write_archive_at(path: Path, version: int, article: Article, tmp_path: Path) -> None:
    """An archive as schema ``version`` wrote it: its migrations alone, then the rows
    today's code saves for ``article``, copied column by column into the tables it had."""
    current_path = tmp_path / "current.db"
    current = open_archive(current_path)
    save_article(current, article)
    current.close()
    conn = sqlite3.connect(path)
    for migration in MIGRATIONS:
        if migration.version <= version:
            apply_migration(conn, migration)
    conn.execute("ATTACH DATABASE ? AS current", (str(current_path),))
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'"
            " AND name NOT IN ('schema_migrations', 'archive_meta')"
        )
    ]
    with transaction(conn):
        for table in tables:
            columns = ", ".join(row[1] for row in conn.execute(f"PRAGMA main.table_info({table})"))
            conn.execute(
                f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM current.{table}"
            )
    conn.execute("DETACH DATABASE current")
    conn.close()


def test_an_archive_of_the_previous_version_migrates_with_no_down_counts(tmp_path):
    path = tmp_path / "archive.db"
    previous = max(m.version for m in MIGRATIONS if m.version < SCHEMA_VERSION)
    write_archive_at(path, previous, seed_article(), tmp_path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (previous,)
        comments_before = conn.execute("SELECT * FROM comments ORDER BY id").fetchall()
        votes_before = conn.execute("SELECT * FROM vote_counts ORDER BY id").fetchall()
    assert comments_before and votes_before

    db = open_archive(path)
    assert db.conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert rows(db, "SELECT * FROM comments ORDER BY id") == [
        (*row, None, None) for row in comments_before
    ]
    assert rows(db, "SELECT * FROM vote_counts ORDER BY id") == [
        (*row, None, None) for row in votes_before
    ]
    # A recrawl of the same page (no down counts) adds nothing; a down count shown adds
    # one row per comment that shows it.
    run, result = crawl(db, seed_article(), 2)
    assert result.votes_changed == 0
    assert rows(db, "SELECT count(*) FROM vote_counts") == [(len(votes_before),)]
    first = seed_article().comments[0]
    run, result = crawl(
        db, with_comment(seed_article(), first.comment_id, votes_down_raw="-2", votes_down=2), 3
    )
    assert result.votes_changed == 1
    assert rows(
        db, "SELECT run_id, votes, votes_down FROM vote_counts WHERE id > ?", (len(votes_before),)
    ) == [(run, first.votes, 2)]
    db.close()


def saved_cld_archive(tmp_path: Path) -> tuple[Path, Article]:
    article, _ = normalized(fixture_article(CLD))
    article = replace(article, fetched_at=T[1], thread_complete=True)
    path = tmp_path / "archive.db"
    db = open_archive(path)
    save_article(db, article)
    db.close()
    return path, article


def test_thread_json_and_text_show_the_down_counts(tmp_path):
    path, article = saved_cld_archive(tmp_path)
    shown = {comment_id: (up, down) for comment_id, up, down in shown_counts(CLD)}
    result = CliRunner().invoke(cli, ["thread", str(path), str(article.post_id), "--json"])
    assert result.exit_code == 0, result.output
    entries = [json.loads(line) for line in result.stdout.splitlines()]
    assert {
        e["comment_id"]: (e["votes_raw"], e["votes"], e["votes_down_raw"], e["votes_down"])
        for e in entries
    } == {i: (up, int(up), down, int(down)) for i, (up, down) in shown.items()}
    text = CliRunner().invoke(cli, ["thread", str(path), str(article.post_id)]).stdout
    for comment_id, (up, down) in shown.items():
        assert f"#{comment_id} " in text
        assert re.search(rf"#{comment_id} .*\| votes {up} down {down}$", text, re.M)


def test_the_article_page_shows_the_down_count_beside_the_votes(tmp_path):
    path, article = saved_cld_archive(tmp_path)
    shown = shown_counts(CLD)

    async def page() -> str:
        datasette = Datasette([str(path)])
        response = await datasette.client.get(f"/archive/articles/{article.post_id}")
        assert response.status_code == 200
        return response.text

    html = Selector(text=asyncio.run(page()))
    cards = {
        int(card.attrib["data-comment-id"]): (
            card.css(":scope > .comment-meta .comment-votes::text").get(),
            card.css(":scope > .comment-meta .comment-votes-down::text").get(),
        )
        for card in html.css("article.comment")
    }
    assert cards == {i: (f"▲ {up}", f"▼ {down}") for i, up, down in shown}
