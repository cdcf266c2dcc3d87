"""``archiver export-wacz``: a WACZ that pywb, on loopback, replays with the comments."""

from __future__ import annotations

import html
import json
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

from click.testing import CliRunner

from archiver.cli import cli
from tests.servers import free_port, running_server


def pywb_tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def test_export_wacz_replays_an_article_with_its_comments_in_pywb(crawled_archive, tmp_path):
    wacz = tmp_path / "archive.wacz"
    result = CliRunner().invoke(cli, ["export-wacz", str(crawled_archive.db_path), str(wacz)])
    assert result.exit_code == 0, result.output
    site = crawled_archive.site
    # not a terminal: one plain line per step of the export, then the summary
    assert result.output == (
        "export: Validating passed pages.jsonl file\n"
        "export: Reading and Indexing All WARCs\n"
        "export: Writing archives...\n"
        "export: Generating page index from passed pages...\n"
        f"wrote {wacz}: 2 WARC file(s), {len(site.articles)} article pages\n"
    )
    with zipfile.ZipFile(wacz) as archive:
        names = set(archive.namelist())
        pages = [json.loads(line) for line in archive.read("pages/pages.jsonl").splitlines()]
    assert {"archive/archive-1-1.warc.gz", "archive/archive-2-1.warc.gz"} <= names
    assert "datapackage.json" in names and "indexes/index.cdx.gz" in names
    base = crawled_archive.site_url.rstrip("/")
    assert {p["url"] for p in pages[1:]} == {base + a.path for a in site.articles}
    assert {p["title"] for p in pages[1:]} == {a.title for a in site.articles}

    # pywb's own tools: a collection made from the WACZ, served on 127.0.0.1
    root = tmp_path / "pywb"
    root.mkdir()
    for command in (["wb-manager", "init", "arc"], ["wb-manager", "add", "--unpack-wacz", "arc"]):
        args = [pywb_tool(command[0]), *command[1:]] + ([str(wacz)] if "add" in command else [])
        done = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
    port = free_port()
    wayback = [pywb_tool("wayback"), "-p", str(port), "-b", "127.0.0.1", "-d", str(root)]
    replay = f"http://127.0.0.1:{port}/arc"
    article = max(site.articles, key=lambda a: len(a.comments_on_page(a.comment_pages())))
    page = next(p for p in pages[1:] if p["url"] == base + article.path)
    timestamp = page["ts"].replace("-", "").replace(":", "").replace("T", "").rstrip("Z")
    url = f"{replay}/{timestamp}mp_/{page['url']}"
    with running_server(wayback, f"{replay}/"), urllib.request.urlopen(url, timeout=30) as r:
        replayed = html.unescape(r.read().decode("utf-8"))
    assert article.title in replayed
    shown = article.comments_on_page(article.comment_pages())  # the article URL's page
    plain = [c for c in shown if c.html is None]
    assert plain
    for comment in plain:
        for line in comment.text.split("\n"):
            assert line.strip() in replayed
