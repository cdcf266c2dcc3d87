"""The parser's building blocks: URLs, the text rule, article-URL shapes, robustness."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse
from scrapy.utils.response import get_base_url

from archiver.items import Anomaly, Article
from archiver.parsing import (
    Listing,
    article_url_of,
    block_text,
    canonicalize_url,
    comment_page_of,
    parse_article_page,
    parse_listing_page,
)
from archiver.parsing.document import Node, base_url, parse_document, parse_html, same
from archiver.parsing.select import Finder
from archiver.parsing.text import (
    cleaned_copy,
    collapse_spaces,
    inline_text,
    inner_html,
    text_and_html,
    text_and_safety,
)
from archiver.sites import SiteProfile, get_profile

GF = get_profile("grandfleet")
SEED_PAGE = Path(__file__).parent / "fixtures/pages/tcd_seed_article.html"
BASE = "http://127.0.0.1:8765"


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (f"{BASE}/russia-related/post/", f"{BASE}/russia-related/post/"),
        (f"{BASE}/russia-related/post", f"{BASE}/russia-related/post/"),
        (f"{BASE}/russia-related/post/#comment-12", f"{BASE}/russia-related/post/"),
        (f"{BASE}/russia-related/post/?replytocom=12#respond", f"{BASE}/russia-related/post/"),
        (
            f"{BASE}/russia-related/post/?utm_source=x&utm_medium=y&fbclid=z",
            f"{BASE}/russia-related/post/",
        ),
        ("HTTP://127.0.0.1:8765//russia-related//post", f"{BASE}/russia-related/post/"),
        ("https://GrandFleet.Info:443/a/b/", "https://grandfleet.info/a/b/"),
        ("http://grandfleet.info:80/a/b/", "http://grandfleet.info/a/b/"),
        (
            f"{BASE}/russia-related/post/comment-page-2/#comments",
            f"{BASE}/russia-related/post/comment-page-2/",
        ),
        (f"{BASE}/?p=23456", f"{BASE}/?p=23456"),
        (f"{BASE}/?p=23456&replytocom=3", f"{BASE}/?p=23456"),
        (f"{BASE}", f"{BASE}/"),
        (f"{BASE}/wp-sitemap.xml", f"{BASE}/wp-sitemap.xml"),
        (f"{BASE}/category/ロシア/", f"{BASE}/category/%E3%83%AD%E3%82%B7%E3%82%A2/"),
        (
            f"{BASE}/category/%e3%83%ad%e3%82%b7%e3%82%a2/",
            f"{BASE}/category/%E3%83%AD%E3%82%B7%E3%82%A2/",
        ),
        ("  http://127.0.0.1:8765/a/b/  ", f"{BASE}/a/b/"),
    ],
)
def test_canonicalize_url(url: str, canonical: str) -> None:
    assert canonicalize_url(url) == canonical
    assert canonicalize_url(canonical) == canonical  # idempotent


def test_article_url_of_and_comment_page_of() -> None:
    page = f"{BASE}/russia-related/post/comment-page-3/#comments"
    assert article_url_of(page) == f"{BASE}/russia-related/post/"
    assert comment_page_of(page) == 3
    assert article_url_of(f"{BASE}/russia-related/post/") == f"{BASE}/russia-related/post/"
    assert comment_page_of(f"{BASE}/russia-related/post/") is None


@pytest.mark.parametrize(
    ("url", "is_article"),
    [
        (f"{BASE}/russia-related/us-rejects-russian-demands/", True),
        (f"{BASE}/russia-related/us-rejects-russian-demands", True),
        (f"{BASE}/", False),
        (f"{BASE}/category/russia-related/", False),
        (f"{BASE}/category/russia-related/page/2/", False),
        (f"{BASE}/tag/nato/", False),
        (f"{BASE}/page/2/", False),
        (f"{BASE}/feed/", False),
        (f"{BASE}/russia-related/post/feed/", False),
        (f"{BASE}/russia-related/post/comment-page-2/", False),
        (f"{BASE}/wp-content/uploads/2022/01/", False),
        (f"{BASE}/wp-admin/edit/", False),
        (f"{BASE}/wp-sitemap-posts-post-1.xml", False),
        (f"{BASE}/?p=23456", False),
        (f"{BASE}/2022/01/", False),
        (f"{BASE}/author/admin/", False),
        (f"{BASE}/russia-related/", False),  # one segment: not a grandfleet permalink
        ("mailto:someone@example.jp", False),
    ],
)
def test_grandfleet_article_urls(url: str, is_article: bool) -> None:
    assert GF.is_article_url(url) is is_article


def test_generic_profile_accepts_other_permalink_shapes() -> None:
    generic = get_profile("wordpress")
    assert generic.is_article_url("https://blog.example.jp/2023/05/kaga-refit-complete/")
    assert generic.is_article_url("https://blog.example.jp/hello-world/")
    assert generic.is_article_url("http://old.example.jp/archives/2010/06/zero-fighter.html")
    assert not generic.is_article_url("https://blog.example.jp/2023/05/")
    assert not generic.is_article_url("https://blog.example.jp/wp-content/uploads/a.jpg")


def test_profiles_are_frozen_and_named() -> None:
    assert isinstance(GF, SiteProfile) and GF.name == "grandfleet"
    with pytest.raises(AttributeError):
        GF.name = "other"  # type: ignore[misc]
    with pytest.raises(KeyError, match="grandfleet"):
        get_profile("nope")


def fragment(markup: str) -> Node:
    """``markup`` inside a <div>, in a document parsed as the parser parses pages."""
    tree = parse_html(f'<!DOCTYPE html><body><div id="fragment-root">{markup}</div>')
    return tree.css_first("#fragment-root")


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<p>a</p><p>b</p>", "a\n\nb"),
        ("<p>line one<br>\n   line two</p>", "line one\nline two"),
        ("<p>  spaced \t  out\n words </p>", "spaced out words"),
        ("<p>&nbsp;</p><p>kept</p><p> &nbsp; </p>", "kept"),
        ("<p>全角\u3000スペースは残す</p>", "全角\u3000スペースは残す"),
        ("<ul><li>one</li><li>two <b>bold</b></li></ul>", "one\n\ntwo bold"),
        ("<blockquote><p>quoted</p><cite>who</cite></blockquote>after", "quoted\n\nwho\n\nafter"),
        ("<figure><img src=x><figcaption>出典:X</figcaption></figure>", "出典:X"),
        ("<h2>head</h2>text<script>var a = 1;</script><style>p{}</style>", "head\n\ntext"),
        ("<p>a<br><br>b</p>", "a\n\nb"),
        ("<p>a<br><br><br><br>b<br></p>", "a\n\nb"),
        ("<p>x<!-- comment -->y</p>", "xy"),
        ("", ""),
    ],
)
def test_block_text_rule(markup: str, text: str) -> None:
    assert block_text(fragment(markup)) == text


def article_response(body: str | bytes, url: str = f"{BASE}/cat/post/") -> HtmlResponse:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return HtmlResponse(url=url, body=raw, headers={"Content-Type": "text/html; charset=UTF-8"})


def test_empty_page_gives_anomalies_not_errors() -> None:
    article = parse_article_page(article_response(b""), GF)
    assert article == Article(
        url=f"{BASE}/cat/post/",
        site="grandfleet",
        anomalies=[
            Anomaly("article.body", None, "no article body found", f"{BASE}/cat/post/"),
            Anomaly("article.post_id", None, "no WordPress post id", f"{BASE}/cat/post/"),
            Anomaly("article.title", None, "no title found", f"{BASE}/cat/post/"),
            Anomaly("article.published", None, "no publication date", f"{BASE}/cat/post/"),
        ],
    )


def test_title_falls_back_to_title_element_without_site_name() -> None:
    page = (
        "<html><head><title>見出し | サイト</title>"
        '<meta property="og:site_name" content="サイト"></head><body></body></html>'
    )
    assert parse_article_page(article_response(page), GF).title == "見出し"


def test_json_ld_graph_and_list_fallbacks() -> None:
    page = """<html><head><script type="application/ld+json">
    [{"@type": "WebSite", "name": "x"}, {"@graph": [{"@type": ["NewsArticle"],
      "headline": "グラフの見出し", "datePublished": "2024-01-02T03:04:05+09:00",
      "author": [{"@type": "Person", "name": "記者A"}, {"name": "記者B"}],
      "keywords": "艦艇, 航空機", "commentCount": "12"}]}]
    </script></head><body class="postid-77"></body></html>"""
    article = parse_article_page(article_response(page), get_profile("wordpress"))
    assert (article.post_id, article.title, article.published_attr, article.author) == (
        77,
        "グラフの見出し",
        "2024-01-02T03:04:05+09:00",
        "記者A, 記者B",
    )
    assert [t.name for t in article.tags] == ["艦艇", "航空機"]
    assert article.comment_count_shown == 12
    assert article.published_raw is None


def test_comment_count_ignores_numbers_in_the_quoted_title() -> None:
    page = (
        '<html><body><div id="comments"><h2 class="comments-title">'
        "「F-35を100機(追加)」への7件のフィードバック</h2></div></body></html>"
    )
    assert parse_article_page(article_response(page), GF).comment_count_shown == 7


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                "<li id='comment-1' class='comment'>",
                "<li class='comment'>",
                "<ul class='children'>",
                "<ol class='commentlist'>",
                "<div id='comment_area'>",
                "<div class='comment-content'>",
                "<span class='count-box'>",
                "<li class='comment-date'>",
                "<time datetime='x'>",
                "<h1 class='p-entry__title'>",
                "<div class='post_content'>",
                "<p>",
                "<br>",
                "</li>",
                "</ul>",
                "</div>",
                "<script type='application/ld+json'>{",
                "</script>",
                "<a href='http://[::1'>",
                "<a href='javascript:x'>",
                "テキスト",
                "&nbsp;",
                "\x00",
            ]
        ),
        max_size=40,
    )
)
def test_odd_markup_never_raises(pieces: list[str]) -> None:
    article = parse_article_page(article_response("".join(pieces)), GF)
    assert article.url == f"{BASE}/cat/post/"
    assert [c.position for c in article.comments] == list(range(1, len(article.comments) + 1))


def test_listing_without_theme_markup_uses_wordpress_links() -> None:
    page = """<html><head><link rel="next" href="/page/3/"></head><body><main>
    <article class="post"><h2 class="entry-title"><a href="/cat/one/" rel="bookmark">1</a></h2></article>
    <article class="post"><h2 class="entry-title"><a href="/cat/two/#more">2</a></h2></article>
    <article class="post"><h2 class="entry-title"><a href="/category/cat/">cat</a></h2></article>
    </main></body></html>"""
    listing = parse_listing_page(article_response(page, f"{BASE}/page/2/"), GF)
    assert listing == Listing(
        article_urls=[f"{BASE}/cat/one/", f"{BASE}/cat/two/"], next_page_url=f"{BASE}/page/3/"
    )


def test_last_listing_page_has_no_next_page() -> None:
    page = '<html><body><div id="post_list"></div></body></html>'
    assert parse_listing_page(article_response(page, f"{BASE}/page/9/"), GF) == Listing([], None)


def test_whitespace_rule_is_the_same_with_and_without_ideographic_space() -> None:
    assert block_text(fragment("<p> a\u2009\u2009b\tc </p>")) == "a b c"
    assert block_text(fragment("<p>\u3000a\u2009\u2009b\tc </p>")) == "\u3000a b c"


def test_text_and_safety_flags_what_must_be_cleaned() -> None:
    assert text_and_safety(fragment("<p>plain <a href='/x'>link</a></p>")) == ("plain link", False)
    for markup in (
        "<p onclick='x()'>t</p>",
        "<p>t<script>x()</script></p>",
        "<p><a href=' javascript:x()'>t</a></p>",
        "<p>t<!-- c --></p>",
        "<p>t<svg onload='x()'></svg></p>",
    ):
        assert text_and_safety(fragment(markup))[1] is True, markup


def test_cleaned_html_keeps_content_and_strips_executables() -> None:
    element = fragment(
        '<p title="a > b" onclick="x()">one<script>bad()</script> two</p>'
        "<!-- ad --><a href='javascript:void(0)' onmouseover='y()'>three</a>"
        "<iframe src='https://www.youtube.com/embed/x'></iframe>"
    )
    assert inner_html(cleaned_copy(element)) == (
        '<p title="a &gt; b">one two</p><a>three</a>'
        '<iframe src="https://www.youtube.com/embed/x"></iframe>'
    )
    assert inner_html(element).startswith(
        '<p title="a &gt; b" onclick="x()">'
    )  # original untouched


def test_id_selectors_stay_inside_their_context() -> None:
    tree = parse_html(
        '<!DOCTYPE html><html><body><div id="a"><p class="x">in a</p></div>'
        '<div id="b"><span id="c" class="x">in b</span></div>'
        '<p id="c" class="x">second c</p></body></html>'
    )
    root = tree.root
    find = Finder(root)
    c = tree.css_first("span#c")
    outside, inside = tree.css_first("#a"), tree.css_first("#b")
    assert [same(n, c) for n in find.run(root, "#c")] == [True]  # the first #c, as getElementById
    assert find.run(outside, "#c") == []
    assert [same(n, c) for n in find.run(inside, "#c")] == [True]
    assert [e.text() for e in find.run(root, "#a .x")] == ["in a"]
    assert find.run(root, ".absent .x") == []


def test_finder_takes_the_first_selector_that_matches() -> None:
    tree = parse_html(
        '<!DOCTYPE html><body><ul class="nav"><li class="current">2</li></ul>'
        '<p class="b">b1</p><p class="a">a1</p><p class="b">b2</p></body>'
    )
    find = Finder(tree.root)
    assert [n.text() for n in find.all(find.root, (".none", ".b", ".a"))] == ["b1", "b2"]
    assert find.first(find.root, (".none", ".other", ".a", ".b")).text() == "a1"
    assert find.first(find.root, (".none", ".other")) is None
    # a selector that matched nothing rules out the selectors that need it as ancestor
    assert find.all(find.root, (".pager", ".nav")) != []
    assert find.first(find.root, (".pager .current", ".nav .current")).text() == "2"


def test_selectolax_equality_is_not_identity() -> None:
    """Why the parser compares nodes with same(): == compares serialized HTML."""
    tree = parse_html("<!DOCTYPE html><body><p>twin</p><p>twin</p></body>")
    first, second = tree.css("p")
    assert first == second and not same(first, second)
    assert same(first, tree.css_first("p")) and len({first, second}) == 2


def test_pager_links_are_kept_when_canonical_names_another_host() -> None:
    page = """<html><head><link rel="canonical" href="https://grandfleet.info/cat/post/"></head>
    <body><div id="comments"><div id="comment_pager">
    <span class="page-numbers current">1</span>
    <a class="page-numbers" href="/cat/post/comment-page-2/#comments">2</a>
    <a class="page-numbers" href="/other/post/comment-page-2/">elsewhere</a>
    </div></div></body></html>"""
    article = parse_article_page(article_response(page, f"{BASE}/cat/post/comment-page-1/"), GF)
    assert (article.url, article.comment_page) == ("https://grandfleet.info/cat/post/", 1)
    assert article.comment_page_urls == [f"{BASE}/cat/post/comment-page-2/"]


@pytest.mark.parametrize(
    "markup",
    [
        "<p>plain <a href='/x'>link</a><br>\n next &amp; &lt;last&gt;</p><p>&nbsp;</p>",
        "<p>\u3000全角<br><br><br>b</p><ul><li></li><li>x</li></ul><hr>tail",
        "<p title='turn on'>harmless look-alike</p>",
        "<p onclick='x()'>t</p>",
        "<p>t<script>x()</script></p>",
        "<p><a href=' JavaScript:x()'>t</a></p>",
        "<p>t<!-- c -->u</p>",
        "<table><tr><td>a</td><td>b</td></tr></table>",
        "<p>t<button>b</button><svg onload='x()'></svg></p>",
    ],
)
def test_text_and_html_matches_the_tree_walk(markup: str) -> None:
    element = fragment(markup)
    text, unsafe = text_and_safety(element)
    assert text_and_html(element) == (
        text,
        inner_html(cleaned_copy(element) if unsafe else element),
    )


def test_later_readers_of_the_response_still_get_its_selector() -> None:
    response = article_response(SEED_PAGE.read_bytes())
    parse_article_page(response, GF)  # parses response.text with lexbor, on its own
    assert response.css("h1.p-entry__title::text").get() == parse_article_page(response, GF).title


def test_inline_text_matches_the_block_text_on_one_line() -> None:
    for markup in (
        "<span>a <b>b</b></span>",
        "<p>x</p><p>y</p>",
        "a<br>b<script>s</script>",
        "<td>c</td><td>d</td>",
        "\u3000全角<i>x</i> <button>no</button>",
        "x<!-- c -->y",
    ):
        element = fragment(markup)
        text = text_and_safety(element)[0]
        assert inline_text(element) == collapse_spaces(" ".join(text.split("\n"))), markup


ODD_DECLARATIONS = """<html><head>
<meta content="" name="empty"><meta content="x"><meta itemprop="i" content="y">
<meta property="p"><META NAME="upper" CONTENT="z"><link rel="canonical"><link href="/h">
<link rel="" href=""><script type="Application/LD+JSON">{}</script>
<script type="application/ld+json ">{}</script><script type="APPLİCATION/LD+JSON">{}</script>
<script>{}</script></head><body><div><meta name="in-body" content="b">
<script type="application/ld+json">[]</script><link rel="x" href="/in-body"></div>
</body></html>"""


@pytest.mark.parametrize(
    "page",
    [ODD_DECLARATIONS.encode()] + [p.read_bytes() for p in sorted(SEED_PAGE.parent.glob("*.html"))],
)
def test_declaring_elements_are_the_ones_a_walk_of_every_element_finds(page: bytes) -> None:
    from archiver.parsing.metadata import _declaring_elements

    tree = parse_html(article_response(page).text)
    everything = [(n.tag, n.attributes) for n in tree.root.traverse() if n.tag[0] != "-"]
    expected = (
        [
            a
            for t, a in everything
            if t == "meta" and "content" in a and ({"property", "name", "itemprop"} & set(a))
        ],
        [a for t, a in everything if t == "link" and "rel" in a and "href" in a],
        [
            a
            for t, a in everything
            if t == "script"
            and (a.get("type") or "").isascii()  # ASCII case-insensitive, as in HTML
            and (a.get("type") or "").lower() == "application/ld+json"
        ],
    )
    found = tuple([n.attributes for n in group] for group in _declaring_elements(tree))
    assert found == expected


def test_canonical_url_keeps_ipv6_brackets_and_an_unreadable_port() -> None:
    assert canonicalize_url("http://[::1]:8000/a/b") == "http://[::1]:8000/a/b/"
    assert canonicalize_url("http://[::1]:80/a/") == "http://[::1]/a/"
    assert canonicalize_url("http://Host:abc/a/") == "http://host:abc/a/"
    assert canonicalize_url("http://host:99999/a/") == "http://host:99999/a/"


def test_one_link_that_is_no_url_costs_neither_the_body_nor_the_comments() -> None:
    page = """<html><body class="postid-9"><article id="post-9">
    <div class="entry-content"><p>本文</p>
    <p>関連記事:<a href="http://[oops/">壊れたリンク</a> <a href="/cat/other/">他の記事</a></p>
    <p>参考:<a href="http://[oops/">出典元</a></p></div>
    <div class="nav-links"><a class="c-entry-nav__item--prev" href="http://[x/">前</a></div>
    </article><ol class="comment-list">
    <li id="comment-5" class="comment"><div class="comment-author vcard">
    <a class="url" href="http://[oops">Bob</a></div>
    <div class="comment-content"><p>hi</p></div></li></ol></body></html>"""
    article = parse_article_page(article_response(page), get_profile("wordpress"))
    assert [a for a in article.anomalies if "parser error" in a.problem] == []
    assert article.body_text.startswith("本文")
    assert [(r.url, r.anchor_text) for r in article.inline_links] == [
        (f"{BASE}/cat/other/", "他の記事")
    ]
    assert [(s.label, s.url) for s in article.sources] == [("出典元", None)]
    assert article.previous is None
    assert [(c.comment_id, c.author, c.author_url, c.body_text) for c in article.comments] == [
        (5, "Bob", "http://[oops", "hi")
    ]


def test_listing_skips_a_link_that_is_no_url() -> None:
    page = """<html><body><main>
    <article class="post"><h2 class="entry-title"><a href="http://[oops/">x</a></h2></article>
    <article class="post"><h2 class="entry-title"><a href="/cat/one/">1</a></h2></article>
    </main></body></html>"""
    listing = parse_listing_page(article_response(page, f"{BASE}/page/2/"), GF)
    assert listing == Listing(article_urls=[f"{BASE}/cat/one/"], next_page_url=None)


@pytest.mark.parametrize(
    ("declared", "url"),
    [("http://[oops/", f"{BASE}/cat/post/"), ("http://host:abc/cat/p", "http://host:abc/cat/p/")],
)
def test_a_declared_canonical_url_that_is_no_url_does_not_lose_the_page(
    declared: str, url: str
) -> None:
    page = f'<html><head><link rel="canonical" href="{declared}"></head><body></body></html>'
    assert parse_article_page(article_response(page), GF).url == url


def test_ids_match_exactly_even_in_quirks_mode() -> None:
    """A page without a doctype matches "#id" ignoring case in lexbor; ids stay exact."""
    tree = parse_html('<div id="Comment_Area"><p class="x">a</p></div><div id="1st">b</div>')
    find = Finder(tree.root)
    assert find.run(find.root, "#comment_area .x") == []
    assert [n.text() for n in find.run(find.root, "#Comment_Area .x")] == ["a"]
    assert [n.text() for n in find.run(find.root, "#1st")] == ["b"]  # not a CSS identifier


@pytest.mark.parametrize(
    "body",
    [
        "<p>空母 ok</p>".encode(),
        b"\xef\xbb\xbf<p>byte order mark</p>",
        b"<p>a\xff\xfeb</p>",  # bytes that are never UTF-8
        b"<p>cut\xe3\x81</p>",  # a character cut short
        b"<p>end\xe3\x81",  # ... at the end of the page
        b"<p>\xed\xa0\x80 surrogate, \xc0\xaf overlong, \xf4\x90\x80\x80 beyond U+10FFFF</p>",
        b"<p>\xf0\x9f\x98\x80 \xf0\x9f\x98 \x80\x80 \xe3\x81\x41</p>",
        b"<p>\x00nul</p>",
    ],
)
def test_utf8_bytes_give_the_tree_of_scrapys_text(body: bytes) -> None:
    """A UTF-8 page is parsed from its bytes: the tree must be that of ``response.text``."""
    response = HtmlResponse(
        url="http://127.0.0.1/", body=body, headers={"Content-Type": "text/html; charset=utf8"}
    )
    assert parse_document(response).html == parse_html(response.text).html


def test_other_charsets_are_parsed_from_scrapys_text() -> None:
    page = "<html><head><meta charset=shift_jis></head><body><p>空母いぶき</p></body></html>"
    response = HtmlResponse(url="http://127.0.0.1/", body=page.encode("shift_jis"))
    assert response.encoding == "cp932"
    assert parse_document(response).css_first("p").text() == "空母いぶき"


def _head_padding(characters: int) -> str:
    return f"<title>{'空' * characters}</title>"


@pytest.mark.parametrize(
    ("head", "charset"),
    [
        ("", "utf-8"),
        ('<base href="/base/dir/">', "utf-8"),
        ('<base target="_top"><base href="http://example.org/x/">', "utf-8"),
        (_head_padding(4000) + '<base href="/late/">', "utf-8"),  # inside the first 4,096
        (_head_padding(4100) + '<base href="/too-late/">', "utf-8"),  # beyond: ignored
        ('<base href="/sjis/">', "shift_jis"),
    ],
)
def test_base_url_is_scrapys(head: str, charset: str) -> None:
    page = f"<html><head>{head}</head><body><a href='a'>空母</a></body></html>"
    body = page.encode(charset)
    for raw in (body, codecs.BOM_UTF8 + body) if charset == "utf-8" else (body,):
        response = HtmlResponse(
            url="http://127.0.0.1:8000/news/post/",
            body=raw,
            headers={"Content-Type": f"text/html; charset={charset}"},
        )
        assert base_url(response) == get_base_url(response)


def test_comments_in_a_list_no_profile_knows_are_found_by_their_ids() -> None:
    """No known comment list: the outermost li#comment-N are the thread's top level."""
    comment = (
        '<li id="comment-{n}"><div class="comment-author"><b class="fn">{author}</b></div>'
        '<div class="comment-content"><p>{text}</p></div>{replies}</li>'
    )
    reply = comment.format(n=12, author="返信者", text="同意します", replies="")
    thread = comment.format(n=11, author="最初", text="空母の話", replies=f"<ul>{reply}</ul>")
    other = comment.format(n=13, author="別人", text="戦車の話", replies="")
    page = f"<html><body><div class='thread'><ul>{thread}{other}</ul></div></body></html>"
    comments = parse_article_page(article_response(page.encode()), GF).comments
    assert [(c.comment_id, c.parent_id, c.depth, c.author, c.body_text) for c in comments] == [
        (11, None, 1, "最初", "空母の話"),
        (12, 11, 2, "返信者", "同意します"),
        (13, None, 1, "別人", "戦車の話"),
    ]
