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
from html import unescape

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
NON_TEXT_TAGS = SCRIPT_TAGS | {"noscript", "iframe", "object", "embed", "svg", "button"}
_CELL_TAGS = frozenset({"td", "th"})
# Every Unicode whitespace (NBSP included) collapses, except U+3000 (ideographic space).
_IDEOGRAPHIC_SPACE = "\u3000"
_SPACES = re.compile(r"[^\S\u3000]+")
JS_URL = re.compile(r"^\s*javascript:", re.IGNORECASE)
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
    if tag in NON_TEXT_TAGS:
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
    """Whether :func:`strip_executable` would remove one of ``element``'s attributes."""
    for name, value in element.items():
        lower = name.lower()
        if lower.startswith("on") or (lower in _URL_ATTRS and JS_URL.match(value)):
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
            if value is not None and JS_URL.match(value):
                del attrib[name]


# One tag of libxml2's HTML serialization. The serializer escapes "<" and ">" in text
# and in attribute values, so every "<" starts markup and the first ">" ends a tag;
# whatever else (a comment "<!--", a processing instruction) stays in the text between
# tags, where the "<" sends the element to the tree walk.
_SERIALIZED_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)([^>]*)>")
# In the tags' attributes (lowercased): an on* handler or a javascript: URL may be there
# (or a harmless look-alike, such as title="turn on"); either way the tree walk decides.
# libxml2 writes one space before each attribute; the other whitespace is for safety.
_SUSPICIOUS_ATTRIBUTES = (" on", "\ton", "\non", "\ron", "\fon", "javascript")
# What a tag adds to the flat text: a block boundary, a line break, or nothing.
_MARKS = dict.fromkeys(BLOCK_TAGS, _BLOCK) | {"br": _LINE}
_WALKED_TAGS = NON_TEXT_TAGS | _CELL_TAGS  # table cells are rare enough to leave to the walk


def text_and_html(element: etree._Element) -> tuple[str, str]:
    """:func:`block_text` and the cleaned :func:`inner_html` of ``element``, together.

    Comment bodies are mostly paragraphs, line breaks and links: for those the text is
    read from the element's serialization (needed anyway for the HTML) with one regex
    split, which gives the same flat text-and-sentinel string as the tree walk of
    :func:`text_and_safety` at a fraction of its cost. Anything the split cannot vouch
    for (comments, scripts and other non-text elements, event handlers, ``javascript:``
    URLs, unexpected markup) goes through the tree walk and :func:`cleaned_copy`.
    """
    serialized = etree.tostring(element, method="html", encoding="unicode", with_tail=False)
    start, end = _content_bounds(serialized, element.tag)
    text = _text_of_paragraphs(serialized, element.tag, start, end)
    if text is None:
        text = _text_of_serialization(serialized)
    if text is not None:
        return text, serialized[start:end].strip()
    text, unsafe = text_and_safety(element)
    return text, inner_html(cleaned_copy(element) if unsafe else element)


def _text_of_paragraphs(serialized: str, tag: str, start: int, end: int) -> str | None:
    """The common case of :func:`_text_of_serialization`, without a regex.

    Most comment bodies hold nothing but text, ``<p>`` and ``<br>`` (which the
    serializer writes without attributes): replacing those three tags by their marks
    gives the same flat string as the split, and any other markup leaves a ``<``.
    The element's own start tag (``serialized[:start]``) is checked as the split
    checks it; ``serialized[start:end]`` is its content.
    """
    if (
        not isinstance(tag, str)
        or tag != tag.lower()
        or tag in _WALKED_TAGS
        or _suspicious(serialized[:start].lower())
    ):
        return None
    content = serialized[start:end]
    content = content.replace("<br>", _LINE).replace("<p>", _BLOCK).replace("</p>", _BLOCK)
    if "<" in content or ">" in content:
        return None
    return _assemble(unescape(content) if "&" in content else content)


def _text_of_serialization(serialized: str) -> str | None:
    """The block text of a safe element's serialization, or None to use the tree walk.

    Gives :func:`_assemble` the same flat string as :func:`_collect`, except that a
    block element without content may be serialized without its end tag: one block
    boundary instead of two, which :func:`_assemble` reads the same way.
    """
    parts = _SERIALIZED_TAG.split(serialized)
    names = parts[2::4]
    joined_names = " ".join(names)
    if (
        not _WALKED_TAGS.isdisjoint(names)
        or joined_names.lower() != joined_names
        or _suspicious("".join(parts[3::4]).lower())
    ):
        return None
    texts = parts[::4]
    flat = [texts[0]]
    marks = _MARKS
    for name, text in zip(names, texts[1:]):  # noqa: B905 - one text after each tag
        flat.append(marks.get(name, ""))
        flat.append(text)
    joined = "".join(flat)
    if "<" in joined or ">" in joined:  # markup the split did not recognise
        return None
    return _assemble(unescape(joined) if "&" in joined else joined)


def _suspicious(attributes: str) -> bool:
    return any(marker in attributes for marker in _SUSPICIOUS_ATTRIBUTES)


def inner_html(element: etree._Element) -> str:
    """The serialized content of ``element`` (without its own tag).

    One libxml2 serialization of the element, with its start and end tags cut off, is
    several times faster than serializing each child.
    """
    serialized = etree.tostring(element, method="html", encoding="unicode", with_tail=False)
    start, end = _content_bounds(serialized, element.tag)
    return serialized[start:end].strip()


def _content_bounds(serialized: str, tag: object) -> tuple[int, int]:
    """Where the content of a serialized element starts and ends: after its first start
    tag, before its last end tag (``start == end`` when there is no content)."""
    start = serialized.find(">") + 1
    if serialized.count('"', 0, start) % 2 or serialized.count("'", 0, start) % 2:
        start = _end_of_start_tag(serialized)  # a ">" inside a quoted attribute value
    end_tag = f"</{tag}>"
    end = len(serialized) - len(end_tag) if serialized.endswith(end_tag) else len(serialized)
    return start, max(start, end)


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
