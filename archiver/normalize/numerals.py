"""Full-width characters and kanji numerals, rewritten to the ASCII the parsers expect.

Japanese pages mix ``２０２２``, ``2022`` and ``二〇二二`` freely, sometimes in one string.
Rewriting everything to ASCII digits first lets one set of precompiled regexes serve all
scripts. ``str.translate`` does the full-width part in one C-level pass, which is why this
is a table and not a chain of ``replace`` calls.
"""

from __future__ import annotations

import re

# U+FF01..U+FF5E are the full-width twins of ASCII U+0021..U+007E, at a fixed distance.
FULLWIDTH_TO_ASCII: dict[int, int | str] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
FULLWIDTH_TO_ASCII[0x3000] = " "  # ideographic space
FULLWIDTH_TO_ASCII[0x00A0] = " "  # no-break space, common in WordPress output
for _dash in (0x2010, 0x2011, 0x2012, 0x2013, 0x2212, 0xFE63):  # hyphens, en dash, minus
    FULLWIDTH_TO_ASCII[_dash] = "-"
del _dash
# For dates: also ○ (circle), routinely typed for 〇 (zero) in kanji numerals.
DATE_TEXT_TO_ASCII = dict(FULLWIDTH_TO_ASCII)
DATE_TEXT_TO_ASCII[0x25CB] = "〇"

_KANJI_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_RUN = re.compile("[〇零一二三四五六七八九十百千]+")


def kanji_to_int(run: str) -> int | None:
    """Read one run of kanji numerals, or None if it is not a well-formed number.

    Two systems exist and both occur in dates: positional (``二〇二二`` = 2022, the way
    years are often typeset vertically) and multiplicative (``二十七`` = 27,
    ``二千二十二`` = 2022). A malformed run such as ``二二十`` or ``十百`` is refused
    rather than read some way that might be wrong.

    >>> kanji_to_int("二〇二二"), kanji_to_int("二十七"), kanji_to_int("十"), kanji_to_int("二二十")
    (2022, 27, 10, None)
    """
    if not any(ch in _KANJI_UNITS for ch in run):
        return int("".join(str(_KANJI_DIGITS[ch]) for ch in run))
    total = 0
    digit: int | None = None
    last_unit = 10_000
    for ch in run:
        if ch in _KANJI_UNITS:
            unit = _KANJI_UNITS[ch]
            if unit >= last_unit:  # units must descend: 千 > 百 > 十, each at most once
                return None
            total += (1 if digit is None else digit) * unit
            digit = None
            last_unit = unit
        else:
            if digit is not None:  # two digits in a row inside a 十/百/千 numeral
                return None
            digit = _KANJI_DIGITS[ch]
            if digit == 0:  # 〇 has no place in the multiplicative system
                return None
    if digit is not None:
        total += digit
    return total


def _replace_run(match: re.Match[str]) -> str:
    value = kanji_to_int(match.group())
    # A malformed run stays as kanji, so the date regexes cannot match it.
    return match.group() if value is None else str(value)


def kanji_numerals_to_ascii(text: str) -> str:
    """Replace every run of kanji numerals in ``text`` by its ASCII digits.

    >>> kanji_numerals_to_ascii("二〇二二年一月二十七日")
    '2022年1月27日'
    """
    return _KANJI_RUN.sub(_replace_run, text)
