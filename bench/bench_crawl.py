"""Benchmark: the end-to-end crawl with the SQLite pipeline vs. with item pipelines disabled.

Both crawls run in the same run, against the same sample site on 127.0.0.1 (the
curated one by default, or a synthetic one of N articles), with the real
``scrapy crawl`` command. The figure that matters is the ratio
of throughputs (target >= 0.7): storing must not dominate the crawl.

    .venv/bin/python bench/bench_crawl.py [--articles N] [--repeat 3]

On 2 cores the crawler, the SQLite writer thread and the sample server share the CPU,
so the ratio also measures how much CPU storage takes from crawling.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from archiver.runner import LOCAL_SITE_SETTINGS, run_crawl
from archiver.sample_site import load_site
from archiver.sample_site.server import serve


def crawl_seconds(url: str, db: Path | None) -> float:
    started = time.perf_counter()
    result = run_crawl("grandfleet", url, db, settings=LOCAL_SITE_SETTINGS)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"crawl failed:\n{result.stderr[-3000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--articles", type=int, default=0, help="synthetic site of N articles (0: the curated site)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    site = load_site(synthetic_articles=args.articles, seed=0) if args.articles else load_site()
    comments = sum(len(a.comments) for a in site.articles)
    server = serve(site, host="127.0.0.1", port=0)
    try:
        crawl_seconds(server.url, None)  # warm the server's page cache
        with_store: list[float] = []
        without: list[float] = []
        for i in range(args.repeat):
            without.append(crawl_seconds(server.url, None))
            with tempfile.TemporaryDirectory() as tmp:
                with_store.append(crawl_seconds(server.url, Path(tmp) / f"bench-{i}.db"))
    finally:
        server.shutdown()
    a, b = statistics.median(with_store), statistics.median(without)
    print(f"site: {len(site.articles)} articles, {comments} comments")
    print(
        f"crawl without item pipelines: {b:.2f} s median ({len(site.articles) / b:.1f} articles/s)"
    )
    print(
        f"crawl with SQLite pipeline:   {a:.2f} s median ({len(site.articles) / a:.1f} articles/s)"
    )
    print(f"throughput ratio (with / without): {b / a:.2f}  (target >= 0.70)")


if __name__ == "__main__":
    main()
