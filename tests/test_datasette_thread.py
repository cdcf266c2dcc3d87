"""The pure parts of the archive's Datasette pages: thread building and sanitizing."""

from __future__ import annotations

from archiver.datasette.pages import _changed_fields
from archiver.datasette.thread import ThreadComment, build_thread, safe_html, text_diff


def row(comment_id, parent_id=None, **fields):
    return {"id": comment_id, "parent_id": parent_id, **fields}


def shape(nodes):
    return [(node.id, shape(node.replies)) for node in nodes]


def test_replies_nest_under_their_parent_in_thread_order():
    rows = [row(1), row(2, 1), row(3, 2), row(4, 1), row(5)]
    thread = build_thread(rows)
    assert shape(thread) == [(1, [(2, [(3, [])]), (4, [])]), (5, [])]
    assert thread[0].count() == 4


def test_reply_without_its_parent_stays_visible_at_the_top():
    assert shape(build_thread([row(7, 99), row(8, 7)])) == [(7, [(8, [])])]


def test_safe_html_keeps_text_and_links_drops_everything_that_runs_or_loads():
    html = (
        '<p onclick="x()">a<br>b <a href="https://example.org/" onmouseover="x()">link</a>'
        '<a href="javascript:x()">js</a><img src="x" onerror="x()"><script>x()</script>'
        '<iframe src="https://example.org/"></iframe><style>p{}</style></p>'
    )
    assert safe_html(html) == (
        '<p>a<br>b <a href="https://example.org/" rel="noopener noreferrer nofollow">link</a>'
        '<a rel="noopener noreferrer nofollow">js</a></p>'
    )
    assert safe_html(None) == ""


def test_comment_without_html_shows_its_text_escaped():
    comment = ThreadComment(row(1, body_text="<b>x</b>\nline\n\nnext", body_html=""))
    assert comment.body == "<p>&lt;b&gt;x&lt;/b&gt;<br>line</p><p>next</p>"


def test_a_revision_names_what_changed_since_the_one_before():
    first = {"author": "a", "body_text": "x", "posted_raw": "1", "author_url": None}
    assert _changed_fields(None, first) == ["first seen"]
    assert _changed_fields(first, dict(first, body_text="y")) == ["body_text"]
    assert _changed_fields(first, dict(first)) == []


def test_text_diff_marks_what_was_removed_and_added_escaped():
    assert text_diff("戦闘機は<b>", "戦車は<b>\n追記") == (
        "戦<del>闘機</del><ins>車</ins>は&lt;b&gt;<ins><br>追記</ins>"
    )
    assert text_diff(None, "a") == "<ins>a</ins>"
