"""The comment thread of one page: ids, nesting, authors, dates, bodies and votes.

The thread structure comes from the markup's nesting, never from classes alone: a
comment is an ``li`` of a comment list (``li#comment-N``), and its replies are the
``li`` of the ``ul``/``ol`` lists directly inside it (``ul.children``). The parent of
a reply is the comment whose list holds it, its depth the number of lists crossed.

For speed each field is looked up with one compiled selector over the whole comment
area, and every match is given to the nearest comment that contains it. A comment
whose field the profile's selector misses gets the generic WordPress fallbacks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from archiver.items import Anomaly, Comment
from archiver.parsing.select import Finder, has_class
from archiver.parsing.text import JS_URL, inline_text, text_and_html
from archiver.sites.profile import SiteProfile

_COMMENT_ID = re.compile(r"^(?:li-)?comment-(\d+)$")  # Twenty Ten: li#li-comment-N
_NOT_COMMENT_CLASSES = frozenset({"pingback", "trackback"})

# What WordPress core and other themes emit, tried after the profile's selectors.
GENERIC_LISTS = (
    "ol.c-comment__list",
    "ul.c-comment__list",
    "ol.comment-list",
    "ul.comment-list",
    "ol.commentlist",
    "ul.commentlist",
)
GENERIC_EXCLUDED = ("#trackback_area", "#pings", ".pinglist", ".trackback-list", ".ping-list")
GENERIC_AUTHOR = (
    ".c-comment__item-author",
    ".comment-author .fn",
    ".comment-name",
    ".comment-author",
    ".fn",
)
GENERIC_DATE = (
    "time.c-comment__item-date",
    ".c-comment__item-date",
    ".comment-metadata time",
    ".comment-date",
    "time[datetime]",
    ".comment-metadata",
    ".commentmetadata",
    "time",
)
GENERIC_BODY = (
    ".c-comment__item-body",
    ".comment-content",
    ".comment-text",
    ".comment-entry",
    ".comment-body",
)
GENERIC_VOTES = (
    "span.count-box",
    ".wp_ulike_counter_up",
    ".comment-like-count",
    ".like-count",
    ".likes-count",
    ".vote-count",
    ".c-like__count",
    "[class*=like__count]",
    "[class*=like-count]",
    "[class*=like_count]",
    "[class*=vote-count]",
)
_XP_TOP_LEVEL = etree.XPath(
    "//li[starts-with(@id, 'comment-') or starts-with(@id, 'li-comment-')]"
    "[not(ancestor::li[starts-with(@id, 'comment-') or starts-with(@id, 'li-comment-')])]"
)
_XP_NO_COMMENT = etree.XPath("boolean(.//*[contains(@class, 'no_comment')])")


@dataclass
class _Node:
    """One comment element found in the thread walk."""

    element: etree._Element
    comment_id: int | None
    parent_id: int | None
    depth: int


def parse_comments(
    find: Finder, profile: SiteProfile, page: int, url: str, anomalies: list[Anomaly]
) -> list[Comment]:
    """All comments of this page in thread order (depth-first, as displayed)."""
    root = find.root
    excluded = find.all(root, profile.comment_excluded_areas + GENERIC_EXCLUDED)
    lists = [
        lst
        for lst in find.all(root, profile.comment_lists + GENERIC_LISTS)
        if not _inside(lst, excluded)
    ]
    if lists:
        top_level = [child for lst in lists for child in lst if _tag(child) == "li"]
        search_roots: Sequence[etree._Element] = lists
    else:
        top_level = [li for li in _XP_TOP_LEVEL(root) if not _inside(li, excluded)]
        search_roots = top_level
    nodes: list[_Node] = []
    for item in top_level:
        _walk(item, None, 1, nodes, profile, find)
    if not nodes:
        return []
    owners = {node.element: index for index, node in enumerate(nodes)}
    authors, dates, bodies, votes = _assign_fields(
        find,
        search_roots,
        owners,
        (
            profile.comment_author + GENERIC_AUTHOR,
            profile.comment_date + GENERIC_DATE,
            profile.comment_body + GENERIC_BODY,
            profile.comment_votes + GENERIC_VOTES,
        ),
    )

    comments = []
    for index, node in enumerate(nodes):
        author, author_url = _author(authors.get(index), find)
        posted_raw, posted_attr = _date(dates.get(index))
        body = bodies.get(index)
        vote = votes.get(index)
        if body is None:
            body_text, body_html = "", ""
        else:  # copy and clean only the bodies that hold something executable
            body_text, body_html = text_and_html(body)
        comments.append(
            Comment(
                comment_id=node.comment_id,
                parent_id=node.parent_id,
                depth=node.depth,
                position=index + 1,
                author=author,
                author_url=author_url,
                posted_raw=posted_raw,
                posted_attr=posted_attr,
                body_text=body_text,
                body_html=body_html,
                votes_raw=inline_text(vote) if vote is not None else None,
                page=page,
            )
        )
        where = f"comment {node.comment_id}" if node.comment_id else f"comment #{index + 1}"
        if node.comment_id is None:
            anomalies.append(
                Anomaly("comment.id", node.element.get("id"), f"{where} has no WordPress id", url)
            )
        if posted_raw is None and posted_attr is None:
            anomalies.append(Anomaly("comment.posted", None, f"{where} has no date", url))
        if body is None:
            anomalies.append(Anomaly("comment.body", None, f"{where} has no body element", url))
    return comments


def _tag(element: etree._Element) -> str:
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else ""


def _inside(element: etree._Element, areas: Iterable[etree._Element]) -> bool:
    areas = set(areas)
    if not areas:
        return False
    return element in areas or any(a in areas for a in element.iterancestors())


def _walk(
    item: etree._Element,
    parent_id: int | None,
    depth: int,
    nodes: list[_Node],
    profile: SiteProfile,
    find: Finder,
) -> None:
    """Add ``item`` if it is a comment, then its replies, depth-first."""
    if not _NOT_COMMENT_CLASSES.isdisjoint((item.get("class") or "").split()):
        return  # pingbacks and trackbacks are links, not comments
    match = _COMMENT_ID.match(item.get("id") or "")
    if match is None:  # some themes put the id on the first inner element instead
        inner = next((c for c in item if isinstance(c.tag, str)), None)
        match = _COMMENT_ID.match(inner.get("id") or "") if inner is not None else None
    if match:
        comment_id: int | None = int(match.group(1))
    elif _looks_like_comment(item, profile, find):
        comment_id = None
    else:
        return  # the "no comments" placeholder
    nodes.append(_Node(item, comment_id, parent_id, depth))
    for child in item:
        tag = child.tag
        if isinstance(tag, str) and tag.lower() in ("ul", "ol") and _is_reply_list(child):
            for reply in child:
                if _tag(reply) == "li":
                    _walk(reply, comment_id, depth + 1, nodes, profile, find)


def _is_reply_list(element: etree._Element) -> bool:
    if has_class(element, "children"):
        return True
    return any(_COMMENT_ID.match(li.get("id") or "") for li in element if _tag(li) == "li")


def _looks_like_comment(item: etree._Element, profile: SiteProfile, find: Finder) -> bool:
    """An id-less ``li`` counts as a comment only if it shows an author or a date."""
    if _XP_NO_COMMENT(item):
        return False
    selectors = profile.comment_author + GENERIC_AUTHOR + profile.comment_date + GENERIC_DATE[:4]
    return find.first(item, selectors) is not None


def _assign_fields(
    find: Finder,
    roots: Sequence[etree._Element],
    owners: dict[etree._Element, int],
    fields: Sequence[Sequence[str]],
) -> list[dict[int, etree._Element]]:
    """For each field and comment index, the first element of the first selector
    matching inside that comment (and not inside one of its replies).

    Each selector is one XPath scan of the comment lists (measured faster than a
    combined ``or`` scan or a Python walk of each comment's own subtrees); later
    selectors run only while some comment still lacks the field, and selectors naming
    classes absent from the page never run.
    """
    found: list[dict[int, etree._Element]] = [{} for _ in fields]
    # Ancestors met while walking up to a comment, so later walks stop early.
    ancestry: dict[etree._Element, int | None] = dict(owners)
    remaining = [[s for s in selectors if find.may_match(s)] for selectors in fields]
    for field_found, selectors in zip(found, remaining, strict=True):
        for selector in selectors:
            if len(field_found) == len(owners):
                break
            for root in roots:
                for element in find.run(root, selector):
                    owner = _owner(element, ancestry)
                    if owner is not None:
                        field_found.setdefault(owner, element)  # document order: first wins
    return found


def _owner(element: etree._Element, ancestry: dict[etree._Element, int | None]) -> int | None:
    """The index of the nearest comment containing ``element`` (not the comment itself).

    ``ancestry`` maps comments to their index and remembers every ancestor walked
    through, so siblings of an element already placed cost one step.
    """
    walked = []
    parent = element.getparent()
    while parent is not None:
        if parent in ancestry:
            owner = ancestry[parent]
            for node in walked:
                ancestry[node] = owner
            return owner
        walked.append(parent)
        parent = parent.getparent()
    for node in walked:
        ancestry[node] = None
    return None


def _author(element: etree._Element | None, find: Finder) -> tuple[str | None, str | None]:
    """Name and URL; an empty name is None (anonymous comments are legitimate)."""
    if element is None:
        return None, None
    # Plain loops: this runs for every comment, and generator expressions cost more.
    link: etree._Element | None = None
    for anchor in element.iter("a"):
        if anchor.get("href"):
            link = anchor
            break
    url = ""
    if link is not None:
        raw = (link.get("href") or "").strip()
        url = "" if JS_URL.match(raw) else (find.absolute(raw) or raw)
    name_element: etree._Element | None = None
    for node in element.iter(etree.Element):
        classes = node.get("class")
        if classes and "name" in classes.split():
            name_element = node
            break
    if name_element is None:
        name_element = link if link is not None else element
    name = inline_text(name_element)
    return name or None, url or None


def _date(element: etree._Element | None) -> tuple[str | None, str | None]:
    if element is None:
        return None, None
    attr = element.get("datetime")
    if attr is None:
        for time_element in element.iter("time"):
            attr = time_element.get("datetime")
            if attr:
                break
    attr = attr.strip() if attr else None
    return inline_text(element) or None, attr or None
