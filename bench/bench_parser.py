"""Benchmark: median time of ``parse_article_page`` per article page.

Pages are generated from the seed fixture (tests/fixtures/pages/tcd_seed_article.html)
by replacing its comment list with N generated TCD comments (every third one a reply,
every ninth a reply to a reply) and, for the large page, padding the article body and
comment bodies until the page is about 200 KB. Each run builds a fresh HtmlResponse, as
a crawl does, so the per-response figure includes everything the parser costs a crawl:
the one lexbor parse of the page (from its UTF-8 bytes) and the extraction. The lexbor
parse alone and the extraction alone (on a page parsed outside the timing) are shown
beside it.

The issue states its target for machines where lxml parses the page in ~2.2 ms. This
VM's speed swings by up to 1.5x between runs, so each run also times lxml's parse of
the same page (Scrapy's ``response.selector``, which the parser no longer builds) as a
yardstick, interleaved with the parser's runs, and prints the figure scaled to it.

    .venv/bin/python bench/bench_parser.py [--runs 200] [--gc on|freeze|off]
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import time
from pathlib import Path

from scrapy.http import HtmlResponse

from archiver.parsing import parse_article_page
from archiver.parsing.article import read_article
from archiver.parsing.document import parse_document
from archiver.parsing.urls import forget_urls
from archiver.sites import get_profile

SEED = Path(__file__).resolve().parent.parent / "tests/fixtures/pages/tcd_seed_article.html"
URL = "http://127.0.0.1:8765/russia-related/us-rejects-russian-demands/"
COMMENT = """<li class="comment even depth-{depth}" id="comment-{cid}">
  <div class="comment-meta clearfix"><div class="comment-meta-left"><ul class="comment-name-date">
    <li class="comment-name"><span class="name">読者{cid}</span></li>
    <li class="comment-date">2022年 1月 27日</li>
  </ul></div>
  <ul class="comment-act"><li class="comment-reply"><a rel="nofollow" class="comment-reply-link" href="{url}?replytocom={cid}#respond" data-commentid="{cid}" data-postid="23456">返信</a></li>
  <li class="comment-quote"><a href="javascript:void(0);" id="quote-{cid}">引用</a></li></ul></div>
  <div class="comment-content post_content" id="comment-content-{cid}">{body}</div>
  <div class="wpulike wpulike-default"><div class="wp_ulike_general_class wp_ulike_is_not_liked">
    <button type="button" aria-label="いいねボタン" data-ulike-id="{cid}" data-ulike-type="likeThisComment" class="wp_ulike_btn wp_ulike_put_image wp_likethiscomment_{cid}"></button>
    <span class="count-box">{votes}</span></div></div>{children}
</li>"""
SENTENCE = (
    "ロシアがウクライナ侵攻を選択した場合に課す制裁の中身について、外交交渉の行方を注視したい。"
)


def comment_html(cid: int, depth: int, paragraphs: int, children: str = "") -> str:
    body = "\n".join(
        f"<p>{SENTENCE * 2}<br>\n{SENTENCE} ({cid}-{n})</p>" for n in range(paragraphs)
    )
    kids = f'\n<ul class="children">\n{children}\n</ul>' if children else ""
    return COMMENT.format(cid=cid, depth=depth, url=URL, body=body, votes=cid % 30, children=kids)


def thread(count: int, paragraphs: int) -> str:
    """``count`` comments: groups of 3 = a top-level comment, a reply and a reply to it."""
    items, cid = [], 1000
    while cid < 1000 + count:
        left = 1000 + count - cid
        if left >= 3:
            grandchild = comment_html(cid + 2, 3, paragraphs)
            child = comment_html(cid + 1, 2, paragraphs, grandchild)
            items.append(comment_html(cid, 1, paragraphs, child))
            cid += 3
        else:
            items.append(comment_html(cid, 1, paragraphs))
            cid += 1
    return "\n".join(items)


def page(count: int, paragraphs: int, body_padding: int) -> bytes:
    seed = SEED.read_text(encoding="utf-8")
    seed = re.sub(
        r'(<div id="comment_area">\s*<ol class="commentlist">).*?(</ol>\s*</div>)',
        lambda m: m.group(1) + thread(count, paragraphs) + m.group(2),
        seed,
        count=1,
        flags=re.S,
    )
    padding = "".join(f"<p>{SENTENCE * 3}</p>\n" for _ in range(body_padding))
    seed = seed.replace(
        '<div class="post_content clearfix">', '<div class="post_content clearfix">' + padding
    )
    return seed.encode("utf-8")


TARGET_MS = 5.0  # the target for the ~200 KB / 100-comment page, parse included
REFERENCE_LXML_MS = 2.2  # lxml's parse of that page on the machines
TARGET_RATIO = 2.3  # issue 12: parse_article_page at most 2.3x lxml's parse, same page, same run


BLOCK = 20  # runs per block; yardstick and parser blocks alternate


def timings(raw: bytes, runs: int) -> dict[str, float | int]:
    """Medians (ms) of: lxml's parse, the lexbor parse, the extraction, the whole call.

    Each run builds a fresh response, as a crawl hands the spider one. ``total`` is
    ``parse_article_page`` on it: the honest per-response figure. The parts are timed
    on other fresh responses: the lexbor parse of the body and the extraction from that
    tree. lxml's parse (``response.selector``, the yardstick) runs in blocks of its own
    that alternate with the parser's, so both see the same machine but not each other's
    garbage. The parser remembers canonical and joined URLs across pages (a site's links
    recur); a crawl meets each page once, so they are forgotten before every timed run
    instead of being found already computed from the run before.
    """
    profile = get_profile("grandfleet")
    headers = {"Content-Type": "text/html; charset=UTF-8"}
    lxml_runs, parse_runs, extract_runs, total_runs, comments = [], [], [], [], 0
    for _ in range(max(1, runs // BLOCK)):
        for _ in range(BLOCK):
            response = HtmlResponse(url=URL, body=raw, headers=headers)
            start = time.perf_counter()
            response.selector  # noqa: B018 - building lxml's tree is what is timed
            lxml_runs.append(time.perf_counter() - start)
        del response
        gc.collect()
        for _ in range(BLOCK):
            response = HtmlResponse(url=URL, body=raw, headers=headers)
            start = time.perf_counter()
            tree = parse_document(response)
            parse_runs.append(time.perf_counter() - start)
            forget_urls()
            start = time.perf_counter()
            read_article(response, tree, profile)
            extract_runs.append(time.perf_counter() - start)
            del tree

            response = HtmlResponse(url=URL, body=raw, headers=headers)
            forget_urls()
            start = time.perf_counter()
            article = parse_article_page(response, profile)
            total_runs.append(time.perf_counter() - start)
            comments = len(article.comments)
        gc.collect()
    return {
        "lxml": statistics.median(lxml_runs) * 1000,
        "parse": statistics.median(parse_runs) * 1000,
        "extract": statistics.median(extract_runs) * 1000,
        "total": statistics.median(total_runs) * 1000,
        "comments": comments,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument(
        "--gc",
        choices=("on", "freeze", "off"),
        default="on",
        help="on: as a crawler runs (default); freeze: gc.freeze() after imports, as a "
        "long-running crawler may, so full collections skip Scrapy's own objects; off: "
        "gc.disable(), to show what collections cost (not a setting to run with)",
    )
    args = parser.parse_args()
    if args.gc == "freeze":
        gc.collect()
        gc.freeze()
    elif args.gc == "off":
        gc.disable()
    cases = {
        "120 comments": page(120, paragraphs=1, body_padding=0),
        "100 comments, ~200 KB": page(100, paragraphs=2, body_padding=14),
    }
    print(f"median of {args.runs} runs, fresh response each run, gc {args.gc}")
    for name, raw in cases.items():
        t = timings(raw, args.runs)
        scaled = t["total"] * REFERENCE_LXML_MS / t["lxml"]
        print(
            f"{name:>22}: {len(raw) / 1024:5.1f} KB, {t['comments']} comments | "
            f"lexbor parse {t['parse']:5.2f} ms | extraction {t['extract']:5.2f} ms | "
            f"parse_article_page per response {t['total']:5.2f} ms | "
            f"yardstick: lxml parse {t['lxml']:5.2f} ms -> "
            f"{scaled:5.2f} ms where lxml takes {REFERENCE_LXML_MS} ms | "
            f"ratio to lxml {t['total'] / t['lxml']:4.2f}x"
        )
    print(
        f"target: parse_article_page per response <= {TARGET_MS:.1f} ms for the ~200 KB page "
        f"on machines where lxml parses it in ~{REFERENCE_LXML_MS} ms, i.e. at most "
        f"{TARGET_RATIO}x lxml's parse of the same page in the same run"
    )


if __name__ == "__main__":
    main()
