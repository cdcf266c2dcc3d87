"""Datasette plugin for the archive (registered through the ``datasette`` entry point).

With the archiver installed, ``datasette data/archive.db`` needs no options:

* ``get_metadata`` supplies ``archiver/datasette/metadata.yml`` (descriptions, labels,
  facets, sort orders, canned queries) for every attached database that is an archive;
* ``prepare_connection`` registers ``ja_fts_query(text)`` for SQL, and on archive
  databases replaces Datasette's ``escape_fts`` with the Japanese-aware query builder.
  The table search box (``?_search=``) runs ``MATCH escape_fts(:search)``, so this makes
  it find 3+ character Japanese words (戦闘機 -> ``"戦闘 闘機"``), full-width latin and
  one-character queries, while the box still shows what the user typed.
* ``extra_template_vars`` feeds the templates of ``archiver/datasette/templates``: an
  article's row page shows its thread as a thread, a comment's row page its history,
  parent and replies, and the index page says what each archive holds.
* The charts are datasette-dashboards dashboards (vega-lite), declared under
  ``plugins:`` in metadata.yml; their ``db: archive`` is pointed at the archive's name.

Datasette loads the package ``archiver.datasette`` (the entry point), which re-exports
these hooks: Datasette finds a plugin's templates and static files only beside a package.
"""

from __future__ import annotations

import copy
import sqlite3
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from datasette import hookimpl
from datasette.utils import urlsafe_components

from archiver.search import fts_query

METADATA_PATH = Path(__file__).parent / "datasette" / "metadata.yml"
#: The name Datasette knows the plugin by (its distribution): static files are served
#: under /-/static-plugins/archiver/.
PLUGIN_NAME = "archiver"
# The database name used for the archive's block inside metadata.yml.
_TEMPLATE_DATABASE = "archive"


@cache
def archive_metadata() -> dict[str, Any]:
    """The shipped metadata.yml, parsed (cached: Datasette asks for metadata often).

    The ``thread_as_of`` canned query is added from :mod:`archiver.threads`, so that
    Datasette and ``archiver thread`` run the very same SQL.
    """
    from archiver.threads import THREAD_AS_OF_SQL

    with METADATA_PATH.open(encoding="utf-8") as file:
        metadata = yaml.safe_load(file)
    queries = metadata["databases"][_TEMPLATE_DATABASE].setdefault("queries", {})
    queries["thread_as_of"] = {
        "title": "A thread as it was",
        "description": (
            "The comment thread of one article (post id) as the archive knew it at a time"
            " (ISO 8601, e.g. 2022-02-03T12:00:00+09:00; empty for now): the text and votes"
            " of each comment then, replies indented, edited and deleted marked."
        ),
        "sql": THREAD_AS_OF_SQL.strip(),
    }
    return metadata


def ja_fts_query(text: str | None) -> str:
    """SQL function: a user's text -> FTS5 expression; never empty (FTS5 rejects '')."""
    return fts_query(text) or '""'


@lru_cache(maxsize=64)
def _is_archive_file(path: str, mtime_ns: int) -> bool:
    # mtime in the cache key: a database that becomes an archive is noticed. Bounded:
    # a file written by a running crawl gets a new mtime at every WAL checkpoint.
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return _is_archive_connection(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def _is_archive_connection(conn: sqlite3.Connection) -> bool:
    try:
        names = {
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE name IN"
                " ('schema_migrations', 'comments_fts', 'articles')"
            )
        }
    except sqlite3.Error:
        return False
    return len(names) == 3


def _archive_database_names(datasette: Any) -> list[str]:
    names = []
    for name, database in datasette.databases.items():
        path = getattr(database, "path", None)
        if not path:
            continue
        try:
            mtime = Path(path).stat().st_mtime_ns
        except OSError:
            continue
        if _is_archive_file(str(path), mtime):
            names.append(name)
    return names


@hookimpl
def get_metadata(datasette: Any, key: str, database: str | None, table: str | None) -> dict:
    names = _archive_database_names(datasette)
    if not names:
        return {}
    template = archive_metadata()
    metadata = {k: v for k, v in template.items() if k not in ("databases", "plugins")}
    block = template["databases"][_TEMPLATE_DATABASE]
    metadata["databases"] = {name: copy.deepcopy(block) for name in names}
    # Dashboards read one database: the first archive (the usual case is only one).
    metadata["plugins"] = _with_database(copy.deepcopy(template.get("plugins", {})), names[0])
    return metadata


def _with_database(config: Any, name: str) -> Any:
    """``config`` with every ``db: archive`` pointed at the database called ``name``."""
    if isinstance(config, dict):
        return {
            key: name
            if key == "db" and value == _TEMPLATE_DATABASE
            else _with_database(value, name)
            for key, value in config.items()
        }
    if isinstance(config, list):
        return [_with_database(value, name) for value in config]
    return config


# trylast: Datasette's own prepare_connection registers escape_fts; ours must run after
# it to replace it.
@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    conn.create_function("ja_fts_query", 1, ja_fts_query, deterministic=True)
    if _is_archive_connection(conn):
        conn.create_function("escape_fts", 1, ja_fts_query, deterministic=True)


def _row_id(request: Any) -> int | None:
    try:
        (value,) = urlsafe_components(request.url_vars["pks"])
        return int(value)
    except (KeyError, ValueError, TypeError):
        return None


@hookimpl
def extra_template_vars(
    database: str | None,
    table: str | None,
    view_name: str,
    request: Any,
    datasette: Any,
) -> Any:
    """The data of the archive's own page parts (see ``archiver/datasette/templates``)."""

    # Imported here: archiver.datasette (the package Datasette loads) imports this module.
    from archiver.datasette.pages import archive_summary, article_page, comment_page

    async def inner() -> dict[str, Any]:
        if view_name == "index":
            names = _archive_database_names(datasette)
            return {
                "archive_summaries": [
                    await archive_summary(datasette.get_database(name)) for name in names
                ]
            }
        if view_name != "row" or table not in ("articles", "comments") or request is None:
            return {}
        if database not in _archive_database_names(datasette):
            return {}
        row_id = _row_id(request)
        if row_id is None:
            return {}
        db = datasette.get_database(database)
        if table == "articles":
            return {"archive_article": await article_page(db, row_id)}
        return {"archive_comment": await comment_page(db, row_id)}

    return inner


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.static_plugins(PLUGIN_NAME, "archive.css")]
