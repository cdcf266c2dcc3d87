"""A Scrapy download handler that answers requests from a crawl run's WARC records.

``archiver reparse`` runs the real spider, the real middlewares and the real pipelines
with this handler in place of HTTP: each request is answered with the next capture of
its URL in the original run (so a 503 then its retried 200 come back in that order),
rebuilt from the record's status line, headers and body as received, then decompressed,
redirected and retried by Scrapy's own middlewares as in the live crawl. A revisit
record is answered with its own headers and the payload of the response record it
refers to; a 304 is a 304. Nothing goes to the network; a URL the original run never
fetched fails with :class:`NotCaptured`.

Settings: ``ARCHIVE_REPLAY_FROM`` (the archive holding the captures) and
``ARCHIVE_REPLAY_RUN`` (which of its runs to replay).
"""

from __future__ import annotations

import logging
import sqlite3
import zlib
from collections import defaultdict, deque
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from archiver.capture import index
from archiver.capture.index import Capture
from archiver.capture.middleware import REPLAYED_KEY
from archiver.capture.sequence import CaptureSequence
from archiver.capture.warcfile import parse_record

logger = logging.getLogger(__name__)

#: Stats key counting captures that could not be read; the reparse fails when it is set.
UNREADABLE_STAT = "archiver/replay/unreadable"
#: Stats key naming the original run a crawl replays (kept in its ``crawl_runs`` row).
REPLAYED_RUN_STAT = "archiver/replay/run"


class NotCaptured(IgnoreRequest):
    """The replayed run never fetched this URL (or fetched it fewer times)."""


class UnreadableCapture(Exception):
    """A capture's record is missing or damaged (``archiver verify`` says more)."""


class ReplayDownloadHandler(BaseDownloadHandler):
    """Answers every http(s) request from the captures of one run of an archive."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        source = settings.get("ARCHIVE_REPLAY_FROM")
        if not source:
            raise NotConfigured("ARCHIVE_REPLAY_FROM names no archive to replay")
        self.source = str(source)
        self.run_id = settings.getint("ARCHIVE_REPLAY_RUN")
        # Not mode=ro: a read-only connection would leave -wal/-shm files behind.
        self.conn = sqlite3.connect(self.source)
        self.queues: dict[str, deque[Capture]] = defaultdict(deque)
        captures = index.select_captures(self.conn, "run_id = ?", (self.run_id,))
        for capture in captures:
            self.queues[capture.url].append(capture)
        self.sequence = CaptureSequence([capture.id for capture in captures], self._stalled)
        crawler.stats.set_value(REPLAYED_RUN_STAT, self.run_id)
        self._files: dict[Path, BinaryIO] = {}

    async def download_request(self, request: Request) -> Response:
        queue = self.queues.get(request.url)
        if not queue:
            raise NotCaptured(f"{request.url} was not captured in run {self.run_id}")
        capture = queue.popleft()
        await self.sequence.turn(capture.id)  # in the original run's order
        path = index.resolve(self.source, capture.warc_file)
        request.meta[REPLAYED_KEY] = replace(capture, warc_file=str(path))
        try:
            record, body = self._record(path, capture)
            if record.rec_type == "revisit" and capture.payload_digest is not None:
                original = index.original_capture(self.conn, capture.url, capture.payload_digest)
                if original is None:
                    raise ValueError("no response record holds the payload this revisit names")
                _, body = self._record(index.resolve(self.source, original.warc_file), original)
        except (OSError, ValueError, StopIteration, ArchiveLoadFailed, zlib.error) as error:
            # The rebuilt archive would silently lack this page: the reparse must fail.
            self.crawler.stats.inc_value(UNREADABLE_STAT)
            logger.error("capture %s of %s is unreadable: %s", capture.id, capture.url, error)
            raise UnreadableCapture(f"capture {capture.id} of {capture.url}: {error}") from None
        http = record.http_headers
        headers = Headers()
        for name, value in http.headers:
            headers.appendlist(name, value)
        status = int(http.get_statuscode())
        respcls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return respcls(
            url=request.url, status=status, headers=headers, body=body, protocol=http.protocol
        )

    def _stalled(self, waiting: int) -> bool:
        """Whether no request can come any more but those waiting for their turn.

        Scrapy's engine is idle but for them: no callback or item is being processed,
        no request is scheduled, every start request was sent, and every download in
        flight is one of the ``waiting``.
        """
        engine = self.crawler.engine
        # Scrapy's own ``spider_is_idle`` reads the same parts, but counts the waiting
        # downloads as activity; a Scrapy without them falls back to the patience.
        slot = getattr(engine, "_slot", None)
        scraper_slot = getattr(getattr(engine, "scraper", None), "slot", None)
        if slot is None or scraper_slot is None or getattr(engine, "_start", True) is not None:
            return False
        return (
            scraper_slot.is_idle()
            and not slot.scheduler.has_pending_requests()
            and len(engine.downloader.active) == waiting
        )

    def _record(self, path: Path, capture: Capture) -> tuple[ArcWarcRecord, bytes]:
        file = self._files.get(path)
        if file is None:
            file = self._files[path] = open(path, "rb")  # noqa: SIM115 - closed in close()
        file.seek(capture.warc_offset)
        return parse_record(file.read(capture.warc_length))

    async def close(self) -> None:
        if self.sequence.passed_over:
            logger.warning(
                "%s capture(s) of run %s were not asked for in order",
                self.sequence.passed_over,
                self.run_id,
            )
        for file in self._files.values():
            file.close()
        self._files.clear()
        self.conn.close()
