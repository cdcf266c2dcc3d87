"""Japanese full-text search: how text is cut into tokens, and how queries are built.

SQLite's FTS5 has no Japanese word splitter, and its trigram tokenizer cannot match the
two-character words Japanese is full of (空母, 戦車). So text is segmented in Python
before it reaches the index: every run of kanji/kana becomes its overlapping bigrams
plus the run's last character as a unigram, latin/digit words stay whole, everything
NFKC-normalized (full-width ＮＡＴＯ -> nato) and lowercased, and latin letters lose their
diacritics (café -> cafe). The FTS5 tables then use the plain ``ascii`` tokenizer,
which just splits on the spaces we put in.

A query term becomes a *phrase* of its bigrams: ``戦闘機`` -> ``"戦闘 闘機"``. Consecutive
bigrams are consecutive tokens, so the phrase matches exactly the documents containing
the substring 戦闘機, and ``空母`` does not match ``空の母``. A one-character CJK term
becomes a prefix query (``母*``), which matches every bigram starting with it and the
run-final unigram. Index and query go through the same :func:`segment`, so they agree.

If :data:`SEGMENTER_VERSION` changes, the index must be rebuilt
(``archiver.storage.rebuild_search_index``); ``ensure_schema`` does it automatically.
"""

from __future__ import annotations

import re
import unicodedata
from operator import add

#: Bump when :func:`segment` changes what it produces: stored FTS rows become stale.
SEGMENTER_VERSION = 2

# Kanji (incl. extension A and compatibility ideographs), hiragana, katakana (with the
# prolonged sound mark ー), 々 and 〆: the characters that form Japanese words with no
# spaces between them. Hangul is included so Korean text is searchable the same way.
_CJK = "\u3005\u3006\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
# A CJK run (group 1) or a latin/digit word (group 2): findall() gives (run, word) pairs.
_CJK_RUN_OR_WORD = re.compile(f"([{_CJK}]+)|([^\\W_{_CJK}]+)")


# Latin letters carrying diacritics (Latin-1 Supplement to Latin Extended-B, and Latin
# Extended Additional), which FTS5's unicode61 tokenizer used to fold for us.
_ACCENTED_LATIN = re.compile("[\u00c0-\u024f\u1e00-\u1eff]")


def _without_accent(match: re.Match[str]) -> str:
    base = unicodedata.normalize("NFD", match.group())[0]
    return base if base.isascii() else match.group()


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    if text.isascii():
        return text
    return _ACCENTED_LATIN.sub(_without_accent, text)


# segment() builds the bigrams of all runs at once, as three interleaved streams of
# UTF-32 code units (one bigram = first char, second char, space), instead of one
# Python-level string concatenation per character: ~180 tokens per comment made that
# loop most of segment()'s time. Window i of the token string s is s[i] + second[i] +
# sep[i]; second[i] is s[i + 1] where s[i] and s[i + 1] are in the same CJK run, else
# NUL; sep[i] is a space where second[i] is a character, else NUL; NULs are dropped.
_NUL = "\0"
# Byte 1 of a UTF-32-LE code unit of a CJK character (U+3005 and up, all in the BMP) is
# never 0, that of NUL always is: mapping it gives the separator stream's low byte.
_SPACE_WHERE_SET = bytes([0] + [0x20] * 255)


def _tokens(parts: list[tuple[str, str]]) -> str:
    """Token string of (CJK run, word) pairs: runs as bigrams + last char, words whole."""
    text = " ".join([run or word for run, word in parts])
    if len(text) < 2:
        return text
    # The second character of each window, NUL where the window leaves its CJK run.
    second = _NUL.join([_NUL + run[1:] if run else _NUL * len(word) for run, word in parts])
    first = text[:-1].encode("utf-32-le")
    following = second[1:].encode("utf-32-le")
    sep = bytearray(len(following))
    sep[0::4] = following[1::4].translate(_SPACE_WHERE_SET)
    out = bytearray(3 * len(first))
    units = memoryview(out).cast("I")
    units[0::3] = memoryview(first).cast("I")
    units[1::3] = memoryview(following).cast("I")
    units[2::3] = memoryview(sep).cast("I")
    return out.decode("utf-32-le").replace(_NUL, "") + text[-1]


def segment(text: str | None) -> str:
    """Text as it goes into the FTS index: space-separated tokens.

    >>> segment("米国とNATOは空母を")
    '米国 国と と nato は空 空母 母を を'
    """
    if not text:
        return ""
    return _tokens(_CJK_RUN_OR_WORD.findall(_normalize(text)))


def _term_query(term: str) -> str | None:
    """One user term -> one FTS5 phrase (or a prefix query for a single CJK character)."""
    parts: list[str] = []
    prefix = False
    runs = _CJK_RUN_OR_WORD.findall(term)
    for index, (run, word) in enumerate(runs):
        last = index + 1 == len(runs)
        if word:
            parts.append(word)
        elif len(run) == 1:
            # A lone character: as a unigram it only exists at the end of a run in the
            # index; mid-run it is the first half of a bigram, so at the end of the term
            # it is a prefix. If another run follows in the same term, the unigram is
            # what the index holds there.
            parts.append(run)
            prefix = last
        else:
            parts.extend(map(add, run, run[1:]))
            if not last:
                # The index puts the run's last character as a unigram right before
                # the next run, so the phrase must include it to stay contiguous.
                parts.append(run[-1])
    if not parts:
        return None
    phrase = '"' + " ".join(parts) + '"'
    # FTS5 allows a prefix marker only after a whole phrase: it applies to its last token.
    return phrase + " *" if prefix else phrase


def fts_query(user_text: str | None) -> str:
    """A safe FTS5 MATCH expression for what a user typed: all terms must match (AND).

    Terms are separated by whitespace; punctuation and FTS5 syntax characters are
    dropped, so no input can raise an FTS5 syntax error. Returns ``""`` when nothing
    searchable remains (callers should then not run the query: FTS5 rejects ``""``).

    >>> fts_query("戦闘機 NATO")
    '"戦闘 闘機" "nato"'
    """
    if not user_text:
        return ""
    phrases = [_term_query(term) for term in _normalize(user_text).split()]
    return " ".join(phrase for phrase in phrases if phrase)
