"""Replay crawl runs, one after another, in one Scrapy process (run by ``reparse``).

``python -m archiver.capture.replayer SOURCE TARGET RUNS_JSON``: each run of ``RUNS_JSON``
(``[{"run_id", "spider", "arguments", "settings"}, ...]``) is crawled by its spider, with the
project's settings plus the replay settings, into ``TARGET``, answered from
``SOURCE``'s captures. One process for all runs, because starting Scrapy (imports,
components) costs about a second and a half, more than replaying a small run; each run
still gets a new crawler: new spider, middlewares and pipelines, as a new ``scrapy
crawl`` would.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from scrapy.crawler import AsyncCrawlerRunner, Crawler
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.log import configure_logging
from scrapy.utils.project import get_project_settings
from scrapy.utils.reactor import install_reactor

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


def run_settings(base: Settings, overrides: dict[str, str]) -> Settings:
    settings = base.copy()
    settings.setdict(overrides, priority="cmdline")
    return settings


def main(argv: list[str]) -> int:
    source, target, runs_json = argv
    runs: list[dict[str, Any]] = json.loads(runs_json)
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "archiver.settings")
    from archiver.capture.reparse import REPLAY_SETTINGS

    common = {**REPLAY_SETTINGS, "ARCHIVE_REPLAY_FROM": source, "ARCHIVE_DB": target}
    base = run_settings(get_project_settings(), common)
    install_reactor(ASYNCIO_REACTOR)
    configure_logging(base)
    runner = AsyncCrawlerRunner(base)
    loader = get_spider_loader(base)
    failed: list[int] = []

    async def replay_all() -> None:
        for run in runs:
            overrides = {**run["settings"], "ARCHIVE_REPLAY_RUN": str(run["run_id"])}
            crawler = Crawler(loader.load(run["spider"]), run_settings(base, overrides))
            await runner.crawl(crawler, **run["arguments"])
            if crawler.spider is None:  # bootstrap failed: nothing was replayed
                failed.append(run["run_id"])
                return

    from twisted.internet import reactor

    done = deferred_from_coro(replay_all())
    outcome: list[Any] = []
    done.addBoth(lambda result: (outcome.append(result), reactor.stop()))
    reactor.run()
    if outcome and hasattr(outcome[0], "printTraceback"):
        outcome[0].printTraceback(file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
