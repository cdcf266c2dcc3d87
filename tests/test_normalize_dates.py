"""Japanese date normalizer: a table of real-world forms, the invalid classes, properties."""

from __future__ import annotations

import doctest
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archiver.normalize import (
    TOKYO,
    ParsedDate,
    parse_japanese_date,
    parse_japanese_date_with_precision,
)
from archiver.normalize import dates as dates_module
from archiver.normalize import eras as eras_module
from archiver.normalize import numerals as numerals_module
from archiver.normalize.eras import ERAS

NOW = datetime(2022, 1, 28, 12, 30, 45, tzinfo=TOKYO)  # a Friday


def T(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, us, tzinfo=TOKYO)


D = date

# (text, expected value, expected precision); parsed with now=NOW.
CASES: list[tuple[str, date | datetime | None, str | None]] = [
    # grandfleet's own form and its neighbours
    ("2022年 1月 27日", D(2022, 1, 27), "day"),
    ("2022年1月27日", D(2022, 1, 27), "day"),
    ("2022年01月27日", D(2022, 1, 27), "day"),
    ("2022年 01月 07日", D(2022, 1, 7), "day"),
    ("2022 年 1 月 27 日", D(2022, 1, 27), "day"),
    ("  2022年 1月 27日  ", D(2022, 1, 27), "day"),
    ("2022年\u30001月\u300027日", D(2022, 1, 27), "day"),
    ("2022年12月31日", D(2022, 12, 31), "day"),
    ("2020年2月29日", D(2020, 2, 29), "day"),
    ("2000年2月29日", D(2000, 2, 29), "day"),
    # weekdays (must agree with the date)
    ("2022年1月27日(木)", D(2022, 1, 27), "day"),
    ("2022年1月27日 (木)", D(2022, 1, 27), "day"),
    ("2022年1月27日（木）", D(2022, 1, 27), "day"),
    ("2022年1月27日（木曜日）", D(2022, 1, 27), "day"),
    ("2022年1月27日(木曜)", D(2022, 1, 27), "day"),
    ("2022年1月27日 木曜日", D(2022, 1, 27), "day"),
    ("2022年1月27日木曜日", D(2022, 1, 27), "day"),
    ("2022年1月27日 (Thu)", D(2022, 1, 27), "day"),
    ("2022年1月27日 Thursday", D(2022, 1, 27), "day"),
    ("2022年1月23日(日)", D(2022, 1, 23), "day"),
    ("2022年1月24日(月)", D(2022, 1, 24), "day"),
    # times
    ("2022年1月27日 10:12", T(2022, 1, 27, 10, 12), "minute"),
    ("2022年1月27日 10:12:34", T(2022, 1, 27, 10, 12, 34), "second"),
    ("2022年1月27日10:12", T(2022, 1, 27, 10, 12), "minute"),
    ("2022年1月27日 0:05", T(2022, 1, 27, 0, 5), "minute"),
    ("2022年1月27日 23:59:59", T(2022, 1, 27, 23, 59, 59), "second"),
    ("2022年1月27日 10時12分", T(2022, 1, 27, 10, 12), "minute"),
    ("2022年1月27日 10時12分34秒", T(2022, 1, 27, 10, 12, 34), "second"),
    ("2022年1月27日10時5分", T(2022, 1, 27, 10, 5), "minute"),
    ("2022年1月27日 9時", T(2022, 1, 27, 9), "hour"),
    ("2022年1月27日 10時半", T(2022, 1, 27, 10, 30), "minute"),
    ("2022年1月27日(木) 10:12", T(2022, 1, 27, 10, 12), "minute"),
    ("2022年1月27日（木） 10時12分", T(2022, 1, 27, 10, 12), "minute"),
    ("2022年1月27日 木曜日 10:12:34", T(2022, 1, 27, 10, 12, 34), "second"),
    ("2022年1月27日 10:12 JST", T(2022, 1, 27, 10, 12), "minute"),
    # 午前/午後, AM/PM, 正午
    ("2022年1月27日 午前10時12分", T(2022, 1, 27, 10, 12), "minute"),
    ("2022年1月27日 午後3時", T(2022, 1, 27, 15), "hour"),
    ("2022年1月27日 午後3:05", T(2022, 1, 27, 15, 5), "minute"),
    ("2022年1月27日 午前0時", T(2022, 1, 27, 0), "hour"),
    ("2022年1月27日 午後0時", T(2022, 1, 27, 12), "hour"),
    ("2022年1月27日 午後12時", T(2022, 1, 27, 12), "hour"),
    ("2022年1月27日 10:12 AM", T(2022, 1, 27, 10, 12), "minute"),
    ("2022年1月27日 10:12 PM", T(2022, 1, 27, 22, 12), "minute"),
    ("2022年1月27日 12:30 AM", T(2022, 1, 27, 0, 30), "minute"),
    ("2022年1月27日 12:30 PM", T(2022, 1, 27, 12, 30), "minute"),
    ("2022年1月27日 10:12 pm", T(2022, 1, 27, 22, 12), "minute"),
    ("2022年1月27日 10:12 p.m.", T(2022, 1, 27, 22, 12), "minute"),
    ("2022年1月27日 PM 3:05", T(2022, 1, 27, 15, 5), "minute"),
    ("2022年1月27日 正午", T(2022, 1, 27, 12), "hour"),
    # separated dates
    ("2022/01/27", D(2022, 1, 27), "day"),
    ("2022/1/27", D(2022, 1, 27), "day"),
    ("2022.01.27", D(2022, 1, 27), "day"),
    ("2022.1.7", D(2022, 1, 7), "day"),
    ("2022-01-27", D(2022, 1, 27), "day"),
    ("2022/01/27 10:12", T(2022, 1, 27, 10, 12), "minute"),
    ("2022/01/27 10:12:34", T(2022, 1, 27, 10, 12, 34), "second"),
    ("2022/01/27(木) 10:12:34", T(2022, 1, 27, 10, 12, 34), "second"),
    ("2022/01/27(木)10:12:34", T(2022, 1, 27, 10, 12, 34), "second"),
    ("2022/01/27(木) 10:12:34.56", T(2022, 1, 27, 10, 12, 34, 560000), "second"),
    ("2022.01.27 (木) 10時12分", T(2022, 1, 27, 10, 12), "minute"),
    ("2022-01-27 10:12", T(2022, 1, 27, 10, 12), "minute"),
    ("2022/01/27 木曜日", D(2022, 1, 27), "day"),
    ("2022/01/27 午後3時", T(2022, 1, 27, 15), "hour"),
    # full-width
    ("２０２２年１月２７日", D(2022, 1, 27), "day"),
    ("２０２２年　１月　２７日", D(2022, 1, 27), "day"),
    ("２０２２／０１／２７", D(2022, 1, 27), "day"),
    ("２０２２．１．２７", D(2022, 1, 27), "day"),
    ("２０２２年１月２７日（木）　１０：１２", T(2022, 1, 27, 10, 12), "minute"),
    ("２０２２−０１−２７", D(2022, 1, 27), "day"),
    # kanji numerals
    ("二〇二二年一月二十七日", D(2022, 1, 27), "day"),
    ("二〇二二年十二月三十一日", D(2022, 12, 31), "day"),
    ("二千二十二年一月二十七日", D(2022, 1, 27), "day"),
    ("二○二二年一月二十七日", D(2022, 1, 27), "day"),
    ("二〇二二年一月二十七日 午前十時十二分", T(2022, 1, 27, 10, 12), "minute"),
    ("令和四年一月二十七日", D(2022, 1, 27), "day"),
    ("一月二十七日", D(2022, 1, 27), "day"),
    ("二十七日", D(2022, 1, 27), "day"),
    # eras
    ("令和4年1月27日", D(2022, 1, 27), "day"),
    ("令和 4年 1月 27日", D(2022, 1, 27), "day"),
    ("令和元年5月1日", D(2019, 5, 1), "day"),
    ("令和1年5月1日", D(2019, 5, 1), "day"),
    ("平成31年4月30日", D(2019, 4, 30), "day"),
    ("平成元年1月8日", D(1989, 1, 8), "day"),
    ("昭和64年1月7日", D(1989, 1, 7), "day"),
    ("昭和元年12月25日", D(1926, 12, 25), "day"),
    ("大正15年12月25日", D(1926, 12, 25), "day"),
    ("大正元年7月30日", D(1912, 7, 30), "day"),
    ("明治45年7月30日", D(1912, 7, 30), "day"),
    ("明治6年1月1日", D(1873, 1, 1), "day"),
    ("令和4年1月27日(木) 10:12", T(2022, 1, 27, 10, 12), "minute"),
    ("R4.1.27", D(2022, 1, 27), "day"),
    ("R04.01.27", D(2022, 1, 27), "day"),
    ("R4/1/27", D(2022, 1, 27), "day"),
    ("H31.4.30", D(2019, 4, 30), "day"),
    ("S64.1.7", D(1989, 1, 7), "day"),
    ("T15.12.25", D(1926, 12, 25), "day"),
    ("M45.7.29", D(1912, 7, 29), "day"),
    ("Ｒ４．１．２７", D(2022, 1, 27), "day"),
    ("令和4.1.27", D(2022, 1, 27), "day"),
    # ISO 8601
    ("2022-01-27T10:12:34+09:00", T(2022, 1, 27, 10, 12, 34), "second"),
    ("2022-01-27T10:12+09:00", T(2022, 1, 27, 10, 12), "minute"),
    ("2022-01-27T01:12:34Z", T(2022, 1, 27, 10, 12, 34), "second"),
    ("2022-01-27T01:12:34+00:00", T(2022, 1, 27, 10, 12, 34), "second"),
    ("2022-01-26T20:12:34-05:00", T(2022, 1, 27, 10, 12, 34), "second"),
    ("2022-01-27T10:12:34.123456+09:00", T(2022, 1, 27, 10, 12, 34, 123456), "second"),
    ("2022-01-27T10:12:34", T(2022, 1, 27, 10, 12, 34), "second"),
    ("2022-01-27 10:12:34 +0900", T(2022, 1, 27, 10, 12, 34), "second"),
    ("2022-01-27T10:12:34+0900", T(2022, 1, 27, 10, 12, 34), "second"),
    ("2022-01-26T15:30:00Z", T(2022, 1, 27, 0, 30), "second"),
    # RFC 822 / RSS
    ("Thu, 27 Jan 2022 01:12:34 +0000", T(2022, 1, 27, 10, 12, 34), "second"),
    ("Thu, 27 Jan 2022 10:12:34 +0900", T(2022, 1, 27, 10, 12, 34), "second"),
    ("Thu, 27 Jan 2022 01:12:34 GMT", T(2022, 1, 27, 10, 12, 34), "second"),
    ("Wed, 26 Jan 2022 20:12:34 EST", T(2022, 1, 27, 10, 12, 34), "second"),
    ("27 Jan 2022 10:12 JST", T(2022, 1, 27, 10, 12), "minute"),
    ("Thu, 27 Jan 2022 10:12:34", T(2022, 1, 27, 10, 12, 34), "second"),
    # relative (now = 2022-01-28 12:30:45, Friday)
    ("たった今", T(2022, 1, 28, 12, 30, 45), "minute"),
    ("30秒前", T(2022, 1, 28, 12, 30, 15), "second"),
    ("5分前", T(2022, 1, 28, 12, 25, 45), "minute"),
    ("5 分前", T(2022, 1, 28, 12, 25, 45), "minute"),
    ("3時間前", T(2022, 1, 28, 9, 30, 45), "hour"),
    ("約3時間前", T(2022, 1, 28, 9, 30, 45), "hour"),
    ("13時間前", T(2022, 1, 27, 23, 30, 45), "hour"),
    ("三時間前", T(2022, 1, 28, 9, 30, 45), "hour"),
    ("2日前", D(2022, 1, 26), "day"),
    ("30日前", D(2021, 12, 29), "day"),
    ("1週間前", D(2022, 1, 21), "day"),
    ("2週間前", D(2022, 1, 14), "day"),
    ("1ヶ月前", D(2021, 12, 28), "day"),
    ("1か月前", D(2021, 12, 28), "day"),
    ("1カ月前", D(2021, 12, 28), "day"),
    ("1ヵ月前", D(2021, 12, 28), "day"),
    ("1ケ月前", D(2021, 12, 28), "day"),
    ("一ヶ月前", D(2021, 12, 28), "day"),
    ("11ヶ月前", D(2021, 2, 28), "day"),
    ("1年前", D(2021, 1, 28), "day"),
    ("２年前", D(2020, 1, 28), "day"),
    ("今日", D(2022, 1, 28), "day"),
    ("本日", D(2022, 1, 28), "day"),
    ("昨日", D(2022, 1, 27), "day"),
    ("一昨日", D(2022, 1, 26), "day"),
    ("おととい", D(2022, 1, 26), "day"),
    ("先週", D(2022, 1, 21), "day"),
    ("今日 10:12", T(2022, 1, 28, 10, 12), "minute"),
    ("昨日 10:12", T(2022, 1, 27, 10, 12), "minute"),
    ("昨日 23時5分", T(2022, 1, 27, 23, 5), "minute"),
    ("一昨日 午後3時", T(2022, 1, 26, 15), "hour"),
    # the same in English, as plugins print them untranslated (wpDiscuz)
    ("just now", T(2022, 1, 28, 12, 30, 45), "minute"),
    ("30 seconds ago", T(2022, 1, 28, 12, 30, 15), "second"),
    ("5 mins ago", T(2022, 1, 28, 12, 25, 45), "minute"),
    ("an hour ago", T(2022, 1, 28, 11, 30, 45), "hour"),
    ("3 hours ago", T(2022, 1, 28, 9, 30, 45), "hour"),
    ("2 Days Ago", D(2022, 1, 26), "day"),
    ("a week ago", D(2022, 1, 21), "day"),
    ("1 month ago", D(2021, 12, 28), "day"),
    ("2 years ago", D(2020, 1, 28), "day"),
    ("hours ago", None, None),
    ("3 hours", None, None),
    ("3 fortnights ago", None, None),
    # month-day without a year: most recent not after now
    ("1月27日", D(2022, 1, 27), "day"),
    ("1月28日", D(2022, 1, 28), "day"),
    ("1月29日", D(2021, 1, 29), "day"),
    ("12月31日", D(2021, 12, 31), "day"),
    ("1月28日 12:30", T(2022, 1, 28, 12, 30), "minute"),
    ("1月28日 12:31", T(2021, 1, 28, 12, 31), "minute"),
    ("2月29日", D(2020, 2, 29), "day"),
    ("1月27日(木)", D(2022, 1, 27), "day"),
    ("27日", D(2022, 1, 27), "day"),
    ("29日", D(2021, 12, 29), "day"),
    ("31日", D(2021, 12, 31), "day"),
    # labels
    ("投稿日：2022年1月27日", D(2022, 1, 27), "day"),
    ("投稿日:2022年1月27日", D(2022, 1, 27), "day"),
    ("投稿日 2022/01/27", D(2022, 1, 27), "day"),
    ("更新日 2022.01.28", D(2022, 1, 28), "day"),
    ("公開日:2022/1/27 10:12", T(2022, 1, 27, 10, 12), "minute"),
    ("最終更新日：2022年1月28日", D(2022, 1, 28), "day"),
    ("投稿日時：2022年1月27日 10:12", T(2022, 1, 27, 10, 12), "minute"),
    ("Posted on 2022-01-27", D(2022, 1, 27), "day"),
    ("2022年1月27日に投稿", D(2022, 1, 27), "day"),
    ("[2022/01/27 10:12]", T(2022, 1, 27, 10, 12), "minute"),
    ("（2022年1月27日）", D(2022, 1, 27), "day"),
    ("【2022.01.27】", D(2022, 1, 27), "day"),
    # invalid: impossible calendar dates in every script
    ("2022年2月30日", None, None),
    ("2023年2月29日", None, None),
    ("1900年2月29日", None, None),
    ("2022年4月31日", None, None),
    ("2022/02/30", None, None),
    ("２０２２年２月３０日", None, None),
    ("二〇二二年二月三十日", None, None),
    ("令和5年2月29日", None, None),
    ("2022年13月1日", None, None),
    ("13月1日", None, None),
    ("0月1日", None, None),
    ("2022年0月10日", None, None),
    ("2022年1月0日", None, None),
    ("2022年1月32日", None, None),
    ("2月30日", None, None),
    ("32日", None, None),
    ("0日", None, None),
    # invalid: eras
    ("平成31年5月1日", None, None),
    ("令和1年4月30日", None, None),
    ("令和0年5月1日", None, None),
    ("H31.5.1", None, None),
    ("R1.4.30", None, None),
    ("昭和64年1月8日", None, None),
    ("平成元年1月7日", None, None),
    ("明治5年12月2日", None, None),
    ("大正16年1月1日", None, None),
    ("X4.1.27", None, None),
    # invalid: times
    ("2022年1月27日 25:00", None, None),
    ("2022年1月27日 24:00", None, None),
    ("2022年1月27日 10:60", None, None),
    ("2022年1月27日 10:12:60", None, None),
    ("2022年1月27日 25時", None, None),
    ("2022年1月27日 10時60分", None, None),
    ("2022年1月27日 午後13時", None, None),
    ("2022年1月27日 午前10:12 PM", None, None),
    ("2022年1月27日 午後正午", None, None),
    ("2022-01-27T10:12:34+15:00", None, None),
    ("2022-01-27+09:00", None, None),
    # invalid: contradictions, ambiguity, junk
    ("2022年1月27日(金)", None, None),
    ("2022/01/27(月) 10:12", None, None),
    ("Fri, 27 Jan 2022 01:12:34 +0000", None, None),
    ("1月27日(金)", None, None),
    ("2022", None, None),
    ("20220127", None, None),
    ("22/01/27", None, None),
    ("1/27", None, None),
    ("2022年1月", None, None),
    ("2022-01-2710:12", None, None),
    ("2022/01-27", None, None),
    ("10:12", None, None),
    ("----年--月--日", None, None),
    ("○月○日", None, None),
    ("不明", None, None),
    ("N/A", None, None),
    ("-", None, None),
    ("返信", None, None),
    ("コメント", None, None),
    ("投稿日", None, None),
    ("", None, None),
    ("   ", None, None),
    ("\u3000", None, None),
    ("2022年1月27日 2022年1月28日", None, None),
    ("2022/01/27 2022/01/28", None, None),
    ("2022年1月27日〜1月28日", None, None),
    ("二二十日", None, None),
    ("先週 10:12", None, None),
    ("1月前", None, None),
    ("3日後", None, None),
    ("Thu, 27 Foo 2022 01:12:34 +0000", None, None),
    ("2022年1月27日" * 20, None, None),
]


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 150


@pytest.mark.parametrize(("text", "expected", "precision"), CASES)
def test_table(text: str, expected: date | datetime | None, precision: str | None) -> None:
    parsed = parse_japanese_date_with_precision(text, NOW)
    if expected is None:
        assert parsed is None
        assert parse_japanese_date(text, NOW) is None
        return
    assert parsed == ParsedDate(expected, precision)
    # Type matters as much as value: a date only when no time was shown.
    assert type(parsed.value) is type(expected)
    if isinstance(expected, datetime):
        assert parsed.value.tzinfo is TOKYO
        assert parsed.value.utcoffset() == timedelta(hours=9)
    assert parse_japanese_date(text, NOW) == expected


RELATIVE = [
    "たった今",
    "3時間前",
    "3 hours ago",
    "2日前",
    "1ヶ月前",
    "今日",
    "昨日 10:12",
    "1月27日",
    "27日",
    "先週",
]


@pytest.mark.parametrize("text", RELATIVE)
def test_relative_forms_need_a_reference_time(text: str) -> None:
    assert parse_japanese_date(text) is None
    assert parse_japanese_date(text, NOW) is not None


def test_absolute_forms_ignore_the_reference_time() -> None:
    assert parse_japanese_date("2022年 1月 27日") == D(2022, 1, 27)
    assert parse_japanese_date("2022年 1月 27日", NOW) == D(2022, 1, 27)


def test_naive_now_is_tokyo_time_and_aware_now_is_converted() -> None:
    naive = datetime(2022, 1, 28, 12, 30, 45)
    utc = datetime(2022, 1, 28, 3, 30, 45, tzinfo=UTC)
    for now in (naive, utc):
        assert parse_japanese_date("3時間前", now) == T(2022, 1, 28, 9, 30, 45)
    # 2022-01-27 20:00 UTC is already the 28th in Tokyo.
    late_utc = datetime(2022, 1, 27, 20, 0, tzinfo=UTC)
    assert parse_japanese_date("今日", late_utc) == D(2022, 1, 28)


def test_months_ago_clamps_to_month_end() -> None:
    march_31 = datetime(2022, 3, 31, 9, 0)
    assert parse_japanese_date("1ヶ月前", march_31) == D(2022, 2, 28)
    assert parse_japanese_date("13ヶ月前", march_31) == D(2021, 2, 28)
    assert parse_japanese_date("1年前", datetime(2024, 2, 29)) == D(2023, 2, 28)
    assert parse_japanese_date("25ヶ月前", datetime(2024, 1, 15)) == D(2021, 12, 15)


def test_february_29_without_year_takes_the_latest_leap_year() -> None:
    assert parse_japanese_date("2月29日", datetime(2024, 2, 29, 0, 0)) == D(2024, 2, 29)
    assert parse_japanese_date("2月29日", datetime(2024, 2, 28, 23, 59)) == D(2020, 2, 29)
    assert parse_japanese_date("2月29日", datetime(2103, 6, 1)) == D(2096, 2, 29)


def test_relative_out_of_range_is_none() -> None:
    assert parse_japanese_date("999999年前", NOW) is None
    assert parse_japanese_date("999999日前", NOW) is None


def test_non_strings_are_none() -> None:
    assert parse_japanese_date(None) is None
    assert parse_japanese_date(20220127) is None  # type: ignore[arg-type]


def test_postwar_summer_time_is_respected() -> None:
    # Tokyo kept summer time (+10:00) in 1948-1951; the offset must come from zoneinfo.
    value = parse_japanese_date("1950-07-01T01:00:00Z")
    assert value == T(1950, 7, 1, 11, 0)
    assert value.utcoffset() == timedelta(hours=10)


def test_cached_and_uncached_paths_agree() -> None:
    for text, _expected, _precision in CASES:
        assert dates_module._analyze(text) == dates_module._analyze_cached(text)


@pytest.mark.parametrize("module", [dates_module, eras_module, numerals_module])
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module, raise_on_error=False)  # type: ignore[arg-type]
    assert result.failed == 0
    assert result.attempted > 0


# ---------------------------------------------------------------------------
# Properties: every real date in every supported style parses back to itself.

WEEKDAYS_JA = "月火水木金土日"
KANJI_DIGITS = "〇一二三四五六七八九"


def kanji_small(n: int) -> str:
    """1..99 in the multiplicative style: 二十七, 十, 三."""
    tens, ones = divmod(n, 10)
    text = ("" if tens == 0 else ("" if tens == 1 else KANJI_DIGITS[tens]) + "十") + (
        KANJI_DIGITS[ones] if ones else ""
    )
    return text


def kanji_positional(n: int) -> str:
    return "".join(KANJI_DIGITS[int(ch)] for ch in str(n))


def fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


DATE_STYLES = [
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}年 {d.month}月 {d.day}日",
    lambda d: f"{d.year}年{d.month:02}月{d.day:02}日",
    lambda d: f"{d.year}年{d.month}月{d.day}日({WEEKDAYS_JA[d.weekday()]})",
    lambda d: f"{d.year}年{d.month}月{d.day}日 {WEEKDAYS_JA[d.weekday()]}曜日",
    lambda d: f"{d.year}/{d.month:02}/{d.day:02}",
    lambda d: f"{d.year}/{d.month}/{d.day}({WEEKDAYS_JA[d.weekday()]})",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}-{d.month:02}-{d.day:02}",
    lambda d: fullwidth(f"{d.year}年{d.month}月{d.day}日"),
    lambda d: fullwidth(f"{d.year}/{d.month:02}/{d.day:02}"),
    lambda d: f"{kanji_positional(d.year)}年{kanji_small(d.month)}月{kanji_small(d.day)}日",
    lambda d: f"投稿日：{d.year}年{d.month}月{d.day}日",
]

DATETIME_STYLES = [
    (lambda t: f"{t.year}年{t.month}月{t.day}日 {t.hour}:{t.minute:02}:{t.second:02}", "second"),
    (lambda t: f"{t.year}年{t.month}月{t.day}日 {t.hour}:{t.minute:02}", "minute"),
    (lambda t: f"{t.year}年{t.month}月{t.day}日 {t.hour}時{t.minute}分{t.second}秒", "second"),
    (lambda t: f"{t.year}年{t.month}月{t.day}日 {t.hour}時{t.minute}分", "minute"),
    (lambda t: f"{t.year}年{t.month}月{t.day}日 {t.hour}時", "hour"),
    (
        lambda t: (
            f"{t.year}年{t.month}月{t.day}日 {'午後' if t.hour >= 12 else '午前'}"
            f"{t.hour % 12}時{t.minute}分"
        ),
        "minute",
    ),
    (
        lambda t: (
            f"{t.year}/{t.month:02}/{t.day:02} {(t.hour + 11) % 12 + 1}:{t.minute:02} "
            f"{'PM' if t.hour >= 12 else 'AM'}"
        ),
        "minute",
    ),
    (
        lambda t: f"{t.year}/{t.month:02}/{t.day:02}({WEEKDAYS_JA[t.weekday()]}) {t:%H:%M:%S}",
        "second",
    ),
    (lambda t: f"{t.year}-{t.month:02}-{t.day:02}T{t:%H:%M:%S}", "second"),
    (lambda t: fullwidth(f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}"), "minute"),
]

TRUNCATE = {
    "second": lambda t: t,
    "minute": lambda t: t.replace(second=0),
    "hour": lambda t: t.replace(minute=0, second=0),
}

gregorian_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
gregorian_times = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31, 23, 59, 59)
).map(lambda t: t.replace(microsecond=0))


@settings(max_examples=300, deadline=None)
@given(gregorian_dates, st.sampled_from(DATE_STYLES))
def test_any_date_in_any_style_round_trips(day: date, style) -> None:
    assert parse_japanese_date_with_precision(style(day)) == ParsedDate(day, "day")


@settings(max_examples=300, deadline=None)
@given(gregorian_times, st.sampled_from(DATETIME_STYLES))
def test_any_datetime_in_any_style_round_trips(moment: datetime, style_and_precision) -> None:
    style, precision = style_and_precision
    expected = TRUNCATE[precision](moment).replace(tzinfo=TOKYO)
    parsed = parse_japanese_date_with_precision(style(moment))
    assert parsed == ParsedDate(expected, precision)
    assert parsed.value.tzinfo is TOKYO


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1952, 1, 1), max_value=datetime(2100, 12, 31, 23, 59, 59)).map(
        lambda t: t.replace(microsecond=0, tzinfo=TOKYO)
    ),
    st.sampled_from(
        [
            lambda t: t.isoformat(),
            lambda t: t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            lambda t: t.astimezone(timezone(timedelta(hours=-5))).isoformat(),
            lambda t: t.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000"),
            lambda t: t.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT"),
        ]
    ),
)
def test_offsets_convert_to_tokyo(moment: datetime, style) -> None:
    parsed = parse_japanese_date_with_precision(style(moment))
    assert parsed == ParsedDate(moment, "second")
    assert parsed.value.utcoffset() == timedelta(hours=9)


@st.composite
def era_dates(draw):
    era = draw(st.sampled_from(ERAS))
    end = era.valid_to or date(2100, 12, 31)
    day = draw(st.dates(min_value=era.valid_from, max_value=end))
    return era, day


@settings(max_examples=300, deadline=None)
@given(era_dates(), st.integers(min_value=0, max_value=3))
def test_any_era_date_round_trips(era_and_day, style: int) -> None:
    era, day = era_and_day
    year = day.year - era.first_year + 1
    year_text = "元" if year == 1 and style == 1 else str(year)
    text = [
        f"{era.name}{year}年{day.month}月{day.day}日",
        f"{era.name}{year_text}年{day.month}月{day.day}日",
        f"{era.initial}{year}.{day.month}.{day.day}",
        f"{era.name}{kanji_small(year)}年{kanji_small(day.month)}月{kanji_small(day.day)}日",
    ][style]
    assert parse_japanese_date(text) == day


@settings(max_examples=300, deadline=None)
@given(era_dates())
def test_era_years_past_the_era_end_are_refused(era_and_day) -> None:
    era, day = era_and_day
    if era.valid_to is None:
        return
    year = day.year - era.first_year + 1
    after = era.valid_to + timedelta(days=1)
    after_year = after.year - era.first_year + 1
    assert parse_japanese_date(f"{era.name}{after_year}年{after.month}月{after.day}日") is None
    assert parse_japanese_date(f"{era.name}{year}年{day.month}月{day.day}日") == day


DATE_ALPHABET = (
    "0123456789０１２３４５６７８９年月日時分秒〇一二三四五六七八九十百千元"
    " \u3000/.-:：（）()午前後正令和平成昭RHST曜木金前今昨約ヶ週間+Z"
)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    result = parse_japanese_date_with_precision(text, NOW)
    assert result is None or isinstance(result, ParsedDate)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=DATE_ALPHABET, max_size=30))
def test_date_like_text_never_raises_and_never_leaves_the_calendar(text: str) -> None:
    result = parse_japanese_date_with_precision(text, NOW)
    if result is not None:
        assert result.precision in ("day", "hour", "minute", "second")
        if isinstance(result.value, datetime):
            assert result.value.tzinfo is TOKYO
        else:
            assert result.precision == "day"


def test_weekday_of_a_yearless_date_is_checked_against_the_written_day() -> None:
    # 23:00 UTC on Thursday the 27th is Friday 08:00 in Tokyo; (木) names the written day,
    # exactly as it does when the year is shown.
    with_year = parse_japanese_date("2022年1月27日(木) 23:00 UTC", NOW)
    assert with_year == T(2022, 1, 28, 8, 0)
    assert parse_japanese_date("1月27日(木) 23:00 UTC", NOW) == with_year
    assert parse_japanese_date("1月27日(金) 23:00 UTC", NOW) is None
