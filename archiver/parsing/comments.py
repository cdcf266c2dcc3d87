"""The comment thread of one page: ids, nesting, authors, dates, bodies and votes.

The thread structure comes from the markup's nesting, never from classes alone: a
comment is an ``li`` of a comment list (``li#comment-N``), and its replies are the
``li`` of the ``ul``/``ol`` lists directly inside it (``ul.children``). The parent of
a reply is the comment whose list holds it, its depth the number of lists crossed.

For speed each field is looked up with one lexbor selector scan of the comment lists
(a selector call has a fixed cost of microseconds: one per comment would cost more),
and every match is given to the nearest comment that contains it. A comment whose
field the profile's selector misses gets the generic WordPress fallbacks. Inside the
few nodes of one field (an author, a date) a walk in Python is cheaper than a selector.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from archiver.items import Anomaly, Comment
from archiver.parsing.document import Node, same
from archiver.parsing.select import Finder, attr, has_class
from archiver.parsing.text import JS_URL, inline_text, outermost, text_and_html
from archiver.sites.profile import SiteProfile

_COMMENT_ID = re.compile(r"^(?:li-)?comment-(\d+)$")  # Twenty Ten: li#li-comment-N
_NOT_COMMENT_CLASSES = frozenset({"pingback", "trackback"})
_LIST_TAGS = frozenset({"ul", "ol"})

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
_COMMENT_ITEMS = "li[id^=comment-], li[id^=li-comment-]"
_NO_COMMENT = "[class*=no_comment]"


@dataclass
class _Node:
    """One comment element found in the thread walk."""

    element: Node
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
        top_level = [child for lst in lists for child in lst.iter() if child.tag == "li"]
        search_roots: Sequence[Node] = lists
    else:
        top_level = [li for li in _top_level_items(root) if not _inside(li, excluded)]
        search_roots = top_level
    nodes: list[_Node] = []
    for item in top_level:
        _walk(item, None, 1, nodes, profile, find)
    if not nodes:
        return []
    owners = {node.element.mem_id: index for index, node in enumerate(nodes)}
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
        if node.comment_id is None or body is None or (posted_raw is None and posted_attr is None):
            _add_anomalies(anomalies, node, index, posted_raw, posted_attr, body, url)
    return comments


def _add_anomalies(
    anomalies: list[Anomaly],
    node: _Node,
    index: int,
    posted_raw: str | None,
    posted_attr: str | None,
    body: Node | None,
    url: str,
) -> None:
    where = f"comment {node.comment_id}" if node.comment_id else f"comment #{index + 1}"
    if node.comment_id is None:
        anomalies.append(
            Anomaly("comment.id", attr(node.element, "id"), f"{where} has no WordPress id", url)
        )
    if posted_raw is None and posted_attr is None:
        anomalies.append(Anomaly("comment.posted", None, f"{where} has no date", url))
    if body is None:
        anomalies.append(Anomaly("comment.body", None, f"{where} has no body element", url))


def _top_level_items(root: Node) -> list[Node]:
    """Comment items (``li#comment-N``, ``li#li-comment-N``) not inside another one."""
    return outermost(root.css(_COMMENT_ITEMS))  # in document order, as outermost needs


def _inside(element: Node | None, areas: Iterable[Node]) -> bool:
    areas = set(areas)
    if not areas:
        return False
    while element is not None:
        if element in areas:
            return True
        element = element.parent
    return False


def _walk(
    item: Node,
    parent_id: int | None,
    depth: int,
    nodes: list[_Node],
    profile: SiteProfile,
    find: Finder,
) -> None:
    """Add ``item`` if it is a comment, then its replies, depth-first."""
    classes = item.attrs.get("class")
    if classes and not _NOT_COMMENT_CLASSES.isdisjoint(classes.split()):
        return  # pingbacks and trackbacks are links, not comments
    match = _COMMENT_ID.match(item.id or "")
    if match is None:  # some themes put the id on the first inner element instead
        inner = next((c for c in item.iter() if (c.tag or "-")[0] != "-"), None)
        match = _COMMENT_ID.match(inner.id or "") if inner is not None else None
    if match:
        comment_id: int | None = int(match.group(1))
    elif _looks_like_comment(item, profile, find):
        comment_id = None
    else:
        return  # the "no comments" placeholder
    nodes.append(_Node(item, comment_id, parent_id, depth))
    for child in item.iter():
        if child.tag in _LIST_TAGS and _is_reply_list(child):
            for reply in child.iter():
                if reply.tag == "li":
                    _walk(reply, comment_id, depth + 1, nodes, profile, find)


def _is_reply_list(element: Node) -> bool:
    if has_class(element, "children"):
        return True
    return any(_COMMENT_ID.match(li.id or "") for li in element.iter() if li.tag == "li")


def _looks_like_comment(item: Node, profile: SiteProfile, find: Finder) -> bool:
    """An id-less ``li`` counts as a comment only if it shows an author or a date."""
    if any(not same(node, item) for node in item.css(_NO_COMMENT)):  # inside it, not itself
        return False
    selectors = profile.comment_author + GENERIC_AUTHOR + profile.comment_date + GENERIC_DATE[:4]
    return find.first(item, selectors) is not None


def _assign_fields(
    find: Finder,
    roots: Sequence[Node],
    owners: dict[int, int],
    fields: Sequence[Sequence[str]],
) -> list[dict[int, Node]]:
    """For each field and comment index, the first element of the first selector
    matching inside that comment (and not inside one of its replies).

    Each selector is one scan of the comment lists by lexbor; later selectors run only
    while some comment still lacks the field.
    """
    found: list[dict[int, Node]] = [{} for _ in fields]
    # Ancestors (by node id) met while walking up to a comment, so later walks stop early.
    ancestry: dict[int, int | None] = dict(owners)
    for field_found, selectors in zip(found, fields, strict=True):
        for selector in selectors:
            if len(field_found) == len(owners):
                break
            for root in roots:
                for element in find.run(root, selector):
                    owner = _owner(element, ancestry)
                    if owner is not None:
                        field_found.setdefault(owner, element)  # document order: first wins
    return found


def _owner(element: Node, ancestry: dict[int, int | None]) -> int | None:
    """The index of the nearest comment containing ``element`` (not the comment itself).

    ``ancestry`` maps comments (by ``mem_id``) to their index and remembers every
    ancestor walked through, so siblings of an element already placed cost one step.
    """
    walked = []
    parent = element.parent
    while parent is not None:
        key = parent.mem_id
        if key in ancestry:
            owner = ancestry[key]
            for node in walked:
                ancestry[node] = owner
            return owner
        walked.append(key)
        parent = parent.parent
    for node in walked:
        ancestry[node] = None
    return None


def _author(element: Node | None, find: Finder) -> tuple[str | None, str | None]:
    """Name and URL; an empty name is None (anonymous comments are legitimate)."""
    if element is None:
        return None, None
    # One walk finds both (an author element is a few nodes: cheaper than two selectors).
    link: Node | None = None
    name_element: Node | None = None
    for node in element.traverse():
        tag = node.tag
        if tag[0] == "-":  # comments
            continue
        attributes = node.attrs
        if link is None and tag == "a" and attributes.get("href"):
            link = node
        if name_element is None:
            classes = attributes.get("class")
            if classes and "name" in classes.split():
                name_element = node
        if link is not None and name_element is not None:
            break
    url = ""
    if link is not None:
        raw = (link.attrs.get("href") or "").strip()
        url = "" if JS_URL.match(raw) else (find.absolute(raw) or raw)
    if name_element is None:
        name_element = link if link is not None else element
    name = inline_text(name_element)
    return name or None, url or None


def _date(element: Node | None) -> tuple[str | None, str | None]:
    if element is None:
        return None, None
    value = attr(element, "datetime")
    if value is None:
        for time_element in element.traverse():
            if time_element.tag == "time":
                value = attr(time_element, "datetime")
                if value:
                    break
    value = value.strip() if value else None
    return inline_text(element) or None, value or None
