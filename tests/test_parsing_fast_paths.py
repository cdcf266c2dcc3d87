"""The parser's shortcuts give exactly what the general rule gives.

Speed work on the parser (bench/bench_parser.py) added fast paths for the common case;
each is checked here against the general code it stands in for, on generated input that
mixes the marks, every kind of whitespace the rule treats specially (U+3000, NBSP,
U+001C, the placeholder U+FDD0) and text.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from archiver.parsing.text import (
    BLOCK_MARK,
    LINE_MARK,
    _assemble_lines,
    _text_of_paragraphs,
    _text_of_plain_paragraphs,
    assemble,
    collapse_spaces,
    inline_text,
    text_and_safety,
)

PIECES = st.sampled_from(
    ["a", "語", " ", "\n", "\t", "\u3000", "\xa0", "\x1c", "\ufdd0", "\x00", "\x01"]
    + [LINE_MARK, BLOCK_MARK] * 3
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(PIECES, max_size=16))
def test_assemble_breaks_lines_as_the_line_by_line_rule(pieces: list[str]) -> None:
    flat = "".join(pieces)
    assert assemble(flat) == _assemble_lines(collapse_spaces(flat))


def test_assemble_keeps_the_rules_for_empty_lines() -> None:
    # Empty lines at a block's edges go, a run of them inside becomes one.
    flat = f"{BLOCK_MARK}{LINE_MARK}a{LINE_MARK}{LINE_MARK}{LINE_MARK}b{LINE_MARK}{BLOCK_MARK}c"
    assert assemble(flat) == "a\n\nb\n\nc"
    assert assemble(f"a{LINE_MARK}b{BLOCK_MARK} {BLOCK_MARK}c{LINE_MARK}d") == "a\nb\n\nc\nd"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["b", "span", "button", "script", "time", "p", "li"]), st.text(max_size=12))
def test_inline_text_of_one_text_node_is_the_elements_text(tag: str, text: str) -> None:
    """An element whose only child is one text node: its text is that node's data."""
    element = LexborHTMLParser(f"<{tag}></{tag}>").css_first(tag)
    assert element is not None
    if text:
        element.insert_child(text)
    assert inline_text(element) == collapse_spaces(element.text())


# Comment bodies as wpautop writes them (paragraphs of lines), with text that holds
# everything that must send a body to the general rule: entities, other markup, and
# every whitespace the rule treats specially.
TEXT_PIECES = st.sampled_from(
    ["a", "語", "(1)"] * 12
    + [" ", "\u3000"] * 3
    + ["  ", "\n", "\t", "\xa0", "\x1c", "\x01", "\ufdd0", "\u2028", "&amp;", "<b>b</b>", "<br>"]
)
LINES = st.lists(st.lists(TEXT_PIECES, max_size=5).map("".join), min_size=1, max_size=3)
PARAGRAPHS = st.lists(LINES.map("<br>\n".join), min_size=1, max_size=3)


@settings(max_examples=2000, deadline=None)
@given(PARAGRAPHS, st.sampled_from(["\n", "", "\n\n"]), st.sampled_from(["", "\n", "\n\t "]))
def test_plain_paragraphs_read_as_the_general_rule(
    paragraphs: list[str], between: str, edge: str
) -> None:
    """On lexbor's serialization of any such body, the plain-paragraph shortcut gives the
    general rule's text, or declines."""
    markup = between.join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    body = LexborHTMLParser(f"<div>{edge}{markup}{edge}</div>").css_first("div")
    assert body is not None
    content = body.inner_html or ""
    text = _text_of_plain_paragraphs(content)
    if text is not None:
        assert text == _text_of_paragraphs(content) == text_and_safety(body)[0]


def test_plain_paragraphs_take_what_wpautop_writes() -> None:
    """The shortcut is taken for the usual comment, U+3000 and single spaces included."""
    content = "<p>一行目<br>\n\u3000二行目 (2)</p>\n<p>二段落目</p>\n"
    assert _text_of_plain_paragraphs(content) == "一行目\n\u3000二行目 (2)\n\n二段落目"
    assert _text_of_plain_paragraphs("\n\t<p>a<br>\n<br>\nb</p>") is None  # empty line
    assert _text_of_plain_paragraphs("<p>a\nb</p>") is None  # a newline in the text
