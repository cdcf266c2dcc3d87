"""Benchmark: comments stored per second by archiver.storage.save_article.

1,000 articles x 100 comments (Japanese bodies of 100-300 characters, nested replies)
into a temporary WAL archive, one transaction per article, full-text index included:
the real cost of a crawl's storage. Then the same articles saved again unchanged (a
re-crawl). For comparison: the first save without FTS maintenance (FTS tables replaced
by plain tables, segmenter stubbed out: everything else identical), and segment() alone.

Run: .venv/bin/python bench/bench_storage.py [articles] [comments_per_article]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from archiver.items import Article, Comment
from archiver.search import segment
from archiver.storage import open_archive, save_article

PHRASES = [
    "ロシアがウクライナ侵攻を選択した場合に課す制裁の中身",
    "空母カール・ヴィンソンは台湾海峡の南海域で",
    "第5世代戦闘機の開発はスホーイ設計局が担当か",
    "NATO加盟問題について「最善の解決策」を語った",
    "戦車部隊を国境沿いに移動させ大規模な軍事演習を",
    "米国はロシアの要求を拒否するも交渉継続を希望",
    "そらせやろ感しかない、口実作るために言ってるにすぎないでしょ",
    "キューバはキューバでそんなことしたら今以上に苛烈な経済制裁が待ってる",
    "F-35Cの調達数は2022年度予算で削減された",
    "中国の一帯一路による経済的影響力が東ヨーロッパや中央アジアへ及んでいる",
    "深読みしすぎかもしれませんが。",
    "ICBM用のHGVも開発済みなんだし",
]
AUTHORS = [
    "tofu",
    "Mob",
    "ダヴー",
    "幽霊",
    "くらうん",
    "戦略眼",
    "匿名さん",
    "名無し",
    "たむごん",
    "G",
]


def body(rng: random.Random) -> str:
    text = ""
    target = rng.randint(100, 300)
    while len(text) < target:
        text += rng.choice(PHRASES) + rng.choice(["。", "、", "\n", "!"])
    return text[:target]


def make_articles(count: int, per_article: int, seed: int = 1) -> list[Article]:
    rng = random.Random(seed)
    articles = []
    for a in range(count):
        post_id = 10_000 + a
        comments = []
        top_level = None
        for position in range(1, per_article + 1):
            comment_id = post_id * 1000 + position
            is_reply = top_level is not None and rng.random() < 0.4
            text = body(rng)
            comments.append(
                Comment(
                    comment_id=comment_id,
                    parent_id=top_level if is_reply else None,
                    depth=2 if is_reply else 1,
                    position=position,
                    author=rng.choice(AUTHORS),
                    posted_raw="2022年 1月 27日",
                    body_text=text,
                    body_html=f"<p>{text}</p>",
                    votes_raw=str(rng.randint(0, 40)),
                    posted_at="2022-01-27",
                    posted_date="2022-01-27",
                    posted_precision="day",
                    votes=rng.randint(0, 40),
                )
            )
            if not is_reply:
                top_level = comment_id
        articles.append(
            Article(
                url=f"https://grandfleet.info/russia-related/post-{post_id}/",
                site="grandfleet",
                post_id=post_id,
                title=body(rng)[:40],
                category="ロシア関連",
                category_slug="russia-related",
                body_text=body(rng) * 10,
                comments=comments,
                fetched_at="2022-02-01T12:00:00+09:00",
            )
        )
    return articles


def timed_save(db, articles: list[Article]) -> float:
    started = time.perf_counter()
    for article in articles:
        save_article(db, article)
    return time.perf_counter() - started


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    per_article = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    articles = make_articles(count, per_article)
    total = count * per_article
    print(f"{count} articles x {per_article} comments = {total} comments")

    with tempfile.TemporaryDirectory() as tmp:
        db = open_archive(Path(tmp) / "archive.db")
        seconds = timed_save(db, articles)
        print(
            f"first save, with FTS:        {total / seconds:>10,.0f} comments/s ({seconds:.2f} s)"
        )
        seconds = timed_save(db, articles)
        print(
            f"re-save, all unchanged:      {total / seconds:>10,.0f} comments/s ({seconds:.2f} s)"
        )
        size = (Path(tmp) / "archive.db").stat().st_size + (
            Path(tmp) / "archive.db-wal"
        ).stat().st_size
        print(f"archive size:                {size / 1e6:>10,.1f} MB")
        db.close()

        # Without FTS maintenance: same code path; the FTS tables become plain tables that
        # accept the same statements, and the segmenter returns "".
        db = open_archive(Path(tmp) / "nofts.db")
        for table, columns in (
            ("articles_fts", "title, body_text"),
            ("comments_fts", "author, body_text"),
        ):
            db.conn.execute(f"DROP TABLE {table}")
            db.conn.execute(f"CREATE TABLE {table} ({table} TEXT, rank TEXT, {columns})")
        db.conn.commit()
        import archiver.storage as storage

        original = storage.segment
        storage.segment = lambda text: ""
        try:
            seconds = timed_save(db, articles)
        finally:
            storage.segment = original
        print(
            f"first save, without FTS:     {total / seconds:>10,.0f} comments/s ({seconds:.2f} s)"
        )
        db.close()

    bodies = [c.body_text for article in articles[:200] for c in article.comments]
    started = time.perf_counter()
    for text in bodies:
        segment(text)
    seconds = time.perf_counter() - started
    print(f"segment() alone:             {len(bodies) / seconds:>10,.0f} comments/s")


if __name__ == "__main__":
    main()
