"""The revisit policy's decisions at simulated times (a pure function: no crawl needed)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from scrapy.settings import Settings

from archiver.crawling.revisit import (
    TOKYO,
    PolicyError,
    RevisitPolicy,
    is_due,
    parse_duration,
    parse_now,
)

PUBLISHED = datetime(2026, 12, 1, 9, 0, tzinfo=TOKYO)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
POLICY = RevisitPolicy()


@pytest.mark.parametrize(
    ("visited_after", "expected_after"),
    [
        (timedelta(0), HOUR),  # first look at publication, then the 1-hour checkpoint
        (HOUR, 6 * HOUR),
        (7 * HOUR, DAY),
        (DAY + HOUR, 3 * DAY),
        (5 * DAY, 7 * DAY),
    ],
)
def test_a_young_article_is_visited_at_the_checkpoints(visited_after, expected_after):
    visited = PUBLISHED + visited_after
    for changed, streak in ((True, 0), (False, 3)):  # young: what a visit found does not matter
        assert POLICY.next_visit(PUBLISHED, visited, changed, streak) == PUBLISHED + expected_after


def test_the_checkpoint_never_comes_sooner_than_the_minimum_interval():
    visited = PUBLISHED + HOUR - timedelta(minutes=5)
    assert POLICY.next_visit(PUBLISHED, visited, True, 0) == visited + POLICY.min_interval


def test_an_older_article_waits_a_share_of_its_age_adapted_to_what_visits_found():
    age = 40 * DAY
    visited = PUBLISHED + age
    base = age * POLICY.age_factor  # 10 days
    assert POLICY.next_visit(PUBLISHED, visited, False, 1) == visited + base
    assert POLICY.next_visit(PUBLISHED, visited, True, 0) == visited + base / POLICY.backoff
    # each further visit that found nothing multiplies the wait
    assert POLICY.next_visit(PUBLISHED, visited, False, 2) == visited + base * 2
    assert POLICY.next_visit(PUBLISHED, visited, False, 3) == visited + base * 4
    # weeks for a month-old article, months for a year-old one
    month_old = POLICY.next_visit(PUBLISHED, PUBLISHED + 30 * DAY, False, 1) - 30 * DAY
    year_old = POLICY.next_visit(PUBLISHED, PUBLISHED + 365 * DAY, False, 1) - 365 * DAY
    assert 5 * DAY < month_old - PUBLISHED < 10 * DAY
    assert 60 * DAY < year_old - PUBLISHED < 120 * DAY


def test_waits_stay_within_the_bounds():
    visited = PUBLISHED + 3 * 365 * DAY
    assert POLICY.next_visit(PUBLISHED, visited, False, 30) == visited + POLICY.max_interval
    tight = RevisitPolicy(checkpoints=(), min_interval=2 * DAY)
    assert tight.next_visit(PUBLISHED, PUBLISHED + HOUR, True, 0) == PUBLISHED + HOUR + 2 * DAY


def test_an_article_of_unknown_date_counts_as_young():
    visited = PUBLISHED
    assert POLICY.next_visit(None, visited, True, 0) == visited + HOUR


def test_due_is_judged_against_the_runs_clock():
    next_visit = PUBLISHED + DAY
    assert not is_due(next_visit, PUBLISHED + DAY - timedelta(seconds=1))
    assert is_due(next_visit, PUBLISHED + DAY)
    assert is_due(None, PUBLISHED)  # never scheduled: due


def test_settings_are_read_with_their_names_in_errors():
    policy = RevisitPolicy.from_settings(
        Settings(
            {
                "ARCHIVE_REVISIT_CHECKPOINTS": "2h, 30m,1w",
                "ARCHIVE_REVISIT_AGE_FACTOR": "0.5",
                "ARCHIVE_REVISIT_MAX_INTERVAL": "30d",
            }
        )
    )
    assert policy.checkpoints == (timedelta(minutes=30), 2 * HOUR, 7 * DAY)
    assert policy.age_factor == 0.5 and policy.max_interval == 30 * DAY
    assert RevisitPolicy.from_settings(Settings()) == RevisitPolicy()
    for name, value in [
        ("ARCHIVE_REVISIT_CHECKPOINTS", "1h,soon"),
        ("ARCHIVE_REVISIT_BACKOFF", "0.5"),
        ("ARCHIVE_REVISIT_AGE_FACTOR", "a lot"),
        ("ARCHIVE_REVISIT_MIN_INTERVAL", "400d"),
    ]:
        with pytest.raises(PolicyError, match=name):
            RevisitPolicy.from_settings(Settings({name: value}))


def test_the_clock_and_durations_parse():
    assert parse_now("2026-12-04T09:00:00+09:00") == datetime(2026, 12, 4, 9, tzinfo=TOKYO)
    assert parse_now("2026-12-04T00:00:00") == datetime(2026, 12, 4, tzinfo=TOKYO)
    assert parse_now("") is None
    assert parse_duration("1.5h") == timedelta(minutes=90)
    with pytest.raises(PolicyError, match="ARCHIVE_NOW"):
        parse_now("yesterday")
