"""Fill the normalized fields of an Article (dates, precisions, vote counts) from its raw ones.

The raw values stay untouched beside the normalized ones. Anything that does not parse
is left None and recorded twice: as an :class:`~archiver.items.Anomaly` on the item (so
it lands in the anomalies table) and in the crawl stats, so a crawl summary shows at
once when a site changed its date format.

Per field, a machine attribute (``datetime="..."``) is preferred over the shown text;
when both parse but disagree at the precision both show, that is an anomaly too.

Stats (per string attempted): ``archiver/dates/parsed``, ``archiver/dates/unparsed``,
``archiver/dates/disagree``, ``archiver/votes/parsed``, ``archiver/votes/unparsed``,
``archiver/votes_down/parsed``, ``archiver/votes_down/unparsed`` (dislike counters),
``archiver/anomalies`` (every anomaly this pipeline adds); per item,
``archiver/dates/no_fetched_at`` when the item has no usable ``fetched_at`` and the clock
stands in as the reference time of relative dates.
Disable the pipeline with ``ARCHIVE_NORMALIZE_ENABLED = False``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from archiver.items import Anomaly, Article
from archiver.normalize import (
    PRECISIONS,
    TOKYO,
    ParsedDate,
    parse_down_vote_count,
    parse_japanese_date_with_precision,
    parse_vote_count,
)

logger = logging.getLogger(__name__)

# How many unparsed values per field the closing log shows.
EXAMPLES_PER_FIELD = 5

_PRECISION_RANK = {precision: rank for rank, precision in enumerate(PRECISIONS)}


class NormalizePipeline:
    """Scrapy item pipeline: raw dates and vote counts to sortable values."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.examples: dict[str, list[str]] = defaultdict(list)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalizePipeline:
        if not crawler.settings.getbool("ARCHIVE_NORMALIZE_ENABLED", True):
            raise NotConfigured("ARCHIVE_NORMALIZE_ENABLED is off")
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        now = self._reference_time(item)
        published = self._normalize_date(
            item, "article.published", item.published_attr, item.published_raw, now
        )
        if published is not None:
            item.published_at, item.published_date, item.published_precision = published
        modified = self._normalize_date(
            item, "article.modified", item.modified_attr, item.modified_raw, now
        )
        if modified is not None:
            item.modified_at, item.modified_date, item.modified_precision = modified
        for comment in item.comments:
            posted = self._normalize_date(
                item, "comment.posted", comment.posted_attr, comment.posted_raw, now
            )
            if posted is not None:
                comment.posted_at, comment.posted_date, comment.posted_precision = posted
            comment.votes = self._normalize_count(
                item, "votes", comment.votes_raw, parse_vote_count
            )
            comment.votes_down = self._normalize_count(
                item, "votes_down", comment.votes_down_raw, parse_down_vote_count
            )
        return item

    def _normalize_count(
        self, item: Article, field: str, raw: str | None, parse: Callable[[str], int | None]
    ) -> int | None:
        """A vote counter's integer; None, counted and recorded, when it does not read."""
        if raw is None:  # no counter in the markup is not an anomaly
            return None
        value = parse(raw)
        if value is None:
            self.stats.inc_value(f"archiver/{field}/unparsed")
            problem = f"empty {field}" if not raw.strip() else f"unparsed {field}"
            self._anomaly(item, f"comment.{field}", raw, problem)
        else:
            self.stats.inc_value(f"archiver/{field}/parsed")
        return value

    def close_spider(self) -> None:
        for field, values in self.examples.items():
            logger.warning("unparsed %s values, e.g. %s", field, values)

    def _reference_time(self, item: Article) -> datetime:
        """When the page was fetched: the ``now`` of 3時間前 and of year-less dates."""
        if item.fetched_at:
            try:
                return datetime.fromisoformat(item.fetched_at)
            except ValueError:
                pass
        self.stats.inc_value("archiver/dates/no_fetched_at")
        return datetime.now(TOKYO)

    def _normalize_date(
        self, item: Article, field: str, attr: str | None, raw: str | None, now: datetime
    ) -> tuple[str, str, str] | None:
        """``(*_at, *_date, *_precision)`` from the attribute, else the text, else None."""
        from_attr = self._parse_date(item, field, attr, now)
        from_text = self._parse_date(item, field, raw, now)
        if from_attr is not None and from_text is not None and not _agree(from_attr, from_text):
            self.stats.inc_value("archiver/dates/disagree")
            self._anomaly(
                item,
                field,
                f"{attr} | {raw}",
                "attribute and text disagree",
                count_example=False,
            )
        chosen = from_attr if from_attr is not None else from_text
        if chosen is None:
            return None
        return _iso(chosen.value), _tokyo_date(chosen.value).isoformat(), chosen.precision

    def _parse_date(
        self, item: Article, field: str, text: str | None, now: datetime
    ) -> ParsedDate | None:
        if text is None:
            return None
        parsed = parse_japanese_date_with_precision(text, now)
        if parsed is None:
            self.stats.inc_value("archiver/dates/unparsed")
            problem = "empty date" if not text.strip() else "unparsed date"
            self._anomaly(item, field, text, problem)
        else:
            self.stats.inc_value("archiver/dates/parsed")
        return parsed

    def _anomaly(
        self,
        item: Article,
        field: str,
        raw_value: str,
        problem: str,
        *,
        count_example: bool = True,
    ) -> None:
        item.anomalies.append(
            Anomaly(field=field, raw_value=raw_value, problem=problem, url=item.url)
        )
        self.stats.inc_value("archiver/anomalies")
        examples = self.examples[field]
        if count_example and len(examples) < EXAMPLES_PER_FIELD and raw_value not in examples:
            examples.append(raw_value)


def _iso(value: date | datetime) -> str:
    """``YYYY-MM-DD`` for a date, ``YYYY-MM-DDTHH:MM:SS+09:00`` (always seconds) otherwise."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def _tokyo_date(value: date | datetime) -> date:
    return value.astimezone(TOKYO).date() if isinstance(value, datetime) else value


def _agree(first: ParsedDate, second: ParsedDate) -> bool:
    """Whether two readings of one moment agree at the precision both of them show."""
    if _tokyo_date(first.value) != _tokyo_date(second.value):
        return False
    shared = min(_PRECISION_RANK[first.precision], _PRECISION_RANK[second.precision])
    if shared == 0:
        return True
    a, b = first.value, second.value
    assert isinstance(a, datetime) and isinstance(b, datetime)
    a, b = a.astimezone(TOKYO), b.astimezone(TOKYO)
    fields = ((a.hour, b.hour), (a.minute, b.minute), (a.second, b.second))[:shared]
    return all(x == y for x, y in fields)
