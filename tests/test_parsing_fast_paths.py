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
    assemble,
    collapse_spaces,
    inline_text,
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
