"""A threaded local HTTP server for the sample site (127.0.0.1 only).

Pages are rendered on first request and cached per (Host, target), so a crawl of a
10,000-article synthetic site costs one render per page; ``show(site)`` switches to
another day's site on the same port. Like a WordPress site behind nginx or a page
cache, 200 answers carry a strong ``ETag`` (a hash of the body) and ``Last-Modified``,
and conditional requests get ``304 Not Modified``; ``validators = False`` serves a
site that sends neither (many WordPress sites do not). Every request is recorded
(``requests``: the targets; ``request_log``: targets with their conditional headers,
User-Agent, time and answer) so tests can prove what a crawler fetched and how.
Faults can be injected per path (``faults``, ``failures``) and robots.txt extended
(``robots_extra``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import socket
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from archiver.sample_site.discovery import FEED_ITEMS
from archiver.sample_site.model import SampleSite
from archiver.sample_site.page import Response
from archiver.sample_site.render import changed_at, http_date, render

logger = logging.getLogger(__name__)


@dataclass
class Fault:
    """An injected answer for one path: ``status`` with ``headers`` (and ``body``), ``times``
    times (None: always), then the normal page. ``truncate=True`` instead sends a 200 whose
    body stops short of its Content-Length, then closes the connection."""

    status: int = 200
    headers: Sequence[tuple[str, str]] = ()
    times: int | None = None
    truncate: bool = False
    body: bytes | None = None
    served: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the server saw it (``at`` is ``time.monotonic()`` on arrival)."""

    path: str
    method: str
    status: int
    if_none_match: str | None
    if_modified_since: str | None
    user_agent: str | None
    at: float


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    truncate: bool = False


class SampleSiteServer(ThreadingHTTPServer):
    """The HTTP server; ``requests`` lists every request target in arrival order."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64  # Scrapy opens 8-16 connections at once

    def __init__(
        self,
        site: SampleSite,
        host: str = "127.0.0.1",
        port: int = 0,
        access_log: str | Path | None = None,
        verbose: bool = False,
        validators: bool = True,
    ) -> None:
        super().__init__((host, port), _Handler)
        self.site = site
        self.requests: list[str] = []
        self.request_log: list[RequestRecord] = []
        self.verbose = verbose
        self.validators = validators
        self.feed_items = FEED_ITEMS  # WordPress posts_per_rss
        self._access_log = Path(access_log) if access_log else None
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], tuple[Response, str]] = {}
        self._site_modified: str | None = None
        self._thread: threading.Thread | None = None
        # Injected faults for tests of the crawler's error handling.
        self.failures: dict[str, int] = {}  # path -> HTTP status, always
        self.faults: dict[str, Fault] = {}  # path -> Fault
        self.robots_extra: list[str] = []  # lines appended to robots.txt

    @property
    def url(self) -> str:
        """Base URL with trailing slash, e.g. ``http://127.0.0.1:8123/``."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def show(self, site: SampleSite) -> None:
        """Serve ``site`` from now on (e.g. the next day's), forgetting rendered pages."""
        with self._lock:
            self.site = site
            self._cache.clear()
            self._site_modified = None

    def record(self, target: str) -> None:
        with self._lock:
            self.requests.append(target)
            if self._access_log is not None:
                with self._access_log.open("a", encoding="utf-8") as log:
                    log.write(target + "\n")

    def answer(self, host: str, target: str, request_headers: dict[str, str]) -> _Answer:
        """The answer to a GET of ``target``; ``request_headers`` are the conditional ones
        (lower-case names)."""
        path = target.split("?", 1)[0]
        with self._lock:
            fault = self.faults.get(path)
            if fault is not None and (fault.times is None or fault.served < fault.times):
                fault.served += 1
            else:
                fault = None
        if fault is not None and not fault.truncate:
            body = fault.body
            if body is None:
                body = f"injected fault {fault.status}\n".encode()
            headers = [("Content-Type", "text/plain; charset=UTF-8"), *fault.headers]
            return _Answer(fault.status, headers, body)
        status = self.failures.get(path)
        if status is not None:
            body = f"injected failure {status}\n".encode()
            return _Answer(status, [("Content-Type", "text/plain; charset=UTF-8")], body)
        (status, headers, body), etag = self._render(host, target)
        if path == "/robots.txt" and self.robots_extra:
            body += "".join(line + "\n" for line in self.robots_extra).encode()
            etag = _etag(body)
        if fault is not None:
            return _Answer(200, [*headers, *fault.headers], body, truncate=True)
        if not self.validators:
            return _Answer(status, [(n, v) for n, v in headers if n != "Last-Modified"], body)
        if status != 200:
            return _Answer(status, headers, body)
        headers = [*headers, ("ETag", etag)]
        last_modified = _header(headers, "Last-Modified")
        if last_modified is None:
            last_modified = self._site_last_modified()
            headers.append(("Last-Modified", last_modified))
        if _not_modified(request_headers, etag, last_modified):
            kept = [(n, v) for n, v in headers if n in ("ETag", "Last-Modified", "Link")]
            return _Answer(304, kept, b"")
        return _Answer(status, headers, body)

    def _render(self, host: str, target: str) -> tuple[Response, str]:
        key = (host, target)
        with self._lock:
            site, cached = self.site, self._cache.get(key)
        if cached is None:
            response = render(site, f"http://{host}", target, self.feed_items)
            cached = response, _etag(response[2])
            with self._lock:
                if self.site is site:
                    self._cache[key] = cached
        return cached

    def _site_last_modified(self) -> str:
        """Listings, sitemaps and feeds change with any post or thread: the newest change."""
        if self._site_modified is None:
            newest = max((changed_at(a) for a in self.site.articles), default=None)
            self._site_modified = http_date(newest) if newest else "Thu, 01 Jan 1970 00:00:00 GMT"
        return self._site_modified

    def start(self) -> SampleSiteServer:
        """Serve in a daemon thread and return self."""
        self._thread = threading.Thread(target=self.serve_forever, name="sample-site", daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        """Stop serving and close the socket."""
        super().shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def _etag(body: bytes) -> str:
    """A strong validator: the same bytes give the same tag on every day and server."""
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key == name), None)


def _not_modified(request: dict[str, str], etag: str, last_modified: str | None) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request.get("if-none-match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = request.get("if-modified-since")
    if since is None or last_modified is None:
        return False
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as servers do


class _Handler(BaseHTTPRequestHandler):
    server: SampleSiteServer
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        arrived = time.monotonic()
        self.server.record(self.path)
        host, port = self.server.server_address[:2]
        request_host = self.headers.get("Host") or f"{host}:{port}"
        conditional = {
            name: self.headers[name]
            for name in ("if-none-match", "if-modified-since")
            if self.headers.get(name) is not None
        }
        answer = self.server.answer(request_host, self.path, conditional)
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        if answer.status != 304:
            self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        with self.server._lock:
            self.server.request_log.append(
                RequestRecord(
                    self.path,
                    self.command,
                    answer.status,
                    self.headers.get("If-None-Match"),
                    self.headers.get("If-Modified-Since"),
                    self.headers.get("User-Agent"),
                    arrived,
                )
            )
        if answer.truncate:
            # Half the promised body, then the connection closes: a client sees data loss.
            if send_body:
                self.wfile.write(answer.body[: len(answer.body) // 2])
                self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_WR)
            return
        if send_body and answer.status != 304:
            self.wfile.write(answer.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")


def serve(
    site: SampleSite,
    host: str = "127.0.0.1",
    port: int = 0,
    access_log: str | Path | None = None,
    verbose: bool = False,
    validators: bool = True,
) -> SampleSiteServer:
    """Start serving ``site`` in a background thread; port 0 picks a free port."""
    server = SampleSiteServer(
        site, host, port, access_log=access_log, verbose=verbose, validators=validators
    )
    return server.start()
