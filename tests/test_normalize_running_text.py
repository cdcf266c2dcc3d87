"""Dates in running text: the date normalizer reads the one date the surrounding words name.

Each row is what a theme or forum prints around a date (WordPress core's ``%1$s at %2$s``,
Cocoon's simple thread ``名前: … 投稿日： … ID： …``, ``… に投稿``, ``（… 更新）``) and the value
and precision expected, or None where the text is ambiguous or contradicts itself.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from archiver.normalize import TOKYO, parse_japanese_date_with_precision
from archiver.normalize.running_text import date_candidates

NOW = datetime(2022, 3, 1, 12, 0, tzinfo=TOKYO)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TOKYO)  # type: ignore[arg-type]


CASES: list[tuple[str, date | datetime | None, str | None]] = [
    # labels and words before and after
    ("Posted on January 27, 2022 by tofu", date(2022, 1, 27), "day"),
    ("Posted on 2022年1月27日 by 匿名", date(2022, 1, 27), "day"),
    ("2022年1月27日 に投稿", date(2022, 1, 27), "day"),
    ("投稿者: tofu 2022年1月27日 に投稿", date(2022, 1, 27), "day"),
    ("tofu より 2022年1月27日 10:12", at(2022, 1, 27, 10, 12), "minute"),
    ("2022年1月27日 10:12 AM より", at(2022, 1, 27, 10, 12), "minute"),
    ("（2022年2月1日 更新）", date(2022, 2, 1), "day"),
    ("最終更新日：2022年2月1日（火）", date(2022, 2, 1), "day"),
    # a name or an ID next to the date (Cocoon's simple thread)
    (
        "名前:tofu : 投稿日：2022/01/27(木) 10:12:34 ID：Ab3dE",
        at(2022, 1, 27, 10, 12, 34),
        "second",
    ),
    ("1. 名無しさん 2022/01/27(木) 10:12 ID:xY9z0", at(2022, 1, 27, 10, 12), "minute"),
    ("tofu99 on January 27, 2022 at 10:12 am said:", at(2022, 1, 27, 10, 12), "minute"),
    # an untranslated "at" and a 12-hour time
    ("January 27, 2022 at 10:12 am", at(2022, 1, 27, 10, 12), "minute"),
    ("January 27, 2022 at 12:05 am", at(2022, 1, 27, 0, 5), "minute"),
    ("2022年1月27日 at 3:05 PM", at(2022, 1, 27, 15, 5), "minute"),
    ("Jan. 27th, 2022 at 3:05 p.m.", at(2022, 1, 27, 15, 5), "minute"),
    ("27 January 2022 at 15:05", at(2022, 1, 27, 15, 5), "minute"),
    ("Thursday, January 27, 2022 at 3:05 pm", at(2022, 1, 27, 15, 5), "minute"),
    # a time written before the date
    ("10:12 2022/01/27", at(2022, 1, 27, 10, 12), "minute"),
    ("午後3時5分 2022年1月27日", at(2022, 1, 27, 15, 5), "minute"),
    ("3:05 pm, January 27, 2022", at(2022, 1, 27, 15, 5), "minute"),
    # an era year with the Western year beside it, either way round
    ("令和4年（2022年）1月27日", date(2022, 1, 27), "day"),
    ("令和4年(2022)1月27日 10:12", at(2022, 1, 27, 10, 12), "minute"),
    ("2022年（令和4年）1月27日", date(2022, 1, 27), "day"),
    ("2022(令和4)年1月27日", date(2022, 1, 27), "day"),
    ("2019年（令和元年）5月1日", date(2019, 5, 1), "day"),
    ("平成31年（2019年）4月30日", date(2019, 4, 30), "day"),
    # month/day with a time but no year: the most recent such moment before NOW
    ("1月27日 10:12", at(2022, 1, 27, 10, 12), "minute"),
    ("01/27 10:12", at(2022, 1, 27, 10, 12), "minute"),
    ("投稿日：12/31(金) 23:59", at(2021, 12, 31, 23, 59), "minute"),
    # refused: ambiguous, contradictory or impossible
    ("2022年（令和3年）1月27日", None, None),  # era and Western year disagree
    ("令和4年（2021年）1月27日", None, None),
    ("Friday, January 27, 2022", None, None),  # 2022-01-27 was a Thursday
    ("2022/01/27(金) 10:12", None, None),
    ("2022/01/27〜2022/01/28", None, None),  # two dates
    ("投稿 2022/01/27 10:12 (編集 11:00)", None, None),  # a second time
    ("2022年1月27日 午後正午", None, None),
    ("January 32, 2022 at 10:12 am", None, None),
    ("1/27", None, None),  # may be a fraction
    ("01/27", None, None),
    ("名前:tofu ID：Ab3dE", None, None),  # no date at all
    ("22/01/27 10:12", None, None),  # two-digit year
    ("x" * 400 + " 2022/01/27", None, None),  # content, not a date's surroundings
]


@pytest.mark.parametrize(("text", "expected", "precision"), CASES)
def test_running_text(text: str, expected: date | datetime | None, precision: str | None) -> None:
    parsed = parse_japanese_date_with_precision(text, NOW)
    if expected is None:
        assert parsed is None
    else:
        assert parsed is not None
        assert (parsed.value, parsed.precision) == (expected, precision)
        assert type(parsed.value) is type(expected)


def test_month_day_without_a_year_needs_a_reference_time() -> None:
    assert parse_japanese_date_with_precision("01/27 10:12") is None
    assert parse_japanese_date_with_precision("名前:tofu 投稿日：2022/01/27 10:12") is not None


@pytest.mark.parametrize(
    ("text", "candidates"),
    [
        ("名前:tofu : 投稿日：2022/01/27(木) 10:12:34 ID：Ab3dE", ["2022/01/27(木) 10:12:34"]),
        ("Posted on January 27, 2022 at 10:12 am by tofu", ["2022/1/27 10:12 am"]),
        ("10:12 2022/01/27", ["2022/01/27 10:12"]),
        ("2022年（令和3年）1月27日", None),
        ("no date here", []),
    ],
)
def test_candidates(text: str, candidates: list[str] | None) -> None:
    assert date_candidates(text) == candidates
