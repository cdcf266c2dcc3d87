"""The sample site over time: one deterministic change model, day by day.

Day 0 is the site as loaded (the curated data or the synthetic generator), seen at
:func:`day0_now`: Tokyo midnight after its newest post or comment (for the curated site
**2023-09-29 00:00 +09:00**, the night after its newest article of 2023-09-28). Day N is
the site as it stands N days later; day N's changes happen in the 24 hours before that
moment (the Tokyo date ``site.now - 1 day``) and carry timestamps inside them.

What changes from one day to the next, as on grandfleet.info:

- new articles are published (about 2 a day on the curated site, 4-5 on a synthetic one);
- comments and replies arrive, most within 48 hours of an article's publication (an
  exponential with a 12-hour mean carries 85 % of an article's comments, a slow
  logarithmic tail over a year the rest); comment ids are global and increase with time;
- votes move, mostly up (fast while a comment is young), sometimes down;
- comments are edited (text, sometimes the name) and removed by moderation; a removed
  parent hides its replies; on day 1 a parent with replies is removed and on day 3 it
  comes back;
- an article's title and body are edited (its modified date moves);
- day 1 unpublishes an article (404; 410 from day 2 on) and day 3 moves one to a new
  slug (301 from the old URL); later days may do either again.

Every day also has at least one comment edit, removal, vote up and vote down, article
edit, reply, new comments on three articles and a thread crossing a comment-page
boundary, so that a test of any single day sees every kind of change.

The model is a pure function of (day-0 site, seed, day): each day draws from its own
``random.Random`` seeded with (seed, day), and nothing reads the clock.
"""

from __future__ import annotations

import math
import random
import re
from bisect import bisect
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any

from archiver.sample_site.model import (
    BodyBlock,
    SampleArticle,
    SampleComment,
    SampleSite,
    text_to_html,
)
from archiver.sample_site.synthetic import (
    _NAME_CUM,
    _NAME_TOTAL,
    COMMENTS,
    JST,
    NAMES,
    REPLIES,
    _article,
)
from archiver.sample_site.threads import Threads, page_map, pages_moved

PROTECTED_POST_IDS = {23456}  # the seed article: never unpublished or moved
CURATED_SIZE = 40  # the curated site's size: the unit of a synthetic site's change rates
EARLY_SHARE = 0.85  # share of an article's comments that arrive in its first days
EARLY_MEAN_HOURS = 12.0
TAIL_HOURS = 24 * 365.0
VOTE_MEAN_HOURS = 18.0  # a comment collects most of its votes within a day
EDIT_NOTES = [
    "追記:ソースを貼り忘れていました。",
    "追記:誤字を修正しました。",
    "追記:言い過ぎたので一部撤回します。",
    "追記:公式発表が出たようです。",
]
ARTICLE_NOTES = [
    "追記:関係者が報道内容を一部否定したため記事を修正した。",
    "追記:公式発表を受けて数字を更新した。",
    "追記:読者の指摘を受けて表現を修正した。",
]
_UPDATE_PREFIX = re.compile(r"^\d{1,2}/\d{1,2}更新\|")

# Event kinds, one per observable change (``Event.kind``).
ARTICLE_PUBLISHED = "article_published"
ARTICLE_EDITED = "article_edited"  # before/after: (title, modified)
ARTICLE_GONE = "article_gone"  # after: 404 or 410
ARTICLE_MOVED = "article_moved"  # before/after: old and new path
COMMENT_POSTED = "comment_posted"
COMMENT_EDITED = "comment_edited"  # before/after: (author, text)
COMMENT_REMOVED = "comment_removed"  # removed by moderation
COMMENT_HIDDEN = "comment_hidden"  # a reply no longer shown because an ancestor was removed
COMMENT_RESTORED = "comment_restored"  # a removed comment approved again
COMMENT_UNHIDDEN = "comment_unhidden"  # a reply shown again with its restored ancestor
VOTES_CHANGED = "votes_changed"  # before/after: vote counts


@dataclass(frozen=True, slots=True)
class Event:
    """One change of the site on one day (the ground truth tests compare an archive with)."""

    day: int
    at: datetime
    kind: str
    post_id: int
    comment_id: int | None = None
    before: Any = None
    after: Any = None


def day0_now(site: SampleSite) -> datetime:
    """The moment day 0 shows: Tokyo midnight after the site's newest post or comment."""
    stamps = [a.modified for a in site.articles] + [c.posted for c in site.all_comments()]
    newest = max(stamps, default=datetime(2019, 1, 1, tzinfo=JST)).astimezone(JST)
    return datetime.combine(newest.date() + timedelta(days=1), time(0), JST)


def arrived_share(hours: float) -> float:
    """Share of an article's comments that have arrived ``hours`` after publication."""
    if hours <= 0:
        return 0.0
    early = EARLY_SHARE * (1.0 - math.exp(-hours / EARLY_MEAN_HOURS))
    tail = (1 - EARLY_SHARE) * min(1.0, math.log1p(hours / 48) / math.log1p(TAIL_HOURS / 48))
    return early + tail


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


class Timeline:
    """Evolves one site in place, a day at a time (``advance()``); ``events`` lists all."""

    def __init__(self, site: SampleSite, seed: int = 0) -> None:
        self.site = site
        self.seed = seed
        self.scale = max(1.0, len(site.articles) / CURATED_SIZE)
        self.start = day0_now(site)
        site.now = self.start
        self.threads = Threads(site)  # every comment ever posted, and what is shown
        comments = site.all_comments()
        self.next_comment_id = max((c.comment_id for c in comments), default=5000) + 1
        self.next_post_id = max((a.post_id for a in site.articles), default=1000) + 1
        self.appeal = {a.post_id: self._day0_appeal(a) for a in site.articles}
        self.comeback: tuple[int, int] | None = None  # removed on day 1, restored on day 3
        self.unpublished: dict[str, int] = {}  # path -> post id
        self.events: list[Event] = []

    # -- the day's work ---------------------------------------------------------------

    def advance(self) -> list[Event]:
        """Move the site on by one day; returns that day's events."""
        day = self.site.day + 1
        today = _Day(self, day)
        pages_before = page_map(self.site)
        self._unpublished_become_410(today)
        self._publish(today)
        self._comments(today)
        self.threads.rebuild(today.touched)
        self._votes(today)
        self._edit_comments(today)
        self._remove_comments(today)
        if day == 3 and self.comeback:
            self._restore(today, *self.comeback)
        self._edit_articles(today)
        self._gone_and_moved(today)
        self.threads.rebuild(today.touched)
        self._ensure_votes(today)
        if not pages_moved(pages_before, page_map(self.site)):
            self._force_page_move(today)
        self.site.reindex()
        self.site.day = day
        self.site.now = today.end
        today.events.sort(key=lambda e: (e.at, e.kind, e.post_id, e.comment_id or 0))
        self.events += today.events
        return today.events

    def _unpublished_become_410(self, today: _Day) -> None:
        for path, status in list(self.site.gone.items()):
            if status == 404:
                self.site.gone[path] = 410
                post_id = self.unpublished[path]
                today.event(today.start, ARTICLE_GONE, post_id, after=410)

    def _publish(self, today: _Day) -> None:
        rng = today.rng
        count = max(1, _poisson(rng, min(4.5, 2 * self.scale)))
        times = sorted(today.moment() for _ in range(count))
        categories = self.site.categories
        names = dict(categories)
        by_category: dict[str, list[int]] = {slug: [] for slug, _ in categories}
        for index, article in enumerate(self.site.articles):
            by_category.setdefault(article.category_slug, []).append(index)
        for published in times:
            post_id = self.next_post_id
            self.next_post_id += rng.randint(2, 12)
            category = categories[rng.randrange(len(categories))][0]
            article = _article(
                rng,
                len(self.site.articles),
                post_id,
                category,
                names[category],
                published,
                self.site.articles,
                by_category,
            )
            article.modified = published
            same = [self.site.articles[i].path for i in by_category[category]]
            article.related_paths = rng.sample(same, min(6, len(same)))
            self.site.articles.append(article)
            by_category[category].append(len(self.site.articles) - 1)
            self.threads.pool[post_id] = {}
            # the curated site stays small (a crawl of a day stays fast); a synthetic
            # one has the generator's thread sizes (mean 38, at most 150)
            mean, cap = (15.0, 60.0) if self.scale < 2 else (38.0, 150.0)
            self.appeal[post_id] = (
                0 if rng.random() < 0.08 else min(cap, 5 + rng.expovariate(1 / mean))
            )
            today.event(published, ARTICLE_PUBLISHED, post_id, after=article.path)
        self.site.reindex()

    def _comments(self, today: _Day) -> None:
        rng = today.rng
        births: list[tuple[datetime, int]] = []
        for article in self.site.articles:
            appeal = self.appeal.get(article.post_id, 0)
            if not appeal:
                continue
            first = max(today.start, article.published)
            lam = appeal * (
                arrived_share(_hours(today.end - article.published))
                - arrived_share(_hours(first - article.published))
            )
            for _ in range(_poisson(rng, lam)):
                births.append((today.moment(after=first + timedelta(minutes=1)), article.post_id))
        # at least three articles get comments: the youngest ones with open threads
        chosen = {post_id for _, post_id in births}
        for article in reversed(self.site.articles):
            if len(chosen) >= 3:
                break
            if article.post_id not in chosen and article.published < today.end - timedelta(hours=1):
                chosen.add(article.post_id)
                first = max(today.start, article.published) + timedelta(minutes=1)
                births.append((today.moment(after=first), article.post_id))
        births.sort()
        replies = 0
        for posted, post_id in births:
            parent = self._reply_target(rng, post_id, posted) if rng.random() < 0.3 else None
            replies += parent is not None
            self._post(today, post_id, posted, parent)
        if not replies:  # every day has a reply: to the newest shown comment on a busy thread
            post_id = max(
                (pid for _, pid in births if self._reply_target(rng, pid, today.end)),
                key=lambda pid: len(self.threads.pool[pid]),
                default=None,
            )
            if post_id is not None:
                latest = max(births)[0] if births else today.start
                posted = latest + (today.end - latest) / 2
                self._post(today, post_id, posted, self._reply_target(rng, post_id, posted, 1))

    def _reply_target(
        self, rng: random.Random, post_id: int, before: datetime, among: int = 8
    ) -> SampleComment | None:
        """A recent shown comment of the article posted before ``before`` (people answer
        what they just read), or None."""
        candidates = []
        for comment in reversed(self.threads.pool[post_id].values()):
            if (
                comment.posted < before
                and comment.depth < 5
                and self.threads.shown(post_id, comment)
            ):
                candidates.append(comment)
                if len(candidates) == among:
                    break
        return rng.choice(candidates) if candidates else None

    def _post(
        self, today: _Day, post_id: int, posted: datetime, parent: SampleComment | None
    ) -> None:
        rng = today.rng
        comment_id = self.next_comment_id
        self.next_comment_id += 1 + int(rng.random() * 3)
        start = int(rng.random() * len(COMMENTS))
        lines = [COMMENTS[(start + 7 * j) % len(COMMENTS)] for j in range(rng.choice((1, 1, 2)))]
        if parent is not None:
            lines.insert(0, REPLIES[int(rng.random() * len(REPLIES))])
        comment = SampleComment(
            comment_id=comment_id,
            parent_id=parent.comment_id if parent else None,
            depth=parent.depth + 1 if parent else 1,
            author=_name(rng),
            author_url=None,
            posted=posted.replace(microsecond=0),
            text="\n".join(lines),
            html=None,
            votes=0,
        )
        self.threads.add(post_id, comment)
        today.touched.add(post_id)
        today.event(comment.posted, COMMENT_POSTED, post_id, comment_id)

    def _votes(self, today: _Day) -> None:
        rng = today.rng
        young = today.end - timedelta(days=7)
        for article in self.site.articles:
            if article.published < young and article.post_id not in today.touched:
                continue
            for comment in self._shown_comments(article.post_id):
                start = max(comment.posted, today.start)
                quality = 2 + 30 * ((comment.comment_id * 2654435761) % 1000 / 1000) ** 3
                lam = quality * (
                    math.exp(-_hours(start - comment.posted) / VOTE_MEAN_HOURS)
                    - math.exp(-_hours(today.end - comment.posted) / VOTE_MEAN_HOURS)
                )
                delta = _poisson(rng, lam)
                if comment.votes and rng.random() < 0.04:
                    delta = -1
                if delta:
                    self._set_votes(today, article.post_id, comment, comment.votes + delta)
        older = today.older
        # old threads: a trickle, mostly up (it grows slower than the site: few readers
        # scroll through old threads)
        for _ in range(_poisson(rng, 5 * math.sqrt(self.scale))):
            picked = self._random_comment(rng, older)
            if picked:
                delta = rng.choice((-1, 1, 1, 1, 2, 3)) if picked[1].votes else 1
                self._set_votes(today, *picked, picked[1].votes + delta)

    def _ensure_votes(self, today: _Day) -> None:
        """Every day a crawler sees a count go up and one go down (on a shown comment)."""
        net = [
            (comment.votes, before)
            for (post_id, comment_id), before in today.votes_before.items()
            if today.older(comment := self.threads.pool[post_id][comment_id])
            and self.threads.shown(post_id, comment)
        ]
        if not any(now > before for now, before in net):
            picked = self._random_comment(today.rng, today.older)
            if picked:
                self._set_votes(today, *picked, picked[1].votes + 1)
        if not any(now < before for now, before in net):
            picked = self._random_comment(today.rng, today.voted)
            if picked:
                self._set_votes(today, *picked, picked[1].votes - 1)

    def _set_votes(self, today: _Day, post_id: int, comment: SampleComment, votes: int) -> None:
        at = today.moment(after=comment.posted)
        today.votes_before.setdefault((post_id, comment.comment_id), comment.votes)
        today.event(at, VOTES_CHANGED, post_id, comment.comment_id, comment.votes, votes)
        comment.votes = votes
        today.touch(post_id, at)

    def _edit_comments(self, today: _Day) -> None:
        rng = today.rng
        count = max(1, _poisson(rng, self.scale))
        renames = [False] * count + [True] * (today.day == 2)  # day 2 always renames one
        for rename in renames:
            recent = today.start - timedelta(days=3)
            picked = self._random_comment(rng, today.older, recent=recent)
            if picked is None or not self.threads.shown(*picked):
                continue
            post_id, comment = picked
            before = (comment.author, comment.text)
            if rename or rng.random() < 0.15:
                comment.author = next(n for n in _shuffled(rng, NAMES) if n != comment.author)
            elif comment.html is None and rng.random() < 0.5:
                comment.text = "【訂正】" + comment.text
            else:
                note = rng.choice(EDIT_NOTES)
                comment.text = f"{comment.text}\n\n{note}"
                if comment.html is not None:
                    comment.html = f"{comment.html}\n{text_to_html(note)}"
            at = today.moment(after=comment.posted)
            today.event(
                at,
                COMMENT_EDITED,
                post_id,
                comment.comment_id,
                before,
                (comment.author, comment.text),
            )
            today.touch(post_id, at)

    def _remove_comments(self, today: _Day) -> None:
        rng = today.rng
        count = max(1, _poisson(rng, 0.6 * self.scale))
        if today.day == 1:
            target = self._parent_with_replies(rng)
            if target is not None:
                self.comeback = target
                self._remove(today, *target)
                count -= 1
        for _ in range(count):
            recent = today.start - timedelta(days=2)
            picked = self._random_comment(rng, today.older, recent=recent)
            if picked and self.threads.shown(*picked):
                self._remove(today, picked[0], picked[1].comment_id)

    def _parent_with_replies(self, rng: random.Random) -> tuple[int, int] | None:
        """A top-level comment with shown replies, on the first comment page of the
        article with the most pages (so that later threads move between pages)."""
        articles = sorted(self.site.articles, key=lambda a: -a.comment_pages())
        for article in articles[:3]:
            first_page = article.comments_on_page(1)
            parents = {c.parent_id for c in first_page if c.parent_id}
            tops = [c for c in first_page if c.depth == 1 and c.comment_id in parents]
            if tops:
                return article.post_id, rng.choice(tops).comment_id
        return None

    def _remove(self, today: _Day, post_id: int, comment_id: int) -> None:
        comment = self.threads.pool[post_id][comment_id]
        hidden = [c.comment_id for c in self.threads.subtree(post_id, comment_id)[1:]]
        self.threads.removed.add(comment_id)
        at = today.moment(after=comment.posted)
        today.event(at, COMMENT_REMOVED, post_id, comment_id, after=hidden)
        for reply in hidden:
            today.event(at, COMMENT_HIDDEN, post_id, reply, before=comment_id)
        today.touched.add(post_id)
        today.touch(post_id, at)

    def _restore(self, today: _Day, post_id: int, comment_id: int) -> None:
        if self.site.article_by_id(post_id) is None or comment_id not in self.threads.removed:
            return
        self.threads.removed.discard(comment_id)
        shown = [c.comment_id for c in self.threads.subtree(post_id, comment_id)[1:]]
        at = today.moment()
        today.event(at, COMMENT_RESTORED, post_id, comment_id, after=shown)
        for reply in shown:
            today.event(at, COMMENT_UNHIDDEN, post_id, reply, before=comment_id)
        today.touched.add(post_id)
        today.touch(post_id, at)

    def _edit_articles(self, today: _Day) -> None:
        rng = today.rng
        recent = [a for a in self.site.articles if a.published < today.start]
        fresh = [a for a in recent if a.published >= today.start - timedelta(days=3)]
        for _ in range(max(1, _poisson(rng, 0.1 * self.scale))):
            pool = fresh if fresh and rng.random() < 0.6 else recent
            article = rng.choice(pool)
            at = today.moment()
            before = (article.title, article.modified)
            self._freeze_links_to(article)
            stamp = f"{at.month}/{at.day}更新|"
            article.title = stamp + _UPDATE_PREFIX.sub("", article.title)
            article.body = [*article.body, BodyBlock("p", rng.choice(ARTICLE_NOTES))]
            article.modified = at.replace(microsecond=0)
            today.touched.add(article.post_id)
            today.event(
                at,
                ARTICLE_EDITED,
                article.post_id,
                before=before,
                after=(article.title, article.modified),
            )

    def _gone_and_moved(self, today: _Day) -> None:
        rng = today.rng
        unpublish = today.day == 1 or (today.day > 3 and rng.random() < 0.2)
        move = today.day == 3 or (today.day > 3 and rng.random() < 0.2)
        if unpublish and (article := self._special_article(rng, today)):
            self._freeze_links_to(article)
            self.site.articles.remove(article)
            self.site.gone[article.path] = 404
            self.unpublished[article.path] = article.post_id
            today.event(today.moment(), ARTICLE_GONE, article.post_id, after=404)
        if move and (article := self._special_article(rng, today)):
            self._freeze_links_to(article)
            old = article.path
            article.slug = f"{article.slug}-{today.start:%m%d}"
            article.path = f"/{article.category_slug}/{article.slug}/"
            at = today.moment()
            article.modified = max(article.modified, at.replace(microsecond=0))
            for source, target in self.site.moved.items():
                if target == old:
                    self.site.moved[source] = article.path
            self.site.moved[old] = article.path
            for other in self.site.articles:
                other.related_paths = [article.path if p == old else p for p in other.related_paths]
            self.site.popular_paths = [
                article.path if p == old else p for p in self.site.popular_paths
            ]
            today.event(at, ARTICLE_MOVED, article.post_id, before=old, after=article.path)

    def _freeze_links_to(self, article: SampleArticle) -> None:
        """Write the anchor text of inline 関連記事 links to ``article`` into the linking bodies.

        Until now the renderer took it from the target's current title; post content is
        literal HTML in WordPress, so a later retitle, move or unpublish of the target
        must not change the text (or the href) of links already written in other posts.
        """
        for other in self.site.articles:
            if any(
                b.kind == "related" and b.url == article.path and not b.text for b in other.body
            ):
                other.body = [
                    replace(b, text=article.title)
                    if b.kind == "related" and b.url == article.path and not b.text
                    else b
                    for b in other.body
                ]

    def _special_article(self, rng: random.Random, today: _Day) -> SampleArticle | None:
        """An article to unpublish or move: one with a thread, not the seed article, not
        the article with the most comment pages, not one of the last 3 days."""
        biggest = max(self.site.articles, key=lambda a: len(a.comments), default=None)
        candidates = [
            a
            for a in self.site.articles
            if a.comments
            and a is not biggest
            and a.post_id not in PROTECTED_POST_IDS
            and a.path not in self.site.popular_paths
            and a.published < today.start - timedelta(days=3)
            and a.post_id not in today.touched
            and a.path not in self.site.moved.values()
        ]
        return rng.choice(candidates) if candidates else None

    def _shown_comments(self, post_id: int) -> list[SampleComment]:
        article = self.site.article_by_id(post_id)
        return article.comments if article else []

    def _force_page_move(self, today: _Day) -> None:
        """Moderation of a first-page thread of a multi-page article: later threads move."""
        article = max(self.site.articles, key=lambda a: a.comment_pages(), default=None)
        if article is None or article.comment_pages() < 2:
            return
        tops = [c for c in article.comments_on_page(1) if c.depth == 1]
        comment = today.rng.choice(tops)
        self._remove(today, article.post_id, comment.comment_id)
        self.threads.rebuild([article.post_id])

    # -- picking -------------------------------------------------------------------------

    def _day0_appeal(self, article: SampleArticle) -> float:
        """Expected final comment count of a day-0 article, from what it already has."""
        share = arrived_share(_hours(self.start - article.published))
        floor = 20.0 if self.scale == 1 else 10.0
        return max(floor, len(article.comments) / max(share, 0.05))

    def _random_comment(
        self,
        rng: random.Random,
        accept: Any = None,
        recent: datetime | None = None,
    ) -> tuple[int, SampleComment] | None:
        """A shown comment (of a recent one, when ``recent`` is given and there is one)."""
        articles = self.site.articles
        if recent is not None and rng.random() < 0.8:
            fresh = [a for a in articles[-60:] if any(c.posted >= recent for c in a.comments)]
            for _ in range(20):
                if not fresh:
                    break
                article = rng.choice(fresh)
                comments = [c for c in article.comments if c.posted >= recent]
                comment = rng.choice(comments)
                if accept is None or accept(comment):
                    return article.post_id, comment
        for _ in range(200):
            article = articles[int(rng.random() * len(articles))]
            if article.comments:
                comment = article.comments[int(rng.random() * len(article.comments))]
                if accept is None or accept(comment):
                    return article.post_id, comment
        return None


class _Day:
    """One day's random source, time window, events and touched articles."""

    def __init__(self, timeline: Timeline, day: int) -> None:
        self.timeline = timeline
        self.day = day
        self.rng = random.Random(f"archiver-sample-site:{timeline.seed}:{day}")
        self.end = timeline.start + timedelta(days=day)
        self.start = self.end - timedelta(days=1)
        self.events: list[Event] = []
        self.touched: set[int] = set()
        self.votes_before: dict[tuple[int, int], int] = {}  # (post, comment) -> votes

    def older(self, comment: SampleComment) -> bool:
        """Posted before today: a change to it is visible to yesterday's crawl."""
        return comment.posted < self.start

    def voted(self, comment: SampleComment) -> bool:
        return comment.votes > 0 and comment.posted < self.start

    def moment(self, after: datetime | None = None) -> datetime:
        """A random second of the day (after ``after``, when given and inside the day)."""
        low = max(self.start, after) if after else self.start
        if low >= self.end:
            low = self.end - timedelta(seconds=2)
        span = int((self.end - low).total_seconds()) - 1
        return low + timedelta(seconds=1 + int(self.rng.random() * max(span, 1)))

    def event(
        self,
        at: datetime,
        kind: str,
        post_id: int,
        comment_id: int | None = None,
        before: Any = None,
        after: Any = None,
    ) -> None:
        self.events.append(
            Event(self.day, at.replace(microsecond=0), kind, post_id, comment_id, before, after)
        )

    def touch(self, post_id: int, at: datetime) -> None:
        article = self.timeline.site.article_by_id(post_id)
        if article is not None:
            at = at.replace(microsecond=0)
            article.touched = max(article.touched or at, at)


def _name(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.08:
        return "匿名"
    return NAMES[bisect(_NAME_CUM, rng.random() * _NAME_TOTAL)]


def _shuffled(rng: random.Random, names: list[str]) -> list[str]:
    out = list(names)
    rng.shuffle(out)
    return out


def evolve(site: SampleSite, day: int, seed: int = 0) -> list[Event]:
    """Advance a day-0 ``site`` in place to ``day``; returns every event of days 1..day."""
    timeline = Timeline(site, seed)
    for _ in range(day):
        timeline.advance()
    return timeline.events


def events(day: int, synthetic_articles: int | None = None, seed: int = 0) -> list[Event]:
    """What happened on ``day`` (1 = the first day after day 0), in time order."""
    from archiver.sample_site import load_day0

    if day < 1:
        return []
    history = evolve(load_day0(synthetic_articles, seed), day, seed)
    return [e for e in history if e.day == day]


__all__ = ["Event", "Timeline", "arrived_share", "day0_now", "events", "evolve"]
