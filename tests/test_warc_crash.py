"""A crawl killed with SIGKILL while it writes WARC: nothing committed lacks its capture,
and the next run and ``archiver verify`` cut the half-written record off the file."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from archiver.capture.warcfile import complete_length
from archiver.cli import cli
from archiver.runner import LOCAL_SITE_SETTINGS, crawl_command, run_crawl


def captured_so_far(db_path: Path) -> int:
    try:
        with sqlite3.connect(db_path, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM captures").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


def warcio_check(files: list[Path]) -> subprocess.CompletedProcess[str]:
    warcio = Path(sys.executable).with_name("warcio")
    return subprocess.run([str(warcio), "check", *map(str, files)], capture_output=True, text=True)


def tear(path: Path) -> int:
    """Append the first half of a gzip member to ``path``: what a kill mid-write leaves.

    SIGKILL lands wherever the crawl is; this makes sure the torn case is the one tested.
    """
    data = path.read_bytes()
    start = data.rfind(b"\x1f\x8b\x08")  # the last record's member
    torn = data[start : start + (len(data) - start) // 2]
    with open(path, "ab") as file:
        file.write(torn)
    return len(torn)


def test_sigkill_mid_crawl_then_verify_and_the_next_run_repair(site_server, tmp_path):
    db_path = tmp_path / "archive.db"
    settings = {**LOCAL_SITE_SETTINGS, "ARCHIVE_DB": str(db_path), "CONCURRENT_REQUESTS": "2"}
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="archiver.settings")
    crawl = subprocess.Popen(
        crawl_command("grandfleet", site_server.url, settings),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while captured_so_far(db_path) < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        crawl.send_signal(signal.SIGKILL)
    finally:
        crawl.wait(timeout=30)
    assert crawl.returncode == -signal.SIGKILL

    [killed_file] = sorted((tmp_path / "warc").glob("*.warc.gz"))
    with sqlite3.connect(db_path) as conn:
        run = conn.execute("SELECT id, status FROM crawl_runs").fetchall()
        assert run == [(1, "running")]  # it never finished
        orphans = conn.execute(
            "SELECT count(*) FROM articles WHERE status = 'archived' AND capture_id IS NULL"
            " OR capture_id NOT IN (SELECT id FROM captures)"
        ).fetchone()[0]
        articles = conn.execute("SELECT count(*) FROM articles WHERE status = 'archived'")
        archived = articles.fetchone()[0]
        end = conn.execute("SELECT max(warc_offset + warc_length) FROM captures").fetchone()[0]
    assert archived > 0 and orphans == 0  # every committed article has its capture
    assert end <= killed_file.stat().st_size  # every committed capture's bytes are there

    torn = tear(killed_file)
    # (warcio itself reads past a torn last member without a word; other readers choke)
    assert complete_length(killed_file) == killed_file.stat().st_size - torn
    result = CliRunner().invoke(cli, ["verify", str(db_path)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{killed_file}: half-written record at the end ({torn} bytes), cut off"
    )
    assert complete_length(killed_file) == killed_file.stat().st_size
    assert warcio_check([killed_file]).returncode == 0
    assert CliRunner().invoke(cli, ["verify", str(db_path)]).exit_code == 0

    # killed again mid-record: the next run cuts the tail before it writes anything
    torn = tear(killed_file)
    after = run_crawl("grandfleet", site_server.url, db_path, settings=LOCAL_SITE_SETTINGS)
    assert after.returncode == 0, after.stderr[-2000:]
    assert f"cut a half-written record ({torn} bytes) off {killed_file}" in after.stderr
    files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    assert len(files) == 2 and warcio_check(files).returncode == 0, warcio_check(files).stdout
    with sqlite3.connect(db_path) as conn:
        cut = conn.execute(
            "SELECT run_id, field, raw_value, problem FROM anomalies WHERE field = 'warc'"
        ).fetchall()
    assert (
        cut
        == [
            (None, "warc", killed_file.name, f"half-written record cut off: {torn} bytes"),
            (2, "warc", killed_file.name, f"half-written record cut off: {torn} bytes"),
        ]
        or len({row[3] for row in cut}) == 1
    )
    result = CliRunner().invoke(cli, ["verify", str(db_path)])
    assert result.exit_code == 0, result.output
