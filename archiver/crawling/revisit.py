"""The revisit policy: when an archived article is due for its next visit.

A pure function of the article's age and its visit history, so it can be tested at any
simulated time and explained to an operator in a sentence:

* **Young articles** are visited at fixed checkpoints after publication (by default
  1 h, 6 h, 1 d, 3 d and 7 d): most comments and votes arrive in the first 48 hours.
* **Older articles** wait a share of their age (by default a quarter: a 1-month-old
  article every ~week, a 1-year-old one every ~3 months): "then weeks, then months".
* **Adaptive**, like Heritrix's wait evaluator: each visit that found nothing changed
  multiplies the wait by ``backoff``; a visit that found changes divides it once.
  The wait always stays between ``min_interval`` and ``max_interval``.

Settings (``-s NAME=VALUE``; durations as ``90s``, ``45m``, ``6h``, ``3d``, ``2w``):

``ARCHIVE_REVISIT_CHECKPOINTS`` (``1h,6h,1d,3d,7d``)
    visits of a young article, counted from its publication.
``ARCHIVE_REVISIT_AGE_FACTOR`` (``0.25``)
    after the last checkpoint, the wait is this share of the article's age.
``ARCHIVE_REVISIT_BACKOFF`` (``2.0``)
    the wait's factor per visit that found nothing changed (and divisor after changes).
``ARCHIVE_REVISIT_MIN_INTERVAL`` (``1h``) / ``ARCHIVE_REVISIT_MAX_INTERVAL`` (``180d``)
    bounds of every wait.

``ARCHIVE_NOW`` (ISO 8601, e.g. ``2026-12-04T09:00:00+09:00``) sets the policy's clock
for one run: visits are recorded at that time and due-ness is judged against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

TOKYO = timezone(timedelta(hours=9))

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


class PolicyError(ValueError):
    """A revisit setting that cannot be read (the message names the setting)."""


def parse_duration(text: str, name: str = "duration") -> timedelta:
    """``"6h"`` -> 6 hours; units s, m, h, d, w."""
    match = _DURATION.match(str(text).lower())
    if not match:
        raise PolicyError(f"{name} must be a duration like 45m, 6h, 3d or 2w, got {text!r}")
    return timedelta(seconds=float(match[1]) * _UNITS[match[2]])


def parse_now(text: str | None) -> datetime | None:
    """The ``ARCHIVE_NOW`` clock: an ISO 8601 time (Tokyo when it names no offset)."""
    if text in (None, ""):
        return None
    try:
        value = datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise PolicyError(
            f"ARCHIVE_NOW must be an ISO 8601 time like 2026-12-04T09:00:00+09:00, got {text!r}"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=TOKYO)


@dataclass(frozen=True)
class RevisitPolicy:
    checkpoints: tuple[timedelta, ...] = (
        timedelta(hours=1),
        timedelta(hours=6),
        timedelta(days=1),
        timedelta(days=3),
        timedelta(days=7),
    )
    age_factor: float = 0.25
    backoff: float = 2.0
    min_interval: timedelta = timedelta(hours=1)
    max_interval: timedelta = timedelta(days=180)

    @classmethod
    def from_settings(cls, settings: Any) -> RevisitPolicy:
        """The policy of a run's ``ARCHIVE_REVISIT_*`` settings; PolicyError names a bad one."""
        default = cls()
        checkpoints = default.checkpoints
        raw = settings.get("ARCHIVE_REVISIT_CHECKPOINTS")
        if raw not in (None, ""):
            parts = raw if isinstance(raw, list | tuple) else str(raw).split(",")
            name = "ARCHIVE_REVISIT_CHECKPOINTS"
            checkpoints = tuple(sorted(parse_duration(p, name) for p in parts if str(p).strip()))
        policy = cls(
            checkpoints=checkpoints,
            age_factor=_number(settings, "ARCHIVE_REVISIT_AGE_FACTOR", default.age_factor),
            backoff=_number(settings, "ARCHIVE_REVISIT_BACKOFF", default.backoff),
            min_interval=_duration(settings, "ARCHIVE_REVISIT_MIN_INTERVAL", default.min_interval),
            max_interval=_duration(settings, "ARCHIVE_REVISIT_MAX_INTERVAL", default.max_interval),
        )
        if policy.backoff < 1:
            raise PolicyError(f"ARCHIVE_REVISIT_BACKOFF must be at least 1, got {policy.backoff}")
        if policy.age_factor <= 0:
            raise PolicyError(
                f"ARCHIVE_REVISIT_AGE_FACTOR must be above 0, got {policy.age_factor}"
            )
        if policy.min_interval > policy.max_interval:
            raise PolicyError(
                "ARCHIVE_REVISIT_MIN_INTERVAL must not exceed ARCHIVE_REVISIT_MAX_INTERVAL"
            )
        return policy

    def next_visit(
        self,
        published_at: datetime | None,
        visited_at: datetime,
        found_changes: bool,
        unchanged_streak: int,
    ) -> datetime:
        """When to visit again after a visit at ``visited_at``.

        ``found_changes``: whether this visit found anything new or changed (the first
        visit of an article counts as a change). ``unchanged_streak``: consecutive visits
        without changes, this one included (0 when it found changes). An article whose
        publication time is unknown counts as published at this visit: as young as can be.
        """
        published = published_at or visited_at
        for checkpoint in self.checkpoints:
            if published + checkpoint > visited_at:  # still young: the next checkpoint
                return max(published + checkpoint, visited_at + self.min_interval)
        seconds = (visited_at - published).total_seconds() * self.age_factor
        if found_changes:
            seconds /= self.backoff
        elif unchanged_streak > 1:
            seconds *= self.backoff ** min(unchanged_streak - 1, 64)
        bounded = min(
            max(seconds, self.min_interval.total_seconds()), self.max_interval.total_seconds()
        )
        return visited_at + timedelta(seconds=bounded)


def is_due(next_visit_at: datetime | None, now: datetime) -> bool:
    """An article is due when its next visit time has come (or was never computed)."""
    return next_visit_at is None or next_visit_at <= now


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 text from the archive as an aware datetime (a date alone: Tokyo midnight)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=TOKYO)


def _number(settings: Any, name: str, default: float) -> float:
    raw = settings.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise PolicyError(f"{name} must be a number, got {raw!r}") from None


def _duration(settings: Any, name: str, default: timedelta) -> timedelta:
    raw = settings.get(name)
    if raw in (None, ""):
        return default
    return parse_duration(raw, name)
