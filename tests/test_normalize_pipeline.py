"""NormalizePipeline: real Article/Comment items through the pipeline built by Scrapy."""

from __future__ import annotations

import logging

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from archiver.items import Anomaly, Article, Comment
from pipelines.normalize import NormalizePipeline

URL = "https://grandfleet.info/russia-related/us-rejects-russian-demands/"
FETCHED_AT = "2022-01-28T12:30:45+09:00"


def make_pipeline(settings: dict | None = None) -> tuple[NormalizePipeline, dict]:
    crawler = get_crawler(settings_dict=settings or {})
    pipeline = NormalizePipeline.from_crawler(crawler)
    return pipeline, crawler.stats.get_stats()  # the live dict, read after processing


def comment(position: int, **fields) -> Comment:
    return Comment(
        comment_id=1200 + position,
        parent_id=None,
        depth=1,
        position=position,
        author="tofu",
        **fields,
    )


def article(**fields) -> Article:
    defaults = dict(url=URL, site="grandfleet", fetched_at=FETCHED_AT)
    defaults.update(fields)
    return Article(**defaults)


def test_grandfleet_article_is_normalized() -> None:
    pipeline, stats = make_pipeline()
    item = article(
        published_raw="2022.01.27",
        published_attr="2022-01-27T10:12:34+09:00",
        modified_raw="2022.01.28",
        modified_attr="2022-01-28T08:00:00+09:00",
        comments=[
            comment(1, posted_raw="2022年 1月 27日", votes_raw="25"),
            comment(2, posted_raw="2022年 1月 27日", votes_raw="3"),
            comment(
                3,
                posted_raw="2022年1月27日 10:12 AM",
                posted_attr="2022-01-27T10:12:34+09:00",
                votes_raw=None,
            ),
        ],
    )
    assert pipeline.process_item(item) is item
    assert (item.published_at, item.published_date, item.published_precision) == (
        "2022-01-27T10:12:34+09:00",
        "2022-01-27",
        "second",
    )
    assert (item.modified_at, item.modified_date, item.modified_precision) == (
        "2022-01-28T08:00:00+09:00",
        "2022-01-28",
        "second",
    )
    assert [(c.posted_at, c.posted_date, c.posted_precision, c.votes) for c in item.comments] == [
        ("2022-01-27", "2022-01-27", "day", 25),
        ("2022-01-27", "2022-01-27", "day", 3),
        ("2022-01-27T10:12:34+09:00", "2022-01-27", "second", None),
    ]
    # Raw values are untouched.
    assert [(c.posted_raw, c.votes_raw) for c in item.comments] == [
        ("2022年 1月 27日", "25"),
        ("2022年 1月 27日", "3"),
        ("2022年1月27日 10:12 AM", None),
    ]
    assert item.anomalies == []
    assert {k: v for k, v in stats.items() if k.startswith("archiver/")} == {
        "archiver/dates/parsed": 8,
        "archiver/votes/parsed": 2,
    }


def test_unparsable_values_become_counted_anomalies(caplog: pytest.LogCaptureFixture) -> None:
    pipeline, stats = make_pipeline()
    item = article(
        published_raw="----年--月--日",
        modified_raw="",
        comments=[
            comment(1, posted_raw="2022年2月30日", votes_raw="12 34"),
            comment(2, posted_raw="返信", votes_raw=""),
            comment(3, posted_raw=None, votes_raw="１，２３４"),
        ],
    )
    pipeline.process_item(item)
    assert (item.published_at, item.published_date, item.published_precision) == (None, None, None)
    assert (item.modified_at, item.modified_date, item.modified_precision) == (None, None, None)
    assert [(c.posted_at, c.posted_date, c.posted_precision, c.votes) for c in item.comments] == [
        (None, None, None, None),
        (None, None, None, None),
        (None, None, None, 1234),
    ]
    assert item.anomalies == [
        Anomaly("article.published", "----年--月--日", "unparsed date", URL),
        Anomaly("article.modified", "", "empty date", URL),
        Anomaly("comment.posted", "2022年2月30日", "unparsed date", URL),
        Anomaly("comment.votes", "12 34", "unparsed votes", URL),
        Anomaly("comment.posted", "返信", "unparsed date", URL),
        Anomaly("comment.votes", "", "empty votes", URL),
    ]
    assert {k: v for k, v in stats.items() if k.startswith("archiver/")} == {
        "archiver/dates/unparsed": 4,
        "archiver/votes/unparsed": 2,
        "archiver/votes/parsed": 1,
        "archiver/anomalies": 6,
    }
    with caplog.at_level(logging.WARNING, logger="pipelines.normalize"):
        pipeline.close_spider()
    assert [r.getMessage() for r in caplog.records] == [
        "unparsed article.published values, e.g. ['----年--月--日']",
        "unparsed article.modified values, e.g. ['']",
        "unparsed comment.posted values, e.g. ['2022年2月30日', '返信']",
        "unparsed comment.votes values, e.g. ['12 34', '']",
    ]


def test_close_logs_at_most_five_distinct_examples_per_field(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pipeline, stats = make_pipeline()
    bad = ["不明", "N/A", "13月1日", "不明", "25:00", "2022", "20220127", "コメント"]
    pipeline.process_item(
        article(comments=[comment(i, posted_raw=raw) for i, raw in enumerate(bad, 1)])
    )
    with caplog.at_level(logging.WARNING, logger="pipelines.normalize"):
        pipeline.close_spider()
    assert [r.getMessage() for r in caplog.records] == [
        "unparsed comment.posted values, e.g. ['不明', 'N/A', '13月1日', '25:00', '2022']"
    ]
    assert stats["archiver/dates/unparsed"] == 8
    assert stats["archiver/anomalies"] == 8


def test_attribute_is_preferred_and_disagreement_is_an_anomaly() -> None:
    pipeline, stats = make_pipeline()
    item = article(
        published_raw="2022.01.26",  # the page shows another day than its attribute
        published_attr="2022-01-27T10:12:34+09:00",
        comments=[
            # both show minutes and differ by one minute
            comment(1, posted_raw="2022年1月27日 10:13", posted_attr="2022-01-27T10:12:34+09:00"),
            # the text shows only the hour, which agrees
            comment(2, posted_raw="2022年1月27日 10時", posted_attr="2022-01-27T01:12:00Z"),
        ],
    )
    pipeline.process_item(item)
    assert (item.published_at, item.published_precision) == ("2022-01-27T10:12:34+09:00", "second")
    assert [(c.posted_at, c.posted_precision) for c in item.comments] == [
        ("2022-01-27T10:12:34+09:00", "second"),
        ("2022-01-27T10:12:00+09:00", "second"),
    ]
    assert item.anomalies == [
        Anomaly(
            "article.published",
            "2022-01-27T10:12:34+09:00 | 2022.01.26",
            "attribute and text disagree",
            URL,
        ),
        Anomaly(
            "comment.posted",
            "2022-01-27T10:12:34+09:00 | 2022年1月27日 10:13",
            "attribute and text disagree",
            URL,
        ),
    ]
    assert stats["archiver/dates/disagree"] == 2
    assert stats["archiver/dates/parsed"] == 6
    assert stats["archiver/anomalies"] == 2


def test_unparsable_attribute_falls_back_to_text() -> None:
    pipeline, stats = make_pipeline()
    item = article(published_attr="yesterday-ish", published_raw="2022年1月27日 10:12")
    pipeline.process_item(item)
    assert (item.published_at, item.published_date, item.published_precision) == (
        "2022-01-27T10:12:00+09:00",
        "2022-01-27",
        "minute",
    )
    assert item.anomalies == [Anomaly("article.published", "yesterday-ish", "unparsed date", URL)]
    assert stats["archiver/dates/unparsed"] == 1
    assert stats["archiver/dates/parsed"] == 1


def test_relative_dates_use_fetched_at() -> None:
    pipeline, _stats = make_pipeline()
    item = article(
        fetched_at="2022-01-28T03:30:45+00:00",  # 12:30:45 in Tokyo
        comments=[
            comment(1, posted_raw="3時間前"),
            comment(2, posted_raw="昨日 23:05"),
            comment(3, posted_raw="1月29日"),
            comment(4, posted_raw="たった今"),
        ],
    )
    pipeline.process_item(item)
    assert [(c.posted_at, c.posted_date, c.posted_precision) for c in item.comments] == [
        ("2022-01-28T09:30:45+09:00", "2022-01-28", "hour"),
        ("2022-01-27T23:05:00+09:00", "2022-01-27", "minute"),
        ("2021-01-29", "2021-01-29", "day"),
        ("2022-01-28T12:30:45+09:00", "2022-01-28", "minute"),
    ]


def test_missing_fetched_at_falls_back_to_the_clock_and_is_counted() -> None:
    pipeline, stats = make_pipeline()
    item = article(fetched_at=None, comments=[comment(1, posted_raw="2022年 1月 27日")])
    pipeline.process_item(item)
    assert item.comments[0].posted_at == "2022-01-27"
    assert stats["archiver/dates/no_fetched_at"] == 1


def test_other_items_pass_through_untouched() -> None:
    pipeline, stats = make_pipeline()
    item = {"url": URL, "posted_raw": "2022年 1月 27日"}
    assert pipeline.process_item(item) == {"url": URL, "posted_raw": "2022年 1月 27日"}
    assert not any(k.startswith("archiver/") for k in stats)


def test_setting_switches_the_pipeline_off() -> None:
    with pytest.raises(NotConfigured):
        make_pipeline({"ARCHIVE_NORMALIZE_ENABLED": False})
