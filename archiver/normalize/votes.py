"""Vote / like counter text (``25``, ``👍 1.2k``, ``いいね！3.4万``) to an exact integer.

Counters are charted and summed, so the rule is the same as for dates: exactly one
number, read exactly, or None. Labels, emoji, brackets and counter words around the
number are dropped; two numbers (``12 34``, ``3/5``), a bare decimal (``1.5``), malformed
thousands separators (``1,23``), a sign with a gap before the number or a 十/百 beside it
(``1千2百``: only 千, 万 and 億 are read) are refused.
Multipliers use integer arithmetic, never floats, so ``1.25k`` is exactly 1250 and
``1.2345k`` (not a whole number) is None.
"""

from __future__ import annotations

import re
from functools import lru_cache

from archiver.normalize.numerals import FULLWIDTH_TO_ASCII

# Past this, the text is not a counter; it also keeps int() far from its digit limit.
MAX_DIGITS = 30

_SUFFIX_MULTIPLIERS = {"k": 1_000, "K": 1_000, "M": 1_000_000}
_KANJI_MULTIPLIERS = {"千": 1_000, "万": 10_000, "億": 100_000_000}

_NEEDS_TRANSLATE = re.compile("[\uff01-\uff5e\u3000\u00a0\u2010-\u2013\u2212\ufe63]")
_PLAIN = re.compile(r"[+-]?\d{1,30}")
_NUMBER = r"\d[\d,]*(?:\.\d+)?"
# A stray separator beside the number is malformed, and 十/百 would change the number they
# touch (1千2百 is 1200): none of them may pass for a label.
_NOISE = r"[^\d+\-十百千万億,.]*"
_TOKEN = re.compile(
    rf"""
    {_NOISE}
    (?P<sign>[+-])?
    (?P<body>
        {_NUMBER}[億万千][\d,.億万千]*  # checked by _compound
      | {_NUMBER}(?P<suffix>[kKM](?![A-Za-z]))?
    )
    {_NOISE}
    """,
    re.X,
)
_SINGLE_UNIT = re.compile(rf"({_NUMBER})([億万千])")
_SECTION = r"(?:(\d[\d,]*)千)?(\d[\d,]*)?"
_COMPOUND = re.compile(rf"(?:{_SECTION}億)?(?:{_SECTION}万)?{_SECTION}")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")


def parse_vote_count(text: str | None) -> int | None:
    """The one integer a vote counter shows, or None.

    >>> [parse_vote_count(t) for t in ["25", "１，２３４", "👍 12", "1.2k", "1万2千", "−2"]]
    [25, 1234, 12, 1200, 12000, -2]
    >>> [parse_vote_count(t) for t in ["", "1.5", "12 34", "1,23", "万", None]]
    [None, None, None, None, None, None]
    """
    if not isinstance(text, str):
        return None
    return _parse_cached(text)


def _parse(text: str) -> int | None:
    s = text
    if not s.isascii() and _NEEDS_TRANSLATE.search(s) is not None:
        s = s.translate(FULLWIDTH_TO_ASCII)
    s = s.strip()
    if _PLAIN.fullmatch(s) is not None:  # the common case: the counter shows "25"
        return int(s)
    # Outside the number: no digit (a second number), no loose sign, kanji numeral unit,
    # comma or point (we would be guessing what they belong to); the rest is a label,
    # emoji or bracket.
    match = _TOKEN.fullmatch(s)
    if match is None:
        return None
    sign, body, suffix = match.group("sign", "body", "suffix")
    if suffix is None and body.isdigit():
        value = int(body) if len(body) <= MAX_DIGITS else None
    else:
        value = _token_value(body, suffix)
    if value is None:
        return None
    return -value if sign == "-" else value


_parse_cached = lru_cache(maxsize=4096)(_parse)


def parse_down_vote_count(text: str | None) -> int | None:
    """How many down votes a dislike counter shows, or None: a count, never negative.

    Down counters print their count with a minus (Thumbs Rating's ``-0``, wp-ulike's
    formatted dislikes) or without one (Comments Like Dislike's ``3``); both are the
    number of votes, read by :func:`parse_vote_count` with the same rules.

    >>> [parse_down_vote_count(t) for t in ["-0", "-3", "3", "−12", "👎 1.2k"]]
    [0, 3, 3, 12, 1200]
    >>> [parse_down_vote_count(t) for t in ["", "- 3", "3/5", None]]
    [None, None, None, None]
    """
    value = parse_vote_count(text)
    return None if value is None else abs(value)


def _token_value(body: str, suffix: str | None) -> int | None:
    if suffix is not None:
        return _scaled(body[:-1], _SUFFIX_MULTIPLIERS[suffix])
    if body[-1] in _KANJI_MULTIPLIERS:
        single = _SINGLE_UNIT.fullmatch(body)
        if single is not None:  # 3.4万, 12千, 1,200万
            return _scaled(single[1], _KANJI_MULTIPLIERS[single[2]])
    if "千" in body or "万" in body or "億" in body:
        return _compound(body)
    return _scaled(body, 1)


def _scaled(number: str, multiplier: int) -> int | None:
    """``number`` (digits, maybe separators and a decimal part) times ``multiplier``, exactly."""
    whole, _, fraction = number.partition(".")
    if "," in whole:
        if _THOUSANDS.fullmatch(whole) is None:
            return None
        whole = whole.replace(",", "")
    if len(whole) + len(fraction) > MAX_DIGITS:
        return None
    scale = 10 ** len(fraction)
    product = int(whole + fraction) * multiplier
    if product % scale:
        return None  # 1.5 with no multiplier, or 1.2345k: not a whole count
    return product // scale


def _compound(body: str) -> int | None:
    """Read ``1万2千``, ``2億3000万``, ``1万2000``, ``3千500`` the Japanese way.

    Numbers are grouped by 万 and 億; each group below the first must be under 10000,
    written as digits or as ``N千`` plus digits under 1000. No decimals here: ``1.5万2千``
    is not a way anyone writes a number.
    """
    match = _COMPOUND.fullmatch(body)
    if match is None:
        return None
    total = 0
    first = True
    for index, multiplier in ((0, 100_000_000), (2, 10_000), (4, 1)):
        thousands, rest = match.group(index + 1, index + 2)
        if thousands is None and rest is None:
            if multiplier > 1 and "億万"[index // 2] in body:
                return None  # a unit with no number before it: 1億万
            continue
        group = 0
        if thousands is not None:
            value = _scaled(thousands, 1)
            if value is None or value > 9:
                return None
            group = value * 1_000
        if rest is not None:
            value = _scaled(rest, 1)
            if value is None or (thousands is not None and value >= 1_000):
                return None
            group += value
        if not first and group >= 10_000:
            return None
        first = False
        total += group * multiplier
    return total
