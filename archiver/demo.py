"""The demo: serve the bundled sample site on 127.0.0.1, crawl it, summarize the archive.

This is what ``make demo`` (``archiver demo``) runs on a fresh machine: the real spider,
the real pipelines and the real SQLite archive, against a replica of grandfleet.info
that ships inside the package, so nothing leaves the machine.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from archiver.runner import LOCAL_SITE_SETTINGS, run_crawl
from archiver.sample_site import SampleSite, load_site
from archiver.sample_site.server import SampleSiteServer, serve

# The demo serves the sample site on a fixed port when it can, so that repeated demos
# archive the same URLs (a new port would look like every article moved to a new URL).
DEMO_PORT = 8741


class DemoError(RuntimeError):
    """The demo crawl failed; the message says where to look."""


@dataclass
class DemoResult:
    db_path: Path
    site_url: str
    seconds: float
    articles: int  # articles the sample site serves


def run_demo(
    db_path: str | Path = "data/archive.db",
    port: int | None = None,
    synthetic_articles: int | None = None,
    log_file: str | Path | None = None,
) -> DemoResult:
    """Serve the sample site, crawl it into ``db_path`` and return what was archived.

    ``port=None`` uses :data:`DEMO_PORT`, or a free port when that one is taken; 0 always
    picks a free port. Progress goes to stderr; the caller prints the summary.
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    site = load_site(synthetic_articles=synthetic_articles) if synthetic_articles else load_site()
    server = _serve_sample_site(site, port)
    try:
        print(f"sample site: {server.url} ({len(site.articles)} articles)", file=sys.stderr)
        print(f"crawling into {db_path} ...", file=sys.stderr)
        started = time.perf_counter()
        log_file = Path(log_file) if log_file else db_path.with_suffix(".crawl.log")
        article_paths = {article.path for article in site.articles}
        with ThreadPoolExecutor(max_workers=1) as pool:
            crawl = pool.submit(
                run_crawl,
                "grandfleet",
                server.url,
                archive_db=db_path,
                settings=LOCAL_SITE_SETTINGS,
                log_file=log_file,
            )
            show_progress(
                crawl.done,
                lambda: len(article_paths.intersection(list(server.requests))),
                total=len(site.articles),
            )
            result = crawl.result()
        seconds = time.perf_counter() - started
    finally:
        server.shutdown()
    if result.returncode != 0:
        raise DemoError(
            f"scrapy crawl exited with status {result.returncode}; see {log_file}\n"
            + result.stderr[-2000:]
        )
    return DemoResult(
        db_path=db_path, site_url=server.url, seconds=seconds, articles=len(site.articles)
    )


def show_progress(
    finished: Callable[[], bool],
    fetched: Callable[[], int],
    total: int,
    stream: TextIO | None = None,
    poll: float = 0.2,
    line_every: float = 5.0,
) -> None:
    """Report ``fetched()`` of ``total`` articles until ``finished()``.

    A bar (tqdm) on a terminal; on a pipe or in a log, a plain line every ``line_every``
    seconds and one at the end, so the output stays readable as text.
    """
    stream = stream or sys.stderr
    if stream.isatty():
        with tqdm(total=total, unit="article", desc="crawling", file=stream) as bar:
            while not finished():
                bar.update(fetched() - bar.n)
                time.sleep(poll)
            bar.update(fetched() - bar.n)
        return
    last_line = time.monotonic()
    while not finished():
        time.sleep(poll)
        if time.monotonic() - last_line >= line_every:
            print(f"crawling: {fetched()}/{total} articles fetched", file=stream)
            last_line = time.monotonic()
    print(f"crawling: {fetched()}/{total} articles fetched", file=stream)


def _serve_sample_site(site: SampleSite, port: int | None) -> SampleSiteServer:
    if port is not None:
        return serve(site, host="127.0.0.1", port=port)
    try:
        return serve(site, host="127.0.0.1", port=DEMO_PORT)
    except OSError:
        print(f"port {DEMO_PORT} is taken; serving on a free port", file=sys.stderr)
        return serve(site, host="127.0.0.1", port=0)
