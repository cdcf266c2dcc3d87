"""Normalizers: raw Japanese date and vote-count text to values researchers can sort by.

Pure functions, no clock, no I/O::

    from archiver.normalize import parse_japanese_date, parse_vote_count
"""

from archiver.normalize.date_values import PRECISIONS, TOKYO, ParsedDate
from archiver.normalize.dates import parse_japanese_date, parse_japanese_date_with_precision
from archiver.normalize.votes import parse_down_vote_count, parse_vote_count

__all__ = [
    "PRECISIONS",
    "TOKYO",
    "ParsedDate",
    "parse_japanese_date",
    "parse_japanese_date_with_precision",
    "parse_down_vote_count",
    "parse_vote_count",
]
