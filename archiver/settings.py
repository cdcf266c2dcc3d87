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

ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 300,
    "pipelines.storage.ArchivePipeline": 800,
    # After storage: records each visit and when the article is due again.
    "archiver.crawling.pipeline.FrontierPipeline": 850,
}

# Manners and completeness (archiver.crawling.manners): never another host or port
# (before RobotsTxtMiddleware at 100, so not even its robots.txt); Crawl-delay and
# Retry-After (response side before RetryMiddleware at 550); partial responses retried.
# Every HTTP exchange is kept as WARC/1.1 next to the downloader (archiver.capture):
# before retry, redirect and decompression see it. ARCHIVE_WARC_ENABLED=False turns it off.
DOWNLOADER_MIDDLEWARES = {
    "archiver.crawling.manners.SameSiteMiddleware": 50,
    "archiver.crawling.manners.PolitenessMiddleware": 560,
    "archiver.crawling.manners.PartialResponseMiddleware": 570,
    "archiver.capture.middleware.WarcCaptureMiddleware": 950,
}
# A truncated body reaches the crawl flagged "partial" (retried, then recorded) instead
# of failing as a network error.
DOWNLOAD_FAIL_ON_DATALOSS = False
# robots.txt Crawl-delay is the minimum delay between requests; False is the
# operator's explicit opt-out.
ARCHIVE_OBEY_CRAWL_DELAY = True
# The longest Retry-After (seconds) a run waits before retrying; longer is recorded.
ARCHIVE_RETRY_AFTER_MAX = 300

# The revisit policy (archiver/crawling/revisit.py; README "Running a scheduled
# archive"): young articles at these ages, then a share of their age, adapted to what
# the visits found, within bounds. ARCHIVE_NOW (ISO 8601) sets the run's clock.
ARCHIVE_REVISIT_CHECKPOINTS = "1h,6h,1d,3d,7d"
ARCHIVE_REVISIT_AGE_FACTOR = 0.25
ARCHIVE_REVISIT_BACKOFF = 2.0
ARCHIVE_REVISIT_MIN_INTERVAL = "1h"
ARCHIVE_REVISIT_MAX_INTERVAL = "180d"
ARCHIVE_NOW = ""
# Listings page on past the archived region while comment counts differ from the
# archive's, until this many pages in a row show none (0: stop at the first).
ARCHIVE_LISTING_QUIET_PAGES = 2
# A bad argument, setting or archive, or an archive held by another live run, ends
# `scrapy crawl` with one line on stderr and its own exit status (64 usage, 75 busy).
ARCHIVE_EXIT_ON_SETUP_ERROR = True

# The SQLite archive. Override per run: scrapy crawl grandfleet -s ARCHIVE_DB=/path/to.db
ARCHIVE_DB = "data/archive.db"

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

# A progress line every ARCHIVE_PROGRESS_INTERVAL seconds (0 = off) and a closing summary
# of what changed (archiver/progress.py).
EXTENSIONS = {"archiver.progress.CrawlProgress": 500}
ARCHIVE_PROGRESS_INTERVAL = 30
