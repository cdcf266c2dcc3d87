"""Japanese eras (令和, 平成, 昭和, 大正, 明治) to Gregorian dates, with their real bounds.

An era date is only valid inside its era: 平成31年5月1日 does not exist (令和 began that
day) and neither does 令和1年4月30日. On the day an era changed both names are valid
(1912-07-30, 1926-12-25). Returning None outside those bounds is what keeps a mistyped
era from silently becoming a real-looking date.

明治 dates before 明治6年 (1873) are refused: Japan used the lunisolar calendar until
明治5年12月2日, so a 明治1-5 date is not a Gregorian date and converting it as one would
be a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Era:
    name: str  # 令和
    initial: str  # R, as in R4.1.27
    first_year: int  # Gregorian year of 元年
    valid_from: date  # first Gregorian day written in this era
    valid_to: date | None  # last day, None for the current era


ERAS: tuple[Era, ...] = (
    Era("令和", "R", 2019, date(2019, 5, 1), None),
    Era("平成", "H", 1989, date(1989, 1, 8), date(2019, 4, 30)),
    Era("昭和", "S", 1926, date(1926, 12, 25), date(1989, 1, 7)),
    Era("大正", "T", 1912, date(1912, 7, 30), date(1926, 12, 25)),
    Era("明治", "M", 1868, date(1873, 1, 1), date(1912, 7, 30)),
)

ERA_NAMES = "|".join(era.name for era in ERAS)  # a regex alternation: 令和|平成|…

# Both the kanji name and the initial lead to the era.
ERA_BY_KEY: dict[str, Era] = {key: era for era in ERAS for key in (era.name, era.initial)}


def era_date(era_key: str, era_year: int, month: int, day: int) -> date | None:
    """The Gregorian date of ``era_key`` year ``era_year``, or None if it never existed.

    ``era_key`` is an era name or its initial; ``era_year`` 1 is 元年; year 0 is invalid.

    >>> era_date("令和", 4, 1, 27), era_date("H", 31, 5, 1), era_date("令和", 1, 4, 30)
    (datetime.date(2022, 1, 27), None, None)
    """
    era = ERA_BY_KEY.get(era_key)
    if era is None or era_year < 1:
        return None
    try:
        value = date(era.first_year + era_year - 1, month, day)
    except ValueError:
        return None
    if value < era.valid_from or (era.valid_to is not None and value > era.valid_to):
        return None
    return value
