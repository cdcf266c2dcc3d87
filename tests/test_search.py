"""Japanese full-text search: segmentation, query building, and ranked hits in SQLite."""

from __future__ import annotations

import re
import sqlite3
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from archiver.items import Article, Comment
from archiver.schema import FTS_TOKENIZE
from archiver.search import _CJK as CJK
from archiver.search import fts_query, segment
from archiver.storage import open_archive, save_article, search


def test_segment_bigrams_unigram_words_and_normalization():
    assert segment("米国とNATOは空母を") == "米国 国と と nato は空 空母 母を を"
    assert segment("戦車") == "戦車 車"
    assert segment("母") == "母"
    assert segment("ＮＡＴＯ加盟、F-35C。") == "nato 加盟 盟 f 35c"
    assert segment("ウクライナ侵攻") == "ウク クラ ライ イナ ナ侵 侵攻 攻"
    assert segment("") == ""
    assert segment(None) == ""


def fold_latin_accent(char):
    """A latin letter without its accents (é -> e, Å -> A); any other character as is."""
    is_latin = "\u00c0" <= char <= "\u024f" or "\u1e00" <= char <= "\u1eff"
    base = unicodedata.normalize("NFD", char)[0]
    return base if is_latin and base.isascii() else char


def test_latin_diacritics_are_folded_kana_marks_are_not():
    assert segment("Café crème, Ålesund, ĐÀ NẴNG") == "cafe creme alesund đa nang"
    assert segment("ガンダムとパンダ") == "ガン ンダ ダム ムと とパ パン ンダ ダ"
    assert fts_query("CAFÉ") == fts_query("cafe") == '"cafe"'


def reference_segment(text):
    """segment() as first written, one character at a time: the definition of the tokens."""
    tokens = []
    text = "".join(map(fold_latin_accent, unicodedata.normalize("NFKC", text or "").lower()))
    for run, word in re.findall(f"([{CJK}]+)|([^\\W_{CJK}]+)", text):
        if word:
            tokens.append(word)
        else:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
            tokens.append(run[-1])
    return " ".join(tokens)


@settings(max_examples=500, deadline=None)
@given(
    text=st.text(
        alphabet="空母戦車のがウクライナ々〆가한ー米aB1_ é\u0301ÅẴĐ、。\n\U00020000ＮＡ",
        max_size=40,
    )
    | st.text(max_size=40)
)
def test_segment_matches_the_character_by_character_definition(text):
    assert segment(text) == reference_segment(text)


def test_fts_query_phrases():
    assert fts_query("戦闘機") == '"戦闘 闘機"'
    assert fts_query("空母") == '"空母"'
    assert fts_query("母") == '"母" *'
    assert fts_query("NATO ウクライナ") == '"nato" "ウク クラ ライ イナ"'
    assert fts_query("ＮＡＴＯ") == '"nato"'
    assert fts_query("ロシアNATO") == '"ロシ シア ア nato"'
    # FTS5 syntax in user input is neutralized, never an error.
    assert fts_query('"a" OR b* (c) NEAR:') == '"a" "or" "b" "c" "near"'
    assert fts_query("  、。 ") == ""
    assert fts_query(None) == ""


DOCS = {
    1: "米海軍の空母が台湾海峡を通過した",
    2: "空の母なる大地、という詩",
    3: "ロシアが国境沿いに戦車部隊を移動",
    4: "第5世代戦闘機の開発はスホーイが担当",
    5: "ウクライナ侵攻の可能性",
    6: "NATO加盟問題について",
    7: "the nato summit",
    8: "ＮＡＴＯの回答文書",
    9: "空母、空母、また空母。空母打撃群が集結",
    10: "戦闘の機会",
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    db = open_archive(tmp_path_factory.mktemp("search") / "archive.db")
    article = Article(
        url="https://grandfleet.info/x/search-test/",
        site="grandfleet",
        post_id=1,
        title="検索テスト",
        comments=[
            Comment(
                comment_id=i, parent_id=None, depth=1, position=i, author=f"user{i}", body_text=text
            )
            for i, text in DOCS.items()
        ],
    )
    save_article(db, article)
    yield db
    db.close()


def hits(db, query):
    return [hit["id"] for hit in search(db, query, limit=50)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("空母", [9, 1]),  # ranked: 4 occurrences before 1; 空の母 (2) not matched
        ("戦車", [3]),
        ("戦闘機", [4]),  # not 戦闘の機会 (10)
        ("ウクライナ", [5]),
        ("侵攻", [5]),
        ("母", None),
        ("nato", None),
        ("NATO", None),
        ("ＮＡＴＯ", None),
        ("ｎａｔｏ 加盟", [6]),
        ("空母 台湾", [1]),
        ("潜水艦", []),
        ("、", []),
    ],
)
def test_search_finds_right_rows(archive, query, expected):
    if query == "母":
        assert sorted(hits(archive, query)) == [1, 2, 9]
    elif query.lower() in ("nato", "ｎａｔｏ"):
        assert sorted(hits(archive, query)) == [6, 7, 8]
    else:
        assert hits(archive, query) == expected


def test_search_authors_and_articles(archive):
    assert hits(archive, "user10") == [10]
    assert [hit["id"] for hit in search(archive, "検索", table="articles")] == [1]
    with pytest.raises(ValueError):
        search(archive, "x", table="tags")


CJK_TEXT = st.text(alphabet="空母戦車闘機のがウクライナ米国aB1 、", min_size=1, max_size=30)


@settings(max_examples=150, deadline=None)
@given(document=CJK_TEXT, start=st.integers(0, 29), length=st.integers(1, 6))
@example(document="1111111111、11 1", start=9, length=3)  # "1、1" cuts the word 1111111111
def test_any_substring_is_found(document, start, length):
    """Whatever the user types, a document containing it verbatim is found."""
    needle = document[start : start + length]
    query = fts_query(needle)
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE VIRTUAL TABLE f USING fts5(t, tokenize='{FTS_TOKENIZE}')")
    conn.execute("INSERT INTO f (rowid, t) VALUES (1, ?)", (segment(document),))
    if not query:
        return  # nothing searchable (punctuation, spaces): nothing to find
    # Latin words and numbers match whole words only (by design), so the needle must
    # occur where its first and last latin word are whole words of the document.
    found = conn.execute("SELECT count(*) FROM f WHERE f MATCH ?", (query,)).fetchone()[0]
    if occurs_on_word_boundaries(document, needle):
        assert found == 1, (document, needle, query)


def _latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def occurs_on_word_boundaries(document: str, needle: str) -> bool:
    start = document.find(needle)
    while start != -1:
        end = start + len(needle)
        cut_before = _latin(needle[0]) and start > 0 and _latin(document[start - 1])
        cut_after = _latin(needle[-1]) and end < len(document) and _latin(document[end])
        if not cut_before and not cut_after:
            return True
        start = document.find(needle, start + 1)
    return False


def test_word_boundary_oracle():
    assert not occurs_on_word_boundaries("1111111111、11 1", "1、1")
    assert occurs_on_word_boundaries("空母 aB1 戦車", "aB1 戦")
    assert occurs_on_word_boundaries("aB、aB", "aB")


def test_fts_query_mixed_terms():
    """A term mixing CJK runs and latin words is one phrase, contiguous as in the index."""
    assert fts_query("NATO母") == '"nato 母" *'
    assert fts_query("母NATO") == '"母 nato"'
    assert fts_query("空母NATO戦車") == '"空母 母 nato 戦車"'
    assert fts_query("米F-35C空母") == '"米 f 35c 空母"'


def test_unknown_table_is_refused_even_for_an_empty_query(archive):
    with pytest.raises(ValueError, match="cannot search table 'tags'"):
        search(archive, "、", table="tags")
