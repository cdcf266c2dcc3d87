"""Which elements of a page are the article's comments, and how they nest.

WordPress names every comment element after its id, whatever the theme: core's
walker writes ``li#comment-N`` (or ``div#comment-N`` in the ``div`` style), Twenty Ten
and Astra ``li#li-comment-N`` around an inner ``#comment-N``, Thesis ``dt#comment-N``,
wpDiscuz ``div#wpd-comm-N_P`` (P the parent's id), the block themes' comment template
``li#comment-N``. So a comment is the outermost element carrying its id, found by one
scan of the page; comments of an unknown list without ids are taken from the lists a
profile or core names (``ol.commentlist`` …) when they show an author or a date.

Nesting comes from the markup, in this order of trust:

1. the nearest enclosing comment (``ul.children`` inside the parent's ``li``, the
   ``div`` style's nested ``div``\\ s, wpDiscuz' nested ``div``\\ s, Thesis' ``dd``);
2. a ``.children`` list standing right after a comment (themes that close the
   comment's ``</li>`` before its replies' list);
3. wpDiscuz' ``wpd-comm-N_P`` id, which names the parent;
4. ``depth-N`` classes alone: the parent is the last comment before at depth N-1.

Not comments: pingbacks and trackbacks (kept apart as :class:`~archiver.items.Pingback`)
and anything in a sidebar or footer widget ("recent comments" widgets that reuse the
comment markup).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from archiver.parsing.document import Node, holds, same, tag_id_of
from archiver.parsing.select import Finder, has_class
from archiver.sites.profile import SiteProfile

_COMMENT_ID = re.compile(r"^(?:li-)?comment-(\d+)$|^wpd-comm-(\d+)_(\d+)$")
_ID_SCAN = "[id^=comment-], [id^=li-comment-], [id^=wpd-comm-]"
# One walk of the page finds the comment elements and (for the navigation) every link to
# a comment page, whatever the pager looks like ("Older Comments" in core's old
# div.navigation, themes' own pagers): WordPress writes them as /comment-page-N/ or ?cpage=N.
THREAD_SCAN = "[id*=comm], a[href*=page]"
_PING_CLASSES = frozenset({"pingback", "trackback"})
_LIST_TAGS = frozenset({"ul", "ol", "dl"})
_DEPTH_CLASS = re.compile(r"(?:^|\s)depth-(\d+)(?:\s|$)")
DD, LI = tag_id_of("dd"), tag_id_of("li")
_REPLY_LISTS = frozenset({tag_id_of("ul"), tag_id_of("ol")})

# What WordPress core and other themes emit, tried after the profile's selectors.
GENERIC_LISTS = (
    "ol.c-comment__list",
    "ul.c-comment__list",
    "ol.comment-list",
    "ul.comment-list",
    "ol.commentlist",
    "ul.commentlist",
)
# Ids as attribute selectors: probed with the others in one walk of the page.
GENERIC_PING_AREAS = (
    "[id=trackback_area]",
    "[id=pings]",
    ".pinglist",
    ".ping-list",
    ".trackback-list",
    ".entry-pings",
)
_NO_COMMENT = "[class*=no_comment]"
# A class name or id starting or ending so marks a widget area, not the thread.
_WIDGET_PREFIXES = ("widget", "sidebar", "secondary", "side_", "side-")
_PAGE_TAGS = frozenset({"html", "body", "main", "article"})  # "right-sidebar" on body: a layout
_WIDGET_SUFFIXES = ("-sidebar", "_sidebar", "widget", "widgets", "widget-area")


@dataclass(slots=True)
class ThreadItem:
    """One comment (or pingback) element and its place in the thread."""

    element: Node
    comment_id: int | None
    parent_id: int | None = None
    depth: int = 1
    is_ping: bool = False
    enclosed: bool = False  # inside another comment's element (else a root holds it)


@dataclass
class Thread:
    """The comments of the page in document order, the pingbacks, and where they live."""

    comments: list[ThreadItem]
    pings: list[ThreadItem]
    roots: list[Node]  # containers holding every comment: the field scans run in them


def is_widget_area(element: Node) -> bool:
    """Whether ``element`` is a sidebar or widget area, by its class names and id.

    By whole class names, not substrings: Genesis' ``content-sidebar-wrap`` holds the
    article and its thread, next to its ``sidebar``. A wrapper named for its layout
    (Nishiki's ``div.content.sidebar-right``) holds the page's ``main`` element: not a
    widget area either.
    """
    if element.tag in _PAGE_TAGS or (element.tag or "-")[0] == "-":  # the page's layout
        return False
    names = (element.attrs.get("class") or "").lower().split()
    if element.id:
        names.append(element.id.lower())
    return (
        any(name.startswith(_WIDGET_PREFIXES) or name.endswith(_WIDGET_SUFFIXES) for name in names)
        and element.css_first("main, [role=main]") is None
    )


def in_widget_area(element: Node, memo: dict[int, bool] | None = None) -> bool:
    """Whether ``element`` sits in a sidebar or footer widget area.

    ``memo`` remembers the answer for every ancestor walked, for callers asking about
    many elements of one page.
    """
    memo = {} if memo is None else memo
    walked = []
    node = element.parent
    answer = False
    while node is not None:
        key = node.mem_id
        if key in memo:
            answer = memo[key]
            break
        walked.append(key)
        if is_widget_area(node):
            answer = True
            break
        node = node.parent
    for key in walked:
        memo[key] = answer
    return answer


class _Ancestry:
    """Walks up from elements once: the nearest comment above, and what area holds it.

    The area is ``None``, ``"widget"`` (a sidebar or footer widget) or ``"ping"`` (a
    trackback area). Every node walked through is remembered, so the walk up from a
    comment stops at the first node an earlier walk passed.
    """

    def __init__(self, items: dict[int, int], ping_areas: set[int]) -> None:
        self.items = items  # comment element mem_id -> index
        self.ping_areas = ping_areas
        self.memo: dict[int, tuple[int | None, str | None]] = {}

    def of(self, element: Node) -> tuple[int | None, str | None]:
        """(index of the nearest enclosing comment, area) for ``element``."""
        walked: list[int] = []
        node = element.parent
        result: tuple[int | None, str | None] = (None, None)
        items, memo = self.items, self.memo
        while node is not None:
            key = node.mem_id
            if key in memo:
                result = memo[key]
                break
            walked.append(key)
            if key in items:
                result = (items[key], self.of(node)[1])
                break
            if key in self.ping_areas:
                result = (None, "ping")
                break
            if node.tag_id == DD:  # Thesis: a comment is a dt and the dd after it
                term = previous_element(node)
                if term is not None and term.mem_id in items:
                    result = (items[term.mem_id], self.of(term)[1])
                    break
            elif is_widget_area(node):
                result = (None, "widget")
                break
            node = node.parent
        for key in walked:
            memo[key] = result
        return result


def find_thread(find: Finder, profile: SiteProfile) -> Thread:
    """The comment elements of the page with their nesting, pingbacks apart."""
    root = find.root
    ping_areas = find.all(root, profile.comment_excluded_areas + GENERIC_PING_AREAS)
    lists = find.all(root, profile.comment_lists + GENERIC_LISTS)
    scanned = find.scan_once(THREAD_SCAN)
    fast = _walk_known_lists(lists, scanned, {a.mem_id for a in ping_areas}, profile, find)
    if fast is not None:
        return fast
    candidates: list[tuple[Node, re.Match[str] | None]] = list(_outermost_per_id(scanned))
    listed = {c.mem_id for c, _ in candidates}
    idless = [
        child
        for lst in lists
        for child in lst.iter()
        if child.tag == "li"
        and child.mem_id not in listed
        and (_is_ping(child) or _looks_like(child, profile, find))
    ]
    if idless:  # rare (a broken page): merge them into document order
        candidates += [(child, None) for child in idless]
        order = {node.mem_id: i for i, node in enumerate(root.css(f"{_ID_SCAN}, li"))}
        candidates.sort(key=lambda pair: order.get(pair[0].mem_id, 0))
    index = {element.mem_id: i for i, (element, _) in enumerate(candidates)}
    ancestry = _Ancestry(index, {area.mem_id for area in ping_areas})
    items: list[ThreadItem | None] = []
    for element, match in candidates:
        parent_index, area = ancestry.of(element)
        if area == "widget":
            items.append(None)
            continue
        is_ping = area == "ping" or _is_ping(element)
        item = ThreadItem(element, _id_of(match), None, 1, is_ping, parent_index is not None)
        if parent_index is not None:
            parent = items[parent_index]
        else:
            parent = _parent_without_nesting(element, match, items, index)
        if parent is not None and not (is_ping or parent.is_ping):
            item.parent_id, item.depth = parent.comment_id, parent.depth + 1
        items.append(item)
    comments = [i for i in items if i is not None and not i.is_ping]
    pings = [i for i in items if i is not None and i.is_ping]
    pings += _pings_without_ids(ping_areas, {i.element.mem_id for i in pings})
    return Thread(comments, pings, _roots(comments, lists))


def _walk_known_lists(
    lists: list[Node],
    scanned: list[Node],
    ping_areas: set[int],
    profile: SiteProfile,
    find: Finder,
) -> Thread | None:
    """The thread read top-down from the known comment lists (``ol.commentlist`` …):
    replies are the ``li`` of the lists inside a comment's ``li``. The common case, and a
    fast one; None when some comment element lies outside what this walk explains (the
    generic walk up from every comment then reads the page).
    """
    if not lists:
        return None
    scanned_keys = [node.mem_id for node in scanned]
    scanned_ids = set(scanned_keys)
    comments: list[ThreadItem] = []
    pings: list[ThreadItem] = []
    reached: set[int] = set()
    numbers: set[int] = set()
    widgets: dict[int, bool] = {}

    def id_match(node: Node) -> re.Match[str] | None:
        return _COMMENT_ID.match(node.id or "") if node.mem_id in scanned_ids else None

    def walk(li: Node, parent: ThreadItem | None, depth: int, in_pings: bool) -> None:
        key = li.mem_id
        match = _COMMENT_ID.match(li.id or "") if key in scanned_ids else None
        if match is None:
            inner = next((c for c in li.iter() if (c.tag or "-")[0] != "-"), None)
            match = id_match(inner) if inner is not None else None
            if match is None and not (_is_ping(li) or _looks_like(li, profile, find)):
                return
        reached.add(key)
        comment_id = _id_of(match)
        if comment_id is not None:
            numbers.add(comment_id)
        item = ThreadItem(li, comment_id, None, depth, in_pings or _is_ping(li), depth > 1)
        if item.is_ping:
            pings.append(item)
            return
        if parent is not None:
            item.parent_id = parent.comment_id
        comments.append(item)
        for child in li.iter():
            if child.tag_id in _REPLY_LISTS:
                for reply in child.iter():
                    if reply.tag_id == LI:
                        walk(reply, item, depth + 1, in_pings)

    for lst in lists:
        if in_widget_area(lst, widgets):
            return None
        in_pings = _inside(lst, ping_areas)
        for li in lst.iter():
            if li.tag_id == LI:
                walk(li, None, 1, in_pings)
    for key, node in zip(scanned_keys, scanned, strict=True):
        if key not in reached:  # every comment element must be one the walk reached
            match = _COMMENT_ID.match(node.id or "")
            if match is not None and _id_of(match) not in numbers:
                return None
    return Thread(comments, pings, [lst for lst in lists if not _inside(lst, ping_areas)])


def _inside(element: Node, areas: set[int]) -> bool:
    node = element.parent
    while node is not None and areas:
        if node.mem_id in areas:
            return True
        node = node.parent
    return False


def owned_by(node: Node, container: Node, comment: Node) -> bool:
    """Whether ``node`` in ``container`` (a part of ``comment``: its body, its vote
    widget) belongs to it, not to a reply nested in it."""
    parent = node.parent
    while parent is not None and not same(parent, container):
        if same(parent, comment) or _COMMENT_ID.match(parent.id or ""):
            return False
        parent = parent.parent
    return True


def previous_element(node: Node) -> Node | None:
    """The element before ``node`` among its siblings (text and comments skipped)."""
    previous = node.prev
    while previous is not None and (previous.tag or "-")[0] == "-":
        previous = previous.prev
    return previous


def _outermost_per_id(scanned: list[Node]) -> list[tuple[Node, re.Match[str]]]:
    """Per comment id, the outermost element carrying it (``li#li-comment-N`` over the
    inner ``#comment-N``, ``#wpd-comm-N_P`` over its ``#comment-N``), in document order."""
    by_id: dict[int, tuple[Node, re.Match[str]]] = {}
    order: list[int] = []
    for element in scanned:
        match = _COMMENT_ID.match(element.id or "")
        if match is None:
            continue
        number = int(match.group(1) or match.group(2))
        if number not in by_id:  # document order: the first one seen is the outermost
            by_id[number] = (element, match)
            order.append(number)
    return [by_id[n] for n in order]


def _id_of(match: re.Match[str] | None) -> int | None:
    if match is None:
        return None
    return int(match.group(1) or match.group(2))


def _is_ping(element: Node) -> bool:
    classes = element.attrs.get("class")
    return bool(classes) and ("back" in classes) and not _PING_CLASSES.isdisjoint(classes.split())


def _parent_without_nesting(
    element: Node,
    match: re.Match[str] | None,
    items: Sequence[ThreadItem | None],
    index: dict[int, int],
) -> ThreadItem | None:
    """The parent of a comment no other comment encloses (rules 2 to 4 of the module doc)."""
    container = element.parent
    if container is not None and container.tag in _LIST_TAGS and has_class(container, "children"):
        previous = previous_element(container)
        if previous is not None and previous.mem_id in index:
            return items[index[previous.mem_id]]
    if match is not None and match.group(3) is not None and match.group(3) != "0":
        wanted = int(match.group(3))
        for item in reversed(items):
            if item is not None and item.comment_id == wanted:
                return item
    depth_match = _DEPTH_CLASS.search(element.attrs.get("class") or "")
    if depth_match is not None and int(depth_match.group(1)) > 1:
        wanted_depth = int(depth_match.group(1)) - 1
        for item in reversed(items):
            if item is not None and not item.is_ping and item.depth == wanted_depth:
                return item
    return None


def _pings_without_ids(areas: list[Node], seen: set[int]) -> list[ThreadItem]:
    """Trackback/pingback list items of the ping areas that carry no comment id."""
    found = []
    for area in areas:
        for li in area.css("li"):
            if li.mem_id not in seen and li.css_first("a[href]") is not None:
                found.append(ThreadItem(li, None, is_ping=True))
                seen.add(li.mem_id)
    return found


def _roots(comments: list[ThreadItem], lists: list[Node]) -> list[Node]:
    """Containers that hold every comment: the field scans run once in each."""
    if not comments:
        return []
    roots: list[Node] = []
    seen: set[int] = set()
    for item in comments:
        if item.enclosed:
            continue
        holder = next((lst for lst in lists if holds(lst, item.element)), None)
        if holder is None:
            holder = item.element.parent or item.element
        if holder.mem_id not in seen:
            seen.add(holder.mem_id)
            roots.append(holder)
    return roots


def _looks_like(item: Node, profile: SiteProfile, find: Finder) -> bool:
    """An id-less ``li`` counts as a comment only if it shows an author or a date."""
    if any(node.mem_id != item.mem_id for node in item.css(_NO_COMMENT)):
        return False
    selectors = profile.comment_author + profile.comment_date + LOOKS_LIKE_COMMENT
    return find.first(item, selectors) is not None


LOOKS_LIKE_COMMENT = (
    ".c-comment__item-author",
    ".comment-author .fn",
    ".comment-name",
    ".comment-author",
    ".fn",
    "time.c-comment__item-date",
    ".c-comment__item-date",
    ".comment-metadata time",
    ".comment-date",
)
