"""Vote-count normalizer: a table of counter texts, the invalid classes, properties."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archiver.normalize import parse_vote_count
from archiver.normalize import votes as votes_module

CASES: list[tuple[str | None, int | None]] = [
    # plain integers
    ("0", 0),
    ("3", 3),
    ("25", 25),
    ("1234", 1234),
    ("007", 7),
    # thousands separators
    ("1,234", 1234),
    ("12,345", 12345),
    ("1,234,567", 1234567),
    ("1，234", 1234),
    ("１，２３４", 1234),
    # full-width digits and spaces
    ("２５", 25),
    ("０", 0),
    (" 25 ", 25),
    ("\u300025\u3000", 25),
    ("\t12\n", 12),
    # multipliers, exact
    ("1k", 1000),
    ("1.2k", 1200),
    ("1.2K", 1200),
    ("1.25k", 1250),
    ("12.5k", 12500),
    ("2M", 2000000),
    ("1.5M", 1500000),
    ("1,234.5k", 1234500),
    ("3千", 3000),
    ("12千", 12000),
    ("3万", 30000),
    ("3.4万", 34000),
    ("１．２ｋ", 1200),
    ("３．４万", 34000),
    ("1億", 100000000),
    ("1万2千", 12000),
    ("1万2000", 12000),
    ("1万2千500", 12500),
    ("3千500", 3500),
    ("2億3000万", 230000000),
    ("2億3千万", 230000000),
    # signs
    ("+3", 3),
    ("-2", -2),
    ("−2", -2),
    ("＋３", 3),
    ("－２", -2),
    ("-1.2k", -1200),
    ("+0", 0),
    # labels, emoji, brackets, counter words
    ("👍 12", 12),
    ("👍12", 12),
    ("いいね！5", 5),
    ("いいね 5", 5),
    ("12票", 12),
    ("12 votes", 12),
    ("（7）", 7),
    ("(7)", 7),
    ("[3]", 3),
    ("Good 4", 4),
    ("Like 9", 9),
    ("❤ 1.2k", 1200),
    ("いいね数：25", 25),
    # invalid
    (None, None),
    ("", None),
    ("   ", None),
    ("\u3000", None),
    ("いいね", None),
    ("12 34", None),
    ("3/5", None),
    ("1-2", None),
    ("1.5", None),
    ("0.5", None),
    ("1.2345k", None),
    ("1.00001万", None),
    ("1,23", None),
    ("12,,345", None),
    ("1,2345", None),
    ("1,234,56", None),
    (",123", None),
    (".5", None),
    ("12.", None),
    ("1,234,", None),
    ("+", None),
    ("-", None),
    ("k", None),
    ("万", None),
    ("1億万", None),
    ("1万20000", None),
    ("3千5000", None),
    ("1万2万", None),
    ("1千2千", None),
    ("1.5万2千", None),
    ("99+", None),
    ("10k+", None),
    ("- 2", None),
    ("+ 3", None),
    ("1.5.3", None),
    ("v2 12", None),
    ("1" * 40, None),
]


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 50


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_table(text: str | None, expected: int | None) -> None:
    assert parse_vote_count(text) == expected
    if text is not None:
        assert votes_module._parse(text) == expected  # the uncached path agrees


def test_docstring_examples() -> None:
    result = doctest.testmod(votes_module, raise_on_error=False)
    assert result.failed == 0
    assert result.attempted > 0


def fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(min_value=0, max_value=6))
def test_any_integer_in_any_style_round_trips(n: int, style: int) -> None:
    text = [
        str(n),
        f"{n:,}",
        fullwidth(f"{n:,}"),
        f"  {n}\u3000",
        f"👍 {n}",
        f"{n}票",
        f"[{n}]",
    ][style]
    assert parse_vote_count(text) == n


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=10**9),
    st.sampled_from([("k", 1000), ("M", 10**6), ("万", 10**4)]),
)
def test_thousandths_times_multiplier_are_exact(milli: int, unit_and_factor) -> None:
    unit, factor = unit_and_factor
    text = f"{milli // 1000}.{milli % 1000:03}{unit}"
    expected_times_1000 = milli * factor
    expected = expected_times_1000 // 1000 if expected_times_1000 % 1000 == 0 else None
    assert parse_vote_count(text) == expected


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    result = parse_vote_count(text)
    assert result is None or isinstance(result, int)


@settings(max_examples=500, deadline=None)
@given(
    st.text(
        alphabet="0123456789０１２３４５６７８９,，.．+-−＋－ \u3000kKM千万億票()[]👍", max_size=20
    )
)
def test_number_like_text_never_raises(text: str) -> None:
    result = parse_vote_count(text)
    assert result is None or isinstance(result, int)


@pytest.mark.parametrize("text", ["1千2百", "1万2千3百", "5十", "十5", "3百票"])
def test_kanji_tens_and_hundreds_beside_the_number_are_refused(text: str) -> None:
    # 十 and 百 change the number they touch (1千2百 is 1200, not 1002): never a label.
    assert parse_vote_count(text) is None
    assert votes_module._parse(text) is None
