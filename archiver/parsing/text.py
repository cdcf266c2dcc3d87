"""Text and HTML of a content element (article body, comment body), defined once.

The text rule is the one a reader sees: block elements (``p``, ``h2``…, ``li``,
``blockquote``, ``figure``/``figcaption``…) are separated by a blank line, ``<br>`` is a
line break, whitespace inside a line collapses to one space (the full-width space
U+3000 is kept: in Japanese text it is content), and blocks holding nothing but
``&nbsp;`` are dropped. Article bodies and comment bodies both go through
:func:`block_text`, so the same markup always gives the same text.

:func:`cleaned_copy` keeps the markup for the archive but strips what is executable:
``<script>``/``<style>`` elements, HTML comments, ``on*`` event attributes and
``javascript:`` URLs. HTML is lexbor's serialization, the HTML standard's fragment
serialization algorithm (what a browser's ``innerHTML`` gives).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import unescape

from archiver.parsing.document import Node, same

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
CELL_TAGS = frozenset({"td", "th"})
_SPACED_TAGS = BLOCK_TAGS | CELL_TAGS | {"br"}  # in one-line text: a space
_SPACED_OR_SKIPPED = _SPACED_TAGS | NON_TEXT_TAGS
_SKIPPED_CONTAINERS = NON_TEXT_TAGS | {"br"}  # with children, no text of their own
# Every Unicode whitespace (NBSP included) collapses, except U+3000 (ideographic space).
_IDEOGRAPHIC_SPACE = "\u3000"
_SPACES = re.compile(r"[^\S\u3000]+")
_KEPT = "\ufdd0"  # a noncharacter standing in for U+3000 while whitespace is split
JS_URL = re.compile(r"^\s*javascript:", re.IGNORECASE)
_URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href")
_TEXT = "-text"  # selectolax's tag name of text nodes; other non-elements start with "-" too


def collapse_spaces(text: str) -> str:
    """One line's text: whitespace runs as one space, stripped."""
    if _IDEOGRAPHIC_SPACE in text:
        if _KEPT in text:
            return _SPACES.sub(" ", text).strip(" ")
        # str.split() would split at U+3000 too: hide it from the split
        text = " ".join(text.replace(_IDEOGRAPHIC_SPACE, _KEPT).split())
        return text.replace(_KEPT, _IDEOGRAPHIC_SPACE)
    return " ".join(text.split())  # same result, several times faster than the regex


# Sentinels in the flat text: a line break (<br>) and a block boundary. Producers
# write them with a space on either side (LINE_MARK, BLOCK_MARK): see assemble().
_LINE = "\x00"
_BLOCK = "\x01"
LINE_MARK = f" {_LINE} "
BLOCK_MARK = f" {_BLOCK} "
_BREAK_AFTER_BLOCK = f"{_BLOCK}\n"  # (in assemble: a line mark next to a block mark)
_BREAK_BEFORE_BLOCK = f"\n{_BLOCK}"


def _collect(element: Node, out: list[str], unsafe: list[bool]) -> None:
    """Append the text of ``element`` to ``out``, with sentinels for lines and blocks.

    A flat list joined once is much faster than building lines while walking; the
    walk also notes anything :func:`cleaned_copy` would strip (or cannot see inside).
    """
    tag = element.tag or "-"
    if tag[0] == "-":  # comments, doctypes
        unsafe[0] = True
        return
    tag = tag.lower()
    if tag in NON_TEXT_TAGS:
        unsafe[0] = True
        return
    if not unsafe[0] and _is_unsafe_element(element):
        unsafe[0] = True
    if tag == "br":
        out.append(LINE_MARK)
        return
    is_block = tag in BLOCK_TAGS
    if is_block:
        out.append(BLOCK_MARK)
    for child in element.iter(include_text=True):
        if child.tag == _TEXT:
            out.append(child.text_content or "")
        else:
            _collect(child, out, unsafe)
    if is_block:
        out.append(BLOCK_MARK)
    elif tag in CELL_TAGS:
        out.append(" ")


def assemble(flat: str) -> str:
    """Blocks joined by a blank line; inside a block, lines joined by a newline.

    ``flat`` is text with the marks :data:`LINE_MARK` and :data:`BLOCK_MARK`, each with
    a space on either side (a space next to a mark ends or starts a line, so it never
    changes the text). Each line's whitespace collapses as :func:`collapse_spaces`
    collapses it; empty lines at the start and end of a block are dropped and a run of
    them inside a block becomes one; blocks without text are dropped. The whitespace of
    the whole text collapses in one C-level pass, which leaves one space beside each
    mark, so the ends of lines and blocks are those spaces.

    Mostly every line has text: then each line mark, with its two spaces, is the line
    break itself, made by one replacement over the whole text instead of splitting and
    stripping each block's lines (a tenth of the cost of a Japanese comment's text).
    A line mark left over, or a line break at a block's start or end, means an empty
    line, which :func:`_assemble_lines` drops or keeps line by line.
    """
    text = collapse_spaces(flat)
    if _LINE in text:
        joined = text.replace(LINE_MARK, "\n")
        if _LINE in joined or _BREAK_AFTER_BLOCK in joined or _BREAK_BEFORE_BLOCK in joined:
            return _assemble_lines(text)
        text = joined
    return "\n\n".join([block for block in [b.strip(" ") for b in text.split(_BLOCK)] if block])


def _assemble_lines(text: str) -> str:
    """:func:`assemble` of a collapsed text, block by block and line by line."""
    blocks = []
    for block in text.split(_BLOCK):
        if _LINE in block:
            lines = [line.strip(" ") for line in block.split(_LINE)]
            if "" in lines:
                kept: list[str] = []
                for line in lines:
                    if line or (kept and kept[-1]):  # keep one empty line between lines
                        kept.append(line)
                while kept and not kept[-1]:
                    kept.pop()
                lines = kept
            block = "\n".join(lines)
        else:
            block = block.strip(" ")
        if block:
            blocks.append(block)
    return "\n\n".join(blocks)


def _is_unsafe_element(element: Node) -> bool:
    """Whether :func:`strip_executable` would remove one of ``element``'s attributes."""
    for name, value in element.attributes.items():
        lower = name.lower()
        if lower.startswith("on") or (lower in _URL_ATTRS and JS_URL.match(value or "")):
            return True
    return False


def text_and_safety(element: Node) -> tuple[str, bool]:
    """:func:`block_text` of ``element``, and whether its HTML needs :func:`cleaned_copy`.

    One walk gives both, so a comment body without scripts or event handlers is
    serialized as it is, without a copy.
    """
    out: list[str] = []
    unsafe = [False]
    _collect(element, out, unsafe)
    return assemble("".join(out)), unsafe[0]


def block_text(element: Node | None) -> str:
    """The reader's text of ``element``: blocks joined by ``"\\n\\n"``, ``<br>`` as ``"\\n"``."""
    if element is None:
        return ""
    return text_and_safety(element)[0]


def sole_text(element: Node) -> str | None:
    """The text of ``element`` if its only child is one (non-empty) text node, else None.

    Then the element holds no other element, and its text is that node's data: callers
    skip the walks they make for elements inside (two property reads instead of ~1 us).
    """
    child = element.first_child
    if child is None or child.next is not None:
        return None
    return child.text_content  # None for any other kind of node


def inline_text(element: Node | None) -> str:
    """All text of ``element`` on one line (titles, names, labels)."""
    if element is None:
        return ""
    text = sole_text(element)
    if text is not None:  # the commonest case by far: a name, a date, a count
        return collapse_spaces(text)
    descendants = element.traverse()  # elements and comments, the element first
    next(descendants)
    has_children = False
    for node in descendants:
        has_children = True
        if node.tag in _SPACED_OR_SKIPPED:
            break
    else:
        # Text and phrasing elements only, whose text is the concatenation of the text
        # nodes: an element's DOM textContent (text_lexbor), which costs a third of text()
        # (the same string, built without text()'s Python-side buffer). A comment or
        # other non-element node has text content of its own, which text() leaves out.
        tag = element.tag or "-"
        if has_children and tag.lower() in _SKIPPED_CONTAINERS:
            return ""
        return collapse_spaces(element.text_lexbor() if tag[0] != "-" else element.text())
    tag = (element.tag or "-").lower()
    if tag[0] == "-" or tag in NON_TEXT_TAGS or tag == "br":
        return ""
    out: list[str] = []
    _inline_parts(element, out)
    return collapse_spaces("".join(out))


def shown_text(element: Node | None) -> str:
    """:func:`inline_text` without the screen-reader labels themes hide ("投稿日", "says:")."""
    if element is None:
        return ""
    text = inline_text(element)
    for hidden in element.css(".screen-reader-text"):
        label = inline_text(hidden)
        if label and not same(hidden, element):
            text = text.replace(label, " ", 1)
    return collapse_spaces(text)


def _inline_parts(element: Node, out: list[str]) -> None:
    """The text of ``element``'s content, as :func:`_collect` reads it, with a space for
    each block and line mark: block_text with its line breaks as spaces, since
    collapse_spaces merges such a space with any space next to it."""
    for child in element.iter(include_text=True):
        tag = child.tag
        if tag == _TEXT:
            out.append(child.text_content or "")
            continue
        tag = (tag or "-").lower()
        if tag[0] == "-" or tag in NON_TEXT_TAGS:
            continue
        if tag in _SPACED_TAGS:
            out.append(" ")
            _inline_parts(child, out)
            out.append(" ")
        else:
            _inline_parts(child, out)


def strip_executable(element: Node) -> None:
    """Remove scripts, styles, comments, ``on*`` attributes and ``javascript:`` URLs, in place."""
    doomed = []
    for node in element.traverse():
        tag = node.tag or "-"
        if tag[0] == "-":
            if tag == "-comment" and not same(node, element):
                doomed.append(node)  # HTML comments often hold ad-network markup
            continue
        if tag.lower() in SCRIPT_TAGS and not same(node, element):
            doomed.append(node)
            continue
        attributes = node.attributes
        if not attributes:
            continue
        attrs = node.attrs
        for name, value in attributes.items():
            lower = name.lower()
            if lower.startswith("on") or (lower in _URL_ATTRS and JS_URL.match(value or "")):
                del attrs[name]
    for node in outermost(doomed):
        node.decompose()


def outermost(nodes: list[Node]) -> list[Node]:
    """``nodes`` (in document order) without those inside another one of them.

    Decomposing a node frees its whole subtree: a node inside it must not be touched
    after that.
    """
    kept: list[Node] = []
    seen: set[Node] = set()
    for node in nodes:
        parent = node.parent
        while parent is not None and parent not in seen:
            parent = parent.parent
        if parent is None:
            kept.append(node)
        seen.add(node)
    return kept


# One tag of lexbor's serialization. The serializer escapes "<" and ">" in text and in
# attribute values, so every "<" starts markup and the first ">" ends a tag; whatever
# else (a comment "<!--") stays in the text between tags, where the "<" sends the
# element to the tree walk.
_SERIALIZED_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)([^>]*)>")
# In the tags' attributes (lowercased): an on* handler or a javascript: URL may be there
# (or a harmless look-alike, such as title="turn on"); either way the tree walk decides.
# lexbor writes one space before each attribute; the other whitespace is for safety.
_SUSPICIOUS_ATTRIBUTES = (" on", "\ton", "\non", "\ron", "\fon", "javascript")
# What a tag adds to the flat text: a block boundary, a line break, or nothing.
_MARKS = dict.fromkeys(BLOCK_TAGS, BLOCK_MARK) | {"br": LINE_MARK}
# Left to the walk: elements without text, table cells (rare), and the raw-text elements
# whose content the serializer writes unescaped.
_WALKED_TAGS = NON_TEXT_TAGS | CELL_TAGS | {"xmp", "noembed", "noframes", "plaintext"}


def text_and_html(element: Node) -> tuple[str, str]:
    """:func:`block_text` and the cleaned :func:`inner_html` of ``element``, together.

    Comment bodies are mostly paragraphs, line breaks and links: for those the text is
    read from the element's serialization (needed anyway for the HTML) with one regex
    split, which gives the same flat text-and-sentinel string as the tree walk of
    :func:`text_and_safety` at a fraction of its cost. Anything the split cannot vouch
    for (comments, scripts and other non-text elements, event handlers, ``javascript:``
    URLs, unexpected markup) goes through the tree walk and :func:`cleaned_copy`.
    The element's own attributes do not matter: its text and inner HTML do not show them.
    """
    tag = element.tag or "-"
    if tag[0] != "-" and tag.lower() not in _WALKED_TAGS and tag != "br":
        content = element.inner_html or ""
        text = _text_of_plain_paragraphs(content)
        if text is None:
            text = _text_of_paragraphs(content)
        if text is None:
            text = _text_of_serialization(content)
        if text is not None:
            return text, content.strip()
    text, unsafe = text_and_safety(element)
    return text, inner_html(cleaned_copy(element) if unsafe else element)


_ASCII_SPACES = " \t\n\r\f\v"
_PARAGRAPH_BREAK = "</p>\n<p>"  # wpautop's paragraphs, as lexbor serializes them
_LINE_BREAK = "<br>\n"  # wpautop's line breaks


def _text_of_plain_paragraphs(content: str) -> str | None:
    """The commonest comment body, whose text needs no whitespace work at all.

    What ``wpautop`` makes of a comment typed without markup: paragraphs one per line,
    line breaks as ``<br>`` plus newline, each line's text free of whitespace but single
    spaces inside (U+3000 aside, which is text). Then the text is those lines as they
    are, and costs a few splits, where :func:`_text_of_paragraphs` collapses the whole
    text character by character (half the cost of a Japanese comment). Anything else
    (an entity, other markup, a tab, NBSP or newline in the text, an empty line or
    paragraph, a space at a line's end) is None: the general rule decides.
    """
    body = content.strip(_ASCII_SPACES)  # whitespace around the blocks is never text
    if not (body.startswith("<p>") and body.endswith("</p>")) or "&" in body:
        return None
    blocks = []
    for block in body[3:-4].split(_PARAGRAPH_BREAK):
        lines = block.split(_LINE_BREAK)
        for line in lines:
            if (
                not line
                or line[0] == " "
                or line[-1] == " "
                or "<" in line
                or "  " in line
                or not (line.isprintable() or _printable_but_ideographic_spaces(line))
            ):
                return None
        blocks.append(lines[0] if len(lines) == 1 else "\n".join(lines))
    return blocks[0] if len(blocks) == 1 else "\n\n".join(blocks)


def _printable_but_ideographic_spaces(line: str) -> bool:
    """Whether ``line`` is printable once its U+3000 are counted as text (which they are
    to the general rule: it keeps them). No other whitespace is printable to Python."""
    return _IDEOGRAPHIC_SPACE in line and line.replace(_IDEOGRAPHIC_SPACE, "a").isprintable()


def _text_of_paragraphs(content: str) -> str | None:
    """The common case of :func:`_text_of_serialization`, without a regex.

    Most comment bodies hold nothing but text, ``<p>`` and ``<br>`` (which the
    serializer writes without attributes): replacing those three tags by their marks
    gives the same flat string as the split, and any other markup leaves a ``<``.
    """
    content = (
        content.replace("<br>", LINE_MARK).replace("<p>", BLOCK_MARK).replace("</p>", BLOCK_MARK)
    )
    if "<" in content or ">" in content:
        return None
    return assemble(unescape(content) if "&" in content else content)


def _text_of_serialization(serialized: str) -> str | None:
    """The block text of a safe element's serialization, or None to use the tree walk.

    Gives :func:`assemble` the same flat string as :func:`_collect`, except that a
    void block element (``<hr>``) has no end tag: one block boundary instead of two,
    which :func:`assemble` reads the same way.
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
    return assemble(unescape(joined) if "&" in joined else joined)


def _suspicious(attributes: str) -> bool:
    return any(marker in attributes for marker in _SUSPICIOUS_ATTRIBUTES)


def inner_html(element: Node) -> str:
    """The serialized content of ``element`` (without its own tag), stripped."""
    return (element.inner_html or "").strip()


def cleaned_copy(element: Node, remove: Iterable[Node] = ()) -> Node:
    """A deep copy of ``element`` without executable content and without ``remove``.

    ``remove`` are elements of the original tree, which is left as it was: other parts
    of the page are read from it after the body.
    """
    to_remove = list(remove)
    if to_remove:
        # Mark the originals, copy, then drop the marked copies.
        marker = "data-archiver-drop"
        for node in to_remove:
            node.attrs[marker] = "1"
        try:
            clone = element.clone()
        finally:
            for node in to_remove:
                del node.attrs[marker]
        for node in outermost([n for n in clone.css(f"[{marker}]") if not same(n, clone)]):
            node.decompose()
    else:
        clone = element.clone()
    strip_executable(clone)
    return clone
