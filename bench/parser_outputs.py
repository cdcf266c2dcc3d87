"""Every item the parser makes of every page we have, as one JSON file: the proof that a
speed change changes nothing.

Parses, with both the ``grandfleet`` and the generic ``wordpress`` profile: every page of
tests/fixtures (pages/ and wordpress/, the seed among them), the two generated pages of
bench_parser.py, and every article page, comment page and listing page of the bundled
sample site (as shipped, on day 3, and a 40-article synthetic site). Write the file
before and after a change; the two must be byte-identical::

    .venv/bin/python bench/parser_outputs.py /tmp/before.json
    # ... change the parser ...
    .venv/bin/python bench/parser_outputs.py /tmp/after.json && cmp /tmp/before.json /tmp/after.json

Not a benchmark and not a test: a tool for whoever optimizes the parser.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from scrapy.http import HtmlResponse

from archiver.parsing import parse_article_page, parse_listing_page
from archiver.sample_site import load_site
from archiver.sample_site.render import render
from archiver.sites import get_profile

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_parser  # noqa: E402 - the generated bench pages, built as the bench builds them

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = (ROOT / "tests/fixtures/pages", ROOT / "tests/fixtures/wordpress")
PROFILES = ("grandfleet", "wordpress")
BASE = "http://127.0.0.1:8765"
UTF8 = {"Content-Type": "text/html; charset=UTF-8"}

Page = tuple[str, str, bytes, dict, str]  # name, URL, body, headers, "article" | "listing"


def fixture_pages() -> Iterator[Page]:
    for folder in FIXTURES:
        for spec_path in sorted(folder.glob("*.json")):
            request = json.loads(spec_path.read_text(encoding="utf-8")).get("request", {})
            body = spec_path.with_suffix(".html").read_bytes()
            name = f"{folder.name}/{spec_path.stem}"
            yield (
                name,
                request.get("url", BASE + "/"),
                body,
                request.get("headers", UTF8),
                "article",
            )
    yield "bench/120", bench_parser.URL, bench_parser.page(120, 1, 0), UTF8, "article"
    yield "bench/200KB", bench_parser.URL, bench_parser.page(100, 2, 14), UTF8, "article"


def sample_site_pages() -> Iterator[Page]:
    sites = {
        "day0": load_site(),
        "day3": load_site(day=3),
        "synthetic": load_site(synthetic_articles=40, seed=3),
    }
    for label, site in sites.items():
        targets = []
        for article in site.articles:
            targets.append((article.path, "article"))
            targets += [
                (f"{article.path}comment-page-{n}/", "article")
                for n in range(1, article.comment_pages() + 1)
            ]
        targets += [("/", "listing"), ("/page/2/", "listing")]
        targets += [(f"/category/{slug}/", "listing") for slug, _ in site.categories]
        for target, kind in targets:
            status, headers, body = render(site, BASE, target)
            if status == 200:
                yield f"{label}{target}", BASE + target, body, dict(headers), kind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="the JSON file to write")
    args = parser.parse_args()
    results, items = {}, 0
    for name, url, body, headers, kind in [*fixture_pages(), *sample_site_pages()]:
        for profile in PROFILES:
            response = HtmlResponse(url=url, body=body, headers=headers)
            if kind == "article":
                article = parse_article_page(response, get_profile(profile))
                items += 1 + len(article.comments) + len(article.pingbacks)
                results[f"{name} [{profile}]"] = dataclasses.asdict(article)
            else:
                listing = parse_listing_page(response, get_profile(profile))
                items += 1
                results[f"{name} [{profile}]"] = dataclasses.asdict(listing)
    text = json.dumps(results, ensure_ascii=False, indent=1, sort_keys=True, default=repr)
    args.output.write_text(text, encoding="utf-8")
    print(f"{len(results)} parses, {items} items (articles, comments, pingbacks, listings)")


if __name__ == "__main__":
    main()
