"""Links around the article: previous/next post, the 関連記事 block, the comment pager
and the comment count the page displays.

Sidebar and ranking lists are never read: related articles come only from the related
block's own items.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from archiver.items import Anomaly, ArticleRef, RelatedArticle
from archiver.parsing.document import Node, holds, same, tag_id_of
from archiver.parsing.metadata import PageMetadata
from archiver.parsing.select import Finder, attr
from archiver.parsing.text import inline_text
from archiver.parsing.thread import THREAD_SCAN, in_widget_area
from archiver.parsing.urls import article_url_of, canonicalize_url, comment_page_of
from archiver.sites.profile import SiteProfile

# Core's the_post_navigation, block themes' post-navigation-link, then themes' own blocks.
GENERIC_PREVIOUS = (
    ".post-navigation .nav-previous a",
    "nav.navigation.post-navigation a[rel=prev]",
    ".post-navigation-link-previous a",
    ".c-entry-nav__item--prev",
    ".p-entry-nav__item--prev",
    "#nav-above .nav-previous a",
    "#nav-below .nav-previous a",
    ".navigation .nav-previous a[rel=prev]",
    ".p-pnLinks__item.-prev a",
    "a.prev-post",
    "a.previous-post",
    ".next-prev-prev a",
    "#previous_post a",
    ".prevNext__item-prev a",
    ".np-prev a",
    "a[rel=prev]",
    # A "prev" modifier class on the item (Arkhe's -prev, whose links carry
    # rel="http://prev"; yStandard's is-prev, whose links carry no rel).
    ".-prev a[href]",
    ".is-prev a[href]",
    "a.prev[href]:not(.page-numbers)",  # JIN's card; paginate_links' a.prev is no article
)
GENERIC_NEXT = (
    ".post-navigation .nav-next a",
    "nav.navigation.post-navigation a[rel=next]",
    ".post-navigation-link-next a",
    ".c-entry-nav__item--next",
    ".p-entry-nav__item--next",
    "#nav-above .nav-next a",
    "#nav-below .nav-next a",
    ".navigation .nav-next a[rel=next]",
    ".p-pnLinks__item.-next a",
    "a.next-post",
    ".next-prev-next a",
    "#next_post a",
    ".prevNext__item-next a",
    ".np-next a",
    "a[rel=next]",
    ".-next a[href]",
    ".is-next a[href]",
    "a.next[href]:not(.page-numbers)",
)
GENERIC_NAV_TITLE = (
    ".c-entry-nav__title",
    ".post-title",
    ".nav-title",
    ".p-pnLinks__title",
    ".vk_post_title",
    ".prev-post-title",
    ".next-post-title",
    ".prevNext__title",
)
GENERIC_NAV_LABELS = (
    "前のページ",
    "次のページ",
    "前の記事",
    "次の記事",
    "前の投稿",
    "次の投稿",
    "Previous Post",
    "Next Post",
    "Previous post:",
    "Next post:",
    "Previous",
    "Next",
    "PREV",
    "NEXT",
    "Prev",
    "前へ",
    "次へ",
    "古い投稿",
    "新しい投稿",
    "古い記事",
    "新しい記事",
)
_NAV_ARROWS = " \u00ab\u00bb\u2039\u203a\u2190\u2192<>|:"
# YARPP, Jetpack Related Posts, Contextual Related Posts, then themes' own blocks. Never
# sidebar lists (人気記事, 最近の投稿, ランキング): items in a widget area are skipped.
GENERIC_RELATED_ITEMS = (
    ".p-related__item",
    ".jp-relatedposts-post",
    ".yarpp-related li",
    "a.yarpp-thumbnail",
    ".crp_related li",
    "a.related-entry-card-wrap",
    ".-related .p-postList__item",
    ".p-entry__related-item",
    "#related_post li",
    ".related-posts article",  # Habakiri's summary cards, whose meta lines are lists
    ".related-posts li",
    ".related_post li",
    ".kanren dl",
    ".related li",
    "#related li",
)
_A = tag_id_of("a")
_PAGE_HREF = re.compile(r"comment-page-|cpage=")  # (the scan also finds ids such as a#cancel-…)
_RELATED_BLOCKS = "[class*=related], [id*=related]"
_HEADINGS = "h2, h3, h4"
_RELATED_HEADINGS = frozenset(
    {"関連記事", "関連する記事", "関連投稿", "related posts", "related articles", "related"}
)
GENERIC_RELATED_TITLE = (
    ".p-related__title",
    ".jp-relatedposts-post-title",
    ".related-entry-card-title",
    ".p-postList__title",
    ".yarpp-thumbnail-title",
    ".crp_title",
    ".kanren-t",
    "h3",
    "h4",
    "h5",
    "[class*=title]",  # yStandard's p.ys-posts__title, after a thumbnail link without text
)
GENERIC_RELATED_CATEGORY = (".p-related__cat", ".jp-relatedposts-post-context")
GENERIC_RELATED_EXCERPT = (".p-related__excerpt", ".jp-relatedposts-post-excerpt")
GENERIC_COMMENT_COUNT = (
    ".comments-title",
    "#comments-title",
    ".wp-block-comments-title",
    ".c-comment__title",
    ".p-comment__title",
    ".p-commentArea__title",
    ".wpd-thread-info",
    ".comments-header h2",
    ".comments_intro",
    "#comment_switch",
    ".c-comment__tab-item.is-active",
    "h1#comments",
    "h2#comments",
    "h3#comments",
    "#comments h2",
    "#comments h3",
    ".comment-count",  # a count beside the post's dates (Simplicity)
    ".entry-header .entry-comments-link",  # the post info line's "5 Comments" (Genesis)
)
GENERIC_PAGERS = (
    ".comment-navigation",
    ".comments-pagination",
    "nav.comment-pagination",
    ".wp-block-comments-pagination",
    ".c-comment__pager",
    ".p-comment__pager",
    ".p-commentArea__pager",
    ".comment-page-link",
)

_QUOTED_TITLE = re.compile(r"「.*」|“.*”|\".*\"", re.DOTALL)
_COUNT_PATTERNS = (
    re.compile(r"(\d[\d,]*)\s*件"),
    re.compile(r"(\d[\d,]*)\s*(?:個の)?コメント"),
    re.compile(r"[((]\s*(\d[\d,]*)\s*[))]"),
    re.compile(r"(\d[\d,]*)\s*(?:comments?|responses?|thoughts?|replies|reactions?)", re.I),
    re.compile(r"^\s*(\d[\d,]*)\s*$"),
)


def adjacent(find: Finder, scope: Node, profile: SiteProfile, direction: str) -> ArticleRef | None:
    """The previous or next article (``direction`` is "prev" or "next"), title without label.

    Looked for inside the article first (where TCD themes put it), then in the page.
    """
    selectors = (
        profile.previous_link + GENERIC_PREVIOUS
        if direction == "prev"
        else profile.next_link + GENERIC_NEXT
    )
    link = find.first(scope, selectors)
    if link is None and not same(scope, find.root):
        link = find.first(find.root, selectors)
    href = find.absolute(attr(link, "href")) if link is not None else ""
    if link is not None and href:
        title_element = find.first(link, profile.nav_title + GENERIC_NAV_TITLE)
        if title_element is not None:
            title = inline_text(title_element)
        else:
            title = _strip_labels(inline_text(link), profile.nav_labels + GENERIC_NAV_LABELS)
        if not title:  # a label or a picture only: the link's title, or the picture's alt
            image = link.css_first("img[alt]")
            title = (attr(link, "title") or (attr(image, "alt") if image else "") or "").strip()
        return ArticleRef(canonicalize_url(href), title or None)
    # WordPress' adjacent_posts_rel_link: <link rel="prev" title="…" href="…">
    # (rel values match case-sensitively, "s", as everywhere else in the engine)
    head = find.first(find.root, (f'html > head > link[rel="{direction}" s][href]',))
    href = find.absolute(attr(head, "href")) if head is not None else ""
    if head is not None and href:
        return ArticleRef(canonicalize_url(href), attr(head, "title") or None)
    return None


def _strip_labels(text: str, labels: tuple[str, ...]) -> str:
    for label in labels:
        if text.endswith(label):
            text = text[: -len(label)]
        if text.startswith(label):
            text = text[len(label) :]
    return text.strip(_NAV_ARROWS)


def related_articles(
    find: Finder, profile: SiteProfile, url: str, anomalies: list[Anomaly]
) -> list[RelatedArticle]:
    """The entries of the related-articles block, in displayed order."""
    related = []
    items = find.all(find.root, profile.related_items + GENERIC_RELATED_ITEMS)
    widgets: dict[int, bool] = {}
    items = [item for item in items if not in_widget_area(item, widgets)]
    items = items or _items_of_a_related_block(find)
    for item in items:
        link = find.first(item, profile.related_link + ("a[href]",))
        href = find.absolute(attr(link, "href")) if link is not None else ""
        if not href:
            anomalies.append(
                Anomaly("article.related", inline_text(item)[:200], "related item has no link", url)
            )
            continue
        title_element = find.first(item, profile.related_title + GENERIC_RELATED_TITLE)
        category_element = find.first(item, profile.related_category + GENERIC_RELATED_CATEGORY)
        excerpt_element = find.first(item, profile.related_excerpt + GENERIC_RELATED_EXCERPT)
        title = inline_text(title_element if title_element is not None else link)
        related.append(
            RelatedArticle(
                position=len(related) + 1,
                url=canonicalize_url(href),
                title=title or None,
                category=inline_text(category_element) or None
                if category_element is not None
                else None,
                excerpt=inline_text(excerpt_element) or None
                if excerpt_element is not None
                else None,
            )
        )
    return related


def _items_of_a_related_block(find: Finder) -> list[Node]:
    """The entries of the first block named "related" (class or id), outside the widgets:
    its outermost list items or articles (not the lists inside an entry, such as its
    meta line); else the list under a heading that says so. For themes whose related
    block no selector knows."""
    for block in find.run(find.root, _RELATED_BLOCKS):
        if not _names_related(block) or in_widget_area(block):
            continue
        items = _outermost(block.css("li, article"))  # a card's meta line is a list too
        if items:
            return items
    return _items_under_a_related_heading(find)


def _outermost(items: list[Node]) -> list[Node]:
    """``items`` (in document order) without those inside another of them."""
    kept: list[Node] = []
    for item in items:
        if not kept or not holds(kept[-1], item):
            kept.append(item)
    return kept


def _items_under_a_related_heading(find: Finder) -> list[Node]:
    """The items of the list right after a heading reading 関連記事 / "Related posts",
    outside the widgets (BizVektor names its block by nothing else)."""
    for heading in find.run(find.root, _HEADINGS):
        if inline_text(heading).casefold() not in _RELATED_HEADINGS or in_widget_area(heading):
            continue
        following = heading.next
        while following is not None and (following.tag or "-")[0] == "-":
            following = following.next  # text and comments between
        if following is None:
            continue
        if following.tag not in ("ul", "ol"):
            following = following.css_first("ul, ol")
        if following is not None:
            return _outermost(following.css("li"))
    return []


def _names_related(element: Node) -> bool:
    names = (element.attrs.get("class") or "").lower().split() + [(element.id or "").lower()]
    return any(
        "related" in name and not name.startswith(("category-", "tag-", "categoryid"))
        for name in names
    )


def comment_count_shown(
    find: Finder,
    profile: SiteProfile,
    metadata: PageMetadata,
    url: str,
    anomalies: list[Anomaly],
) -> int | None:
    """The comment count the page displays; else the count its JSON-LD declares.

    The first candidate showing a number wins. A profile's count element without a
    number is an anomaly; a generic heading without one ("Comments") is just a heading.
    """
    for index, selector in enumerate(profile.comment_count + GENERIC_COMMENT_COUNT):
        for element in find.run(find.root, selector):
            raw = inline_text(element)
            count = _count_in(raw)
            if count is not None:
                return count
            if index < len(profile.comment_count):
                anomalies.append(
                    Anomaly("article.comment_count", raw, "no number in comment count", url)
                )
                return None
    declared = metadata.json_ld.get("commentCount")
    if isinstance(declared, int) and not isinstance(declared, bool):
        return declared
    if isinstance(declared, str) and declared.strip().isdigit():
        return int(declared.strip())
    return None


def _count_in(raw: str) -> int | None:
    text = _QUOTED_TITLE.sub("", raw)  # a title in 「」 may hold numbers of its own
    for pattern in _COUNT_PATTERNS:
        match = pattern.search(text)
        if match:
            return int(match.group(1).replace(",", ""))
    return None


def _comment_page_links(find: Finder) -> list[Node]:
    """Every link of the page to a comment page (the pagers' links among them), found
    once a page for both the page number and the other pages' URLs."""

    def links() -> list[Node]:
        return [
            node
            for node in find.scan_once(THREAD_SCAN)
            if node.tag_id == _A and _PAGE_HREF.search(node.attrs.get("href") or "")
        ]

    return find.once("comment page links", links)


def current_comment_page(find: Finder, profile: SiteProfile, response_url: str) -> int:
    """The comment page shown: the pager's current number, else the URL's, else 1.

    A page with no link to another comment page has no pager to read (a thread of one
    page), which spares the page walks of the pager selectors.
    """
    current = None
    links = _comment_page_links(find)
    if links:
        current = find.first(find.root, profile.comment_pager_current)
        if current is None:  # the current page number inside a pager found on the page
            pagers = find.all(find.root, profile.comment_pager + GENERIC_PAGERS)
            current = next((c for p in pagers if (c := p.css_first(".current")) is not None), None)
        if current is None:  # a pager of unknown name: core's span.current beside its links
            parents = {link.parent.mem_id: link.parent for link in links if link.parent}
            current = next(
                (c for p in parents.values() if (c := p.css_first(".current")) is not None), None
            )
    if current is not None:
        digits = re.sub(r"\D", "", inline_text(current))
        if digits:
            return int(digits)
    return comment_page_of(response_url) or 1


def comment_page_urls(
    find: Finder, profile: SiteProfile, article_url: str, response_url: str, page: int
) -> list[str]:
    """Canonical URLs of the other comment pages the page links to, in page order.

    Any link to a ``/comment-page-N/`` or ``?cpage=N`` page of this article counts,
    whatever the pager looks like (core's pagers, "Older Comments" in the old
    ``div.navigation``, themes' own).
    """
    own = canonicalize_url(response_url)
    article_key = _page_key(article_url)
    urls: list[str] = []
    for link in _comment_page_links(find):
        raw = (attr(link, "href") or "").strip()
        if not raw or raw.startswith(("#", "javascript:")):
            continue
        target = canonicalize_url(find.absolute(raw))
        # Paths, not whole URLs: rel=canonical may name another host than the one
        # serving the page (a mirror, a local copy), and the pager links are fetched.
        if _page_key(target) != article_key or target == own:
            continue
        if comment_page_of(target) in (page, None) or target in urls:
            continue
        urls.append(target)
    return urls


def _page_key(url: str) -> str:
    """The article a URL belongs to, host aside: path and query of its article URL."""
    parts = urlsplit(article_url_of(url))
    return f"{parts.path}?{parts.query}"
