"""A deterministic synthetic grandfleet.info of any size, for scale tests and benchmarks.

Same markup and link structure as the curated site (categories, prev/next, related
blocks, inline 関連記事 links, 参考/出典 lines, nested comment threads split over
comment pages), generated from a seed: the same ``(n, seed)`` always gives the same
site. Comment counts vary from 0 to 150 (mean about 35); about 1 article in 8 uses
WordPress core comment markup.
"""

from __future__ import annotations

import gc
import random
from bisect import bisect
from datetime import datetime, timedelta, timezone
from html import escape
from itertools import accumulate

from archiver.sample_site.loader import load_site_doc
from archiver.sample_site.model import BodyBlock, SampleArticle, SampleComment, SampleSite

JST = timezone(timedelta(hours=9))
START = datetime(2019, 1, 7, 7, 30, tzinfo=JST)
FIRST_POST_ID = 1200
FIRST_COMMENT_ID = 5000
MAX_COMMENTS = 150

ACTORS = {
    "russia-related": [
        "ロシア国防省",
        "ロシア軍",
        "プーチン大統領",
        "ロステック",
        "ロシア海軍",
        "ワグネル",
    ],
    "european-region": [
        "ドイツ",
        "英国防省",
        "フランス",
        "ポーランド",
        "ラインメタル",
        "BAYKAR",
        "スウェーデン",
    ],
    "us-related": ["米空軍", "米海軍", "米陸軍", "米国防総省", "ロッキード・マーティン", "米議会"],
    "indo-pacific-related": [
        "韓国",
        "台湾",
        "豪州",
        "インド",
        "フィリピン",
        "防衛省",
        "インドネシア",
    ],
    "china-related": ["中国海軍", "中国空軍", "中国国防部", "人民解放軍", "中国航空工業集団"],
    "middle-east-africa": ["イスラエル", "サウジアラビア", "トルコ", "イラン", "エジプト", "UAE"],
    "military-trivia": ["戦車", "戦闘機", "潜水艦", "砲弾", "防空システム", "無人機"],
}
SUBJECTS = [
    "次世代戦闘機",
    "新型フリゲート",
    "155mm砲弾",
    "防空システム",
    "攻撃型潜水艦",
    "自走榴弾砲",
    "無人攻撃機",
    "対艦ミサイル",
    "早期警戒機",
    "装甲車",
    "極超音速ミサイル",
    "主力戦車",
    "空中給油機",
    "レーダー",
    "歩兵戦闘車",
    "徘徊型弾薬",
    "揚陸艦",
    "輸送機",
]
VERBS = [
    "の調達を正式決定",
    "の開発を加速",
    "の初飛行に成功",
    "を公開",
    "の導入を検討",
    "の量産を開始",
    "の配備を前倒し",
    "の試験に失敗",
    "の輸出契約を締結",
    "の改良型を発表",
]
TAILS = [
    "",
    "、年内に引き渡し開始",
    "、数年以内の実用化を目指す",
    "、背景には予算不足",
    "、狙いは周辺国への抑止",
    "、専門家は懐疑的",
    "?",
]
TRIVIA_TITLES = [
    "{s}の世代区分とは何か",
    "なぜ{s}は高価なのか、価格を決める要素を考える",
    "{s}の歴史を振り返る",
    "{s}の数え方と単位、意外と知らない基礎知識",
]
SLUG_WORDS = [
    "fighter",
    "frigate",
    "shells",
    "air-defense",
    "submarine",
    "howitzer",
    "drone",
    "anti-ship",
    "aew",
    "apc",
    "hypersonic",
    "tank",
    "tanker",
    "radar",
    "ifv",
    "loitering",
    "amphibious",
    "airlifter",
]
LEAD = [
    "{a}は{d}、{s}に関する新たな方針を明らかにした。",
    "複数のメディアは{d}、{a}が{s}について大きな決定を下したと報じている。",
    "{a}の関係者は{s}の計画について「予定通り進んでいる」と語った。",
]
PARAGRAPHS = [
    "関係者によれば計画は当初の予定より遅れており、予算の確保が最大の課題になっているらしい。",
    "同様の計画は周辺国でも進められており、地域の軍事バランスに影響を与える可能性がある。",
    "ただし詳細な仕様や調達数はまだ公表されておらず、続報を待つ必要がある。",
    "専門家は「技術的なリスクは小さくないが、実現すれば大きな意味を持つ」と指摘している。",
    "議会では費用対効果を疑問視する声も上がっており、計画が見直される可能性も否定できない。",
    "ウクライナでの戦訓を反映して要求仕様が大きく変更されたと言われている。",
]
COMMENTS = [
    "これは予想通りの展開ですね。",
    "予算が付くかどうかが全てだと思う。",
    "続報に期待。",
    "ちょっと楽観的すぎる見通しでは。",
    "結局は数を揃えられるかどうか。",
    "量産価格が気になる。",
    "現場の人間からすると歓迎すべき話。",
    "この手の計画が予定通り進んだ試しがない。",
    "周辺国の反応が気になります。",
    "技術的にはかなり難しいはず。",
    "整備性はどうなんだろう。",
    "管理人さんいつも更新ありがとうございます。",
    "数年後に振り返ると面白そう。",
    "どこまで本当なのか判断が難しい。",
    "比較対象がないので評価しにくい。",
    "いよいよですね👍",
    "輸出を狙うならもっと安くしないと。",
    "写真を見る限りまだモックアップでは?",
    "これで抑止力が上がるなら安いもの。",
    "人員の確保が追いつくのか心配。",
]
REPLIES = [
    "同意です。",
    "それはどうかな。",
    "ソースはありますか?",
    "確かに。",
    "その視点はなかった。",
    "いや、逆だと思う。",
    "自分もそう思います。",
    "まあ様子見ですね。",
]
NAMES = [
    "ななし",
    "tofu",
    "Mob",
    "paxai",
    "折口",
    "hiro",
    "STS",
    "鶴見",
    "聖夜",
    "DDD",
    "バーナーズ",
    "yamaken",
    "kitty",
    "ido",
    "朱色",
    "Easy",
    "無名",
    "ブルーリボン",
    "匿名さん",
    "名無し",
    "トクメイ",
    "古参兵",
    "nachi",
    "ロートル",
    "zero",
    "Ko",
]
NAME_WEIGHTS = [8, 5, 5, 5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 2, 2, 3, 2, 4, 3, 2, 2, 1, 1, 1, 1]


def generate_site(n: int, seed: int = 0) -> SampleSite:
    """A synthetic site of ``n`` articles; same ``(n, seed)`` gives identical data."""
    # Hundreds of thousands of new objects that all stay alive would trigger full
    # cyclic-GC passes over and over (they are acyclic anyway): pause the collector.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate_site(n, seed)
    finally:
        if enabled:
            gc.enable()


def _generate_site(n: int, seed: int) -> SampleSite:
    rng = random.Random(seed)
    site_doc = load_site_doc()
    categories = [(slug, name) for slug, name in site_doc["categories"]]
    names = dict(categories)
    articles: list[SampleArticle] = []
    pending: list[tuple[SampleArticle, list[tuple[int, int | None, int]]]] = []
    published = START
    post_id = FIRST_POST_ID
    by_category: dict[str, list[int]] = {slug: [] for slug, _ in categories}
    for index in range(n):
        published += timedelta(
            minutes=int(rng.expovariate(1 / 300)) + 20, seconds=rng.randrange(60)
        )
        post_id += rng.randint(2, 12)
        category = categories[rng.randrange(len(categories))][0]
        article = _article(
            rng, index, post_id, category, names[category], published, articles, by_category
        )
        by_category[category].append(index)
        articles.append(article)
        pending.append((article, _thread_shape(rng, published)))
    _assign_comments(rng, pending)
    for article in articles:
        pool = by_category[article.category_slug]
        picks = [
            articles[i].path
            for i in rng.sample(pool, min(7, len(pool)))
            if articles[i] is not article
        ]
        article.related_paths = picks[:6]
    return SampleSite(
        categories=categories,
        popular_paths=[a.path for a in rng.sample(articles, min(5, len(articles)))],
        notice=site_doc["notice"],
        articles=articles,
    )


def _article(
    rng: random.Random,
    index: int,
    post_id: int,
    category: str,
    category_name: str,
    published: datetime,
    earlier: list[SampleArticle],
    by_category: dict[str, list[int]],
) -> SampleArticle:
    actor = rng.choice(ACTORS[category])
    word = rng.randrange(len(SUBJECTS))
    subject = SUBJECTS[word]
    if category == "military-trivia":
        title = rng.choice(TRIVIA_TITLES).format(s=subject)
    else:
        title = f"{actor}、{subject}{rng.choice(VERBS)}{rng.choice(TAILS)}"
    slug = f"{SLUG_WORDS[word]}-{post_id}"
    day = f"{published.day}日"
    if category == "military-trivia":
        lead = f"{subject}について、ニュースを読む上で知っておくと便利な基礎知識を整理してみる。"
    else:
        lead = rng.choice(LEAD).format(a=actor, s=subject, d=day)
    body = [BodyBlock("p", lead)]
    for number in range(rng.choice([0, 1, 1, 2])):
        body.append(
            BodyBlock(
                "source",
                f"{actor} {SLUG_WORDS[word]} report {number + 1}",
                f"https://news.example.com/{published:%Y/%m/%d}/{slug}-{number + 1}/",
            )
        )
    body += [BodyBlock("p", p) for p in rng.sample(PARAGRAPHS, rng.randint(1, 3))]
    if rng.random() < 0.5:
        body.insert(
            2,
            BodyBlock("figure", actor, None, f"/wp-content/uploads/{published:%Y/%m}/{slug}-1.png"),
        )
    if earlier and rng.random() < 0.4:
        same = by_category[category]
        target = earlier[rng.choice(same)] if same else earlier[rng.randrange(len(earlier))]
        body.append(BodyBlock("related", target.title, target.path))
    if rng.random() < 0.5:
        body.append(BodyBlock("eyecatch", actor, None))
    modified = published + timedelta(minutes=rng.choice([0, 0, 5, 90, 1440]))
    return SampleArticle(
        post_id=post_id,
        path=f"/{category}/{slug}/",
        slug=slug,
        title=title,
        category_slug=category,
        category_name=category_name,
        published=published,
        modified=modified,
        tags=[
            (subject, SLUG_WORDS[word]),
            (actor, f"actor-{ACTORS[category].index(actor) + 1}-{category}"),
        ],
        comment_markup="core" if rng.random() < 0.125 else "tcd",
        comments=[],
        related_paths=[],
        body=body,
        thumbnail=f"/wp-content/uploads/{published:%Y/%m}/{slug}.png",
    )


def _thread_shape(rng: random.Random, published: datetime) -> list[tuple[int, int | None, int]]:
    """(posted timestamp, parent index, depth) per comment, in posting order."""
    count = 0 if rng.random() < 0.12 else min(MAX_COMMENTS, int(rng.expovariate(1 / 38)))
    base = int(published.timestamp())
    expo = rng.expovariate
    times = sorted(base + int(expo(1 / 20000)) + 60 for _ in range(count))
    shape: list[tuple[int, int | None, int]] = []
    for i, posted in enumerate(times):
        parent: int | None = None
        depth = 1
        if i and rng.random() < 0.28:
            low = max(0, i - 8)  # people answer recent comments
            candidate = low + int(rng.random() * (i - low))
            if shape[candidate][2] < 4:
                parent, depth = candidate, shape[candidate][2] + 1
        shape.append((posted, parent, depth))
    return shape


def _assign_comments(
    rng: random.Random, pending: list[tuple[SampleArticle, list[tuple[int, int | None, int]]]]
) -> None:
    """Give comments site-wide ids in posting order, then lay threads out depth-first."""
    order = sorted(
        (
            (posted, a_index, c_index)
            for a_index, (_, shape) in enumerate(pending)
            for c_index, (posted, _, _) in enumerate(shape)
        )
    )
    ids: list[list[int]] = [[0] * len(shape) for _, shape in pending]
    next_id = FIRST_COMMENT_ID
    for _, a_index, c_index in order:
        next_id += 1 + int(rng.random() * 3)
        ids[a_index][c_index] = next_id
    for (article, shape), article_ids in zip(pending, ids, strict=True):
        comments = [_comment(rng, article_ids[i], shape, i, article_ids) for i in range(len(shape))]
        children: dict[int | None, list[int]] = {}
        for i, (_, parent, _) in enumerate(shape):
            children.setdefault(parent, []).append(i)
        ordered: list[SampleComment] = []
        stack = list(reversed(children.get(None, [])))
        while stack:
            i = stack.pop()
            ordered.append(comments[i])
            stack.extend(reversed(children.get(i, [])))
        article.comments = ordered


_NAME_CUM = list(accumulate(NAME_WEIGHTS))
_NAME_TOTAL = _NAME_CUM[-1]
_LINE_COUNTS = (1, 1, 2, 3)


def _comment(
    rng: random.Random,
    comment_id: int,
    shape: list[tuple[int, int | None, int]],
    i: int,
    ids: list[int],
) -> SampleComment:
    # rng.random() arithmetic instead of choice()/sample(): this runs ~300,000 times
    # for a 10,000-article site, and generation must stay within seconds.
    posted, parent, depth = shape[i]
    draw = rng.random
    roll = draw()
    if roll < 0.08:
        author = "匿名"
    elif roll < 0.09:
        author = ""
    else:
        author = NAMES[bisect(_NAME_CUM, draw() * _NAME_TOTAL)]
    start = int(draw() * len(COMMENTS))
    lines = [
        COMMENTS[(start + 7 * j) % len(COMMENTS)] for j in range(_LINE_COUNTS[int(draw() * 4)])
    ]
    if parent is not None:
        lines.insert(0, REPLIES[int(draw() * len(REPLIES))])
    text = "\n".join(lines) if draw() < 0.7 else "".join(lines)
    html = None
    roll = draw()
    if roll < 0.05:
        url = f"https://news.example.com/ref/{comment_id}"
        paragraph = escape(text).replace("\n", "<br />\n")
        html = f'<p>{paragraph}<br />\n<a href="{url}" rel="nofollow ugc">{url}</a></p>'
        text = f"{text}\n{url}"
    elif parent is not None and roll < 0.15:
        quoted = COMMENTS[int(draw() * len(COMMENTS))]
        paragraph = escape(text).replace("\n", "<br />\n")
        html = f"<blockquote><p>{escape(quoted)}</p></blockquote>\n<p>{paragraph}</p>"
        text = f"{quoted}\n\n{text}"
    # Pareto-shaped likes: most comments get a handful, a few get hundreds
    votes = min(300, int(2 / (1.0 - draw()) ** (1 / 1.3)) - 2)
    return SampleComment(
        comment_id=comment_id,
        parent_id=ids[parent] if parent is not None else None,
        depth=depth,
        author=author,
        author_url="https://blog.example.jp/" if draw() < 0.02 else None,
        posted=datetime.fromtimestamp(posted, JST),
        text=text,
        html=html,
        votes=max(0, votes),
    )
