"""The sample site over time: day 0 is today's site, later days change as the real site does.

Every expectation is derived from the site's own ground truth (``load_site(day=N)``,
``timeline.events``, ``changes``), never typed in.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from lxml import etree, html

from archiver.sample_site import load_day0, load_site
from archiver.sample_site import timeline as tl
from archiver.sample_site.changes import changes
from archiver.sample_site.model import COMMENTS_PER_PAGE, visible_text
from archiver.sample_site.render import comment_date_text, render
from archiver.sample_site.server import serve
from tests.test_sample_site import fetch, raw_get

JST = timezone(timedelta(hours=9))
ROOT = Path(__file__).resolve().parents[1]
BASE = "http://127.0.0.1:1"


@pytest.fixture(scope="module")
def days():
    """The curated site on days 0..4."""
    return [load_site(day=n) for n in range(5)]


@pytest.fixture(scope="module")
def day_events():
    """Every event of the curated site's days 1..4, by day."""
    history = tl.evolve(load_day0(), 4)
    return {n: [e for e in history if e.day == n] for n in range(1, 5)}


# ---- day 0 and determinism -------------------------------------------------------------------


def test_day_zero_is_todays_site(days):
    today = load_day0()
    day0 = days[0]
    assert (day0.day, day0.gone, day0.moved) == (0, {}, {})
    assert day0.now == datetime(2023, 9, 29, tzinfo=JST) == tl.day0_now(today)
    assert day0.articles == today.articles
    newest = max([a.modified for a in today.articles] + [c.posted for c in today.all_comments()])
    assert newest < day0.now <= newest + timedelta(days=1)
    for article in today.articles:
        for target in (article.path, f"{article.path}comment-page-1/"):
            assert render(day0, BASE, target) == render(today, BASE, target)
    for target in ("/", "/wp-sitemap-posts-post-1.xml", "/feed/", "/comments/feed/"):
        assert render(day0, BASE, target) == render(today, BASE, target)


def test_days_are_deterministic_and_depend_on_the_seed(days):
    assert load_site(day=3) == days[3]
    assert tl.events(3) == tl.events(3)
    assert load_site(day=3, seed=1) != days[3]
    assert [a.post_id for a in days[3].articles] != [a.post_id for a in days[0].articles]


# ---- the shape of every day ------------------------------------------------------------------


def _check_consistent(site, previous=None):
    """Invariants of any day: WordPress ids, threads, dates and text rules."""
    comments = site.all_comments()
    ids = [c.comment_id for c in comments]
    assert len(ids) == len(set(ids))
    by_id = sorted(comments, key=lambda c: c.comment_id)
    assert [c.posted for c in by_id] == sorted(c.posted for c in comments)
    assert all(c.posted < site.now for c in comments)
    assert all(a.published < site.now and a.modified < site.now for a in site.articles)
    for article in site.articles:
        shown = {}
        for comment in article.comments:
            if comment.parent_id is None:
                assert comment.depth == 1
            else:
                parent = shown[comment.parent_id]  # a shown reply's parent is shown, before it
                assert comment.depth == parent.depth + 1 and comment.posted >= parent.posted
            assert comment.posted > article.published
            shown[comment.comment_id] = comment
        if any(c.html for c in article.comments):
            assert all(visible_text(c.html) == c.text for c in article.comments if c.html)
    for older, newer in zip(site.articles, site.articles[1:], strict=False):
        assert older.next_path == newer.path and older.post_id < newer.post_id
    assert not set(site.gone) & {a.path for a in site.articles}
    assert not set(site.moved) & {a.path for a in site.articles}
    if previous is not None:  # ids are stable: a comment keeps its post, parent and date
        before = {c.comment_id: c for c in previous.all_comments()}
        for comment in comments:
            if comment.comment_id in before:
                old = before[comment.comment_id]
                assert (old.parent_id, old.posted) == (comment.parent_id, comment.posted)
        new = [c for c in comments if c.comment_id not in before and c.posted >= previous.now]
        assert min((c.comment_id for c in new), default=10**9) > max(before, default=0)


def test_every_day_is_consistent(days):
    for number, site in enumerate(days):
        assert site.day == number and site.now == days[0].now + timedelta(days=number)
        _check_consistent(site, days[number - 1] if number else None)


def test_events_and_changes_agree(days, day_events):
    for number in range(1, 5):
        before, after = days[number - 1], days[number]
        found = changes(before, after)
        events = day_events[number]
        assert all(before.now <= e.at < after.now for e in events)
        kinds = {kind: {e.comment_id for e in events if e.kind == kind} for kind in _KINDS}
        shown = {c.comment_id for c in after.all_comments()}
        assert found.comments("new_comments") == kinds[tl.COMMENT_POSTED] & shown
        gone_posts = {a.post_id for a in before.articles} - {a.post_id for a in after.articles}
        removed_before = {
            e.comment_id
            for e in events
            if e.kind in (tl.COMMENT_REMOVED, tl.COMMENT_HIDDEN)
            and e.comment_id not in kinds[tl.COMMENT_POSTED]
            and e.post_id not in gone_posts
        }
        assert found.comments("removed_comments") == removed_before - shown
        back = kinds[tl.COMMENT_RESTORED] | kinds[tl.COMMENT_UNHIDDEN]
        assert found.comments("restored_comments") == back & shown
        voted = {
            cid
            for a in found.articles.values()
            for cid in a.vote_changes
            if cid not in kinds[tl.COMMENT_POSTED]
        }
        assert voted <= kinds[tl.VOTES_CHANGED]
        assert found.comments("edited_comments") <= kinds[tl.COMMENT_EDITED]
        published = {e.post_id for e in events if e.kind == tl.ARTICLE_PUBLISHED}
        assert set(found.new_articles) == published
        gone = {e.post_id: e.after for e in events if e.kind == tl.ARTICLE_GONE}
        assert all(after.article_by_id(p) is None for p in gone)
        assert sorted(found.gone.values()) == sorted(gone.values())
        moves = {e.before: e.after for e in events if e.kind == tl.ARTICLE_MOVED}
        assert found.moved == moves


_KINDS = [
    tl.COMMENT_POSTED,
    tl.COMMENT_EDITED,
    tl.COMMENT_REMOVED,
    tl.COMMENT_HIDDEN,
    tl.COMMENT_RESTORED,
    tl.COMMENT_UNHIDDEN,
    tl.VOTES_CHANGED,
]


def _page_of_threads(site):
    return {
        a.post_id: {
            cid: i // COMMENTS_PER_PAGE
            for i, cid in enumerate(c.comment_id for c in a.comments if c.depth == 1)
        }
        for a in site.articles
    }


def test_days_one_to_three_have_every_kind_of_change(days, day_events):
    renamed = hidden_with_parent = comeback = 0
    unpublished = {}
    for number in (1, 2, 3):
        before, after = days[number - 1], days[number]
        found = changes(before, after)
        per_article = found.articles.values()
        assert len([a for a in per_article if a.new_comments]) >= 3
        new = found.comments("new_comments")
        assert any(
            after_comment.parent_id
            for after_comment in after.all_comments()
            if after_comment.comment_id in new
        )
        votes = [v for a in per_article for v in a.vote_changes.values()]
        assert any(new_v > old_v for old_v, new_v in votes)
        assert any(new_v < old_v for old_v, new_v in votes)
        assert sum(1 for old_v, new_v in votes if new_v > old_v) > sum(
            1 for old_v, new_v in votes if new_v < old_v
        )
        assert found.comments("edited_comments")
        renamed += len(found.comments("renamed_comments"))
        assert found.comments("removed_comments")
        assert any(a.edited for a in per_article)
        for article in (a for a in per_article if a.edited):
            old, new_article = (
                before.article_by_id(article.post_id),
                after.article_by_id(article.post_id),
            )
            assert old.title != new_article.title and old.body != new_article.body
            assert before.now <= new_article.modified < after.now
        assert len(found.new_articles) >= 1
        # a thread crosses a comment-page boundary
        old_pages, new_pages = _page_of_threads(before), _page_of_threads(after)
        assert any(
            old_pages[pid].get(cid, page) != page
            or max(pages.values(), default=0) != max(old_pages[pid].values(), default=0)
            for pid, pages in new_pages.items()
            if pid in old_pages
            for cid, page in pages.items()
        )
        for event in day_events[number]:
            if event.kind == tl.COMMENT_REMOVED and event.after:
                shown_before = {c.comment_id for c in before.all_comments()}
                if set(event.after) <= shown_before:
                    hidden_with_parent += 1
                    assert set(event.after) <= found.comments("removed_comments")
            if event.kind == tl.COMMENT_RESTORED and event.comment_id in found.comments(
                "restored_comments"
            ):
                comeback += 1
        unpublished.update({path: [] for path in found.gone})
    assert renamed >= 1 and hidden_with_parent >= 1 and comeback >= 1
    # one article is unpublished: 404 on one day, 410 from the next on
    (path,) = unpublished
    statuses = [site.gone.get(path) for site in days[:4]]
    assert statuses[0] is None and 404 in statuses
    assert statuses[statuses.index(404) + 1] == 410
    # and one moves: its post id stays, its old path answers 301
    (old, new) = next(iter(days[3].moved.items()))
    moved = days[3].article_by_path(new)
    assert days[0].article_by_path(old).post_id == moved.post_id


def test_comments_come_mostly_in_the_first_two_days(day_events, days):
    posted = [e for n in day_events for e in day_events[n] if e.kind == tl.COMMENT_POSTED]
    publication = {a.post_id: a.published for a in days[4].articles}
    publication.update({a.post_id: a.published for a in days[0].articles})
    young = [e for e in posted if e.at - publication[e.post_id] <= timedelta(hours=48)]
    assert len(young) > 0.7 * len(posted)
    assert 10 <= len(posted) / 4 <= 80  # a few dozen a day: a crawl stays fast


# ---- the server: gone, moved, validators, feeds, faults -----------------------------------------


def test_unpublished_then_gone_and_moved_over_http(days):
    gone_path = next(p for p, s in days[2].gone.items() if s == 410)
    old, new = next(iter(days[3].moved.items()))
    article = days[3].article_by_path(new)
    server = serve(days[0])
    try:
        base = server.url.rstrip("/")
        assert fetch(base + gone_path)[0] == 200
        assert raw_get(server, old)[0] == 200
        served = []
        for site in days[1:4]:
            server.show(site)
            served.append(fetch(base + gone_path)[0])
        assert served == [days[n].gone[gone_path] for n in (1, 2, 3)]
        assert fetch(f"{base}{gone_path}comment-page-1/")[0] == 410
        status, headers, body = raw_get(server, old)
        assert (status, headers["Location"], body) == (301, base + new, b"")
        status, headers, _ = raw_get(server, f"{old}comment-page-1/")
        assert (status, headers["Location"]) == (301, f"{base}{new}comment-page-1/")
        status, headers, _ = raw_get(server, f"/?p={article.post_id}")
        assert (status, headers["Location"]) == (301, base + new)
        tree = html.fromstring(fetch(base + old)[2])  # urllib follows the redirect
        assert tree.xpath("//link[@rel='canonical']/@href") == [base + new]
        assert tree.xpath("string(//h1)") == article.title
    finally:
        server.shutdown()


def test_etag_last_modified_and_304(days):
    seed = "/russia-related/us-rejects-russian-demands/"
    server = serve(days[0])
    try:
        for path in (
            seed,
            "/",
            "/category/russia-related/",
            "/wp-sitemap-posts-post-1.xml",
            "/feed/",
            "/comments/feed/",
        ):
            status, headers, body = raw_get(server, path)
            assert status == 200 and re.fullmatch(r'"[0-9a-f]{20}"', headers["ETag"])
            etag, modified = headers["ETag"], headers["Last-Modified"]
            assert _get(server, path, {"If-None-Match": etag})[:3:2] == (304, b"")
            assert _get(server, path, {"If-Modified-Since": modified})[0] == 304
            earlier = parsedate_to_datetime(modified) - timedelta(seconds=1)
            since = earlier.strftime("%a, %d %b %Y %H:%M:%S GMT")
            assert _get(server, path, {"If-Modified-Since": since})[0] == 200
            # If-None-Match decides when both are sent (RFC 9110)
            both = {"If-None-Match": '"other"', "If-Modified-Since": modified}
            assert _get(server, path, both)[0] == 200
        article = days[0].article_by_path(seed)
        status, headers, body = raw_get(server, seed)
        assert parsedate_to_datetime(headers["Last-Modified"]) == max(
            [article.modified] + [c.posted for c in article.comments]
        )
        log = [r for r in server.request_log if r.if_none_match]
        assert log and all(r.path and r.method == "GET" for r in log)
        assert {r.status for r in log} == {200, 304}
        # the next day: a page whose thread changed gets a new ETag and a later Last-Modified
        found = changes(days[0], days[1])
        changed = next(
            days[1].article_by_id(pid) for pid, c in found.articles.items() if c.vote_changes
        )
        _, old_headers, _ = raw_get(server, changed.path)
        server.show(days[1])
        status, headers, _ = _get(server, changed.path, {"If-None-Match": old_headers["ETag"]})
        assert status == 200 and headers["ETag"] != old_headers["ETag"]
        assert parsedate_to_datetime(headers["Last-Modified"]) > parsedate_to_datetime(
            old_headers["Last-Modified"]
        )
        assert parsedate_to_datetime(headers["Last-Modified"]) < days[1].now
        # many WordPress sites send no validators at all
        server.validators = False
        status, headers, body = _get(
            server,
            seed,
            {"If-None-Match": "*", "If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
        )
        assert status == 200 and body and "ETag" not in headers and "Last-Modified" not in headers
    finally:
        server.shutdown()


def _get(server, target, headers):
    from http.client import HTTPConnection

    host, port = server.server_address[:2]
    connection = HTTPConnection(host, port, timeout=10)
    connection.request("GET", target, headers=headers)
    response = connection.getresponse()
    result = response.status, dict(response.getheaders()), response.read()
    connection.close()
    return result


def test_comment_feed_lists_the_newest_comments(days):
    site = days[2]
    server = serve(site)
    try:
        base = server.url.rstrip("/")
        status, headers, body = fetch(base + "/comments/feed/")
        assert status == 200 and headers["Content-Type"] == "application/rss+xml; charset=UTF-8"
        newest = sorted(
            ((c, a) for a in site.articles for c in a.comments),
            key=lambda pair: (pair[0].posted, pair[0].comment_id),
            reverse=True,
        )
        ns = {"dc": "http://purl.org/dc/elements/1.1/"}
        items = etree.fromstring(body).xpath("//item")
        assert len(items) == 10
        for item, (comment, article) in zip(items, newest, strict=False):
            page = article.comment_page_of(comment.comment_id)
            page_part = "" if page == article.comment_pages() else f"comment-page-{page}/"
            assert (
                item.findtext("link")
                == f"{base}{article.path}{page_part}#comment-{comment.comment_id}"
            )
            assert (
                item.findtext("guid") == f"{base}/?p={article.post_id}#comment-{comment.comment_id}"
            )
            assert item.findtext("dc:creator", namespaces=ns) == (comment.author or "匿名")
            assert parsedate_to_datetime(item.findtext("pubDate")) == comment.posted
            assert article.title in item.findtext("title")
            assert item.findtext("description") == comment.text
        server.feed_items = 25
        server.show(site)
        assert len(etree.fromstring(fetch(base + "/comments/feed/")[2]).xpath("//item")) == 25
    finally:
        server.shutdown()


def test_listings_show_comment_counts(days):
    site = days[1]
    tree = html.fromstring(render(site, BASE, "/")[2])
    shown = [
        (item.xpath("string(.//a/@href)"), item.xpath("string(.//p[@class='p-archive__comments'])"))
        for item in tree.xpath("//article[contains(@class, 'p-archive__item')]")
    ]
    assert shown == [
        (BASE + a.path, f"コメント ( {len(a.comments)} )") for a in site.articles[::-1][:10]
    ]


def test_sitemap_and_feed_follow_the_day(days):
    site = days[3]
    posts = etree.fromstring(render(site, BASE, "/wp-sitemap-posts-post-1.xml")[2])
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {
        u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns)
        for u in posts.xpath("//s:url", namespaces=ns)
    }
    assert listed == {BASE + a.path: a.modified.isoformat() for a in site.articles}
    feed = etree.fromstring(render(site, BASE, "/feed/")[2])
    assert feed.xpath("//item/link/text()") == [BASE + a.path for a in site.articles[::-1][:10]]


def test_faults_retry_after_times_and_truncation(days):
    from http.client import HTTPConnection, IncompleteRead

    from archiver.sample_site.server import Fault

    seed = "/russia-related/us-rejects-russian-demands/"
    server = serve(days[0])
    try:
        server.faults[seed] = Fault(503, headers=[("Retry-After", "2")], times=2)
        first, second, third = (raw_get(server, seed) for _ in range(3))
        assert (first[0], first[1]["Retry-After"]) == (503, "2")
        assert second[0] == 503 and third[0] == 200
        server.faults["/"] = Fault(301, headers=[("Location", "http://127.0.0.1:9/")])
        assert [raw_get(server, "/")[1]["Location"] for _ in range(3)] == [
            "http://127.0.0.1:9/"
        ] * 3
        server.faults[seed] = Fault(truncate=True, times=1)
        host, port = server.server_address[:2]
        connection = HTTPConnection(host, port, timeout=10)
        connection.request("GET", seed)
        response = connection.getresponse()
        full = render(days[0], server.url.rstrip("/"), seed)[2]
        assert response.status == 200 and int(response.getheader("Content-Length")) == len(full)
        with pytest.raises(IncompleteRead) as error:
            response.read()
        assert 0 < len(error.value.partial) < len(full)
        connection.close()
        assert raw_get(server, seed)[2] == full  # then served normally
        server.failures["/feed/"] = 500  # the older API keeps working
        assert raw_get(server, "/feed/")[0] == 500
        server.robots_extra = ["Crawl-delay: 2", "Sitemap: http://127.0.0.1:9/wp-sitemap.xml"]
        robots = raw_get(server, "/robots.txt")[2].decode()
        assert robots.endswith("Crawl-delay: 2\nSitemap: http://127.0.0.1:9/wp-sitemap.xml\n")
        statuses = [r.status for r in server.request_log if r.path == seed]
        assert statuses == [503, 503, 200, 200, 200]
        times = [r.at for r in server.request_log]
        assert times == sorted(times)
    finally:
        server.shutdown()


# ---- a synthetic site over time, and the command line ----------------------------------------------


def test_synthetic_site_on_a_later_day():
    before, after = load_site(300, seed=3, day=4), load_site(300, seed=3, day=5)
    assert after == load_site(300, seed=3, day=5)
    _check_consistent(after, before)
    found = changes(before, after)
    assert found.new_articles and found.comments("new_comments")
    assert found.comments("edited_comments") and found.comments("removed_comments")
    assert any(a.vote_changes for a in found.articles.values())
    assert any(a.edited for a in found.articles.values())
    assert after.gone.values() and set(after.gone.values()) <= {404, 410}
    assert after.moved
    article = after.article_by_id(found.new_articles[-1])
    status, _, body = render(after, BASE, article.path)
    assert status == 200 and html.fromstring(body).xpath("string(//h1)") == article.title
    commented = next(a for a in after.articles if a.comments and a.comment_markup == "tcd")
    tree = html.fromstring(render(after, BASE, commented.path)[2])
    last = commented.comments_on_page(commented.comment_pages())[0]
    date = tree.xpath(f"string(//li[@id='comment-{last.comment_id}']//li[@class='comment-date'])")
    assert date == comment_date_text(last, "tcd")


def test_command_line_serves_a_day(days):
    site = days[2]
    process = subprocess.Popen(
        [sys.executable, "-m", "archiver.sample_site", "--day", "2", "--no-validators"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        url = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url)
        newest = site.articles[-1]
        assert newest.post_id not in {a.post_id for a in days[0].articles}
        status, headers, body = fetch(url + newest.path.lstrip("/"))
        assert status == 200 and "ETag" not in headers
        assert html.fromstring(body.decode()).xpath("string(//h1)") == newest.title
        gone_path, status = next(iter(site.gone.items()))
        assert fetch(url + gone_path.lstrip("/"))[0] == status
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    assert process.stderr.read() == ""
