"""Scrapy signals of the archiver (sent with ``crawler.signals.send_catch_log``)."""

from __future__ import annotations

#: Sent by the storage pipeline after an article was saved, with ``article`` (the
#: :class:`~archiver.items.Article`) and ``result`` (its ``SaveResult``): the frontier
#: records the visit and what it found.
article_saved = object()
