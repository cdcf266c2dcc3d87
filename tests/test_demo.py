"""``archiver demo`` (what ``make demo`` runs), as a real subprocess on a fresh path."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

ARCHIVER = Path(sys.executable).with_name("archiver")


def run_demo(db_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ARCHIVER), "demo", "--db", str(db_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_demo_crawls_the_sample_site_into_a_new_archive(tmp_path, sample_site):
    db_path = tmp_path / "new-dir" / "archive.db"  # the directory does not exist yet
    result = run_demo(db_path)
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

    # A second demo archives the same URLs: nothing new, nothing moved, no anomaly.
    again = run_demo(db_path)
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(db_path) as conn:
        runs = conn.execute(
            "select status, articles_new, comments_new from crawl_runs order by id"
        ).fetchall()
        assert conn.execute("select count(*) from anomalies").fetchone()[0] == 0
        assert conn.execute("select count(*) from articles").fetchone()[0] == articles
    assert runs == [("finished", articles, comments), ("finished", 0, 0)]
