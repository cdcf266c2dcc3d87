"""An article's comments as a tree, and crawled HTML made safe to show.

Pure functions (rows in, tree or safe HTML out) so the page Datasette renders can be
tested without a server. Crawled HTML is never trusted: it goes through nh3 (the Python
binding of ammonia, a maintained allow-list sanitizer) with a small list of tags and
only http(s) links, so nothing a crawled page carried can run in a researcher's browser
or make it fetch anything (images are left out for that reason: the text stays).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from html import escape
from typing import Any

import nh3

#: Tags a comment or an article body may keep: text structure and links, nothing that
#: loads (img, iframe), runs (script) or restyles the page (style).
SAFE_TAGS: frozenset[str] = frozenset(
    {
        "a", "p", "br", "b", "strong", "i", "em", "u", "s", "del", "ins", "sub", "sup",
        "blockquote", "q", "cite", "code", "pre", "ul", "ol", "li", "h2", "h3", "h4",
        "h5", "h6", "span", "div", "hr", "figure", "figcaption", "table", "thead",
        "tbody", "tr", "th", "td",
    }
)  # fmt: skip
SAFE_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}}
SAFE_URL_SCHEMES: frozenset[str] = frozenset({"http", "https"})

#: Threads longer than this start with their replies folded, so a page of hundreds of
#: comments opens as a readable list of top-level comments.
FOLD_REPLIES_ABOVE = 100


def safe_html(html: str | None) -> str:
    """``html`` from a crawled page, reduced to :data:`SAFE_TAGS`; '' for None."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=set(SAFE_TAGS),
        attributes=SAFE_ATTRIBUTES,
        url_schemes=set(SAFE_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )


@dataclass
class ThreadComment:
    """One comment with its replies, as the page shows it."""

    row: dict[str, Any]
    replies: list[ThreadComment] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.row["id"]

    @property
    def body(self) -> str:
        """The comment body as safe HTML (its text, escaped, when it has no HTML)."""
        if self.row.get("body_html"):
            return safe_html(self.row["body_html"])
        text = self.row.get("body_text") or ""
        paragraphs = [escape(p).replace("\n", "<br>") for p in text.split("\n\n")]
        return "".join(f"<p>{p}</p>" for p in paragraphs if p)

    def count(self) -> int:
        """This comment and all replies under it."""
        return 1 + sum(reply.count() for reply in self.replies)


def build_thread(rows: Iterable[Mapping[str, Any]]) -> list[ThreadComment]:
    """Comments in thread order -> top-level comments with their replies nested.

    A reply whose parent is not in the archive (removed before the first crawl, or on a
    comment page that failed) is shown at the top level rather than hidden.
    """
    by_id: dict[int, ThreadComment] = {}
    roots: list[ThreadComment] = []
    for row in rows:
        node = ThreadComment(dict(row))
        by_id[node.id] = node
        parent_id = node.row.get("parent_id")
        parent = by_id.get(parent_id) if parent_id is not None else None
        if parent is None:
            roots.append(node)
        else:
            parent.replies.append(node)
    return roots


def text_diff(old: str | None, new: str | None) -> str:
    """What changed from ``old`` to ``new`` as safe HTML: removed text in <del>, added in <ins>.

    Compared character by character: Japanese has no spaces to split words on.
    """
    old, new = old or "", new or ""
    parts: list[str] = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape(old[a1:a2]))
            continue
        if a2 > a1:
            parts.append(f"<del>{escape(old[a1:a2])}</del>")
        if b2 > b1:
            parts.append(f"<ins>{escape(new[b1:b2])}</ins>")
    return "".join(parts).replace("\n", "<br>")
