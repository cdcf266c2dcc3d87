"""The generic ``wordpress`` profile on the markup families real WordPress sites emit.

Each ``tests/fixtures/wordpress/NAME.html`` is one article page written from a theme's or
plugin's own template code (the JSON beside it cites the files; ``written_from_template``
is false, and the note says so, where no public source of the theme could be found),
kept as the bytes the site would serve (Shift_JIS and EUC-JP pages included). The JSON holds the expected result, compared whole: the thread (ids,
parents, depth, author, date text, body, votes), the pingbacks, and the article's
headline, dates, previous/next, related articles, comment count, comment pages and
anomalies.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from archiver.items import Article
from archiver.normalize import TOKYO, parse_japanese_date_with_precision
from archiver.parsing import parse_article_page
from archiver.sites import get_profile

FIXTURES = Path(__file__).parent / "fixtures" / "wordpress"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.json"))
COMMENT_FIELDS = (
    "comment_id",
    "parent_id",
    "depth",
    "author",
    "author_url",
    "posted_raw",
    "body_text",
    "votes_raw",
    "votes_down_raw",
)


def load(name: str) -> tuple[HtmlResponse, dict[str, Any]]:
    spec = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    response = HtmlResponse(
        url=spec["request"]["url"],
        body=(FIXTURES / f"{name}.html").read_bytes(),
        headers=spec["request"]["headers"],
    )
    return response, spec


def projection(article: Article) -> dict[str, Any]:
    """The fields the fixtures state, in the fixtures' shape."""

    def ref(value: Any) -> dict[str, Any] | None:
        return None if value is None else {"url": value.url, "anchor_text": value.anchor_text}

    return {
        "title": article.title,
        "published_raw": article.published_raw,
        "published_attr": article.published_attr,
        "modified_raw": article.modified_raw,
        "modified_attr": article.modified_attr,
        "previous": ref(article.previous),
        "next": ref(article.next),
        "related": [{"url": r.url, "title": r.title} for r in article.related],
        "comment_count_shown": article.comment_count_shown,
        "comment_page": article.comment_page,
        "comment_page_urls": article.comment_page_urls,
        "comments": [{k: getattr(c, k) for k in COMMENT_FIELDS} for c in article.comments],
        "pingbacks": [
            {
                "position": p.position,
                "source_url": p.source_url,
                "title": p.title,
                "posted_raw": p.posted_raw,
            }
            for p in article.pingbacks
        ],
        "anomalies": [{"field": a.field, "problem": a.problem} for a in article.anomalies],
    }


def test_the_families_cover_the_issue() -> None:
    """At least 24 markup families written from their theme's or plugin's own template
    code, 10 of them Japanese themes, each citing its source. Fixtures of themes whose
    source could not be found (written from their observed output, and saying so) still
    check the engine below, but are not counted."""
    specs = [load(name)[1] for name in NAMES]
    assert all(isinstance(spec["written_from_template"], bool) for spec in specs)
    from_template = [spec for spec in specs if spec["written_from_template"]]
    assert len(from_template) >= 24
    assert sum(spec["japanese_theme"] for spec in from_template) >= 10
    assert all(spec["source"]["files"] and spec["source"]["note"] for spec in specs)
    assert all(
        spec["source"]["note"].startswith("Not written from a template")
        for spec in specs
        if not spec["written_from_template"]
    )
    assert {spec["profile"] for spec in specs} == {"wordpress"}
    assert sorted(p.stem for p in FIXTURES.glob("*.html")) == NAMES
    charsets = {spec["request"]["headers"]["Content-Type"].rsplit("=", 1)[1] for spec in specs}
    assert {"SHIFT-JIS", "EUC-JP"} <= charsets


@pytest.mark.parametrize("name", NAMES)
def test_family_parses_to_its_expected_output(name: str) -> None:
    response, spec = load(name)
    article = parse_article_page(response, get_profile(spec["profile"]))
    assert projection(article) == spec["expected"]


@pytest.mark.parametrize("name", NAMES)
def test_every_comment_date_as_shown_normalizes_to_its_time(name: str) -> None:
    """The date text each theme prints ("January 27, 2022 at 10:12 am", "投稿日：2022/01/27(木)
    10:12:34", "on …", "2022年1月27日 at 10:12 AM") reads as the time the comment was made."""
    response, spec = load(name)
    article = parse_article_page(response, get_profile(spec["profile"]))
    now = datetime(2022, 3, 1, tzinfo=TOKYO)
    shown = [parse_japanese_date_with_precision(c.posted_raw, now) for c in article.comments]
    assert [p.value.isoformat() if p else None for p in shown] == spec["comment_times"]
