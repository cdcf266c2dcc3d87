"""Text and HTML of a content element (article body, comment body), defined once.

The text rule is the one a reader sees: block elements (``p``, ``h2``…, ``li``,
``blockquote``, ``figure``/``figcaption``…) are separated by a blank line, ``<br>`` is a
line break, whitespace inside a line collapses to one space (the full-width space
U+3000 is kept: in Japanese text it is content), and blocks holding nothing but
``&nbsp;`` are dropped. Article bodies and comment bodies both go through
:func:`block_text`, so the same markup always gives the same text.

:func:`clean_html` keeps the markup for the archive but strips what is executable:
``<script>``/``<style>`` elements, ``on*`` event attributes and ``javascript:`` URLs.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable

from lxml import etree

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "figure",
        "figcaption",
        "pre",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "caption",
        "section",
        "article",
        "aside",
        "header",
        "footer",
        "nav",
        "address",
        "details",
        "summary",
        "hr",
        "main",
        "form",
        "fieldset",
        "center",
    ]
)
# Never part of the text (nor of cleaned HTML, for the first three).
SCRIPT_TAGS = frozenset({"script", "style", "template"})
_NON_TEXT_TAGS = SCRIPT_TAGS | {"noscript", "iframe", "object", "embed", "svg", "button"}
_CELL_TAGS = frozenset({"td", "th"})
# Every Unicode whitespace (NBSP included) collapses, except U+3000 (ideographic space).
_IDEOGRAPHIC_SPACE = "\u3000"
_SPACES = re.compile(r"[^\S\u3000]+")
_JS_URL = re.compile(r"^\s*javascript:", re.IGNORECASE)
_URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href")


def collapse_spaces(text: str) -> str:
    """One line's text: whitespace runs as one space, stripped."""
    if _IDEOGRAPHIC_SPACE in text:
        return _SPACES.sub(" ", text).strip(" ")
    return " ".join(text.split())  # same result, several times faster than the regex


# Sentinels in the flat fragment list: a line break (<br>) and a block boundary.
_LINE = "\x00"
_BLOCK = "\x01"


def _collect(element: etree._Element, out: list[str], unsafe: list[bool]) -> None:
    """Append the text of ``element`` to ``out``, with sentinels for lines and blocks.

    A flat list joined once is much faster than building lines while walking; the
    walk also notes anything :func:`cleaned_copy` would strip (or cannot see inside).
    """
    tag = element.tag
    if not isinstance(tag, str):  # comments and processing instructions
        unsafe[0] = True
        return
    tag = tag.lower()
    if tag in _NON_TEXT_TAGS:
        unsafe[0] = True
        return
    if not unsafe[0] and _is_unsafe_element(element):
        unsafe[0] = True
    if tag == "br":
        out.append(_LINE)
        return
    is_block = tag in BLOCK_TAGS
    if is_block:
        out.append(_BLOCK)
    text = element.text
    if text:
        out.append(text)
    for child in element:
        _collect(child, out, unsafe)
        text = child.tail
        if text:
            out.append(text)
    if is_block:
        out.append(_BLOCK)
    elif tag in _CELL_TAGS:
        out.append(" ")


def _assemble(flat: str) -> str:
    """Blocks joined by a blank line; inside a block, lines joined by a newline."""
    blocks = []
    for block in flat.split(_BLOCK):
        lines: list[str] = []
        for raw_line in block.split(_LINE):
            line = collapse_spaces(raw_line)
            if line or (lines and lines[-1]):  # keep one empty line between lines
                lines.append(line)
        while lines and not lines[-1]:
            lines.pop()
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _is_unsafe_element(element: etree._Element) -> bool:
    for name, value in element.items():
        lower = name.lower()
        if lower.startswith("on") or (lower in _URL_ATTRS and _JS_URL.match(value)):
            return True
    return False


def text_and_safety(element: etree._Element) -> tuple[str, bool]:
    """:func:`block_text` of ``element``, and whether its HTML needs :func:`cleaned_copy`.

    One walk gives both, so a comment body without scripts or event handlers is
    serialized as it is, without a copy.
    """
    out: list[str] = []
    unsafe = [False]
    _collect(element, out, unsafe)
    return _assemble("".join(out)), unsafe[0]


def block_text(element: etree._Element | None) -> str:
    """The reader's text of ``element``: blocks joined by ``"\\n\\n"``, ``<br>`` as ``"\\n"``."""
    if element is None:
        return ""
    return text_and_safety(element)[0]


def inline_text(element: etree._Element | None) -> str:
    """All text of ``element`` on one line (titles, names, labels)."""
    if element is None:
        return ""
    if len(element) == 0:  # the common case: a name, a date, a count
        return collapse_spaces(element.text or "")
    return collapse_spaces(" ".join(block_text(element).split("\n")))


def drop_element(element: etree._Element) -> None:
    """Remove ``element`` from its tree but keep its tail text (lxml drops it otherwise)."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def strip_executable(element: etree._Element) -> None:
    """Remove scripts, styles, ``on*`` attributes and ``javascript:`` URLs, in place."""
    for node in list(element.iter()):
        tag = node.tag
        if not isinstance(tag, str):
            if isinstance(node, etree._Comment) and node is not element:
                drop_element(node)  # HTML comments often hold ad-network markup
            continue
        if tag.lower() in SCRIPT_TAGS and node is not element:
            drop_element(node)
            continue
        attrib = node.attrib
        for name in [n for n in attrib if n.lower().startswith("on")]:
            del attrib[name]
        for name in _URL_ATTRS:
            value = attrib.get(name)
            if value is not None and _JS_URL.match(value):
                del attrib[name]


def inner_html(element: etree._Element) -> str:
    """The serialized content of ``element`` (without its own tag).

    One libxml2 serialization of the element, with its start and end tags cut off, is
    several times faster than serializing each child.
    """
    serialized = etree.tostring(element, method="html", encoding="unicode", with_tail=False)
    start = serialized.find(">") + 1
    if serialized.count('"', 0, start) % 2 or serialized.count("'", 0, start) % 2:
        start = _end_of_start_tag(serialized)  # a ">" inside a quoted attribute value
    end_tag = f"</{element.tag}>"
    end = len(serialized) - len(end_tag) if serialized.endswith(end_tag) else len(serialized)
    return serialized[start:end].strip() if start < end else ""


def _end_of_start_tag(serialized: str) -> int:
    """Index just after the ``>`` closing the first tag (quotes may hold a ``>``)."""
    quote = None
    for index, char in enumerate(serialized):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == ">":
            return index + 1
    return len(serialized)


def cleaned_copy(element: etree._Element, remove: Iterable[etree._Element] = ()) -> etree._Element:
    """A deep copy of ``element`` without executable content and without ``remove``.

    The response's tree is shared with whoever else reads the response, so it is
    never modified; ``remove`` are elements of the original tree.
    """
    to_remove = set(remove)
    if to_remove:
        # Mark the originals, copy, then drop the marked copies.
        marker = "data-archiver-drop"
        for node in to_remove:
            node.set(marker, "1")
        try:
            clone = copy.deepcopy(element)
        finally:
            for node in to_remove:
                del node.attrib[marker]
        for node in list(clone.iterfind(f".//*[@{marker}]")):
            drop_element(node)
    else:
        clone = copy.deepcopy(element)
    clone.tail = None
    strip_executable(clone)
    return clone
