"""kill -9 at random moments, restart each time: the archive ends as an uninterrupted
crawl's, no run stays 'running', and the restarts cost little extra work."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import time

from archiver.runner import LOCAL_SITE_SETTINGS, crawl_command, run_crawl
from archiver.sample_site import load_site
from archiver.sample_site.server import serve

# Run bookkeeping: what differs between any two crawls of the same site.
BOOKKEEPING_TABLES = {
    "crawl_runs",
    "article_visits",
    "article_schedule",
    "url_validators",
    "captures",
    "schema_migrations",
    "archive_meta",
}


# Ids numbered in order of arrival stand for their natural keys (slugs) when compared.
NATURAL_KEYS = {
    ("categories", "id"): None,
    ("tags", "id"): None,
    ("anomalies", "id"): None,
    ("vote_counts", "id"): None,
    ("articles", "category_id"): "(SELECT slug FROM categories WHERE id = category_id)",
    ("article_tags", "tag_id"): "(SELECT slug FROM tags WHERE id = tag_id)",
}


def content(db_path) -> dict[str, list[tuple]]:
    """Every table but run bookkeeping, without the times and runs rows were seen in."""
    tables: dict[str, list[tuple]] = {}
    with sqlite3.connect(db_path) as conn:
        names = [
            row[0]
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if row[0] not in BOOKKEEPING_TABLES and "_fts" not in row[0]
            if not row[0].startswith("sqlite_")
        ]
        for name in names:
            columns = [
                NATURAL_KEYS.get((name, row[1]), row[1])
                for row in conn.execute(f"PRAGMA table_info({name})")
                if not row[1].endswith(("_at", "run_id", "capture_id"))
            ]
            columns = [column for column in columns if column is not None]
            rows = conn.execute(f"SELECT {', '.join(columns)} FROM {name}").fetchall()
            tables[name] = sorted(rows, key=repr)
    return tables


def archived(db_path) -> int:
    try:
        with sqlite3.connect(db_path) as conn:
            row = conn.execute("SELECT count(*) FROM articles WHERE status = 'archived'")
            return row.fetchone()[0]
    except sqlite3.Error:
        return 0


def saved_without_visit(db_path) -> list[str]:
    """Articles whose save committed without the visit that goes with it."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT url FROM articles a WHERE status = 'archived' AND NOT EXISTS"
            " (SELECT 1 FROM article_visits v WHERE v.article_id = a.id)"
        )
        return [row[0] for row in rows]


def test_kill_9_at_random_moments_then_resume(tmp_path):
    site = load_site(synthetic_articles=150)
    settings = {
        **LOCAL_SITE_SETTINGS,
        "CONCURRENT_REQUESTS": "4",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "4",
        "ARCHIVE_NOW": site.now.isoformat(),
    }
    server = serve(site)
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    try:
        clean_db = tmp_path / "clean.db"
        clean = run_crawl("grandfleet", server.url, clean_db, settings=settings, timeout=300)
        assert clean.returncode == 0, clean.stderr[-3000:]
        clean_requests = len(server.requests)

        server.requests.clear()
        db_path = tmp_path / "killed.db"
        env = dict(os.environ, SCRAPY_SETTINGS_MODULE="archiver.settings")
        command = crawl_command("grandfleet", server.url, {**settings, "ARCHIVE_DB": str(db_path)})
        targets = sorted(rng.sample(range(5, len(site.articles) - 10), 3))
        kills = 0
        for target in targets:
            process = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            deadline = time.monotonic() + 120
            # at least one article of its own first: a process killed before it opened
            # its run (the previous one went past this target) would leave no run row
            target = max(target, archived(db_path) + 1)
            while archived(db_path) < target and process.poll() is None:
                assert time.monotonic() < deadline, f"seed {seed}: no progress"
                time.sleep(rng.uniform(0.0, 0.05))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                kills += 1
            process.wait(timeout=30)
            # the visit commits with the article's save: a kill cannot split them
            assert saved_without_visit(db_path) == [], f"seed {seed}"
        final = run_crawl("grandfleet", server.url, db_path, settings=settings, timeout=300)
        assert final.returncode == 0, final.stderr[-3000:]
        interrupted_requests = len(server.requests)
    finally:
        server.shutdown()

    assert kills >= 2, f"seed {seed}: the crawls ended before they could be killed"
    with sqlite3.connect(db_path) as conn:
        statuses = [row[0] for row in conn.execute("SELECT status FROM crawl_runs ORDER BY id")]
    assert "running" not in statuses
    assert statuses.count("killed") == kills and statuses[-1] == "finished"
    expected, actual = content(clean_db), content(db_path)
    assert actual.keys() == expected.keys()
    for table in expected:
        assert actual[table] == expected[table], f"seed {seed}: table {table} differs"
    assert interrupted_requests <= 1.3 * clean_requests, (
        f"seed {seed}: {interrupted_requests} requests with {kills} kills, {clean_requests} without"
    )
