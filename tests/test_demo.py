"""``archiver demo`` (what ``make demo`` runs), as a real subprocess on a fresh path."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

ARCHIVER = Path(sys.executable).with_name("archiver")


def test_demo_crawls_the_sample_site_into_a_new_archive(tmp_path, sample_site):
    db_path = tmp_path / "new-dir" / "archive.db"  # the directory does not exist yet
    result = subprocess.run(
        [str(ARCHIVER), "demo", "--db", str(db_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    articles = len(sample_site.articles)
    comments = sum(len(a.comments) for a in sample_site.articles)
    assert f"archived {articles} articles of the sample site http://127.0.0.1:" in result.stdout
    assert f"datasette {db_path}" in result.stdout
    with sqlite3.connect(db_path) as conn:
        assert (
            conn.execute("select count(*) from articles where status='archived'").fetchone()[0]
            == articles
        )
        assert conn.execute("select count(*) from comments").fetchone()[0] == comments
        run = conn.execute("select status, comments_new from crawl_runs").fetchall()
    assert run == [("finished", comments)]
