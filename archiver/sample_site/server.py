"""A threaded local HTTP server for the sample site (127.0.0.1 only).

Pages are rendered on first request and cached per (Host, target), so a crawl of a
10,000-article synthetic site costs one render per page. Every requested target is
recorded (in memory, and optionally appended to a file) so tests can prove what a
crawler fetched.
"""

from __future__ import annotations

import logging
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from archiver.sample_site.model import SampleSite
from archiver.sample_site.page import Response
from archiver.sample_site.render import render

logger = logging.getLogger(__name__)


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
    ) -> None:
        super().__init__((host, port), _Handler)
        self.site = site
        self.requests: list[str] = []
        self.verbose = verbose
        self._access_log = Path(access_log) if access_log else None
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], Response] = {}
        self._thread: threading.Thread | None = None
        # Injected faults for tests of the crawler's error handling: path -> HTTP status.
        self.failures: dict[str, int] = {}

    @property
    def url(self) -> str:
        """Base URL with trailing slash, e.g. ``http://127.0.0.1:8123/``."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def record(self, target: str) -> None:
        with self._lock:
            self.requests.append(target)
            if self._access_log is not None:
                with self._access_log.open("a", encoding="utf-8") as log:
                    log.write(target + "\n")

    def respond(self, host: str, target: str) -> Response:
        status = self.failures.get(target.split("?", 1)[0])
        if status is not None:
            body = f"injected failure {status}\n".encode()
            return status, [("Content-Type", "text/plain; charset=UTF-8")], body
        key = (host, target)
        cached = self._cache.get(key)
        if cached is None:
            cached = render(self.site, f"http://{host}", target)
            self._cache[key] = cached
        return cached

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
        self.server.record(self.path)
        host, port = self.server.server_address[:2]
        request_host = self.headers.get("Host") or f"{host}:{port}"
        status, headers, body = self.server.respond(request_host, self.path)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")


def serve(
    site: SampleSite,
    host: str = "127.0.0.1",
    port: int = 0,
    access_log: str | Path | None = None,
    verbose: bool = False,
) -> SampleSiteServer:
    """Start serving ``site`` in a background thread; port 0 picks a free port."""
    return SampleSiteServer(site, host, port, access_log=access_log, verbose=verbose).start()
