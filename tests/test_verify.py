"""``archiver verify``: every capture's bytes against its digest, every article's capture."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from archiver.capture import index
from archiver.cli import cli


@pytest.fixture
def archive_copy(crawled_archive, tmp_path) -> Path:
    db_path = tmp_path / "archive.db"
    shutil.copy(crawled_archive.db_path, db_path)
    shutil.copytree(crawled_archive.db_path.parent / "warc", tmp_path / "warc")
    return db_path


def verify(db_path: Path, *options: str):
    return CliRunner().invoke(cli, ["verify", str(db_path), *options])


def test_a_crawled_archive_verifies(crawled_archive):
    result = verify(crawled_archive.db_path)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(crawled_archive.db_path) as conn:
        captures = conn.execute("SELECT count(*) FROM captures").fetchone()[0]
    articles = len(crawled_archive.site.articles)
    assert result.output == (
        f"{captures} captures in 2 WARC file(s), {articles} archived articles: OK\n"
    )


@pytest.mark.damages_warc
def test_damaged_bytes_a_missing_file_and_an_article_without_capture_are_each_one_line(
    archive_copy,
):
    with sqlite3.connect(archive_copy) as conn:
        first = index.select_captures(conn, "run_id = 1 AND record_type = 'response'")[5]
        article_url = conn.execute(
            "SELECT url FROM articles WHERE status = 'archived' ORDER BY id LIMIT 1"
        ).fetchone()[0]
        conn.execute("UPDATE articles SET capture_id = NULL WHERE url = ?", (article_url,))
        second_run = conn.execute("SELECT count(*) FROM captures WHERE run_id = 2").fetchone()[0]
    # one byte of a payload changed: rewrite that record with a different body
    path = index.resolve(archive_copy, first.warc_file)
    data = path.read_bytes()
    member = gzip.decompress(data[first.warc_offset : first.warc_offset + first.warc_length])
    forged = gzip.compress(member[:-10] + bytes([member[-10] ^ 1]) + member[-9:])
    path.write_bytes(
        data[: first.warc_offset] + forged + data[first.warc_offset + first.warc_length :]
    )
    with sqlite3.connect(archive_copy) as conn:  # keep the later offsets right
        shift = len(forged) - first.warc_length
        conn.execute("UPDATE captures SET warc_length = ? WHERE id = ?", (len(forged), first.id))
        conn.execute(
            "UPDATE captures SET warc_offset = warc_offset + ?"
            " WHERE warc_file = ? AND warc_offset > ?",
            (shift, first.warc_file, first.warc_offset),
        )
    (archive_copy.parent / "warc" / "archive-2-1.warc.gz").unlink()

    result = verify(archive_copy)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "Traceback" not in result.output
    assert lines[0].startswith(f"capture {first.id} ({first.url}): payload digest sha1:")
    assert lines[0].endswith(f", expected {first.payload_digest}")
    assert lines[1] == f"warc/archive-2-1.warc.gz: WARC file missing ({second_run} captures)"
    assert lines[2] == f"article {article_url}: archived without a capture"
    assert lines[3].endswith("archived articles: 3 problem(s)")
    assert len(lines) == 4


def test_verify_refuses_what_is_no_archive_with_one_line(tmp_path):
    result = verify(tmp_path / "none.db")
    assert (result.exit_code, result.output) == (
        1,
        f"Error: no archive at {tmp_path / 'none.db'}\n",
    )
    plain = tmp_path / "plain.db"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.commit()
    result = verify(plain)
    assert result.output == f"Error: {plain} has no captures (crawled without WARC capture?)\n"
