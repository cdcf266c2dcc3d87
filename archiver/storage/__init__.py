"""The archive's storage: plain functions over a :class:`sqlite_utils.Database`.

One module per responsibility:

* :mod:`~archiver.storage.database` opens (creates, migrates) the archive file;
* :mod:`~archiver.storage.articles` saves an article page in one transaction, with its
  parts, links and revisions, and records articles the site took down;
* :mod:`~archiver.storage.comments` saves a thread with its history (revisions, vote
  series, removals);
* :mod:`~archiver.storage.search_index` keeps the Japanese full-text index in step and
  searches it;
* :mod:`~archiver.storage.results` says what a save changed;
* :mod:`~archiver.storage.runs` records crawl runs and anomalies;
* :mod:`~archiver.storage.ids` gives rows without a site id a stable one.
"""

from __future__ import annotations

from archiver.storage.articles import AfterSave, mark_gone, save_article, save_articles
from archiver.storage.database import ARCHIVE_PAGE_SIZE, TOKYO, now_tokyo, open_archive
from archiver.storage.ids import (
    comment_ids,
    content_hash,
    synthetic_article_id,
    synthetic_comment_id,
)
from archiver.storage.results import SaveResult
from archiver.storage.runs import RUN_COUNTS, finish_run, record_anomaly, start_run
from archiver.storage.search_index import SearchIndexWrites, rebuild_search_index, search

__all__ = [
    "AfterSave",
    "ARCHIVE_PAGE_SIZE",
    "RUN_COUNTS",
    "TOKYO",
    "SaveResult",
    "SearchIndexWrites",
    "comment_ids",
    "content_hash",
    "finish_run",
    "mark_gone",
    "now_tokyo",
    "open_archive",
    "rebuild_search_index",
    "record_anomaly",
    "save_article",
    "save_articles",
    "search",
    "start_run",
    "synthetic_article_id",
    "synthetic_comment_id",
]
