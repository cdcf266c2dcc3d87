"""What a date string showed, as values: its parsed parts, and how a time completes them.

:mod:`archiver.normalize.dates` reads a string into one of these: a finished
:class:`ParsedDate`, or a relative spec (:class:`Ago`, :class:`OnDay`,
:class:`MonthDay`) that only the reference time (``now``, the page's fetch time) turns
into a value, with :func:`resolve`. Reading the text and computing the calendar are
two jobs; this module is the second.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import NamedTuple
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")

PRECISIONS = ("day", "hour", "minute", "second")  # coarsest first


class ParsedDate(NamedTuple):
    """A parsed date and how much of it the string showed.

    ``value`` is a ``date`` when ``precision`` is ``"day"``, else a ``datetime`` in
    Asia/Tokyo. ``precision`` is one of ``"day"``, ``"hour"``, ``"minute"``, ``"second"``.
    """

    value: date | datetime
    precision: str


class Time(NamedTuple):
    hour: int
    minute: int
    second: int
    microsecond: int
    precision: str


class Ago(NamedTuple):
    """``N<unit>前``; unit is one of second/minute/hour/day/week/month/year/now."""

    unit: str
    amount: int


class OnDay(NamedTuple):
    """今日/昨日/一昨日/先週, optionally with a time."""

    days_back: int
    time: Time | None


class MonthDay(NamedTuple):
    """``1月27日`` or (month None) ``27日``: the year and maybe month come from ``now``."""

    month: int | None
    day: int
    time: Time | None
    weekday: int | None
    offset: timedelta | None


Spec = ParsedDate | Ago | OnDay | MonthDay

MAX_DAY = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


_NINE_HOURS = timedelta(hours=9)
_FIXED_OFFSET_SINCE = datetime(1952, 1, 1)  # Tokyo kept summer time 1948-1951, never since


def localize(value: datetime, offset: timedelta | None) -> datetime:
    """Attach the zone the string named (else Tokyo) and express the result in Tokyo.

    ``datetime.replace(tzinfo=ZoneInfo)`` and ``astimezone`` cost microseconds each; since
    1952 Tokyo is a fixed +09:00, so plain arithmetic and one constructor do the same job.
    """
    if offset is not None and offset != _NINE_HOURS:
        shifted = value - offset + _NINE_HOURS
        if shifted < _FIXED_OFFSET_SINCE:
            return value.replace(tzinfo=timezone(offset)).astimezone(TOKYO)
        value = shifted
    elif offset is not None and value < _FIXED_OFFSET_SINCE:
        return value.replace(tzinfo=timezone(offset)).astimezone(TOKYO)
    return datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        TOKYO,
    )


def to_tokyo(now: datetime) -> datetime:
    if now.tzinfo is None:
        return now.replace(tzinfo=TOKYO)
    return now.astimezone(TOKYO)


def resolve(spec: Spec, now: datetime) -> ParsedDate | None:
    """Turn a relative spec into a value, given ``now`` in Tokyo."""
    if type(spec) is Ago:
        return _resolve_ago(spec, now)
    if type(spec) is OnDay:
        day = now.date() - timedelta(days=spec.days_back)
        return on_day_at(day, spec.time, None)
    assert type(spec) is MonthDay
    return _resolve_month_day(spec, now)


def _resolve_ago(spec: Ago, now: datetime) -> ParsedDate:
    unit, n = spec.unit, spec.amount
    exact = now.replace(microsecond=0)
    if unit == "now":
        return ParsedDate(exact, "minute")
    if unit == "second":
        return ParsedDate(exact - timedelta(seconds=n), "second")
    if unit == "minute":
        return ParsedDate(exact - timedelta(minutes=n), "minute")
    if unit == "hour":
        return ParsedDate(exact - timedelta(hours=n), "hour")
    today = now.date()
    if unit == "day":
        return ParsedDate(today - timedelta(days=n), "day")
    if unit == "week":
        return ParsedDate(today - timedelta(weeks=n), "day")
    months = n if unit == "month" else 12 * n
    total = today.year * 12 + today.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    day = min(today.day, days_in_month(year, month))
    return ParsedDate(date(year, month, day), "day")


def _resolve_month_day(spec: MonthDay, now: datetime) -> ParsedDate | None:
    """The most recent matching day not after ``now`` (the day, or the moment if timed)."""
    year, month = now.year, now.month
    candidates = 12 if spec.month is None else 9  # 2月29日 may be up to 8 years back
    for _ in range(candidates):
        target_month = spec.month if spec.month is not None else month
        if spec.day <= days_in_month(year, target_month):
            written = date(year, target_month, spec.day)
            parsed = on_day_at(written, spec.time, spec.offset)
            shown = parsed.value
            if shown <= (now if isinstance(shown, datetime) else now.date()):
                # The weekday names the written day, not the day a zone shifts it to.
                if spec.weekday is not None and written.weekday() != spec.weekday:
                    return None  # the weekday contradicts the date the rule picks
                return parsed
        if spec.month is not None:
            year -= 1
        else:
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return None


def on_day_at(day: date, time: Time | None, offset: timedelta | None) -> ParsedDate:
    if time is None:
        return ParsedDate(day, "day")
    if offset is None:  # the common case, one constructor call
        value = datetime(
            day.year,
            day.month,
            day.day,
            time.hour,
            time.minute,
            time.second,
            time.microsecond,
            TOKYO,
        )
        return ParsedDate(value, time.precision)
    value = datetime(
        day.year, day.month, day.day, time.hour, time.minute, time.second, time.microsecond
    )
    return ParsedDate(localize(value, offset), time.precision)


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return MAX_DAY[month]
