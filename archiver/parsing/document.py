"""The one HTML parse of a page: lexbor, through selectolax.

lexbor is a spec HTML5 parser: it builds the tree a browser builds from the same
markup (implied ``<tbody>``, unclosed ``<p>`` and ``<li>``, misnested tags, stray
``</br>``), so what the archive reads is what a reader saw. It also parses a 200 KB
page in about the time lxml takes, and its selector engine, text and serialization
are C calls, which is where the parser spends its time.

The page is parsed from ``response.text``: Scrapy has already decoded the body with
the charset the headers or the page declare, so Shift_JIS and EUC-JP pages arrive as
text. When that charset is UTF-8, lexbor's own input encoding, the body's bytes go to
lexbor as they are (without a byte order mark, which Scrapy drops too): decoding them
to text only for selectolax to encode it back cost ~0.5 ms on a 200 KB page, a tenth
of the parse, and lexbor replaces invalid bytes with U+FFFD exactly as Scrapy's
decoding does (tests/test_parser_units.py checks both ways give the same tree).
The tree belongs to the parser alone (nothing else reads it), and Scrapy's own
``response.selector`` is neither built nor touched.
"""

from __future__ import annotations

import codecs

from scrapy.http import TextResponse
from scrapy.utils.response import get_base_url
from selectolax.lexbor import LexborHTMLParser, LexborNode
from w3lib.html import get_base_url as base_url_of_text

__all__ = ["Node", "base_url", "holds", "parse_document", "parse_html", "same", "tag_id_of"]

Node = LexborNode


def same(a: Node | None, b: Node | None) -> bool:
    """Whether ``a`` and ``b`` are the same element of the tree.

    Not ``==``: selectolax compares nodes by their serialized HTML, which is slow and
    calls two different elements with the same markup equal. (Hashing is by identity,
    so nodes are fine as set members and dict keys.)
    """
    if a is None or b is None:
        return a is b
    return a.mem_id == b.mem_id


def holds(ancestor: Node, node: Node) -> bool:
    """Whether ``node`` lies inside ``ancestor`` (not ``ancestor`` itself)."""
    key = ancestor.mem_id
    node = node.parent
    while node is not None:
        if node.mem_id == key:
            return True
        node = node.parent
    return False


def tag_id_of(name: str) -> int:
    """lexbor's number for the HTML tag ``name``, the same in every document.

    Walks that test each node they pass compare ``node.tag_id`` with it: an int read,
    where ``node.tag`` builds a string (half the cost, on thousands of nodes a page).
    """
    node = LexborHTMLParser(f"<{name}>").css_first(name)
    if node is None:
        raise ValueError(f"not an HTML tag that parses on its own: {name!r}")
    return node.tag_id


def parse_html(text: str | bytes) -> LexborHTMLParser:
    """The document tree of ``text`` (or of UTF-8 bytes), built as a browser would."""
    return LexborHTMLParser(text)


def _utf8_body(response: TextResponse) -> bytes | None:
    """The body without a byte order mark if the page is UTF-8 (else None)."""
    if codecs.lookup(response.encoding).name != "utf-8":
        return None
    body = response.body
    return body[3:] if body.startswith(codecs.BOM_UTF8) else body


def parse_document(response: TextResponse) -> LexborHTMLParser:
    """The document tree of a response, read in the charset Scrapy found for it."""
    body = _utf8_body(response)
    return parse_html(response.text if body is None else body)


# Scrapy's get_base_url reads a <base href> in the first 4,096 characters of the text;
# 4,096 UTF-8 characters are at most 16,384 bytes.
_BASE_SCAN_CHARACTERS = 4096


def base_url(response: TextResponse) -> str:
    """What ``scrapy.utils.response.get_base_url`` gives, without decoding a UTF-8 page.

    Scrapy's function reads ``response.text``, which would decode the whole page for
    its first 4,096 characters (~0.3 ms of a 200 KB page). The same characters are
    decoded here from the first bytes alone.
    """
    body = _utf8_body(response)
    if body is None:
        return get_base_url(response)
    head = body[: 4 * _BASE_SCAN_CHARACTERS].decode("utf-8", "replace")
    return base_url_of_text(head[:_BASE_SCAN_CHARACTERS], response.url, response.encoding)
