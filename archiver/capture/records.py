"""WARC records of one Scrapy exchange: what is kept of the bytes, and what cannot be.

Byte-exact: the body as received (before Scrapy decompresses it; the capture middleware
sits next to the downloader), the header values and their order, the target URI with
its query string, the request method and body. Not byte-exact, because Scrapy's HTTP
client does not keep them: header *name case* (Scrapy title-cases names: ``Content-Type``
for ``content-type``), the status line's *reason phrase* (the standard phrase of the
status is written: ``404 Not Found``), and a chunked body's framing (Twisted joins the
chunks; ``Transfer-Encoding`` is kept renamed as ``X-Archive-Orig-Transfer-Encoding``,
as pywb does, so the record is consistent). Getting those exactly would take a download
handler of our own below Twisted's HTTP parser, which the evidence value of header case
does not justify. The request record holds the headers Scrapy's middlewares set; the
HTTP client adds ``Host`` (written too) and, for bodies, ``Content-Length``.
"""

from __future__ import annotations

import io
from http import HTTPStatus
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver.capture.warcfile import WARC_VERSION

SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"

_builder = WARCWriter(None, warc_version=WARC_VERSION)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def response_headers(response: Response) -> StatusAndHeaders:
    """The status line and headers of ``response`` as Scrapy received them."""
    headers = []
    for name, values in response.headers.items():
        text = name.decode("latin-1")
        if text.lower() == "transfer-encoding":
            text = "X-Archive-Orig-Transfer-Encoding"
        headers.extend((text, value.decode("latin-1")) for value in values)
    protocol = getattr(response, "protocol", None) or "HTTP/1.1"
    statusline = f"{response.status} {_reason(response.status)}".rstrip()
    return StatusAndHeaders(statusline, headers, protocol=protocol)


def request_headers(request: Request, protocol: str) -> StatusAndHeaders:
    """The request line and headers of ``request`` as sent (``Host`` added if missing)."""
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in request.headers.items()
        for value in values
    ]
    if not any(name.lower() == "host" for name, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    return StatusAndHeaders(f"{request.method} {target} {protocol}", headers, is_http_request=True)


def _warc_headers(fetched_at_utc: str, ip_address: str | None) -> dict[str, str]:
    headers = {"WARC-Date": fetched_at_utc}
    if ip_address:
        headers["WARC-IP-Address"] = ip_address
    return headers


def response_record(
    response: Response, http: StatusAndHeaders, fetched_at_utc: str, ip: str | None
) -> ArcWarcRecord:
    """A ``response`` record with the body as received (warcio adds the digests)."""
    body = response.body
    return _builder.create_warc_record(
        response.url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=http,
        warc_headers_dict=_warc_headers(fetched_at_utc, ip),
    )


def revisit_record(
    response: Response,
    http: StatusAndHeaders,
    fetched_at_utc: str,
    ip: str | None,
    digest: str | None,
    refers_to: tuple[str, str] | None,
) -> ArcWarcRecord:
    """A ``revisit`` record: identical-payload-digest when ``digest`` is given, else
    server-not-modified (a 304). ``refers_to`` is the earlier capture's (URI, WARC-Date)."""
    warc_headers = _warc_headers(fetched_at_utc, ip)
    if digest is not None and refers_to is not None:
        return _builder.create_revisit_record(
            response.url,
            digest,
            refers_to[0],
            refers_to[1],
            http_headers=http,
            warc_headers_dict=warc_headers,
        )
    record = _builder.create_warc_record(
        response.url, "revisit", http_headers=http, warc_headers_dict=warc_headers
    )
    record.rec_headers.add_header("WARC-Profile", SERVER_NOT_MODIFIED)
    if refers_to is not None:
        record.rec_headers.add_header("WARC-Refers-To-Target-URI", refers_to[0])
        record.rec_headers.add_header("WARC-Refers-To-Date", refers_to[1])
    return record


def request_record(
    request: Request, protocol: str, fetched_at_utc: str, concurrent_to: ArcWarcRecord
) -> ArcWarcRecord:
    """The ``request`` record of an exchange, pointing at its response with Concurrent-To."""
    body = request.body or b""
    record = _builder.create_warc_record(
        request.url,
        "request",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=request_headers(request, protocol),
        warc_headers_dict={"WARC-Date": fetched_at_utc},
    )
    record.rec_headers.add_header(
        "WARC-Concurrent-To", concurrent_to.rec_headers.get_header("WARC-Record-ID")
    )
    return record
