"""Benchmark: comments stored per second by archiver.storage.save_article.

1,000 articles x 100 comments (Japanese bodies of 100-300 characters, nested replies)
into a temporary WAL archive, one transaction per article. Prints, in one run:

* rows only: the same save code path with the FTS tables replaced by plain tables and
  the segmenter stubbed out (the cost of the rows themselves);
* sync FTS (the default, and the only mode): rows plus the full-text index, in sync on
  every write: the real cost of a crawl's storage;
* each of those one transaction per article (``save_article``: a crawl slower than
  SQLite) and with group commit (``save_articles``, 50 articles per transaction: what
  the pipeline's writer does when articles queue up);
* re-save, all unchanged (a re-crawl), and a re-crawl where 10% of the comments changed
  (half of them edited, half re-voted), each beside the same re-save by the storage code
  before history was kept (``archiver/storage.py`` at commit ``PRE_HISTORY``, loaded from
  git into a temporary module), timed in the same run: the cost of history (target: the
  unchanged re-save within 1.2x of the code before history);
* the SQLite floor: the same comment rows, built beforehand, inserted by one bare
  ``executemany`` per 50 articles, no FTS, no Python logic: with the archive's foreign
  keys and comment indexes (no save code can store these rows faster on this machine)
  and into a bare table (what the keys and indexes cost);
* segment() alone, in documents per second;
* the FTS5 ceiling: pre-segmented comments inserted into a bare FTS5 table, committing
  per article (100 docs), per 10 articles and once: what batching index writes across
  articles could gain at most (no Python, no rows);
* the storage figure restated (issue 11): comments stored per second with the search
  index (group commit), as a ratio to the floor of the same comments measured in this
  run, the SQLite rows floor (a), FTS5 alone in transactions of 50 articles (b) and
  segment() alone (c), each timed alone and combined as 1/(1/a + 1/b + 1/c). Target at
  least 0.8.

Run: .venv/bin/python bench/bench_storage.py [articles] [comments_per_article]
"""

from __future__ import annotations

import importlib.util
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import archiver.storage.comments as comment_storage
import archiver.storage.search_index as search_index
from archiver.items import Article, Comment
from archiver.schema import FTS_TOKENIZE
from archiver.search import segment
from archiver.storage import open_archive, save_article, save_articles
from archiver.storage.comments import _INSERT as _COMMENT_INSERT
from archiver.storage.comments import _VALUES as _COMMENT_VALUES

#: The last commit whose storage kept no history: the peer of the history figures.
PRE_HISTORY = "b2b27f3"

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


GROUP = 50  # articles per transaction with group commit (the pipeline's MAX_BATCH)


def timed_save(
    db, articles: list[Article], group: int = 1, saver: ModuleType | None = None
) -> float:
    """Seconds to save ``articles``; ``saver`` is the storage module (default: today's)."""
    save_one = saver.save_article if saver else save_article
    save_many = saver.save_articles if saver else save_articles
    started = time.perf_counter()
    if group == 1:
        for article in articles:
            save_one(db, article)
    else:
        for first in range(0, len(articles), group):
            for result in save_many(db, articles[first : first + group]):
                if isinstance(result, Exception):
                    raise result
    return time.perf_counter() - started


def pre_history_storage(directory: Path) -> ModuleType | None:
    """``archiver/storage.py`` as it was before history, imported from git (None if no git)."""
    try:
        source = subprocess.run(
            ["git", "show", f"{PRE_HISTORY}:archiver/storage.py"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = directory / "pre_history_storage.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("pre_history_storage", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def changed_recrawl(articles: list[Article], share: float = 0.1, seed: int = 2) -> list[Article]:
    """The same articles a day later: ``share`` of the comments changed, half edited, half re-voted."""
    rng = random.Random(seed)
    later = []
    for article in articles:
        comments = []
        for comment in article.comments:
            roll = rng.random()
            if roll < share / 2:
                text = comment.body_text + "(追記)"
                comment = replace(comment, body_text=text, body_html=f"<p>{text}</p>")
            elif roll < share:
                votes = (comment.votes or 0) + 1
                comment = replace(comment, votes=votes, votes_raw=str(votes))
            comments.append(comment)
        later.append(replace(article, comments=comments, fetched_at="2022-02-02T12:00:00+09:00"))
    return later


def history_cost(directory: Path, articles: list[Article], total: int) -> None:
    """Re-saves with history beside the same re-saves by the storage code before history."""
    legacy = pre_history_storage(directory)
    base = directory / "history-base.db"
    db = open_archive(base)
    timed_save(db, articles, GROUP)
    db.close()
    later = changed_recrawl(articles)
    ratios = {}
    savers = [("history", None), ("before history", legacy)] if legacy else [("history", None)]
    for label, crawl in (("unchanged", articles), ("10% changed", later)):
        # Best of three, alternating which code goes first: this VM's speed swings.
        figures: dict[str, float] = {}
        for attempt in range(3):
            for name, saver in savers if attempt % 2 == 0 else savers[::-1]:
                copy = directory / f"history-{attempt}-{len(name)}-{len(label)}.db"
                shutil.copy(base, copy)
                db = open_archive(copy)
                seconds = timed_save(db, crawl, GROUP, saver)
                db.close()
                copy.unlink()
                figures[name] = min(figures.get(name, seconds), seconds)
        for name, seconds in figures.items():
            report(f"re-save {label}, {name}:", total, seconds)
        if legacy is None:
            print(f"{'re-save ' + label + ', before history:':<34} (no git: not measured)")
        else:
            ratios[label] = figures["history"] / figures["before history"]
    for label, ratio in ratios.items():
        print(f"{'history cost, ' + label + ':':<34} {ratio:>10.2f}x the re-save before history")
    print("target (issue 9): unchanged re-save within 1.2x of the re-save before history")


def rows_only_archive(path: Path):
    """An archive whose FTS tables are plain tables accepting the same statements."""
    db = open_archive(path)
    for table, columns in (
        ("articles_fts", "title, body_text"),
        ("comments_fts", "author, body_text"),
    ):
        db.conn.execute(f"DROP TABLE {table}")
        db.conn.execute(f"CREATE TABLE {table} ({table} TEXT, rank TEXT, {columns})")
    db.conn.commit()
    return db


def sqlite_floor(path: Path, articles: list[Article], schema: bool = True) -> float:
    """Seconds for bare executemany of every comment row, GROUP articles per commit.

    The rows are built before the clock starts: what is timed is SQLite alone. With
    ``schema`` the archive's foreign keys and comment indexes are in place (the floor
    for the archive's rows); without, the table is bare (the floor for these bytes).
    """
    db = open_archive(path)
    conn = db.conn
    conn.executemany(
        "INSERT INTO articles (id, url, status) VALUES (?, ?, 'archived')",
        [(a.post_id, a.url) for a in articles],
    )
    conn.commit()
    if not schema:
        conn.execute("PRAGMA foreign_keys = OFF")
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'comments'"
            " AND sql IS NOT NULL"
        ).fetchall():
            conn.execute(f"DROP INDEX {name}")
    batches = [
        [
            (c.comment_id, article.post_id, c.parent_id, *_COMMENT_VALUES(c), "", "")
            for article in articles[first : first + GROUP]
            for c in article.comments
        ]
        for first in range(0, len(articles), GROUP)
    ]
    started = time.perf_counter()
    for batch in batches:
        conn.execute("BEGIN")
        conn.executemany(_COMMENT_INSERT, batch)
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def report(label: str, count: float, seconds: float, unit: str = "comments/s") -> None:
    print(f"{label:<34} {count / seconds:>10,.0f} {unit} ({seconds:.2f} s)", flush=True)


def fts_ceiling(directory: Path, documents: list[str], per_commit: int) -> float:
    """Seconds to insert pre-segmented documents into a bare FTS5 table."""
    conn = sqlite3.connect(directory / f"fts-{per_commit}.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(
        "CREATE VIRTUAL TABLE f USING fts5(author, body_text, content='',"
        f" tokenize='{FTS_TOKENIZE}')"
    )
    started = time.perf_counter()
    for first in range(0, len(documents), per_commit):
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO f (rowid, author, body_text) VALUES (?, '', ?)",
            enumerate(documents[first : first + per_commit], start=first + 1),
        )
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    per_article = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    articles = make_articles(count, per_article)
    total = count * per_article
    print(f"{count} articles x {per_article} comments = {total} comments")

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        # Rows only: same code path; the FTS tables become plain tables that accept the
        # same statements, and the segmenter returns "".
        originals = comment_storage.segment, search_index.segment
        comment_storage.segment = search_index.segment = lambda text: ""
        try:
            for group, label in ((1, "per article"), (GROUP, f"group of {GROUP}")):
                db = rows_only_archive(directory / f"rows-{group}.db")
                seconds = timed_save(db, articles, group)
                report(f"rows only, {label}:", total, seconds)
                db.close()
        finally:
            comment_storage.segment, search_index.segment = originals
        stored_per_second = 0.0
        for group, label in ((1, "per article"), (GROUP, f"group of {GROUP}")):
            db = open_archive(directory / f"archive-{group}.db")
            seconds = timed_save(db, articles, group)
            report(f"sync FTS, {label}:", total, seconds)
            stored_per_second = total / seconds
            db.close()
        history_cost(directory, articles, total)
        size = sum(
            (directory / name).stat().st_size
            for name in (f"archive-{GROUP}.db", f"archive-{GROUP}.db-wal")
            if (directory / name).exists()
        )
        print(f"{'archive size:':<34} {size / 1e6:>10,.1f} MB")
        seconds = sqlite_floor(directory / "floor.db", articles)
        report("SQLite floor, archive schema:", total, seconds, "rows/s")
        rows_floor = total / seconds
        seconds = sqlite_floor(directory / "floor-bare.db", articles, schema=False)
        report("SQLite floor, no keys or indexes:", total, seconds, "rows/s")

        bodies = [c.body_text for article in articles[:200] for c in article.comments]
        started = time.perf_counter()
        segmented = [segment(text) for text in bodies]
        seconds = time.perf_counter() - started
        report("segment() alone:", len(bodies), seconds, "docs/s")
        segment_floor = len(bodies) / seconds
        tokens = sum(len(text.split()) for text in segmented) / len(segmented)
        print(f"{'tokens per comment:':<34} {tokens:>10,.0f}")
        for per_commit, label in ((per_article, "1 article"), (10 * per_article, "10 articles")):
            seconds = fts_ceiling(directory, segmented, per_commit)
            report(f"FTS5 alone, commit per {label}:", len(segmented), seconds, "docs/s")
        seconds = fts_ceiling(directory, segmented, GROUP * per_article)
        report(f"FTS5 alone, commit per {GROUP} articles:", len(segmented), seconds, "docs/s")
        fts_floor = len(segmented) / seconds
        seconds = fts_ceiling(directory, segmented, len(segmented))
        report("FTS5 alone, one transaction:", len(segmented), seconds, "docs/s")
    floor = 1 / (1 / rows_floor + 1 / fts_floor + 1 / segment_floor)
    print(f"{'floor, 1/(1/rows+1/FTS5+1/segment):':<34} {floor:>10,.0f} comments/s")
    print(
        f"{'stored / floor (group commit):':<34} {stored_per_second / floor:>10.2f}"
        "   target (issue 11): >= 0.8"
    )


if __name__ == "__main__":
    main()
