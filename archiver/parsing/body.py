"""The article body: cleaned text and HTML, and the 参考/出典/関連記事 lines inside it.

Boilerplate (the お知らせ notice, share buttons) is removed from both text and HTML;
everything else stays, including the 参考 and アイキャッチ lines, which are *also*
extracted as structured sources and credits. A line is recognised by its prefix
followed by a colon (``参考:`` or ``参考:``) at the start of a body line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from archiver.items import ArticleRef, Credit, Source
from archiver.parsing.document import Node
from archiver.parsing.select import Finder, attr
from archiver.parsing.text import (
    BLOCK_MARK,
    BLOCK_TAGS,
    CELL_TAGS,
    LINE_MARK,
    NON_TEXT_TAGS,
    assemble,
    cleaned_copy,
    collapse_spaces,
    inner_html,
    outermost,
)
from archiver.parsing.urls import canonicalize_url
from archiver.sites.profile import SiteProfile

# Removed from every body, whatever the theme: share buttons and injected related posts.
GENERIC_BOILERPLATE = (
    ".sharedaddy",
    "#jp-relatedposts",
    ".jp-relatedposts",
    ".addtoany_share_save_container",
    ".wp-block-buttons.share",
)


@dataclass
class BodyContent:
    """What the parser takes from the body element."""

    text: str = ""
    html: str = ""
    sources: list[Source] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    eyecatch_credit: str | None = None
    inline_links: list[ArticleRef] = field(default_factory=list)


@lru_cache(maxsize=64)
def _prefix_pattern(prefixes: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
    return re.compile(rf"^(?:{alternatives})\s*[::]\s*(.*)$", re.DOTALL)


@lru_cache(maxsize=64)
def _boilerplate_pattern(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def parse_body(body: Node, profile: SiteProfile, find: Finder) -> BodyContent:
    """Clean ``body`` (a copy; the page's tree is untouched) and read its lines."""
    clone = cleaned_copy(body, remove=find.all(body, profile.boilerplate + GENERIC_BOILERPLATE))
    pattern = _boilerplate_pattern(profile.boilerplate_patterns)
    if pattern is not None:
        doomed = [
            child
            for child in clone.iter()
            if (child.tag or "-")[0] != "-"
            and pattern.search(collapse_spaces(child.text_lexbor()))  # text(), at 1/3 the cost
        ]
        for child in outermost(doomed):
            child.decompose()
    builder = _LineBuilder()
    builder.walk(clone, None)
    builder.end_line()
    content = BodyContent(text=assemble("".join(builder.flat)), html=inner_html(clone))
    _read_lines(builder.lines, profile, content, find)
    return content


Fragment = tuple[str, "Node | None"]  # text, and the <a> it belongs to


class _LineBuilder:
    """Splits a body into lines (at blocks and <br>), remembering which text is linked.

    The same walk collects the flat text :func:`~archiver.parsing.text.block_text`
    assembles (text with block and line marks), so the body is walked once for both.
    """

    def __init__(self) -> None:
        self.lines: list[list[Fragment]] = []
        self.current: list[Fragment] = []
        self.flat: list[str] = []

    def end_line(self) -> None:
        if self.current:
            self.lines.append(self.current)
            self.current = []

    def walk(self, element: Node, anchor: Node | None) -> None:
        tag = element.tag or "-"
        if tag[0] == "-":  # comments
            return
        tag = tag.lower()
        if tag in NON_TEXT_TAGS:  # the text rule's own list: lines are lines of body_text
            return
        if tag == "br":
            self.end_line()
            self.flat.append(LINE_MARK)
            return
        if tag == "a" and attr(element, "href"):
            anchor = element
        is_block = tag in BLOCK_TAGS
        if is_block:
            self.end_line()
            self.flat.append(BLOCK_MARK)
        for child in element.iter(include_text=True):
            if child.is_text_node:  # (reading .tag would build a string per node)
                text = child.text_content
                if text:
                    self.current.append((text, anchor))
                    self.flat.append(text)
            else:
                self.walk(child, anchor)
        if is_block:
            self.end_line()
            self.flat.append(BLOCK_MARK)
        elif tag in CELL_TAGS:
            self.flat.append(" ")


def _read_lines(
    lines: list[list[Fragment]], profile: SiteProfile, content: BodyContent, find: Finder
) -> None:
    sources = _prefix_pattern(profile.source_prefixes)
    credits = _prefix_pattern(profile.credit_prefixes)
    eyecatch = _prefix_pattern(profile.eyecatch_prefixes)
    inline = _prefix_pattern(profile.inline_link_prefixes)
    # Every pattern needs one of these at the start of the line: most lines stop here.
    prefixes = (
        profile.source_prefixes
        + profile.credit_prefixes
        + profile.eyecatch_prefixes
        + profile.inline_link_prefixes
    )
    for fragments in lines:
        text = collapse_spaces("".join(t for t, _ in fragments))
        if not text.startswith(prefixes):
            continue
        links = _links_of(fragments, find)
        match = eyecatch.match(text)
        if match:
            _add_credit(content, "eyecatch", match.group(1), links)
            if content.eyecatch_credit is None:
                content.eyecatch_credit = match.group(1).strip() or None
            continue
        match = credits.match(text)
        if match:
            _add_credit(content, "image", match.group(1), links)
            continue
        match = sources.match(text)
        if match:
            if links:
                for label, url in links:
                    content.sources.append(
                        Source(len(content.sources) + 1, label or match.group(1), url or None)
                    )
            elif match.group(1).strip():
                content.sources.append(Source(len(content.sources) + 1, match.group(1).strip()))
            continue
        match = inline.match(text)
        if match:
            for label, url in links:
                if url:  # a link that is no URL is no relation between articles
                    content.inline_links.append(ArticleRef(canonicalize_url(url), label or None))


def _links_of(fragments: list[Fragment], find: Finder) -> list[tuple[str, str]]:
    """(anchor text, absolute URL or "") of each link on a line, in order."""
    texts: dict[Node, list[str]] = {}
    for text, anchor in fragments:
        if anchor is not None:
            texts.setdefault(anchor, []).append(text)
    return [
        (collapse_spaces("".join(parts)), find.absolute(attr(anchor, "href")))
        for anchor, parts in texts.items()
    ]


def _add_credit(content: BodyContent, kind: str, text: str, links: list[tuple[str, str]]) -> None:
    position = sum(1 for c in content.credits if c.kind == kind) + 1
    url = links[0][1] if links else None
    content.credits.append(Credit(kind, position, text.strip(), url or None))
