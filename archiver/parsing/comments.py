"""The fields of each comment: author, date, body and votes, whatever the theme.

:mod:`archiver.parsing.thread` says which elements are comments and how they nest;
this module reads each one. For speed each field is looked up with one lexbor selector
scan of the thread's containers (a selector call has a fixed cost of microseconds: one
per comment would cost more), and every match is given to the nearest comment that
contains it, so a reply's parts never become its parent's. A comment the profile's
selector misses gets the generic selectors of the markups WordPress and its themes emit.

What a reader sees as the comment is what is kept:

* the author is the name as shown: the ``.fn``/name element inside the author block,
  never the reply link, the date link, the avatar's alt text, "says:" or "より:";
* the date is its own element, or (themes without one, such as Avada) the date text
  written next to the name;
* the body is the comment's text element, or, in core's old ``div``/html4 format, the
  bare paragraphs beside ``.comment-author`` and ``.comment-meta``; reply links, like
  and vote buttons and their counts are taken out of it;
* the votes are the counts shown, read by :mod:`archiver.parsing.votes` (the down count
  of two-button widgets too).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from archiver.items import Anomaly, Comment, Pingback
from archiver.normalize.running_text import date_candidates
from archiver.parsing.document import Node, holds, same
from archiver.parsing.select import Finder, attr, has_class
from archiver.parsing.text import (
    BLOCK_TAGS,
    JS_URL,
    block_text,
    cleaned_copy,
    collapse_spaces,
    inline_text,
    inner_html,
    sole_text,
    text_and_html,
)
from archiver.parsing.thread import (
    DD,
    Thread,
    ThreadItem,
    find_thread,
    owned_by,
    previous_element,
)
from archiver.parsing.votes import GENERIC_VOTES, GENERIC_VOTES_DOWN, count_text, vote_counts
from archiver.sites.profile import SiteProfile

GENERIC_AUTHOR = (
    ".c-comment__item-author",
    ".wpd-comment-author",
    ".wp-block-comment-author-name",
    ".comment-author-name",
    ".comment-author .fn",
    ".fn",
    ".comment_author",
    ".comment-name",
    ".comment-author",
    "[itemprop=author]",
    "[class*=meta] cite",  # Snow Monkey: "<cite>name</cite> が date にコメント"
)
GENERIC_DATE = (
    "time.c-comment__item-date",
    ".c-comment__item-date",
    ".wpd-comment-date",
    ".wp-block-comment-date",
    ".comment-metadata time",
    "time.comment-time",
    ".comment-date",
    ".comment_date",
    ".comment-time",
    ".comment_time",
    ".st-comment-datetime",
    ".ast-comment-time",
    "time[datetime]",
    ".comment-metadata",
    ".commentmetadata",
    "time",
)
GENERIC_BODY = (
    ".c-comment__item-body",
    ".wpd-comment-text",
    ".wp-block-comment-content",
    ".st-comment-content",
    ".comment-content",
    ".comment-text",
    ".comment_text",
    ".comment-entry",
    ".ast-comment-content",
    ".format_text",
    "[itemprop=text]",
    "[class*=comment__content]",  # BEM: Snow Monkey's c-comment__content
)
# Never part of a comment's body: reply and edit links, like and vote widgets.
NOT_BODY = (
    ".reply, .comment-reply, .comment-reply-link, .comment-edit-link, .edit-link, "
    ".wpulike, .wp_ulike_general_class, .cld-like-dislike-wrap, .comment-likes, "
    ".thumbs-rating-container, .wpd-vote, .sharedaddy, .comment-awaiting-moderation"
)
# Substrings of NOT_BODY's class names: a body whose HTML has none of them has none.
_NOT_BODY_MARKERS = (
    "reply",
    "edit-link",
    "ulike",
    "cld-",
    "comment-likes",
    "thumbs-",
    "wpd-vote",
    "sharedaddy",
    "moderation",
)
# Paragraph-like children that are the text of a comment without a text element.
_BARE_BLOCKS = frozenset({"p", "blockquote", "pre", "ul", "ol", "table", "figure", "h4", "h5"})
_META_WORDS = ("author", "meta", "reply", "vcard", "avatar", "moderation", "children", "like")
# Labels around a name: "says:", "said:", "より:", "名前:", " :".
_NAME_LABELS = re.compile(
    r"^(?:名前|Name)\s*[::]\s*|\s*(?:says|said|wrote|より|の発言|が言う)\s*[::]?\s*$|\s*[::]\s*$",
    re.I,
)
_NAME_TAGS = frozenset({"b", "cite", "span", "strong"})
_LABEL_ENDINGS = ("says", "said", "wrote", "より", "の発言", "が言う")
_NAME_CLASSES = frozenset({"fn", "name"})
_LABEL_CLASSES = frozenset({"says", "screen-reader-text", "comment-author-label", "admin"})
_NOT_NAME_LINK = re.compile(r"replytocom=|#comment-|#respond|comment-page-")
_DATE_SEPARATORS = " -|–—:,"
_PING_DATES = (".trackback_time, .comment-date", ".comment-metadata, .commentmetadata, time")


def parse_comments(
    find: Finder, profile: SiteProfile, page: int, url: str, anomalies: list[Anomaly]
) -> tuple[list[Comment], list[Pingback]]:
    """All comments of this page in thread order, and the pingbacks shown with them."""
    thread = find_thread(find, profile)
    pingbacks = [_pingback(index, item, find) for index, item in enumerate(thread.pings)]
    if not thread.comments:
        return [], pingbacks
    owners = {item.element.mem_id: index for index, item in enumerate(thread.comments)}
    down_selector = ", ".join(profile.comment_votes_down + GENERIC_VOTES_DOWN)
    down_in_profile = bool(profile.comment_votes_down)
    authors, dates, bodies, votes = _assign_fields(
        find,
        thread,
        owners,
        (
            profile.comment_author + GENERIC_AUTHOR,
            profile.comment_date + GENERIC_DATE,
            profile.comment_body + GENERIC_BODY,
            profile.comment_votes + GENERIC_VOTES,
        ),
    )
    comments = []
    for index, item in enumerate(thread.comments):
        author_element = authors.get(index)
        author, author_url = _author(author_element, find)
        posted_raw, posted_attr = _date(dates.get(index))
        if posted_raw is None and posted_attr is None and author_element is not None:
            posted_raw = _date_next_to_name(author_element, item.element)
        body = bodies.get(index)
        if body is not None:
            body_text, body_html = _text_and_html(body, item.element)
        else:
            blocks = _bare_paragraphs(item.element, author_element)
            body = blocks[0] if blocks else None
            body_text, body_html = _blocks_text_and_html(blocks)
        vote, vote_down = vote_counts(
            votes.get(index), item.element, down_selector, down_in_profile
        )
        comments.append(
            Comment(
                comment_id=item.comment_id,
                parent_id=item.parent_id,
                depth=item.depth,
                position=index + 1,
                author=author,
                author_url=author_url,
                posted_raw=posted_raw,
                posted_attr=posted_attr,
                body_text=body_text,
                body_html=body_html,
                votes_raw=count_text(vote),
                votes_down_raw=count_text(vote_down),
                page=page,
            )
        )
        if item.comment_id is None or body is None or (posted_raw is None and posted_attr is None):
            _add_anomalies(anomalies, item, index, posted_raw, posted_attr, body, url)
    return comments, pingbacks


def _add_anomalies(
    anomalies: list[Anomaly],
    item: ThreadItem,
    index: int,
    posted_raw: str | None,
    posted_attr: str | None,
    body: Node | None,
    url: str,
) -> None:
    where = f"comment {item.comment_id}" if item.comment_id else f"comment #{index + 1}"
    if item.comment_id is None:
        anomalies.append(
            Anomaly("comment.id", attr(item.element, "id"), f"{where} has no WordPress id", url)
        )
    if posted_raw is None and posted_attr is None:
        anomalies.append(Anomaly("comment.posted", None, f"{where} has no date", url))
    if body is None:
        anomalies.append(Anomaly("comment.body", None, f"{where} has no body element", url))


def _assign_fields(
    find: Finder,
    thread: Thread,
    owners: dict[int, int],
    fields: Sequence[Sequence[str]],
) -> tuple[dict[int, Node], ...]:
    """For each field and comment index, the first element of the first selector
    matching inside that comment (and not inside one of its replies); and per comment,
    the elements that are never part of a body.

    Each selector is one scan of the thread's containers by lexbor; later selectors run
    only while some comment still lacks the field.
    """
    found: list[dict[int, Node]] = [{} for _ in fields]
    # Ancestors (by node id) met while walking up to a comment, so later walks stop early.
    ancestry: dict[int, int | None] = dict(owners)
    for field_found, selectors in zip(found, fields, strict=True):
        for selector in selectors:
            if len(field_found) == len(owners):
                break
            for root in thread.roots:
                for element in find.run(root, selector):
                    # Most fields sit in their comment's element or beside an element
                    # already walked through: one step, without a call.
                    parent = element.parent
                    owner = (
                        ancestry.get(parent.mem_id, _UNKNOWN) if parent is not None else _UNKNOWN
                    )
                    if owner == _UNKNOWN:
                        owner = _owner(element, ancestry)
                    if owner is not None:
                        field_found.setdefault(owner, element)  # document order: first wins
    return tuple(found)


_UNKNOWN = -1  # not a comment index: _owner must walk


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
        if parent.tag_id == DD:  # Thesis: a comment is a dt and the dd after it
            term = previous_element(parent)
            if term is not None and term.mem_id in ancestry:
                owner = ancestry[term.mem_id]
                for node in walked:
                    ancestry[node] = owner
                return owner
        parent = parent.parent
    for node in walked:
        ancestry[node] = None
    return None


def _text_and_html(body: Node, comment: Node) -> tuple[str, str]:
    """Text and cleaned HTML of a body element, without the reply/like/vote parts in it.

    Most bodies hold none: their serialization, needed anyway, is checked for the class
    names first, and only a body that has one is searched and copied.
    """
    text, html = text_and_html(body)
    if "class=" not in html or not any(marker in html for marker in _NOT_BODY_MARKERS):
        return text, html
    inside = [node for node in body.css(NOT_BODY) if not same(node, body)]
    inside = [node for node in inside if owned_by(node, body, comment)]
    if not inside:
        return text, html
    clone = cleaned_copy(body, remove=inside)
    return block_text(clone), inner_html(clone)


def _bare_paragraphs(element: Node, author: Node | None = None) -> list[Node]:
    """The paragraphs of a comment that has no text element (core's html4/div format):
    the direct children of the comment, or of its ``.comment-body``, or of a block
    around the name (Habakiri: beside the meta line, in the dd), that are text blocks."""
    containers = [element]
    containers += [n for n in element.css(".comment-body") if n.mem_id != element.mem_id]
    node = author.parent if author is not None else None
    while node is not None and node.mem_id != element.mem_id:
        containers.append(node)
        node = node.parent
    for container in containers:
        blocks = [
            child
            for child in container.iter()
            if child.tag in _BARE_BLOCKS and not _is_meta(child) and not _is_reply_list(child)
        ]
        if blocks:
            return blocks
    return []


def _is_reply_list(node: Node) -> bool:
    """A nested list of replies (``ul.children``), not text."""
    return node.tag in ("ul", "ol") and (
        has_class(node, "children") or node.css_first("[id^=comment-]") is not None
    )


def _is_meta(node: Node) -> bool:
    classes = (node.attrs.get("class") or "").lower()
    return any(word in classes for word in _META_WORDS)


def _blocks_text_and_html(blocks: list[Node]) -> tuple[str, str]:
    if not blocks:
        return "", ""
    texts = [t for t in (block_text(b) for b in blocks) if t]
    html = "\n".join((b.html or "").strip() for b in blocks)
    return "\n\n".join(texts), html


def _author(element: Node | None, find: Finder) -> tuple[str | None, str | None]:
    """Name and URL; an empty name is None (anonymous comments are legitimate)."""
    if element is None:
        return None, None
    link: Node | None = None
    name_element: Node | None = None
    emphasis: Node | None = None
    labelled = False  # a "says:" or label span inside: the name's text needs them out
    for node in element.traverse():
        tag = node.tag
        if tag[0] == "-":  # comments
            continue
        if link is None and tag == "a" and _is_author_link(node):
            link = node
        classes = node.attrs.get("class")
        if classes:
            names = classes.split()
            if name_element is None and not _NAME_CLASSES.isdisjoint(names):
                name_element = node
            elif not labelled and not _LABEL_CLASSES.isdisjoint(names):
                labelled = True
        if emphasis is None and tag in ("cite", "b", "strong") and node.mem_id != element.mem_id:
            emphasis = node
    if link is None and element.tag in _NAME_TAGS:  # a name in the author's link: Twenty Twenty
        enclosing = element.parent
        for _ in range(3):
            if enclosing is None or enclosing.tag == "a":
                break
            enclosing = enclosing.parent
        if enclosing is not None and enclosing.tag == "a" and _is_author_link(enclosing):
            link = enclosing
    url = ""
    if link is not None:
        raw = (link.attrs.get("href") or "").strip()
        url = "" if JS_URL.match(raw) else (find.absolute(raw) or raw)
    if name_element is None:
        name_element = emphasis or link or element
    if (
        link is not None
        and link.mem_id != name_element.mem_id
        and not holds(name_element, link)
        and not holds(link, name_element)
    ):
        url = ""  # a link beside the name is not the author's
    name = _own_name_text(name_element) if labelled else inline_text(name_element)
    if ":" in name or "：" in name or name.lower().endswith(_LABEL_ENDINGS):
        name = _NAME_LABELS.sub("", name).strip()
    return name or None, url or None


def _is_author_link(link: Node) -> bool:
    href = link.attrs.get("href") or ""
    classes = link.attrs.get("class") or ""
    return (
        bool(href)
        and "reply" not in classes
        and "edit" not in classes
        and not _NOT_NAME_LINK.search(href)
    )


def _own_name_text(element: Node) -> str:
    """The name's text without the "says:" and label spans some themes put inside it."""
    labels = []
    for node in element.traverse():
        classes = node.attrs.get("class") if (node.tag or "-")[0] != "-" else None
        if (
            classes
            and node.mem_id != element.mem_id
            and not _LABEL_CLASSES.isdisjoint(classes.split())
        ):
            labels.append(inline_text(node))
    text = inline_text(element)
    for label in labels:
        if label:
            text = text.replace(label, " ")
    return collapse_spaces(text) if labels else text


def _date(element: Node | None) -> tuple[str | None, str | None]:
    if element is None:
        return None, None
    value = attr(element, "datetime")
    text = sole_text(element)
    if text is not None:  # no <time> inside (the usual comment date: text only)
        value = value.strip() if value else None
        return collapse_spaces(text) or None, value or None
    if value is None:
        for time_element in element.traverse():
            if time_element.tag == "time":
                value = attr(time_element, "datetime")
                if value:
                    break
    value = value.strip() if value else None
    return inline_text(element) or None, value or None


def _date_next_to_name(author: Node, comment: Node) -> str | None:
    """The date text written beside the name, for themes without a date element: the
    text of the author block (or of a block around it, inside the comment) that is not
    in a child element, if it holds a date."""
    node: Node | None = author
    while node is not None and node.mem_id != comment.mem_id:
        own = collapse_spaces(
            " ".join(
                child.text_content or ""
                for child in node.iter(include_text=True)
                if child.tag == "-text"
            )
        ).strip(_DATE_SEPARATORS)
        if own and date_candidates(own):
            return own
        if (node.tag or "") in BLOCK_TAGS and node.mem_id != author.mem_id:
            break
        node = node.parent
    return None


def _pingback(index: int, item: ThreadItem, find: Finder) -> Pingback:
    links = [
        a
        for a in item.element.css("a[href]")
        if _is_author_link(a) and "edit" not in (a.attrs.get("class") or "")
    ]
    link = next((a for a in links if has_class(a, "url")), links[0] if links else None)
    date = next(  # the date element before the meta line around it (Nishiki: "返信 date")
        (d for s in _PING_DATES if (d := item.element.css_first(s)) is not None), None
    )
    posted_raw = inline_text(date) or None if date is not None else None
    if posted_raw is None and link is not None:
        posted_raw = _date_next_to_name(link, item.element)  # Snow Monkey's "… が date"
    return Pingback(
        position=index + 1,
        source_url=find.absolute(attr(link, "href")) or None if link is not None else None,
        title=inline_text(link) or None if link is not None else None,
        posted_raw=posted_raw,
    )
