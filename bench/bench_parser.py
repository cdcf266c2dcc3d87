"""Benchmark: median time of ``parse_article_page`` per article page.

Pages are generated from the seed fixture (tests/fixtures/pages/tcd_seed_article.html)
by replacing its comment list with N generated TCD comments (every third one a reply,
every ninth a reply to a reply) and, for the large page, padding the article body and
comment bodies until the page is about 200 KB. Each run builds a fresh HtmlResponse, so
the timing includes Scrapy's decoding and the one lxml parse of the page.

    .venv/bin/python bench/bench_parser.py [--runs 200]
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


def median_ms(raw: bytes, runs: int) -> tuple[float, int]:
    profile = get_profile("grandfleet")
    headers = {"Content-Type": "text/html; charset=UTF-8"}
    timings, comments = [], 0
    for _ in range(runs):
        response = HtmlResponse(url=URL, body=raw, headers=headers)
        start = time.perf_counter()
        article = parse_article_page(response, profile)
        timings.append(time.perf_counter() - start)
        comments = len(article.comments)
    return statistics.median(timings) * 1000, comments


def lxml_parse_ms(raw: bytes, runs: int) -> float:
    """The floor: Scrapy decoding plus one lxml parse (``response.selector``)."""
    headers = {"Content-Type": "text/html; charset=UTF-8"}
    timings = []
    for _ in range(runs):
        response = HtmlResponse(url=URL, body=raw, headers=headers)
        start = time.perf_counter()
        response.selector  # noqa: B018 - building the selector is what is timed
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() after imports, as a long-running crawler may: full collections "
        "then skip Scrapy's own objects (their cost otherwise lands on whatever runs)",
    )
    args = parser.parse_args()
    if args.gc_freeze:
        gc.collect()
        gc.freeze()
    cases = {
        "120 comments": page(120, paragraphs=1, body_padding=0),
        "100 comments, ~200 KB": page(100, paragraphs=2, body_padding=14),
    }
    for name, raw in cases.items():
        parse_ms, comments = median_ms(raw, args.runs)
        floor_ms = lxml_parse_ms(raw, args.runs)
        print(
            f"{name:>24}: {len(raw) / 1024:6.1f} KB, {comments} comments parsed, "
            f"median parse_article_page {parse_ms:.2f} ms "
            f"(of which response.selector / lxml parse {floor_ms:.2f} ms), {args.runs} runs"
            + (", gc frozen" if args.gc_freeze else "")
        )


if __name__ == "__main__":
    main()
