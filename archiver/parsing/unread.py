"""Never silent: a page that clearly has a thread the parser could not read is recorded.

A thread lost without a trace is the worst failure an archive can have: nobody knows to
look for it. So after the comments are read, the page is checked for what it shows of
a thread: the comment count it displays, and comment-like elements in its comment
section (``#comments``, ``.comments-area``, wpDiscuz' ``#wpdcom``, ids ``comment-N``).
Fewer comments read than the page shows gives an anomaly naming the page and what was
seen there.
"""

from __future__ import annotations

from archiver.items import Anomaly, Article
from archiver.parsing.document import Node
from archiver.parsing.select import Finder
from archiver.parsing.text import inline_text
from archiver.parsing.thread import is_widget_area

# Elements that are comments in any markup, inside the places themes put the thread.
_THREAD_SIGNS = (
    "#comments li.comment, #comments li[id], #comments article, #comments .comment, "
    "#comments dt, .comments-area li, .comments-area article, #comment-area li.comment, "
    "#comment_area li.comment, #wpdcom .wpd-comment, [id^=comment-], [id^=li-comment-]"
)
_PLACEHOLDER = "[class*=no_comment], [class*=no-comment], .nocomments"  # "no comments yet"
_FORM_WORDS = ("respond", "comment-form", "commentform")


def unread_thread(find: Finder, article: Article, url: str) -> list[Anomaly]:
    """Anomalies for a thread the page shows but the parser did not (fully) read."""
    read = len(article.comments)
    shown = article.comment_count_shown
    if shown is not None:
        if shown == 0:
            return []
        if read == 0:
            problem = f"the page shows a count of {shown} comments but no comment could be read"
            return [Anomaly("article.comments", str(shown), problem, url)]
        # A paged thread's count is its total over all pages; pingbacks count as comments.
        whole_thread_here = article.comment_page == 1 and not article.comment_page_urls
        if whole_thread_here and read + len(article.pingbacks) < shown:
            problem = f"the page shows a count of {shown} comments but only {read} could be read"
            return [Anomaly("article.comments", str(shown), problem, url)]
        return []
    if read or article.pingbacks:
        return []
    signs = [
        node
        for node in find.root.css(_THREAD_SIGNS)
        if node.css_first(_PLACEHOLDER) is None and not _in_form_or_widget(node)
    ]
    if not signs:
        return []
    sample = inline_text(signs[0])[:200]
    what = f"{len(signs)} comment-like elements in the comment section"
    return [Anomaly("article.comments", sample, f"{what} but no comment could be read", url)]


def _in_form_or_widget(node: Node) -> bool:
    while node is not None and (node.tag or "-")[0] != "-":
        if node.tag == "form":
            return True
        names = f"{node.attrs.get('class') or ''} {node.id or ''}".lower()
        if is_widget_area(node) or any(word in names for word in _FORM_WORDS):
            return True
        node = node.parent
    return False
