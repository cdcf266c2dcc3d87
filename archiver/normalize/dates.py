"""Japanese date strings to ``date`` / Tokyo ``datetime`` values, refusing to guess.

Researchers sort, group and chart by these values, so a wrong date is worse than none:
every form below is matched by a whole-string regex, every field is range-checked, and
anything else (two dates, placeholders, ``13月1日``, ``25:00``, a bare ``2022``) is None.

Understood forms (after full-width characters and kanji numerals are rewritten to ASCII):

* ``2022年 1月 27日``, ``二〇二二年一月二十七日``, ``令和4年1月27日``, ``平成元年1月8日``;
* ``2022/01/27``, ``2022.1.27``, ``2022-01-27``, ``R4.1.27``, ``H31.4.30``;
* an optional weekday after the date: ``(木)``, ``（木曜日）``, `` 木曜日``, ``(Thu)``; it
  must agree with the date, otherwise the string contradicts itself and gives None;
* an optional time: ``10:12``, ``10:12:34``, ``10時12分``, ``10時12分34秒``, ``9時``,
  ``10時半``, ``正午``, with ``午前``/``午後``/``AM``/``PM`` (``午前0時`` and ``12:30 AM``
  are just after midnight, ``午後0時`` and ``12 PM`` noon), and an optional zone
  (``Z``, ``+09:00``, ``+0900``, ``JST``, ``UTC``, ``GMT``);
* ISO 8601 (``2022-01-27T10:12:34+09:00``) and RFC 822 / RSS
  (``Thu, 27 Jan 2022 01:12:34 +0000``); offsets are converted to Tokyo time, and a time
  without an offset is read as Tokyo time;
* with a reference time ``now``: ``1月27日`` (the most recent such day not after
  ``now``), ``27日`` (the most recent 27th), ``たった今``, ``N秒前``, ``N分前``,
  ``N時間前``, ``N日前``, ``N週間前``, ``Nヶ月前`` (calendar months, the day clamped to
  the month's end), ``N年前``, ``今日``, ``本日``, ``昨日``, ``一昨日``/``おととい``,
  ``先週`` (= ``now`` minus 7 days), ``今日``/``昨日``/``一昨日`` followed by a time, and
  the English relative forms plugins print when their phrases are left untranslated
  (wpDiscuz: ``2 hours ago``, ``a day ago``, ``just now``);
* labels before the date (``投稿日：``, ``更新日``, ``公開日:``, ``最終更新日``), a
  ``約``/``およそ``/``ほぼ`` before a relative form (``約3時間前``), a trailing ``に投稿``
  and one pair of brackets around the whole string are ignored.

Precision is what the string shows: ``"day"`` (a ``date``), ``"hour"`` (``9時``,
``正午``, ``N時間前``), ``"minute"`` (``10:12``, ``10時半``, ``N分前``, ``たった今``) or
``"second"``. Relative times are ``now`` minus the amount, to the second.

Refused on purpose: compact ``20220127`` and two-digit years (``22/01/27``) are
ambiguous; ``1/27`` could be a fraction; 明治 dates before 1873 are lunisolar.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from archiver.normalize.date_values import (
    MAX_DAY,
    Ago,
    MonthDay,
    OnDay,
    ParsedDate,
    Spec,
    Time,
    on_day_at,
    resolve,
    to_tokyo,
)
from archiver.normalize.eras import ERA_NAMES, era_date
from archiver.normalize.numerals import DATE_TEXT_TO_ASCII, kanji_numerals_to_ascii
from archiver.normalize.running_text import date_candidates

# Longer than any real date label; refusing early keeps the cache and the regexes cheap.
MAX_DATE_LENGTH = 120

_new_tuple = tuple.__new__


class _Invalid(Exception):
    """Raised inside the parser when a matched string turns out to be impossible."""


_WEEKDAY_JA = {"月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6}
_WEEKDAY_EN = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_MONTH_EN = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_ZONE_NAMES = {
    "Z": 0,
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "JST": 9,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
}

_EN_WEEKDAY = (
    r"(?i:mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:r|rs|rsday)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?)"
)
_WEEKDAY = (
    rf"(?P<weekday>\(\s*(?P<wd>[月火水木金土日])(?:曜日?)?\s*\)"
    rf"|(?P<wd2>[月火水木金土日])曜日?"
    rf"|\(\s*(?P<wde>{_EN_WEEKDAY})\.?\s*\)"
    rf"|(?P<wde2>{_EN_WEEKDAY})\.?)"
)
_AMPM = r"午前|午後|(?i:a\.?m\.?|p\.?m\.?)"
_TIME = rf"""
    (?P<time>(?:(?P<ap1>{_AMPM})\s*)?
    (?:
        (?P<noon>正午)
      | (?P<h1>\d{{1,2}}):(?P<mi1>\d{{2}})(?::(?P<s1>\d{{2}})(?:\.(?P<frac>\d{{1,6}}))?)?
      | (?P<h2>\d{{1,2}})\s*時
        (?:\s*(?:(?P<mi2>\d{{1,2}})\s*分(?:\s*(?P<s2>\d{{1,2}})\s*秒)?|(?P<half>半)))?
    )
    (?:\s*(?P<ap2>{_AMPM}))?)
    (?:\s*\(?(?P<tz>Z|[+-]\d{{2}}:?\d{{2}}|JST|UTC|GMT)\)?)?
"""

# 2022年 1月 27日 (木) 10:12 -- the dominant form; also the year-less 1月27日.
_KANJI_DATE = re.compile(
    rf"""
    (?:(?:(?P<era>{ERA_NAMES})\s*(?P<ey>\d{{1,2}}|元)|(?P<y>\d{{4}}))\s*年\s*)?
    (?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*日
    (?:\s*{_WEEKDAY})?
    (?:\s*{_TIME})?
    """,
    re.X,
)

# 2022/01/27, 2022.1.27, 2022-01-27T10:12:34+09:00, R4.1.27 (木) 10:12
_SEPARATED_DATE = re.compile(
    rf"""
    (?:(?P<era>{ERA_NAMES}|[RHSTM])\s*(?P<ey>\d{{1,2}}|元)|(?P<y>\d{{4}}))
    (?P<sep>[/.\-])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})
    (?:\s*{_WEEKDAY})?
    (?:(?:T|\s+|(?<=[)曜日]))\s*{_TIME})?
    """,
    re.X,
)

# Thu, 27 Jan 2022 01:12:34 +0000
_RFC822 = re.compile(
    r"""
    (?:(?P<wde>[A-Za-z]{3}),?\s+)?
    (?P<d>\d{1,2})\s+(?P<mon>[A-Za-z]{3})\s+(?P<y>\d{4})\s+
    (?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?
    (?:\s*(?P<tz>[+-]\d{4}|[A-Za-z]{1,3}))?
    """,
    re.X,
)

_RELATIVE = re.compile(
    rf"""
    (?:約|およそ|ほぼ)?\s*
    (?:
        (?P<now>たった今|ただ今|ただいま|今さっき|ついさっき|ちょうど今)
      | (?P<n>\d{{1,6}})\s*(?P<unit>秒|分|時間|日|週間|週|[ヶケかカヵ箇]月|年)\s*前
      | (?P<day>今日|本日|昨日|おととい|おとつい|先週)(?:\s*{_TIME})?
      # as plugins print them with their phrases untranslated (wpDiscuz: "2 hours ago")
      | (?P<en_now>(?i:just\s+now|a\s+moment\s+ago|moments\s+ago))
      | (?P<en_n>\d{{1,6}}|(?i:an?|one))\s+
        (?P<en_unit>(?i:sec(?:ond)?|min(?:ute)?|hour|day|week|month|year))s?\s+(?i:ago)
    )
    """,
    re.X,
)

# 27日 (with a time perhaps): the day of the most recent month that has one.
_DAY_ONLY = re.compile(rf"(?P<d>\d{{1,2}})\s*日(?:\s*{_WEEKDAY})?(?:\s*{_TIME})?", re.X)

_LABEL = re.compile(
    r"""
    (?:(?:最終)?(?:投稿|更新|公開|掲載|作成|配信|初出)(?:日時|日付|日|時刻|時間)?
      | 日付 | 日時
      | (?i:(?:last\s+)?(?:posted|published|updated|modified)(?:\s+on)?|date)
    )\s*:?\s*
    """,
    re.X,
)
_SUFFIX = re.compile(r"\s*(?:に|)(?:投稿|更新|公開)(?:済み|しました)?$")
_LABEL_STARTS = frozenset("最投更公掲作配初日PpUuMmLlDd")
_FAST_KANJI = re.compile(
    r"(\d{4})年 ?(\d{1,2})月 ?(\d{1,2})日(?: ?(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_FAST_SEPARATED = re.compile(
    r"(\d{4})([/.-])(\d{1,2})\2(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:?\d{2})?)?"
)
_NEEDS_REWRITE = re.compile(
    "[\uff01-\uff5e\u3000\u00a0\u2010-\u2013\u2212\ufe63\u25cb〇零一二三四五六七八九十百千]"
)
_SUFFIX_ENDINGS = ("投稿", "更新", "公開", "済み", "しました")
_BRACKETS = {"(": ")", "[": "]", "【": "】", "「": "」", "<": ">", "〔": "〕"}

_AGO_UNITS = {"秒": "second", "分": "minute", "時間": "hour", "日": "day", "週間": "week"}
_AGO_UNITS["週"] = "week"
_AGO_UNITS["年"] = "year"
_EN_AGO_UNITS = {"sec": "second", "min": "minute"} | {
    unit: unit for unit in ("second", "minute", "hour", "day", "week", "month", "year")
}
_ON_DAY = {"今日": 0, "本日": 0, "昨日": 1, "おととい": 2, "おとつい": 2, "先週": 7}


def parse_japanese_date(text: str | None, now: datetime | None = None) -> date | datetime | None:
    """Parse a Japanese date string: a ``date``, a Tokyo ``datetime``, or None.

    A ``date`` when the string shows only a date, a timezone-aware ``datetime`` in
    Asia/Tokyo when it shows a time, None when it is not a date or is impossible.
    ``now`` is the reference time for relative forms (naive = Tokyo time); without it
    relative forms give None.

    >>> parse_japanese_date("2022年 1月 27日")
    datetime.date(2022, 1, 27)
    >>> parse_japanese_date("令和4年1月27日(木) 午後3時5分")
    datetime.datetime(2022, 1, 27, 15, 5, tzinfo=zoneinfo.ZoneInfo(key='Asia/Tokyo'))
    >>> parse_japanese_date("Thu, 27 Jan 2022 01:12:34 +0000").isoformat()
    '2022-01-27T10:12:34+09:00'
    >>> parse_japanese_date("3時間前", now=datetime(2022, 1, 27, 10, 12)).isoformat()
    '2022-01-27T07:12:00+09:00'
    >>> parse_japanese_date("2022年2月30日") is None, parse_japanese_date("昨日") is None
    (True, True)
    """
    parsed = parse_japanese_date_with_precision(text, now)
    return None if parsed is None else parsed.value


def parse_japanese_date_with_precision(
    text: str | None, now: datetime | None = None
) -> ParsedDate | None:
    """Like :func:`parse_japanese_date`, also telling what precision the string showed.

    >>> parse_japanese_date_with_precision("2022/01/27 9時")
    ParsedDate(value=datetime.datetime(2022, 1, 27, 9, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Tokyo')), precision='hour')
    >>> parse_japanese_date_with_precision("1月27日", now=datetime(2022, 1, 1))
    ParsedDate(value=datetime.date(2021, 1, 27), precision='day')
    """
    if not isinstance(text, str):
        return None
    spec = _analyze_cached(text) if len(text) <= MAX_DATE_LENGTH else None
    if spec is None:
        return _in_running_text(text, now)
    return _value_of(spec, now)


def _value_of(spec: Spec, now: datetime | None) -> ParsedDate | None:
    if type(spec) is ParsedDate:
        return spec
    if now is None:
        return None
    try:
        return resolve(spec, to_tokyo(now))
    except (ValueError, OverflowError):
        return None


def _in_running_text(text: str, now: datetime | None) -> ParsedDate | None:
    """The one date the words around it name (``Posted on … by …``, ``… より``), or None.

    Every date written in the text must parse and all must name the same moment: a
    second, different date (or an impossible one) makes the text ambiguous.
    """
    candidates = date_candidates(text)
    if not candidates:
        return None
    found: set[ParsedDate] = set()
    for candidate in candidates:
        spec = _analyze_cached(candidate)
        parsed = None if spec is None else _value_of(spec, now)
        if parsed is None:
            return None
        found.add(parsed)
    return found.pop() if len(found) == 1 else None


def _analyze(text: str) -> Spec | None:
    """The ``now``-independent part: a finished ParsedDate or a relative spec, or None."""
    # Fast paths: grandfleet's 2022年 1月 27日 and machine attributes such as
    # 2022-01-27T10:12:34+09:00 skip the general regexes (a third of the cost or less).
    fast = _FAST_KANJI.fullmatch(text)
    if fast is not None:
        y, mo, d, h, mi, sec = fast.groups()
        return _fast_build(y, mo, d, h, mi, sec, None, None)
    fast = _FAST_SEPARATED.fullmatch(text)
    if fast is not None:
        y, _sep, mo, d, h, mi, sec, frac, zone = fast.groups()
        return _fast_build(y, mo, d, h, mi, sec, frac, zone)
    s = text.strip()
    if not s:
        return None
    if _NEEDS_REWRITE.search(s) is not None:
        s = s.translate(DATE_TEXT_TO_ASCII).strip()
        if "一昨日" in s:  # before kanji numerals, or 一 would become 1
            s = s.replace("一昨日", "おととい")
        s = kanji_numerals_to_ascii(s)
    if s[:1] in _LABEL_STARTS:
        label = _LABEL.match(s)
        if label is not None:
            s = s[label.end() :]
    if s.endswith(_SUFFIX_ENDINGS):
        suffix = _SUFFIX.search(s)
        if suffix is not None and suffix.start() > 0:
            s = s[: suffix.start()]
    if len(s) > 2 and _BRACKETS.get(s[0]) == s[-1]:
        s = s[1:-1].strip()
    try:
        for pattern, build in _FORMS:
            match = pattern.fullmatch(s)
            if match is not None:
                return build(match)
    except (_Invalid, ValueError, OverflowError):
        return None
    return None


_analyze_cached = lru_cache(maxsize=16384)(_analyze)


def _fast_build(
    year: str,
    month: str,
    day: str,
    hour: str | None,
    minute: str | None,
    second: str | None,
    fraction: str | None,
    zone: str | None,
) -> ParsedDate | None:
    try:
        calendar_day = date(int(year), int(month), int(day))
    except ValueError:
        return None
    if hour is None:
        return _new_tuple(ParsedDate, (calendar_day, "day"))  # NamedTuple() costs twice this
    h, mi = int(hour), int(minute)  # type: ignore[arg-type]
    sec = 0 if second is None else int(second)
    if h > 23 or mi > 59 or sec > 59:
        return None
    microsecond = 0 if fraction is None else int(fraction.ljust(6, "0"))
    time = Time(h, mi, sec, microsecond, "minute" if second is None else "second")
    try:
        offset = None if zone is None else _parse_offset(zone)
    except _Invalid:
        return None
    return on_day_at(calendar_day, time, offset)


def _from_kanji_date(m: re.Match[str]) -> Spec:
    month, day = int(m["m"]), int(m["d"])
    if m["era"] is None and m["y"] is None:
        if not 1 <= month <= 12 or day > MAX_DAY[month] or day < 1:
            raise _Invalid
        return MonthDay(month, day, _time_from(m), _weekday_from(m), _offset_from(m))
    return _absolute(m, _calendar_date(m, month, day))


def _from_separated_date(m: re.Match[str]) -> Spec:
    return _absolute(m, _calendar_date(m, int(m["m"]), int(m["d"])))


def _from_day_only(m: re.Match[str]) -> Spec:
    day = int(m["d"])
    if not 1 <= day <= 31:
        raise _Invalid
    return MonthDay(None, day, _time_from(m), _weekday_from(m), _offset_from(m))


def _from_rfc822(m: re.Match[str]) -> Spec:
    month = _MONTH_EN.get(m["mon"].lower())
    if month is None:
        raise _Invalid
    day = date(int(m["y"]), month, int(m["d"]))
    if m["wde"] is not None and _WEEKDAY_EN.get(m["wde"].lower()) != day.weekday():
        raise _Invalid
    hour, minute = int(m["h"]), int(m["mi"])
    second = 0 if m["s"] is None else int(m["s"])
    if hour > 23 or minute > 59 or second > 59:
        raise _Invalid
    zone = m["tz"]
    offset: timedelta | None = None
    if zone is not None:
        offset = _parse_offset(zone)
    precision = "minute" if m["s"] is None else "second"
    return on_day_at(day, Time(hour, minute, second, 0, precision), offset)


def _from_relative(m: re.Match[str]) -> Spec:
    if m["now"] is not None or m["en_now"] is not None:
        return Ago("now", 0)
    if m["en_n"] is not None:
        unit = _EN_AGO_UNITS[m["en_unit"].lower()]
        return Ago(unit, int(m["en_n"]) if m["en_n"].isdigit() else 1)
    if m["n"] is not None:
        unit = m["unit"]
        return Ago(_AGO_UNITS.get(unit, "month"), int(m["n"]))
    days_back = _ON_DAY[m["day"]]
    time = _time_from(m)
    if time is not None and (days_back == 7 or m["tz"] is not None):
        raise _Invalid  # 先週 10:12 names no particular day; zones make no sense here
    return OnDay(days_back, time)


# Tried in order; the dominant grandfleet form first.
_FORMS = (
    (_KANJI_DATE, _from_kanji_date),
    (_SEPARATED_DATE, _from_separated_date),
    (_RELATIVE, _from_relative),
    (_RFC822, _from_rfc822),
    (_DAY_ONLY, _from_day_only),
)


def _calendar_date(m: re.Match[str], month: int, day: int) -> date:
    era = m["era"]
    if era is None:
        return date(int(m["y"]), month, day)  # ValueError for 2月30日, 13月
    era_year = 1 if m["ey"] == "元" else int(m["ey"])
    value = era_date(era, era_year, month, day)
    if value is None:
        raise _Invalid
    return value


def _absolute(m: re.Match[str], day: date) -> ParsedDate:
    if m["weekday"] is not None and _weekday_from(m) != day.weekday():
        raise _Invalid
    if m["time"] is None:
        return ParsedDate(day, "day")
    return on_day_at(day, _time_from(m), _offset_from(m))


def _weekday_from(m: re.Match[str]) -> int | None:
    if m["weekday"] is None:
        return None
    ja = m["wd"] or m["wd2"]
    if ja is not None:
        return _WEEKDAY_JA[ja]
    en = m["wde"] or m["wde2"]
    if en is not None:
        return _WEEKDAY_EN[en[:3].lower()]
    return None


def _time_from(m: re.Match[str]) -> Time | None:
    """The time of day the match shows, None if none; _Invalid if impossible."""
    if m["time"] is None:
        return None
    ampm = m["ap1"]
    if m["ap2"] is not None:
        if ampm is not None:
            raise _Invalid
        ampm = m["ap2"]
    if m["noon"] is not None:
        if ampm is not None:
            raise _Invalid
        return Time(12, 0, 0, 0, "hour")
    microsecond = 0
    h1, mi1, s1, frac, h2, mi2, s2, half = m.group(
        "h1", "mi1", "s1", "frac", "h2", "mi2", "s2", "half"
    )
    if h1 is not None:
        hour, minute = int(h1), int(mi1)
        if s1 is None:
            second, precision = 0, "minute"
        else:
            second, precision = int(s1), "second"
            if frac is not None:
                microsecond = int(frac.ljust(6, "0"))
    elif h2 is not None:
        hour = int(h2)
        if mi2 is not None:
            minute = int(mi2)
            if s2 is None:
                second, precision = 0, "minute"
            else:
                second, precision = int(s2), "second"
        elif half is not None:
            minute, second, precision = 30, 0, "minute"
        else:
            minute, second, precision = 0, 0, "hour"
    else:
        return None
    if ampm is not None:
        if hour > 12:
            raise _Invalid
        # 午前0時 / 12 AM = midnight; 午後0時 / 12 PM = noon (Japanese and English usage).
        afternoon = ampm == "午後" or ampm[0] in "pP"
        hour = hour % 12 + (12 if afternoon else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise _Invalid
    return Time(hour, minute, second, microsecond, precision)


def _offset_from(m: re.Match[str]) -> timedelta | None:
    zone = m["tz"]
    if zone is None:
        return None
    if m["time"] is None:
        raise _Invalid  # a zone on a bare date means nothing
    return _parse_offset(zone)


@lru_cache(maxsize=256)
def _parse_offset(zone: str) -> timedelta:
    hours = _ZONE_NAMES.get(zone.upper())
    if hours is not None:
        return timedelta(hours=hours)
    if zone[0] not in "+-":
        raise _Invalid
    digits = zone[1:].replace(":", "")
    if len(digits) != 4:
        raise _Invalid
    hh, mm = int(digits[:2]), int(digits[2:])
    if hh > 14 or mm > 59:
        raise _Invalid
    offset = timedelta(hours=hh, minutes=mm)
    return -offset if zone[0] == "-" else offset
