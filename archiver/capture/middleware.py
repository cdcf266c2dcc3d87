"""The capture middleware: every HTTP exchange of a crawl into WARC, indexed in ``captures``.

It sits next to the downloader (order 950, after the HTTP cache), so it sees every
response before retry, redirect and decompression act on it: pages, comment pages,
listings, sitemaps, feeds, robots.txt (fetched by RobotsTxtMiddleware through the same
downloader), error responses and redirects, each exactly once, body as received.

For each response it writes the response (or revisit) record and the request record,
flushes them, commits the ``captures`` row in its own connection to the archive (WAL,
busy timeout), and only then lets the response go on, with the capture's id and fetch
time in the request's meta (see :mod:`archiver.capture.stamp`). So an article row, which
is written later by the pipeline, can only reference a committed capture of flushed bytes.

A 304 becomes a ``revisit`` record (server-not-modified); a payload identical to the
last capture of the same URL becomes a ``revisit`` (identical-payload-digest) pointing
at the response record that holds the bytes.

The crawl run id comes from the storage pipeline (stats value ``archiver/run_id``, set
when it opens, before the spider_opened signal): without an archive run there is
nothing to index, and capture switches itself off. During a reparse the replay handler
answers requests from existing records; the middleware then indexes the original
record again under the new run instead of writing a new one: all the replayed run's
records at once, in their order, when the replay opens (one commit instead of one per
response, and a record the spider no longer asks for stays indexed too).

Settings: ``ARCHIVE_WARC_ENABLED`` (default True), ``ARCHIVE_WARC_DIR`` (default
``warc/`` beside ``ARCHIVE_DB``), ``ARCHIVE_WARC_MAX_BYTES`` (default 1 GB).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Self
from zoneinfo import ZoneInfo

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.settings import SETTINGS_PRIORITIES, Settings

import archiver
from archiver.capture import index
from archiver.capture.index import Capture
from archiver.capture.records import (
    request_record,
    response_headers,
    response_record,
    revisit_record,
)
from archiver.capture.repair import repair_archive_tails
from archiver.capture.stamp import CAPTURE_ID_KEY, FETCHED_AT_KEY
from archiver.capture.warcfile import WarcFiles, payload_digest

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 1_000_000_000
#: ``request.meta`` key the replay handler sets: the original :class:`Capture` it answered from.
REPLAYED_KEY = "archiver_replayed"
RUN_ID_STAT = "archiver/run_id"
TOKYO = ZoneInfo("Asia/Tokyo")  # the archive's clock: fetched_at like every *_at column


def command_line_settings(settings: Settings) -> dict[str, str]:
    """The settings this run was given on its command line (``-s NAME=VALUE``).

    They can change what a crawl fetches and how (``RETRY_TIMES``, the revisit
    policy, ...), so ``archiver reparse`` replays the run with them; the replay decides
    the rest (where to write, how fast, ARCHIVE_NOW, which is kept on its own).
    """
    cmdline = SETTINGS_PRIORITIES["cmdline"]
    return {
        name: str(settings[name])
        for name in sorted(settings)
        if settings.getpriority(name) == cmdline and isinstance(settings[name], str | int | float)
    }


def warc_dir(settings_dir: str | None, db_path: str) -> Path:
    """``ARCHIVE_WARC_DIR``, or ``warc/`` beside the archive."""
    return Path(settings_dir) if settings_dir else Path(db_path).parent / "warc"


class WarcCaptureMiddleware:
    """Downloader middleware writing each exchange as WARC/1.1 and indexing it."""

    def __init__(self, crawler: Crawler, db_path: str, directory: Path, max_bytes: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = db_path
        self.directory = directory
        self.max_bytes = max_bytes
        self.conn: sqlite3.Connection | None = None
        self.run_id: int | None = None
        self.files: WarcFiles | None = None
        # url -> its last capture with a digest, and the response record holding the bytes
        self._last: dict[str, tuple[Capture, Capture | None]] = {}
        # during a reparse: original capture id -> its row indexed again under this run
        self._reindexed: dict[int, Capture] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_WARC_ENABLED", True):
            raise NotConfigured("ARCHIVE_WARC_ENABLED is off")
        db_path = settings.get("ARCHIVE_DB")
        if not db_path:
            raise NotConfigured("no ARCHIVE_DB: nothing to index captures in")
        directory = warc_dir(settings.get("ARCHIVE_WARC_DIR"), str(db_path))
        max_bytes = settings.getint("ARCHIVE_WARC_MAX_BYTES", DEFAULT_MAX_BYTES)
        middleware = cls(crawler, str(db_path), directory, max_bytes)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        run_id = self.stats.get_value(RUN_ID_STAT)
        if run_id is None:
            logger.info("no archive run (storage pipeline off): WARC capture is off")
            return
        self.run_id = int(run_id)
        self.conn = index.connect(self.db_path)
        replaying = self.crawler.settings.get("ARCHIVE_REPLAY_FROM")
        if replaying:
            self._index_run_again(replaying, self.crawler.settings.getint("ARCHIVE_REPLAY_RUN"))
        else:
            repair_archive_tails(self.conn, self.db_path, self.directory, self.run_id)
            prefix = f"{Path(self.db_path).stem}-{self.run_id}"
            info = {
                "software": f"archiver/{archiver.__version__} (Scrapy, warcio)",
                "format": "WARC File Format 1.1",
                "isPartOf": f"{Path(self.db_path).name} crawl run {self.run_id}",
                "robots": "obey" if self.crawler.settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "http-header-user-agent": self.crawler.settings.get("USER_AGENT"),
                # What archiver reparse needs to replay this run as it ran:
                "archiver-spider": spider.name,
                "archiver-arguments": json.dumps(getattr(spider, "arguments", {})),
                "archiver-clock": self.crawler.settings.get("ARCHIVE_NOW") or "",
                "archiver-settings": json.dumps(command_line_settings(self.crawler.settings)),
            }
            self.files = WarcFiles(self.directory, prefix, self.max_bytes, info)
            logger.info("writing WARC files to %s/%s-*.warc.gz", self.directory, prefix)

    def spider_closed(self, spider: Spider) -> None:
        if self.files is not None:
            self.files.close()
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def process_response(self, request: Request, response: Response) -> Response:
        if self.conn is None:
            return response
        replayed: Capture | None = request.meta.get(REPLAYED_KEY)
        try:
            if replayed is not None:
                capture = self._index_again(replayed)
            elif self.files is not None:
                capture = self._capture(request, response)
            else:
                return response
        except (OSError, sqlite3.Error) as error:
            # Never a crash of the crawl; but a page without its capture is counted and
            # logged loudly, and its rows will carry no capture id (verify reports them).
            logger.error("could not capture %s: %s", response.url, error)
            self.stats.inc_value("archiver/warc/errors")
            return response
        request.meta[CAPTURE_ID_KEY] = capture.id
        request.meta[FETCHED_AT_KEY] = capture.fetched_at
        return response

    def _index_run_again(self, source: str, run_id: int) -> None:
        """Index every record of the replayed run under this run, in the original order.

        The replay handler answers from these same records (one per request, with its
        id), so each response finds its row here: one commit for the whole run instead
        of one per response, and a record the spider no longer asks for stays indexed.
        """
        conn = sqlite3.connect(source)
        try:
            originals = index.select_captures(conn, "run_id = ?", (run_id,))
        finally:
            conn.close()
        again = [
            replace(
                original,
                id=None,
                run_id=self.run_id,
                warc_file=index.stored_name(
                    self.db_path, index.resolve(source, original.warc_file)
                ),
            )
            for original in originals
        ]
        index.insert_captures(self.conn, again)
        self._reindexed = {
            original.id: capture for original, capture in zip(originals, again, strict=True)
        }

    def _index_again(self, original: Capture) -> Capture:
        self.stats.inc_value("archiver/warc/replayed")
        return self._reindexed[original.id]

    def _capture(self, request: Request, response: Response) -> Capture:
        now = datetime.now(UTC).replace(microsecond=0)
        warc_date = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        fetched_at = now.astimezone(TOKYO).isoformat(timespec="seconds")
        http = response_headers(response)
        ip = str(response.ip_address) if response.ip_address is not None else None
        last, original = self._last_of(response.url)
        digest: str | None = None
        if response.status == 304:
            refers = (original.url, _warc_date(original)) if original else None
            record = revisit_record(response, http, warc_date, ip, None, refers)
            kind = "revisit"
        else:
            digest = payload_digest(response.body)
            if last is not None and original is not None and last.payload_digest == digest:
                refers = (original.url, _warc_date(original))
                record = revisit_record(response, http, warc_date, ip, digest, refers)
                kind = "revisit"
            else:
                record = response_record(response, http, warc_date, ip)
                kind = "response"
        protocol = http.protocol or "HTTP/1.1"
        written = self.files.write(
            [record, request_record(request, protocol, warc_date, concurrent_to=record)]
        )
        capture = Capture(
            run_id=self.run_id,
            url=response.url,
            fetched_at=fetched_at,
            status=response.status,
            warc_file=index.stored_name(self.db_path, written[0].path),
            warc_offset=written[0].offset,
            warc_length=written[0].length,
            payload_digest=digest,
            record_type=kind,
        )
        index.insert_capture(self.conn, capture)
        if digest is not None:
            self._last[response.url] = (capture, capture if kind == "response" else original)
        self.stats.inc_value(f"archiver/warc/{kind}s")
        self.stats.inc_value("archiver/warc/bytes", sum(w.length for w in written))
        return capture

    def _last_of(self, url: str) -> tuple[Capture | None, Capture | None]:
        """The last capture of ``url`` with a digest, and the response record with its bytes."""
        if url not in self._last:
            last = index.last_capture(self.conn, url)
            original = index.original_capture(self.conn, url, last.payload_digest) if last else None
            if last is None:
                return None, None
            self._last[url] = (last, original)
        return self._last[url]


def _warc_date(capture: Capture) -> str:
    """The WARC-Date of a capture, from its ``fetched_at`` (same instant, UTC)."""
    moment = datetime.fromisoformat(capture.fetched_at).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
