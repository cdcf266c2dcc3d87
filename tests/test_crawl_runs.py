"""A crawl that stops early still closes its ``crawl_runs`` row with the counts and reason."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time

from archiver.runner import LOCAL_SITE_SETTINGS, crawl_command, run_crawl


def archived_count(db_path) -> int:
    try:
        with sqlite3.connect(db_path) as conn:
            return conn.execute("select count(*) from articles where status='archived'").fetchone()[
                0
            ]
    except sqlite3.Error:
        return 0  # not created yet


def run_row(db_path) -> sqlite3.Row:
    with sqlite3.connect(db_path) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("select * from crawl_runs").fetchall()
    assert len(rows) == 1
    return rows[0]


def test_closespider_itemcount_closes_the_run_with_its_reason(site_server, tmp_path):
    db_path = tmp_path / "archive.db"
    settings = {**LOCAL_SITE_SETTINGS, "CLOSESPIDER_ITEMCOUNT": "3"}
    result = run_crawl("grandfleet", site_server.url, db_path, settings=settings, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    run = run_row(db_path)
    archived = archived_count(db_path)
    assert archived >= 3  # items already in flight when the limit is hit are still saved
    assert run["status"] == "closespider_itemcount"
    assert run["finished_at"] is not None
    assert run["articles_new"] == archived


def test_sigterm_mid_crawl_closes_the_run_as_shutdown(sample_site, site_server, tmp_path):
    db_path = tmp_path / "archive.db"
    # slow enough that the crawl is still running when it is stopped
    settings = {**LOCAL_SITE_SETTINGS, "DOWNLOAD_DELAY": "0.3", "CONCURRENT_REQUESTS": "1"}
    command = crawl_command("grandfleet", site_server.url, {**settings, "ARCHIVE_DB": str(db_path)})
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="archiver.settings")
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while archived_count(db_path) < 2:
            assert process.poll() is None, process.stderr.read()[-2000:]
            assert time.monotonic() < deadline, "the crawl archived nothing in 60 s"
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        stderr = process.communicate(timeout=60)[1]
    finally:
        if process.poll() is None:
            process.kill()
    assert "Traceback" not in stderr
    run = run_row(db_path)
    archived = archived_count(db_path)
    assert 2 <= archived < len(sample_site.articles)
    assert run["status"] == "shutdown"
    assert run["finished_at"] is not None
    assert run["articles_new"] == archived
