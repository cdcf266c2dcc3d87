"""The `archiver` command: data on stdout, one clear error line on failure."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from archiver.cli import cli
from tests.test_storage import SEED_POST_ID, SEED_TITLE, build_seed_archive

ARCHIVER = Path(sys.executable).with_name("archiver")


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    return build_seed_archive(tmp_path_factory.mktemp("cli") / "archive.db")


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_stats_text(archive):
    result = run("stats", archive)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:16] == [
        "table              rows",
        "articles           7",
        "comments           8",
        "article_links      6",
        "categories         1",
        "tags               2",
        "article_tags       2",
        "sources            2",
        "credits            3",
        "anomalies          0",
        "crawl_runs         1",
        "comment_revisions  8",
        "vote_counts        8",
        "comment_removals   0",
        "article_revisions  1",
        "captures           0",
    ]
    assert "  articles archived: 1" in lines
    assert "  articles stub: 6" in lines
    assert "  article_links related: 3" in lines
    assert lines[-1] == (
        "  #1 grandfleet finished 2022-02-01T11:59:00+09:00 -> 2022-02-01T12:01:00+09:00"
        " pages=1 articles new=1 updated=0 edited=0 gone=0 comments new=8 updated=0"
        " edited=0 deleted=0 restored=0 votes changed=0 errors=0"
    )


def test_stats_json(archive):
    result = run("stats", archive, "--json")
    report = json.loads(result.stdout)
    assert report["articles_by_status"] == {"archived": 1, "stub": 6}
    assert report["article_links_by_kind"] == {"inline": 1, "next": 1, "prev": 1, "related": 3}
    assert report["crawl_runs"][0]["comments_new"] == 8


def test_search(archive):
    result = run("search", archive, "キューバ", "--limit", "2")
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert [(r[0], r[1], r[3]) for r in rows] == [
        ("304", "幽霊", SEED_TITLE),
        ("305", "tofu", SEED_TITLE),
    ]
    assert "2 hit(s)" in result.stderr
    articles = run("search", archive, "NATO", "--table", "articles", "--json")
    assert [json.loads(line)["id"] for line in articles.stdout.splitlines()] == [SEED_POST_ID]
    assert run("search", archive, "潜水艦").stdout == ""


def test_help_has_examples():
    for command in ("stats", "search", "serve", "demo"):
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "Example:" in result.stdout


@pytest.fixture
def bad_paths(tmp_path) -> dict[str, tuple[Path, str]]:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 100)
    return {
        "missing": (tmp_path / "missing.db", f"Error: no archive at {tmp_path / 'missing.db'}"),
        "directory": (tmp_path, f"Error: {tmp_path} is a directory, not an archive file"),
        "not sqlite": (text, f"Error: {text}: not an SQLite database (file is not a database)"),
        "not an archive": (
            other,
            f"Error: {other}: an SQLite database but not an archive (tables: recipes)",
        ),
    }


@pytest.mark.parametrize("case", ["missing", "directory", "not sqlite", "not an archive"])
@pytest.mark.parametrize("command", ["stats", "search", "serve"])
def test_errors_are_one_line(bad_paths, case, command):
    path, message = bad_paths[case]
    args = [command, path] + (["空母"] if command == "search" else [])
    result = run(*args)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [message]
    assert result.stdout == ""
    assert not (case == "missing" and path.exists())


def test_errors_as_a_real_subprocess(bad_paths):
    for path, message in bad_paths.values():
        process = subprocess.run(
            [str(ARCHIVER), "stats", str(path)], capture_output=True, text=True, timeout=60
        )
        assert process.returncode == 1
        assert "Traceback" not in process.stderr
        assert process.stderr.strip() == message


def test_serve_starts_datasette(archive):
    import socket
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [str(ARCHIVER), "serve", str(archive), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                url = f"http://127.0.0.1:{port}/archive/comments.json?_shape=array&_search=%E4%B8%AD%E5%9B%BD"
                body = urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert [row["id"] for row in json.loads(body)] == [308]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_search_text_shows_missing_values_as_empty(tmp_path):
    """A comment without an author, an article without a title: empty cells, not "None"."""
    from archiver.items import Article, Comment
    from archiver.storage import open_archive, save_article

    path = tmp_path / "archive.db"
    db = open_archive(path)
    save_article(
        db,
        Article(
            url="https://grandfleet.info/x/untitled/",
            site="grandfleet",
            post_id=7,
            body_text="空母の記事",
            comments=[Comment(70, None, 1, 1, None, body_text="空母です")],
        ),
    )
    db.close()
    comments = run("search", path, "空母")
    assert comments.stdout.splitlines() == ["70\t\t\t\t空母です"]
    articles = run("search", path, "空母", "--table", "articles")
    assert articles.stdout.splitlines() == ["7\t\t\thttps://grandfleet.info/x/untitled/"]
