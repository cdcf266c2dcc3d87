"""Scrapy signals of the archiver (sent with ``crawler.signals.send_catch_log``)."""

from __future__ import annotations

#: Sent by the storage pipeline when it has opened the archive and its crawl run, with
#: ``archive`` (the :class:`~pipelines.storage.ArchivePipeline`): the frontier pipeline
#: then writes through the archive's one writer (``in_writer``, ``after_save``), so
#: there is one writer per crawl and an article's visit commits with the article.
archive_opened = object()
