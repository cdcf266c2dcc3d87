"""Dates embedded in running text: the words, names and IDs themes print around a date.

Themes and forums rarely give a date field to itself. What a page shows is
``Posted on January 27, 2022 by tofu``, ``2022年1月27日 に投稿``, ``名前:tofu : 投稿日：
2022/01/27(木) 10:12:34 ID：Ab3dE``, ``（2022年2月1日 更新）``, ``10:12 2022/01/27``, or
``令和4年（2022年）1月27日``. :func:`date_candidates` rewrites such a text into the plain
date strings inside it, which :mod:`archiver.normalize.dates` then parses with its strict
whole-string rules. The caller accepts the result only if every candidate names the same
moment: one unambiguous date or None, never a guess.

What is rewritten, and why it is safe:

* an era year beside its Western year, ``令和4年(2022年)`` or ``2022年(令和4年)`` (also
  ``2022(令和4)年``), becomes ``2022年`` only when the two agree; a disagreement makes the
  whole text contradictory (``None``);
* English month names (``January 27, 2022``, ``27 Jan 2022``, ``Jan. 27th, 2022``)
  become ``2022/1/27``; WordPress' untranslated ``at`` between a date and a time is dropped;
* a time written before the date (``10:12 2022/01/27``) is moved after it;
* ``01/27 10:12`` (month/day with a time) becomes ``1月27日 10:12``: only with a time, as a
  bare ``1/27`` may be a fraction. Like ``1月27日`` it needs a reference time to resolve.
"""

from __future__ import annotations

import re

from archiver.normalize.eras import ERA_NAMES, era_date
from archiver.normalize.numerals import DATE_TEXT_TO_ASCII, kanji_numerals_to_ascii

# Longer texts are not a date's surroundings but content (a comment, a paragraph).
MAX_RUNNING_TEXT = 300

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        1,
    )
    for name in names
}
_MONTH_NAME = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORDINAL = r"(?:st|nd|rd|th)?"
_EN_WEEKDAY = r"(?:(?P<wd>mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_ENGLISH_MDY = re.compile(
    rf"(?<![A-Za-z]){_EN_WEEKDAY}{_MONTH_NAME}\s+(?P<d>\d{{1,2}}){_ORDINAL},?\s+(?P<y>\d{{4}})(?!\d)",
    re.I,
)
_ENGLISH_DMY = re.compile(
    rf"(?<![A-Za-z\d]){_EN_WEEKDAY}(?P<d>\d{{1,2}}){_ORDINAL}\s+{_MONTH_NAME},?\s+(?P<y>\d{{4}})(?!\d)",
    re.I,
)
# 令和4年(2022年) / 令和4年（2022） and 2022年(令和4年) / 2022(令和4)年
_ERA_THEN_WESTERN = re.compile(
    rf"(?P<era>{ERA_NAMES})\s*(?P<ey>\d{{1,2}}|元)\s*年?\s*\(\s*(?P<y>\d{{4}})\s*年?\s*\)\s*年?"
)
_WESTERN_THEN_ERA = re.compile(
    rf"(?P<y>\d{{4}})\s*年?\s*\(\s*(?P<era>{ERA_NAMES})\s*(?P<ey>\d{{1,2}}|元)\s*年?\s*\)\s*年?"
)
_AT = re.compile(r"(?<=\d|日|\))\s*,?\s+at\s+(?=\d|午前|午後)", re.I)
_AMPM = r"(?:午前|午後|[AaPp]\.?[Mm]\.?)"
_TIME = (
    rf"(?:{_AMPM}\s*)?\d{{1,2}}(?::\d{{2}}(?::\d{{2}})?|\s*時(?:\s*\d{{1,2}}\s*分"
    rf"(?:\s*\d{{1,2}}\s*秒)?|半)?)(?:\s*{_AMPM}(?![A-Za-z]))?"
    r"(?:\s*(?:JST|UTC|GMT|Z|[+-]\d{2}:?\d{2})(?![A-Za-z]))?"
)
_WEEKDAY = (
    r"(?:\(\s*[月火水木金土日](?:曜日?)?\s*\)|[月火水木金土日]曜日?|\(\s*[A-Za-z]{3,9}\.?\s*\))"
)
_DATE = (
    rf"(?:(?:{ERA_NAMES})\s*(?:\d{{1,2}}|元)|\d{{4}})\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日"
    r"|\d{4}(?P<sep>[/.\-])\d{1,2}(?P=sep)\d{1,2}"
    r"|\d{1,2}\s*月\s*\d{1,2}\s*日"
)
_CANDIDATE = re.compile(
    rf"(?<![\d/.\-])(?P<date>{_DATE})(?![\d/.\-])"
    rf"(?P<after>(?:\s*{_WEEKDAY})?(?:\s*(?:T|,)?\s*{_TIME})?)"
)
_TIME_BEFORE = re.compile(rf"(?:^|(?<=[\s(\[]))(?P<time>{_TIME})\s*,?\s*$")
# 01/27 10:12: month/day only when a time follows (a bare 1/27 may be a fraction).
_MONTH_DAY_TIMED = re.compile(
    rf"(?<![\d/.\-])(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})(?![\d/.\-])"
    rf"(?P<after>(?:\s*{_WEEKDAY})?\s+{_TIME})"
)
# What is left of the text once its dates are taken out must not hold another date or
# time: a time the candidates could not read makes the whole text ambiguous.
_LEFTOVER_DATE_OR_TIME = re.compile(
    r"\d\s*(?:[年月日時分秒:/週ヶケか]|[AaPp]\.?[Mm]\b)|[:+/]\s*\d|正午|午前|午後|昨日|今日"
)
_NEEDS_REWRITE = re.compile(
    "[\uff01-\uff5e\u3000\u00a0\u2010-\u2013\u2212\ufe63〇零一二三四五六七八九十百千]"
)


class Contradiction(Exception):
    """The text states two things that cannot both be true (era and Western year disagree)."""


def _western_year(match: re.Match[str]) -> str:
    era_year = 1 if match["ey"] == "元" else int(match["ey"])
    western = int(match["y"])
    # An era may start or end mid-year: its year N is the Western year of any of its days.
    day = era_date(match["era"], era_year, 12, 31) or era_date(match["era"], era_year, 1, 1)
    if day is None or day.year != western:
        raise Contradiction
    return f"{western}年"


def _english(match: re.Match[str]) -> str:
    month = _MONTHS[match["mon"].lower().rstrip(".")]
    weekday = f"({match['wd']})" if match["wd"] else ""  # checked against the date
    return f"{match['y']}/{month}/{match['d']}{weekday}"


def normalize_running_text(text: str) -> str:
    """Full-width and kanji numerals to ASCII, era/Western pairs and English dates rewritten.

    Raises :class:`Contradiction` when an era year and its Western year disagree.
    """
    if _NEEDS_REWRITE.search(text) is not None:
        text = text.translate(DATE_TEXT_TO_ASCII)
        text = kanji_numerals_to_ascii(text.replace("一昨日", "おととい"))
    if "(" in text:
        text = _ERA_THEN_WESTERN.sub(_western_year, text)
        text = _WESTERN_THEN_ERA.sub(_western_year, text)
    if any(c.isalpha() and c.isascii() for c in text):
        text = _ENGLISH_MDY.sub(_english, text)
        text = _ENGLISH_DMY.sub(_english, text)
        text = _AT.sub(" ", text)
    return text


def date_candidates(text: str) -> list[str] | None:
    """The date strings written in ``text``, each with the weekday and time shown with it.

    ``None`` when the text contradicts itself; ``[]`` when it holds no date.

    >>> date_candidates("名前:tofu : 投稿日：2022/01/27(木) 10:12:34 ID：Ab3dE")
    ['2022/01/27(木) 10:12:34']
    >>> date_candidates("Posted on January 27, 2022 at 10:12 am by tofu")
    ['2022/1/27 10:12 am']
    >>> date_candidates("10:12 2022/01/27")
    ['2022/01/27 10:12']
    """
    if len(text) > MAX_RUNNING_TEXT:
        return []
    try:
        text = normalize_running_text(text)
    except Contradiction:
        return None
    found = []
    rest = []
    end = 0
    for match in _CANDIDATE.finditer(text):
        candidate = match["date"] + match["after"]
        start = match.start()
        if not match["after"].strip(" ,"):
            before = _TIME_BEFORE.search(text, end, start)
            if before is not None:
                candidate = f"{match['date']} {before['time']}"
                start = before.start()
        rest.append(text[end:start])
        end = match.end()
        found.append(candidate.strip())
    if not found:
        for match in _MONTH_DAY_TIMED.finditer(text):
            rest.append(text[end : match.start()])
            end = match.end()
            found.append(f"{int(match['m'])}月{int(match['d'])}日{match['after']}".strip())
    rest.append(text[end:])
    if found and _LEFTOVER_DATE_OR_TIME.search(" ".join(rest)) is not None:
        return None
    return found
