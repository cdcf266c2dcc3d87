"""Raw capture: every HTTP exchange of a crawl kept as WARC/1.1, indexed in ``captures``.

The archive's parsed tables are a cache of what the crawl saw; the WARC files are the
evidence. This package writes them during the crawl (:mod:`.middleware`, a downloader
middleware next to the downloader), indexes every record in the ``captures`` table
(:mod:`.index`), cuts off the half-written record a crash leaves (:mod:`.warcfile`),
checks files against the index (:mod:`.verify`), packages them as WACZ for replay
(:mod:`.export`), and answers a re-run of the real spider from them, offline, so the
database can be rebuilt with today's parser (:mod:`.replay`, :mod:`.reparse`).
"""

from __future__ import annotations

from archiver.capture.stamp import capture_of, stamp_capture

__all__ = ["capture_of", "stamp_capture"]
