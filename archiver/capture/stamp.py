"""What the spider learns about the capture behind a response (a few lines in the spider).

The capture middleware (live crawl) and the replay handler (reparse) put the capture's
id and fetch time into the request's meta; parsed pages carry them to storage, so every
article and comment row names the bytes it came from, and a reparse sees the original
fetch time instead of today's.
"""

from __future__ import annotations

from scrapy.http import Response

from archiver.items import Article

#: ``request.meta`` keys set for every captured response.
CAPTURE_ID_KEY = "archiver_capture_id"
FETCHED_AT_KEY = "archiver_fetched_at"


def capture_of(response: Response) -> tuple[int | None, str | None]:
    """``(capture id, fetched_at)`` of ``response``; ``(None, None)`` when not captured.

    A response built by hand (parser tests) has no request, hence no meta.
    """
    request = response.request
    if request is None:
        return None, None
    return request.meta.get(CAPTURE_ID_KEY), request.meta.get(FETCHED_AT_KEY)


def stamp_capture(page: Article, response: Response) -> str | None:
    """Mark ``page`` and its comments with the capture of ``response``; return its fetch time."""
    capture_id, fetched_at = capture_of(response)
    page.capture_id = capture_id
    for comment in page.comments:
        comment.capture_id = capture_id
    return fetched_at
