"""Shared fixtures: the sample site on 127.0.0.1 and a real crawl of it into SQLite.

The crawl runs ``scrapy crawl grandfleet`` as a subprocess, twice into the same archive
(the second run must change nothing), once per test session, so every end-to-end test
reads the same real archive.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archiver.capture.warcfile import complete_length
from archiver.runner import LOCAL_SITE_SETTINGS, run_crawl
from archiver.sample_site import SampleSite, load_site
from archiver.sample_site.server import SampleSiteServer, serve


@dataclass
class CrawledArchive:
    site: SampleSite
    site_url: str
    db_path: Path
    requested_paths: list[str]  # every path the sample server answered, both runs
    first_run_paths: list[str]
    logs: list[str]

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path)
        conn.row_factory = sqlite3.Row
        return conn


@pytest.fixture(scope="session")
def sample_site() -> SampleSite:
    return load_site()


@pytest.fixture
def site_server(sample_site: SampleSite) -> Iterator[SampleSiteServer]:
    """The curated sample site on a free port of 127.0.0.1, for one test."""
    server = serve(sample_site, host="127.0.0.1", port=0)
    try:
        yield server
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def crawled_archive(
    sample_site: SampleSite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CrawledArchive]:
    tmp = tmp_path_factory.mktemp("crawl")
    db_path = tmp / "archive.db"
    server = serve(sample_site, host="127.0.0.1", port=0)
    logs = []
    try:
        first = run_crawl(
            "grandfleet", server.url, db_path, settings=LOCAL_SITE_SETTINGS, timeout=300
        )
        logs.append(first.stderr)
        assert first.returncode == 0, first.stderr[-3000:]
        first_paths = list(server.requests)
        second = run_crawl(  # full=1: every page again, past the revisit policy
            "grandfleet",
            server.url,
            db_path,
            settings=LOCAL_SITE_SETTINGS,
            spider_args={"full": "1"},
            timeout=300,
        )
        logs.append(second.stderr)
        assert second.returncode == 0, second.stderr[-3000:]
        yield CrawledArchive(
            site=sample_site,
            site_url=server.url,
            db_path=db_path,
            requested_paths=list(server.requests),
            first_run_paths=first_paths,
            logs=logs,
        )
    finally:
        server.shutdown()


# Property tests explore new random cases on developers' machines; CI replays a fixed
# sequence so that a green main stays green (failures found locally become @example).
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def warc_problem(path: Path) -> str | None:
    """Why ``path`` is not a whole, valid WARC file (None when it is).

    What ``warcio check`` does, in process: every record read to its end with its
    digests checked; and, since warcio reads past a torn last gzip member without a
    word, the file must end where its last complete member ends.
    """
    try:
        with open(path, "rb") as file:
            for record in ArchiveIterator(file, check_digests="raise"):
                record.content_stream().read()
    except (ArchiveLoadFailed, OSError, ValueError) as error:
        return f"unreadable: {error}"
    torn = path.stat().st_size - complete_length(path)
    return f"torn: {torn} bytes after the last whole record" if torn else None


@pytest.fixture(autouse=True)
def every_warc_a_test_writes_is_valid(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test, every WARC file in its tmp_path reads whole (issue 11).

    Tests that break WARC files on purpose (torn tails, emptied files) are marked
    ``damages_warc``; they check the files they break themselves.
    """
    checked = "tmp_path" in request.fixturenames and not request.node.get_closest_marker(
        "damages_warc"
    )
    tmp_path: Path | None = request.getfixturevalue("tmp_path") if checked else None
    yield
    if tmp_path is None:
        return
    problems = [
        f"{path}: {why}"
        for path in sorted(tmp_path.rglob("*.warc.gz"))
        if (why := warc_problem(path))
    ]
    assert problems == []
