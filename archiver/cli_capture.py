"""The capture commands of ``archiver``: ``reparse``, ``export-wacz``, ``verify``.

Kept apart from ``archiver.cli`` (which registers them) so each module stays small.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

import click

from archiver.capture.middleware import warc_dir


def _open_captures(db_path: str) -> sqlite3.Connection:
    """The archive at ``db_path`` (which must exist and have captures), or one error line."""
    path = Path(db_path)
    if not path.is_file():
        raise click.ClickException(f"no archive at {db_path}")
    try:
        conn = sqlite3.connect(str(path), timeout=30)
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error as error:
        raise click.ClickException(f"cannot open {db_path}: {error}") from error
    if "captures" not in tables:
        conn.close()
        raise click.ClickException(f"{db_path} has no captures (crawled without WARC capture?)")
    return conn


@click.command()
@click.argument("db_path", metavar="DB")
@click.option(
    "--out", "out_path", type=click.Path(dir_okay=False), help="Write a new archive here."
)
@click.option(
    "--in-place", is_flag=True, help="Replace DB, atomically, once the new one is complete."
)
def reparse(db_path: str, out_path: str | None, in_place: bool) -> None:
    """Rebuild every parsed table from the WARC captures alone, offline.

    Each crawl run is replayed, in order, through the real spider, parser and storage,
    answered from its WARC records with their original fetch times: after a parser fix
    this recovers a field for the whole history.

    Example:

        archiver reparse data/archive.db --out data/reparsed.db
    """
    from archiver.capture.reparse import ReparseError, reparse_in_place
    from archiver.capture.reparse import reparse as reparse_archive

    if bool(out_path) == in_place:
        raise click.UsageError("give exactly one of --out NEW.db and --in-place")
    _open_captures(db_path).close()
    progress = _ProgressDisplay()
    started = time.monotonic()
    try:
        if in_place:
            runs = reparse_in_place(Path(db_path), progress)
        else:
            runs = reparse_archive(Path(db_path), Path(out_path), progress)
    except ReparseError as error:
        raise click.ClickException(str(error)) from error
    finally:
        progress.close()
    target = db_path if in_place else out_path
    click.echo(
        f"reparsed {len(runs)} crawl run(s), {sum(r.captures for r in runs)} captures,"
        f" into {target} in {time.monotonic() - started:.1f} s",
        err=True,
    )


class _ProgressDisplay:
    """A progress bar on a terminal (pages, comments, rate, ETA); plain lines otherwise."""

    def __init__(self) -> None:
        self.bar = None
        self.tty = sys.stderr.isatty()
        self.last_run = 0

    def __call__(self, progress) -> None:  # noqa: ANN001 - archiver.capture.reparse.Progress
        total_runs = len(progress.runs)
        if self.tty:
            from tqdm import tqdm

            if self.bar is None:
                self.bar = tqdm(total=progress.pages_total, unit="page", file=sys.stderr)
            self.bar.update(progress.pages - self.bar.n)
            run = min(progress.runs_done + 1, total_runs)
            self.bar.set_postfix(run=f"{run}/{total_runs}", comments=progress.comments)
            return
        while self.last_run < progress.runs_done:
            self.last_run += 1
            run = progress.runs[self.last_run - 1]
            click.echo(
                f"run {run.run_id} replayed ({self.last_run}/{total_runs}):"
                f" {run.captures} pages; so far {progress.comments} comments",
                err=True,
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@click.command("export-wacz")
@click.argument("db_path", metavar="DB")
@click.argument("out_path", metavar="OUT.wacz", type=click.Path(dir_okay=False))
def export_wacz(db_path: str, out_path: str) -> None:
    """Package the archive's WARC files as WACZ, with a pages list of the archived articles.

    ReplayWeb.page and pywb replay the result.

    Example:

        archiver export-wacz data/archive.db data/archive.wacz
    """
    from archiver.capture.export import EXPORT_STEPS, ExportError
    from archiver.capture.export import export_wacz as export

    conn = _open_captures(db_path)
    bar = None
    if sys.stderr.isatty():  # a bar on a terminal, one plain line per step otherwise
        from tqdm import tqdm

        bar = tqdm(total=len(EXPORT_STEPS), unit="step", file=sys.stderr)

    def on_step(step: str) -> None:
        if bar is None:
            click.echo(f"export: {step}", err=True)
        else:
            bar.set_description(step)
            bar.update(1)

    try:
        files, pages = export(conn, db_path, Path(out_path), on_step)
    except (ExportError, OSError) as error:
        raise click.ClickException(str(error)) from error
    finally:
        conn.close()
        if bar is not None:
            bar.close()
    click.echo(f"wrote {out_path}: {files} WARC file(s), {pages} article pages", err=True)


@click.command()
@click.argument("db_path", metavar="DB")
@click.option(
    "--warc-dir",
    "warc_dir_option",
    type=click.Path(file_okay=False),
    help="Where the crawl wrote its WARC files (ARCHIVE_WARC_DIR). Default: warc/ beside DB.",
)
def verify(db_path: str, warc_dir_option: str | None) -> None:
    """Check every capture's digest against its WARC file, and that every archived
    article has a capture. Exits non-zero on any problem, one line per problem.

    Example:

        archiver verify data/archive.db
    """
    from archiver.capture.verify import verify_archive

    conn = _open_captures(db_path)
    try:
        report = verify_archive(conn, db_path, warc_dir(warc_dir_option, db_path))
    except sqlite3.Error as error:
        raise click.ClickException(f"cannot read {db_path}: {error}") from error
    finally:
        conn.close()
    for problem in report.problems:
        click.echo(problem)
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)
