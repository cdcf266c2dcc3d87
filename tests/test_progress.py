"""Progress lines and the closing summary of a crawl (archiver.progress).

The end-to-end test slows a real ``scrapy crawl`` of the sample site down just enough
(50 ms between requests) for several half-second progress lines, and checks the counts
in its log against the sample site itself.
"""

from __future__ import annotations

import io
import re

from archiver.demo import show_progress
from archiver.progress import Progress, eta_seconds, format_duration, progress_line, summary_line
from archiver.runner import LOCAL_SITE_SETTINGS, run_crawl

PROGRESS = re.compile(
    r"\[archiver\.progress\] INFO: progress: (?P<pages>\d+) pages, articles (?P<saved>\d+)(?: saved|/\d+ done),"
    r" comments (?P<new>\d+) new/(?P<edited>\d+) edited/(?P<removed>\d+) removed,"
    r" (?P<pace>[\d.]+) pages/min, elapsed "
)
SUMMARY = re.compile(
    r"\[archiver\.progress\] INFO: summary \((?P<reason>\w+), [^,]+, (?P<pages>\d+) pages\): (?P<parts>.*)"
)


def test_crawl_logs_progress_and_summary(site_server, sample_site, tmp_path):
    settings = dict(
        LOCAL_SITE_SETTINGS,
        ARCHIVE_PROGRESS_INTERVAL="0.5",
        DOWNLOAD_DELAY="0.05",
        RANDOMIZE_DOWNLOAD_DELAY="False",
        CONCURRENT_REQUESTS_PER_DOMAIN="1",
    )
    result = run_crawl(
        "grandfleet", site_server.url, tmp_path / "a.db", settings=settings, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [m.groupdict() for m in PROGRESS.finditer(result.stderr)]
    assert len(lines) >= 2, result.stderr[-3000:]
    for key in ("pages", "saved", "new"):
        counts = [int(line[key]) for line in lines]
        assert counts == sorted(counts), key  # progress never goes backwards
    assert all(float(line["pace"]) > 0 for line in lines)
    assert int(lines[0]["pages"]) < len(site_server.requests)

    (summary,) = [m.groupdict() for m in SUMMARY.finditer(result.stderr)]
    assert summary["reason"] == "finished"
    # Every page the server answered, robots.txt included, was a response received.
    assert int(summary["pages"]) == len(site_server.requests)
    parts = dict(
        (label, int(count))
        for count, label in (part.split(" ", 1) for part in summary["parts"].split(", "))
    )
    assert parts["new articles"] == len(sample_site.articles)
    assert parts["new comments"] == len(sample_site.all_comments())
    assert parts["updated articles"] == parts["removed comments"] == parts["edited comments"] == 0
    assert int(lines[-1]["new"]) <= parts["new comments"]


def test_progress_line_with_due_articles_and_eta():
    progress = Progress.from_stats(
        {
            "response_received_count": 120,
            "archiver/articles/new": 30,
            "archiver/articles/updated": 10,
            "archiver/articles/not_modified": 20,
            "archiver/articles/due": 240,
            "archiver/comments/new": 900,
            "archiver/comments/edited": 4,
            "archiver/comments/deleted": 2,
        }
    )
    assert progress.articles_done == 60
    # 60 of 240 in 10 minutes: 180 left at 6 per minute is 30 minutes.
    assert eta_seconds(progress, 600) == 1800
    assert progress_line(progress, 600) == (
        "progress: 120 pages, articles 60/240 done (20 not modified), comments 900 new/4 edited/"
        "2 removed, 12.0 pages/min, elapsed 10 min 00 s, about 30 min 00 s left"
    )


def test_progress_line_before_anything_is_known():
    progress = Progress.from_stats({})
    assert eta_seconds(progress, 30) is None
    assert progress_line(progress, 30) == (
        "progress: 0 pages, articles 0 saved, comments 0 new/0 edited/0 removed, "
        "0.0 pages/min, elapsed 30 s"
    )


def test_summary_names_every_count():
    line = summary_line(
        {"archiver/comments/deleted": 3, "response_received_count": 9}, 7322, "shutdown"
    )
    assert line.startswith("summary (shutdown, 2 h 02 min, 9 pages): 0 new articles, ")
    assert "3 removed comments" in line
    assert format_duration(59.6) == "1 min 00 s"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def fake_crawl(total: int):
    """A crawl that fetches one more article at every poll, then finishes."""
    fetched = iter(range(1, total + 1))
    count = [0]

    def step() -> int:
        count[0] = next(fetched, total)
        return count[0]

    return (lambda: count[0] >= total), step


def test_demo_progress_is_plain_lines_off_a_terminal():
    finished, fetched = fake_crawl(5)
    stream = io.StringIO()
    show_progress(finished, fetched, total=5, stream=stream, poll=0.001, line_every=0.0)
    lines = stream.getvalue().splitlines()
    assert lines[-1] == "crawling: 5/5 articles fetched"
    assert all(re.fullmatch(r"crawling: \d/5 articles fetched", line) for line in lines)
    assert "\r" not in stream.getvalue()


def test_demo_progress_is_a_bar_on_a_terminal():
    finished, fetched = fake_crawl(5)
    stream = Terminal()
    show_progress(finished, fetched, total=5, stream=stream, poll=0.001)
    assert "\r" in stream.getvalue()
    assert "5/5" in stream.getvalue().split("\r")[-1]
