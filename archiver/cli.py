"""The ``archiver`` command: a thin Click layer over ``archiver.storage``.

Commands take the database path first, print data to stdout and progress to stderr,
and turn expected failures (missing file, not an archive, ...) into one error line.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

from archiver.schema import NotAnArchiveError


def _open_existing(path: str) -> Database:
    """Open an archive that must already exist, or fail with one clear line."""
    from archiver.storage import open_archive

    try:
        return open_archive(path, create=False)
    except FileNotFoundError as error:
        raise click.ClickException(f"no archive at {path}") from error
    except (IsADirectoryError, NotAnArchiveError) as error:  # the message names the path
        raise click.ClickException(str(error)) from error
    except (sqlite3.Error, OSError) as error:
        raise click.ClickException(f"cannot open {path}: {error}") from error


@click.group()
@click.version_option(package_name="archiver")
def cli() -> None:
    """Archive Japanese news blogs and their comment threads into SQLite."""


def collect_stats(db: Database, runs: int = 5) -> dict[str, Any]:
    """Row counts per table (articles by status, links by kind) and the last crawl runs."""
    from archiver.storage import RUN_COUNTS

    conn = db.conn

    def count(sql: str) -> int:
        return int(conn.execute(sql).fetchone()[0])

    tables = {}
    for table in (
        "articles",
        "comments",
        "article_links",
        "categories",
        "tags",
        "article_tags",
        "sources",
        "credits",
        "anomalies",
        "crawl_runs",
        "comment_revisions",
        "vote_counts",
        "comment_removals",
        "article_revisions",
        "captures",
    ):
        tables[table] = count(f"SELECT count(*) FROM {table}")
    articles_by_status = dict(conn.execute("SELECT status, count(*) FROM articles GROUP BY status"))
    links_by_kind = dict(conn.execute("SELECT kind, count(*) FROM article_links GROUP BY kind"))
    cursor = conn.execute(
        f"SELECT id, spider, status, started_at, finished_at, {', '.join(RUN_COUNTS)}"
        " FROM crawl_runs ORDER BY id DESC LIMIT ?",
        (runs,),
    )
    columns = [d[0] for d in cursor.description]
    return {
        "tables": tables,
        "articles_by_status": articles_by_status,
        "article_links_by_kind": links_by_kind,
        "crawl_runs": [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()],
    }


@cli.command()
@click.argument("db_path", metavar="DB")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option("--runs", default=5, show_default=True, help="How many recent crawl runs to show.")
def stats(db_path: str, as_json: bool, runs: int) -> None:
    """Row counts and the last crawl runs of an archive.

    Example:

        archiver stats data/archive.db
    """
    db = _open_existing(db_path)
    try:
        report = collect_stats(db, runs)
    finally:
        db.close()
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    print_stats(report)


def print_stats(report: dict[str, Any]) -> None:
    """The text form of :func:`collect_stats`, shared by ``stats`` and ``demo``."""
    click.echo("table              rows")
    for table, rows in report["tables"].items():
        click.echo(f"{table:<18} {rows}")
    for status, rows in sorted(report["articles_by_status"].items()):
        click.echo(f"  articles {status}: {rows}")
    for kind, rows in sorted(report["article_links_by_kind"].items()):
        click.echo(f"  article_links {kind}: {rows}")
    click.echo("")
    click.echo("recent crawl runs:")
    if not report["crawl_runs"]:
        click.echo("  (none)")
    for run in report["crawl_runs"]:
        click.echo(
            f"  #{run['id']} {run['spider']} {run['status']}"
            f" {run['started_at']} -> {run['finished_at'] or '-'}"
            f" pages={run['pages'] or 0}"
            f" articles new={run['articles_new'] or 0} updated={run['articles_updated'] or 0}"
            f" edited={run['articles_edited'] or 0} gone={run['articles_gone'] or 0}"
            f" comments new={run['comments_new'] or 0} updated={run['comments_updated'] or 0}"
            f" edited={run['comments_edited'] or 0} deleted={run['comments_deleted'] or 0}"
            f" restored={run['comments_restored'] or 0}"
            f" votes changed={run['votes_changed'] or 0} errors={run['errors'] or 0}"
        )


@cli.command()
@click.argument("db_path", metavar="DB")
@click.argument("query")
@click.option("--limit", default=20, show_default=True, help="Maximum number of hits.")
@click.option(
    "--table",
    type=click.Choice(["comments", "articles"]),
    default="comments",
    show_default=True,
    help="What to search.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of text.")
def search(db_path: str, query: str, limit: int, table: str, as_json: bool) -> None:
    """Japanese-aware full-text search, best hits first.

    Any substring of Japanese text matches (母, 空母, 戦闘機, ウクライナ); latin words
    and numbers match whole (NATO, not ATO); several words must all match.

    Example:

        archiver search data/archive.db 空母 --table comments --limit 5
    """
    from archiver.storage import search as search_archive

    db = _open_existing(db_path)
    try:
        hits = search_archive(db, query, table=table, limit=limit)
    finally:
        db.close()
    for hit in hits:
        if as_json:
            click.echo(json.dumps(hit, ensure_ascii=False))
        elif table == "comments":
            body = " ".join((hit["body_text"] or "").split())
            click.echo(
                f"{hit['id']}\t{hit['author'] or ''}\t{hit['posted_at'] or ''}\t"
                f"{hit['article_title'] or ''}\t{body[:120]}"
            )
        else:
            click.echo(
                f"{hit['id']}\t{hit['published_date'] or ''}\t{hit['title'] or ''}\t{hit['url']}"
            )
    click.echo(f"{len(hits)} hit(s)", err=True)


@cli.command()
@click.argument("db_path", metavar="DB")
@click.argument("article")
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="TIME",
    help="ISO 8601 date or time (Tokyo if no offset). Default: now.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per comment.")
def thread(db_path: str, article: str, as_of: str | None, as_json: bool) -> None:
    """Print an article's comment thread as the archive knew it at a time.

    ARTICLE is the post id or the article's URL (a former URL works too). Replies are
    indented under their parent; each comment shows its author, date and vote count as
    of TIME, and [edited] / [deleted] when it had been edited or removed by then.
    Comments first seen after TIME are not shown.

    Examples:

        archiver thread data/archive.db 23456

        archiver thread data/archive.db https://grandfleet.info/russia-related/x/ --as-of 2022-02-01T09:00
    """
    from dataclasses import asdict

    from archiver.threads import (
        UnknownArticleError,
        find_article,
        format_thread,
        normalize_time,
        thread_as_of,
    )

    try:
        at = normalize_time(as_of) if as_of else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--as-of") from None
    db = _open_existing(db_path)
    try:
        article_id, title = find_article(db.conn, article)
        comments = thread_as_of(db.conn, article_id, at)
    except UnknownArticleError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.close()
    if as_json:
        for comment in comments:
            click.echo(json.dumps(asdict(comment), ensure_ascii=False))
    else:
        click.echo(f"{title or ''} (post {article_id}) as of {at or 'now'}\n")
        click.echo(format_thread(comments))
    deleted = sum(c.deleted for c in comments)
    click.echo(f"{len(comments)} comment(s), {deleted} deleted", err=True)


@cli.command()
@click.argument("db_path", metavar="DB")
@click.option("--port", default=8001, show_default=True, help="Port (0 picks a free one).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
def serve(db_path: str, port: int, host: str) -> None:
    """Browse an archive with Datasette (labels, Japanese search, views, canned queries).

    The archiver's Datasette plugin supplies the metadata and the search functions, so
    plain `datasette DB` works the same; this command checks the file first.

    Example:

        archiver serve data/archive.db --port 8001
    """
    db = _open_existing(db_path)
    db.close()
    datasette = Path(sys.executable).with_name("datasette")
    command = [str(datasette) if datasette.exists() else "datasette"]
    command += ["serve", db_path, "--host", host, "--port", str(port)]
    click.echo(f"starting Datasette on http://{host}:{port}/", err=True)
    try:
        os.execvp(command[0], command)
    except OSError as error:
        raise click.ClickException(f"cannot start Datasette: {error}") from error


@cli.command()
@click.option("--db", "db_path", default="data/archive.db", show_default=True, help="Archive file.")
@click.option(
    "--port",
    type=int,
    default=None,
    help="Sample-site port (default 8741, or a free one when taken; 0 picks a free one).",
)
def demo(db_path: str, port: int | None) -> None:
    """Crawl the bundled sample site (on 127.0.0.1) into an archive and summarize it.

    Example:

        archiver demo --db data/archive.db
    """
    try:
        from archiver.demo import DemoError, run_demo
    except ImportError as error:
        raise click.ClickException(f"the demo is not available: {error}") from error
    try:
        result = run_demo(db_path=db_path, port=port)
    except DemoError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"archived {result.articles} articles of the sample site {result.site_url}"
        f" into {result.db_path} in {result.seconds:.1f} s\n"
    )
    db = _open_existing(str(result.db_path))
    try:
        print_stats(collect_stats(db, runs=3))
    finally:
        db.close()
    bin_dir = Path(os.path.relpath(Path(sys.executable).parent))
    click.echo("\nbrowse it with Datasette:")
    click.echo(f"  {bin_dir / 'datasette'} {result.db_path}")
    click.echo(
        f"  {bin_dir / 'archiver'} serve {result.db_path}   (the same, checks the file first)"
    )


# The capture commands live in their own module; registered here so `archiver --help`
# lists them with the others.
from archiver.cli_capture import export_wacz, reparse, verify  # noqa: E402

for _command in (reparse, export_wacz, verify):
    cli.add_command(_command)
