"""The archive as a researcher sees it: real Chromium (Playwright) on a real Datasette.

The archive is the session's real crawl of the sample site (``crawled_archive``), copied,
plus one probe article saved through the real storage code whose article and comment
HTML carry script payloads. Datasette runs as a subprocess with no options: the pages,
the sanitizing and the charts come from the installed archiver plugin alone. Chromium is
Debian's (``/usr/bin/chromium``, installed by ``make test``); Playwright never downloads
a browser.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from archiver.items import Article, Comment
from archiver.sample_site import SampleSite, load_site
from archiver.sample_site.changes import SiteChanges, changes
from archiver.sample_site.model import SampleComment
from archiver.sample_site.server import serve
from archiver.storage import open_archive, save_article
from tests.servers import free_port, running_server
from tests.test_progress import crawl_days

DATASETTE = Path(sys.executable).with_name("datasette")
CHROMIUM = "/usr/bin/chromium"
SEED_POST_ID = 23456  # the article the project was created from (shared/seed)
LONG_POST_ID = 30499  # the sample site's longest thread
PROBE_POST_ID = 990001
# Every way a crawled body could try to run code; each sets a marker if it ever runs.
PROBE_COMMENT_HTML = (
    "<p>probe comment<script>window.__xss = 'script'</script>"
    '<img src="x" onerror="window.__xss = \'onerror\'">'
    "<a href=\"javascript:window.__xss='href'\">link</a>"
    "<svg onload=\"window.__xss = 'svg'\"></svg></p>"
)
PROBE_ARTICLE_HTML = (
    "<p>probe article</p><script>window.__xss = 'article'</script>"
    "<iframe src=\"javascript:parent.__xss='iframe'\"></iframe>"
    "<style>body { display: none }</style>"
)


def save_probe_article(db_path: Path, site_url: str) -> None:
    """One article with payloads in its body and comment, through archiver.storage."""
    db = open_archive(db_path)
    try:
        comment = Comment(
            comment_id=990101,
            parent_id=None,
            depth=1,
            position=1,
            author="probe",
            posted_raw="2023年 10月 1日",
            posted_at="2023-10-01",
            posted_date="2023-10-01",
            posted_precision="day",
            body_text="probe comment link",
            body_html=PROBE_COMMENT_HTML,
            votes_raw="1",
            votes=1,
        )
        save_article(
            db,
            Article(
                url=f"{site_url.rstrip('/')}/probe/script-payloads/",
                site="grandfleet",
                post_id=PROBE_POST_ID,
                title="script payload probe",
                body_text="probe article",
                body_html=PROBE_ARTICLE_HTML,
                published_raw="2023.10.01",
                published_at="2023-10-01",
                published_date="2023-10-01",
                published_precision="day",
                comments=[comment],
            ),
        )
    finally:
        db.close()


@dataclass
class TwoDays:
    """The sample site on day 0 and on day 1, and what changed in between (ground truth)."""

    day0: SampleSite
    day1: SampleSite
    changes: SiteChanges

    def comments(self, post_id: int) -> dict[int, SampleComment]:
        """Every comment the archive has seen on an article, in its last version."""
        seen: dict[int, SampleComment] = {}
        for site in (self.day0, self.day1):
            article = site.article_by_id(post_id)
            seen.update({c.comment_id: c for c in (article.comments if article else [])})
        return seen

    def comment(self, comment_id: int, day: int) -> SampleComment:
        site = self.day1 if day else self.day0
        return next(c for c in site.all_comments() if c.comment_id == comment_id)


@pytest.fixture(scope="module")
def days() -> TwoDays:
    day0, day1 = load_site(day=0), load_site(day=1)
    return TwoDays(day0, day1, changes(day0, day1))


@pytest.fixture(scope="module")
def archive_url(days, tmp_path_factory) -> Iterator[str]:
    """Real crawls of day 0 and day 1 into one archive, the probe article, Datasette."""
    tmp = tmp_path_factory.mktemp("browser")
    db_path = tmp / "archive.db"
    server = serve(days.day0, host="127.0.0.1", port=0)
    try:
        crawl_days(server, [days.day0, days.day1], db_path)
        site_url = server.url
    finally:
        server.shutdown()
    save_probe_article(db_path, site_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(DATASETTE), "serve", str(db_path), "--host", "127.0.0.1", "--port", str(port)]
    with running_server(command, base + "/-/versions.json"):
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert shutil.which(CHROMIUM), "chromium missing: `make test` installs Debian's chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    page = browser.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
    yield page
    page.close()


# Each comment card as the DOM nests it: its parent is the nearest enclosing card.
DOM_THREAD = """() => [...document.querySelectorAll('.thread article.comment')].map(card => {
    const parent = card.parentElement.closest('article.comment');
    let depth = 1;
    for (let up = card.parentElement.closest('article.comment'); up;
         up = up.parentElement.closest('article.comment')) depth++;
    return {
        id: Number(card.dataset.commentId),
        parent: parent ? Number(parent.dataset.commentId) : null,
        depth: depth,
        author: card.querySelector(':scope > .comment-meta .comment-author').textContent,
        votes: card.querySelector(':scope > .comment-meta .comment-votes').textContent,
        text: card.querySelector(':scope > .comment-body').textContent,
    };
})"""


@pytest.mark.parametrize("post_id", [SEED_POST_ID, LONG_POST_ID])
def test_article_page_nests_the_thread_as_the_site(archive_url, page, days, post_id):
    page.goto(f"{archive_url}/archive/articles/{post_id}")
    cards = page.evaluate(DOM_THREAD)
    truth = days.comments(post_id)
    assert {c["id"]: (c["parent"], c["depth"]) for c in cards} == {
        i: (c.parent_id, c.depth) for i, c in truth.items()
    }
    assert {c["id"]: (c["author"], c["votes"]) for c in cards} == {
        i: (c.author or "(no name)", f"▲ {c.votes}") for i, c in truth.items()
    }
    # The text a reader sees, paragraph breaks aside.
    assert {c["id"]: "".join(c["text"].split()) for c in cards} == {
        i: "".join(c.text.split()) for i, c in truth.items()
    }
    # What the site shows today is in the site's order.
    shown = [c.comment_id for c in days.day1.article_by_id(post_id).comments]
    assert [c["id"] for c in cards if c["id"] in set(shown)] == shown
    article = days.day1.article_by_id(post_id)
    assert page.locator(".archive-article > h2").first.inner_text() == article.title
    previous = days.day1.article_by_path(article.previous_path)
    assert page.locator(".article-prev a").inner_text() == previous.title
    assert page.errors == []


def marked(page: Page, mark: str) -> set[int]:
    return set(
        page.eval_on_selector_all(
            f".comment:has(> .comment-meta .mark-{mark})",
            "cards => cards.map(c => Number(c.dataset.commentId))",
        )
    )


WITHOUT = """(p, tag) => {
    const copy = p.cloneNode(true);
    copy.querySelectorAll(tag).forEach(el => el.remove());
    return copy.textContent;
}"""


def test_removed_and_edited_comments_are_marked(archive_url, page, days):
    for post_id, changed in days.changes.articles.items():
        if not (changed.removed_comments or changed.edited_comments):
            continue
        page.goto(f"{archive_url}/archive/articles/{post_id}")
        assert marked(page, "removed") == set(changed.removed_comments), post_id
        assert marked(page, "edited") == set(changed.edited_comments), post_id
    removed = days.changes.comments("removed_comments")
    edited = days.changes.comments("edited_comments")
    assert removed and edited  # day 1 removes and edits comments
    # The mark leads to the comment's own page, with its text history.
    comment_id = min(edited)
    post_id = next(p for p, a in days.changes.articles.items() if comment_id in a.edited_comments)
    page.goto(f"{archive_url}/archive/articles/{post_id}")
    page.click(f"#comment-{comment_id} > .comment-meta .mark-edited")
    page.wait_for_url(f"**/archive/comments/{comment_id}#revisions")
    revisions = page.locator(".revisions > li.revision")
    assert revisions.count() == 2
    before, after = days.comment(comment_id, 0), days.comment(comment_id, 1)
    texts = [
        "".join(revisions.nth(i).locator(".comment-body").text_content().split()) for i in (0, 1)
    ]
    assert texts == ["".join(before.text.split()), "".join(after.text.split())]
    if before.text != after.text:
        assert "body_text" in revisions.nth(1).inner_text()  # what changed
        diff = revisions.nth(1).locator(".revision-diff p").nth(1)
        assert diff.locator("ins, del").count() > 0
        # Without its deletions the diff reads as the new text, without its additions as the old.
        for drop, text in (("del", after.text), ("ins", before.text)):
            kept = diff.evaluate(WITHOUT, drop)
            assert "".join(kept.split()) == "".join(text.split())
    page.goto(f"{archive_url}/archive/comments/{min(removed)}")
    assert "Removed from the page" in page.locator(".archive-comment").inner_text()


def test_gone_and_edited_articles_say_so(archive_url, page, days):
    for path, status in days.changes.gone.items():
        post_id = days.day0.article_by_path(path).post_id
        page.goto(f"{archive_url}/archive/articles/{post_id}")
        assert f"answered HTTP {status} since" in page.locator(".article-gone").inner_text()
    edited = [post_id for post_id, a in days.changes.articles.items() if a.edited]
    assert days.changes.gone and edited
    for post_id in edited:
        page.goto(f"{archive_url}/archive/articles/{post_id}")
        assert "2 versions" in page.locator(".article-edited").inner_text()
    page.goto(f"{archive_url}/archive/articles/{SEED_POST_ID}")
    assert page.locator(".article-gone, .article-edited").count() == 0


def test_long_thread_starts_with_replies_folded(archive_url, page):
    page.goto(f"{archive_url}/archive/articles/{LONG_POST_ID}")
    replies = page.locator(".thread details.replies")
    assert replies.count() > 0
    assert (
        page.evaluate("() => [...document.querySelectorAll('details.replies')].some(d => d.open)")
        is False
    )
    first = replies.first
    first.locator("summary").click()
    assert first.evaluate("d => d.open") is True
    assert first.locator("article.comment").first.is_visible()


def test_script_payloads_never_run(archive_url, page):
    for path in (f"/archive/articles/{PROBE_POST_ID}", "/archive/comments/990101"):
        page.goto(archive_url + path)
        page.wait_for_load_state("load")
        assert page.evaluate("() => window.__xss") is None, path
        body = page.locator(".archive-article .comment-body, .archive-comment .comment-body")
        assert "probe comment" in body.first.inner_text()
        assert (
            page.locator(".comment-body script, .comment-body img, .comment-body svg").count() == 0
        )
        hrefs = page.eval_on_selector_all(".comment-body a", "links => links.map(a => a.href)")
        assert not any(href.startswith("javascript:") for href in hrefs)
        assert page.locator("body").is_visible()  # the <style> payload did not apply
    page.goto(f"{archive_url}/archive/articles/{PROBE_POST_ID}")
    page.locator(".article-body summary").click()
    assert "probe article" in page.locator(".article-body").inner_text()
    assert (
        page.locator(".article-body script, .article-body iframe, .article-body style").count() == 0
    )
    assert page.evaluate("() => window.__xss") is None
    assert page.errors == []


def test_search_box_finds_a_two_character_word(archive_url, page, days):
    word = "中国"
    post_ids = {a.post_id for site in (days.day0, days.day1) for a in site.articles}
    everything = [c for post_id in post_ids for c in days.comments(post_id).values()]
    expected = sorted(c.comment_id for c in everything if word in c.text)
    assert 0 < len(expected) < 100  # one page of results
    page.goto(archive_url + "/")
    page.fill(".archive-search input[name=_search]", word)
    page.click(".archive-search input[type=submit]")
    page.wait_for_url("**/archive/comments?_search=*")
    ids = page.eval_on_selector_all(
        "table.rows-and-columns tbody td.col-id", "cells => cells.map(c => Number(c.innerText))"
    )
    assert sorted(ids) == expected


def test_landing_page_says_what_the_archive_holds(archive_url, page, days):
    page.goto(archive_url + "/")
    holds = page.locator(".archive-holds").inner_text()
    both = {a.post_id: a for site in (days.day0, days.day1) for a in site.articles}
    comments = {c.comment_id for site in (days.day0, days.day1) for c in site.all_comments()}
    # and the probe article with its comment
    assert (
        f"holds {len(both) + 1} articles and {len(comments) + 1} comments from grandfleet" in holds
    )
    first = min(a.published for a in both.values()).date().isoformat()
    assert f"Articles published {first} to 2023-10-01" in holds
    assert "Last crawl (#2)" in page.locator(".archive-last-crawl").inner_text()
    assert "finished" in page.locator(".archive-last-crawl").inner_text()
    most = max(both, key=lambda post_id: len(days.comments(post_id)))
    most = both[most]
    assert page.locator(".archive-start a").filter(has_text=most.title).count() == 1


# Vega's drawn marks in its SVG: bars, lines, points, areas (axes and grid are rules/text).
MARKS = "svg => svg.querySelectorAll('.mark-rect path, .mark-line path, .mark-symbol path, .mark-area path').length"


def assert_chart_has_marks(scope, chart: str) -> None:
    drawn = scope.locator(f"#chart-{chart} svg.marks")
    drawn.wait_for(timeout=10_000)
    deadline = time.monotonic() + 5
    while drawn.evaluate(MARKS) == 0 and time.monotonic() < deadline:
        drawn.page.wait_for_timeout(100)  # vega draws once the chart's data has arrived
    assert drawn.evaluate(MARKS) > 0, chart


@pytest.mark.parametrize(
    "dashboard, charts",
    [
        ("archive", ["comments-per-day", "removed-per-week"]),
        (f"article?article_id={SEED_POST_ID}", ["comments-by-hour", "thread-growth"]),
    ],
)
def test_charts_render_with_marks(archive_url, page, dashboard, charts):
    page.goto(f"{archive_url}/-/dashboards/{dashboard}")
    for chart in charts:
        assert_chart_has_marks(page, chart)
    assert page.errors == []


def test_comment_page_draws_its_vote_series(archive_url, page, days):
    comment_id, (before, after) = next(
        iter(days.changes.articles[SEED_POST_ID].vote_changes.items())
    )
    page.goto(f"{archive_url}/archive/comments/{comment_id}")
    # A single chart page names its container after the dashboard.
    assert_chart_has_marks(page.frame_locator("iframe.archive-chart"), "comment")
    rows = page.evaluate(
        "async url => (await (await fetch(url)).json())",
        f"{archive_url}/archive/vote_history.json?_shape=array&comment_id={comment_id}",
    )
    assert [row["votes"] for row in rows] == [before, after]
