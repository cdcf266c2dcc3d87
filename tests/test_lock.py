"""One run at a time per archive; a dead run's lock and its 'running' row are taken over;
a user's mistake ends the crawl with one clear line, not a traceback."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time

import pytest

from archiver.crawling.lock import EXIT_ARCHIVE_BUSY
from archiver.crawling.startup import EXIT_USAGE
from archiver.runner import LOCAL_SITE_SETTINGS, crawl_command, run_crawl


def archived(db_path) -> int:
    try:
        with sqlite3.connect(db_path) as conn:
            return conn.execute("SELECT count(*) FROM articles WHERE status='archived'").fetchone()[
                0
            ]
    except sqlite3.Error:
        return 0


def start_slow_crawl(url: str, db_path) -> subprocess.Popen:
    settings = {**LOCAL_SITE_SETTINGS, "DOWNLOAD_DELAY": "0.3", "CONCURRENT_REQUESTS": "1"}
    command = crawl_command("grandfleet", url, {**settings, "ARCHIVE_DB": str(db_path)})
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="archiver.settings")
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for_articles(process: subprocess.Popen, db_path, n: int) -> None:
    deadline = time.monotonic() + 60
    while archived(db_path) < n:
        assert process.poll() is None, process.stderr.read()[-2000:]
        assert time.monotonic() < deadline, "the crawl archived nothing in 60 s"
        time.sleep(0.1)


def test_a_second_run_is_refused_and_a_dead_runs_lock_is_taken_over(
    sample_site, site_server, tmp_path
):
    db_path = tmp_path / "archive.db"
    first = start_slow_crawl(site_server.url, db_path)
    try:
        wait_for_articles(first, db_path, 2)
        started = time.monotonic()
        second = run_crawl("grandfleet", site_server.url, db_path, settings=LOCAL_SITE_SETTINGS)
        assert time.monotonic() - started < 30  # at once, not after the first run
        assert second.returncode == EXIT_ARCHIVE_BUSY
        lines = [line for line in second.stderr.splitlines() if line.startswith("archiver:")]
        assert (
            lines
            == [
                lines[0]  # one line: who holds the archive, and since when
            ]
            and f"is being crawled by process {first.pid} on " in lines[0]
        )
        assert " since 20" in lines[0] and str(db_path) in lines[0]
        assert "Traceback" not in second.stderr
        assert first.poll() is None  # the first run goes on
        # kill -9: nothing of the run is closed, its lock dies with the process
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
        first.stderr.close()
    saved_by_killed = archived(db_path)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT status, pid FROM crawl_runs").fetchall() == [
            ("running", first.pid)
        ]
    third = run_crawl("grandfleet", site_server.url, db_path, settings=LOCAL_SITE_SETTINGS)
    assert third.returncode == 0, third.stderr[-3000:]
    with sqlite3.connect(db_path) as conn:
        runs = conn.execute(
            "SELECT status, articles_new, finished_at IS NOT NULL FROM crawl_runs ORDER BY id"
        ).fetchall()
    # the killed run is closed with what it had saved; the new run saved the rest
    assert runs == [
        ("killed", saved_by_killed, 1),
        ("finished", len(sample_site.articles) - saved_by_killed, 1),
    ]


@pytest.mark.parametrize(
    ("spider_args", "settings", "problem"),
    [
        ({"limit": "ten"}, {}, "limit must be a positive number of articles, got 'ten'"),
        ({"full": "maybe"}, {}, "full must be 1 or 0 (yes or no), got 'maybe'"),
        ({}, {"ARCHIVE_NOW": "yesterday"}, "ARCHIVE_NOW must be an ISO 8601 time"),
        ({}, {"ARCHIVE_REVISIT_MIN_INTERVAL": "soon"}, "ARCHIVE_REVISIT_MIN_INTERVAL must be"),
    ],
)
def test_bad_arguments_end_with_one_line(site_server, tmp_path, spider_args, settings, problem):
    db_path = tmp_path / "archive.db"
    result = run_crawl(
        "grandfleet",
        site_server.url,
        db_path,
        settings={**LOCAL_SITE_SETTINGS, **settings},
        spider_args=spider_args,
    )
    assert result.returncode == EXIT_USAGE
    lines = [line for line in result.stderr.splitlines() if line.startswith("archiver:")]
    assert len(lines) == 1 and problem in lines[0], result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert site_server.requests == []  # refused before any request


@pytest.mark.parametrize("kind", ["directory", "not sqlite", "another database"])
def test_an_unusable_archive_ends_with_one_line_naming_it(site_server, tmp_path, kind):
    db_path = tmp_path / "archive.db"
    if kind == "directory":
        db_path.mkdir()
    elif kind == "not sqlite":
        db_path.write_text("これはアーカイブではない\n" * 100)
    else:
        with sqlite3.connect(db_path) as conn:
            conn.execute("CREATE TABLE recipes (name TEXT)")
    result = run_crawl("grandfleet", site_server.url, db_path, settings=LOCAL_SITE_SETTINGS)
    assert result.returncode == EXIT_USAGE
    lines = [line for line in result.stderr.splitlines() if line.startswith("archiver:")]
    assert len(lines) == 1 and f"ARCHIVE_DB {db_path} is not usable" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert site_server.requests == []
