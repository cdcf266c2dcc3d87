"""The floor of a Scrapy replay: what replaying a run costs before any parsing or storing.

``python bench/replay_floor.py SOURCE RUN_ID`` starts Scrapy as ``archiver reparse`` does
(the project's settings, the replay settings, the replay download handler answering from
the run's WARC records in capture order) with a spider that asks for every capture of
the run and does nothing with the responses, and no item pipelines. What it takes is
Scrapy's start-up, the engine and middlewares on every response, and reading the
records: the part of a reparse that parse-only and store-only timings do not include,
and that no change to the parser or to storage can remove. ``bench_capture.py`` runs
it beside the reparse and prints it as a share of parse + store.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import AsyncCrawlerRunner
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.log import configure_logging
from scrapy.utils.project import get_project_settings
from scrapy.utils.reactor import install_reactor

from archiver.capture import index
from archiver.capture.replayer import ASYNCIO_REACTOR, run_settings


class FloorSpider(Spider):
    """Asks for every capture of the replayed run, in capture order; parses nothing."""

    name = "replay-floor"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self) -> AsyncIterator[Request]:
        for url in self.urls:
            yield Request(url, dont_filter=True, callback=self.ignore, errback=self.ignore)

    def ignore(self, _: Any) -> None:
        return None


def main(argv: list[str]) -> int:
    source, run_id = argv
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "archiver.settings")
    from archiver.capture.reparse import REPLAY_SETTINGS

    with sqlite3.connect(source) as conn:
        captures = index.select_captures(conn, "run_id = ?", (int(run_id),))
    overrides = {
        **REPLAY_SETTINGS,
        "ARCHIVE_REPLAY_FROM": source,
        "ARCHIVE_REPLAY_RUN": run_id,
        "ITEM_PIPELINES": "{}",
        "ARCHIVE_DB": "",
        "ROBOTSTXT_OBEY": "False",  # robots.txt is among the captures asked for
    }
    settings = run_settings(get_project_settings(), overrides)
    install_reactor(ASYNCIO_REACTOR)
    configure_logging(settings)
    runner = AsyncCrawlerRunner(settings)
    from twisted.internet import reactor

    done = deferred_from_coro(runner.crawl(FloorSpider, urls=[c.url for c in captures]))
    done.addBoth(lambda _: reactor.stop())
    reactor.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
