"""Scrapy settings of the archiver project (``scrapy.cfg`` points here).

Defaults are polite, because the crawl runs unattended against a small blog: robots.txt
is obeyed, AutoThrottle adapts the delay to the server, and at most two requests run at
once on the site. Every value can be overridden per run with ``-s NAME=VALUE``; the demo
and the tests relax politeness only for the bundled sample site on 127.0.0.1.
"""

from __future__ import annotations

BOT_NAME = "archiver"

SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Identify ourselves: site operators must be able to tell who crawls them and how to
# reach the archive's maintainers. Replace the contact placeholder before a real crawl.
USER_AGENT = (
    "archiver/0.1 (research archive of Japanese news-blog comments; "
    "+https://example.org/archiver; contact: archiver-operator@example.org)"
)

ROBOTSTXT_OBEY = True

# Politeness: AutoThrottle starts at DOWNLOAD_DELAY and adapts to the server's latency.
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Transient failures are retried; 404s are not (a missing page is a fact to record).
RETRY_ENABLED = True
RETRY_TIMES = 3
DOWNLOAD_TIMEOUT = 60

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# Every HTTP exchange kept as WARC/1.1 next to the downloader (archiver.capture): before
# retry, redirect and decompression see it. ARCHIVE_WARC_ENABLED=False turns it off.
DOWNLOADER_MIDDLEWARES = {
    "archiver.capture.middleware.WarcCaptureMiddleware": 950,
}

ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 300,
    "pipelines.storage.ArchivePipeline": 800,
}

# The SQLite archive. Override per run: scrapy crawl grandfleet -s ARCHIVE_DB=/path/to.db
ARCHIVE_DB = "data/archive.db"

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

# A progress line every ARCHIVE_PROGRESS_INTERVAL seconds (0 = off) and a closing summary
# of what changed (archiver/progress.py).
EXTENSIONS = {"archiver.progress.CrawlProgress": 500}
ARCHIVE_PROGRESS_INTERVAL = 30
