"""Progress lines and the closing summary of a crawl (archiver.progress).

The end-to-end test slows a real ``scrapy crawl`` of the sample site down just enough
(50 ms between requests) for several half-second progress lines, and checks the counts
in its log against the sample site itself.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from archiver.demo import show_progress
from archiver.progress import Progress, eta_seconds, format_duration, progress_line, summary_line
from archiver.runner import LOCAL_SITE_SETTINGS, run_crawl
from archiver.sample_site import SampleSite, load_site
from archiver.sample_site.changes import changes
from archiver.sample_site.server import SampleSiteServer

PROGRESS = re.compile(
    r"\[archiver\.progress\] INFO: progress: (?P<pages>\d+) pages,"
    r" articles (?P<saved>\d+)(?: saved|/(?P<due>\d+) done(?: \(\d+ not modified\))?),"
    r" comments (?P<new>\d+) new/(?P<edited>\d+) edited/(?P<removed>\d+) removed,"
    r" (?P<pace>[\d.]+) pages/min, elapsed [^,\n]+(?P<eta>, about .+ left)?$",
    re.MULTILINE,
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
    # Once the spider knows which articles are due (every one, on a first crawl), the
    # lines count against them and estimate the time left.
    assert {line["due"] for line in lines} - {None} == {str(len(sample_site.articles))}
    assert lines[-1]["due"] and lines[-1]["eta"]
    assert int(lines[0]["pages"]) < len(site_server.requests)

    (summary,) = [m.groupdict() for m in SUMMARY.finditer(result.stderr)]
    assert summary["reason"] == "finished"
    # Every page the server answered, robots.txt included, was a response received.
    assert int(summary["pages"]) == len(site_server.requests)
    parts = summary_counts(result.stderr)
    assert parts["new articles"] == len(sample_site.articles)
    assert parts["new comments"] == len(sample_site.all_comments())
    assert parts["updated articles"] == parts["removed comments"] == parts["edited comments"] == 0
    assert int(lines[-1]["new"]) <= parts["new comments"]


def summary_counts(log: str) -> dict[str, int]:
    (summary,) = [m.groupdict() for m in SUMMARY.finditer(log)]
    return {
        label: int(count)
        for count, label in (part.split(" ", 1) for part in summary["parts"].split(", "))
    }


def crawl_days(server: SampleSiteServer, sites: list[SampleSite], db_path: Path) -> list[str]:
    """A real full crawl of each day's site, in order, into one archive; their logs."""
    logs = []
    for site in sites:
        server.show(site)
        result = run_crawl(
            "grandfleet",
            server.url,
            db_path,
            settings=LOCAL_SITE_SETTINGS,
            spider_args={"full": "1"},
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        logs.append(result.stderr)
    return logs


def test_summary_of_a_recrawl_says_what_changed(site_server, tmp_path):
    """Day 0 then day 1 of the changing sample site: the second summary is the diff."""
    day0, day1 = load_site(day=0), load_site(day=1)
    truth = changes(day0, day1)
    logs = crawl_days(site_server, [day0, day1], tmp_path / "a.db")
    parts = summary_counts(logs[-1])
    assert parts["new articles"] == len(truth.new_articles)
    assert parts["articles gone"] == len(truth.gone)
    assert parts["new comments"] == len(truth.comments("new_comments"))
    assert parts["removed comments"] == len(truth.comments("removed_comments"))
    assert parts["edited comments"] == len(truth.comments("edited_comments"))
    assert parts["restored comments"] == len(truth.comments("restored_comments"))
    assert parts["vote counts changed"] == sum(len(a.vote_changes) for a in truth.articles.values())
    assert parts["edited articles"] == sum(a.edited for a in truth.articles.values())


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
