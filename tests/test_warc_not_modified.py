"""A 304 is kept as a server-not-modified revisit record, and a reparse replays it."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from click.testing import CliRunner

from archiver.capture import index
from archiver.capture.records import SERVER_NOT_MODIFIED
from archiver.capture.warcfile import parse_record
from archiver.cli import cli
from archiver.runner import LOCAL_SITE_SETTINGS, run_crawl
from tests.test_reparse import archive_rows, assert_same_rows


def test_not_modified_answers_are_revisits_and_replay(sample_site, site_server, tmp_path):
    db_path = tmp_path / "archive.db"
    for days_later in (0, 400):  # a year later every article is due: conditional GETs
        now = (sample_site.now + timedelta(days=days_later)).isoformat()
        settings = {**LOCAL_SITE_SETTINGS, "ARCHIVE_NOW": now}
        result = run_crawl("grandfleet", site_server.url, db_path, settings=settings)
        assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(db_path) as conn:
        not_modified = index.select_captures(conn, "status = 304")
        visits = conn.execute(
            "SELECT count(*) FROM article_visits WHERE run_id = 2 AND outcome = 'not_modified'"
        ).fetchone()[0]
    # (articles whose thread spans comment pages are fetched in full)
    assert len(not_modified) == visits > len(sample_site.articles) // 2
    for capture in not_modified:
        assert (capture.record_type, capture.run_id, capture.payload_digest) == ("revisit", 2, None)
        path = index.resolve(db_path, capture.warc_file)
        with open(path, "rb") as file:
            file.seek(capture.warc_offset)
            record, payload = parse_record(file.read(capture.warc_length))
        assert record.rec_headers.get_header("WARC-Profile") == SERVER_NOT_MODIFIED
        assert record.rec_headers.get_header("WARC-Refers-To-Target-URI") == capture.url
        assert record.http_headers.get_statuscode() == "304" and payload == b""

    out = tmp_path / "reparsed.db"
    result = CliRunner().invoke(cli, ["reparse", str(db_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert_same_rows(archive_rows(db_path), archive_rows(out))
    assert CliRunner().invoke(cli, ["verify", str(db_path)]).exit_code == 0
