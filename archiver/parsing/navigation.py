"""Links around the article: previous/next post, the 関連記事 block, the comment pager
and the comment count the page displays.

Sidebar and ranking lists are never read: related articles come only from the related
block's own items.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from archiver.items import Anomaly, ArticleRef, RelatedArticle
from archiver.parsing.document import Node, same
from archiver.parsing.metadata import PageMetadata
from archiver.parsing.select import Finder, attr
from archiver.parsing.text import inline_text
from archiver.parsing.urls import article_url_of, canonicalize_url, comment_page_of
from archiver.sites.profile import SiteProfile

GENERIC_PREVIOUS = (
    ".post-navigation .nav-previous a",
    "nav.navigation.post-navigation a[rel=prev]",
    ".c-entry-nav__item--prev",
    ".p-entry-nav__item--prev",
    "#nav-above .nav-previous a",
    "#nav-below .nav-previous a",
    ".navigation .nav-previous a[rel=prev]",
)
GENERIC_NEXT = (
    ".post-navigation .nav-next a",
    "nav.navigation.post-navigation a[rel=next]",
    ".c-entry-nav__item--next",
    ".p-entry-nav__item--next",
    "#nav-above .nav-next a",
    "#nav-below .nav-next a",
    ".navigation .nav-next a[rel=next]",
)
GENERIC_NAV_TITLE = (".c-entry-nav__title", ".post-title", ".nav-title")
GENERIC_NAV_LABELS = ("前のページ", "次のページ", "前の記事", "次の記事", "前の投稿", "次の投稿")
_NAV_ARROWS = " \u00ab\u00bb\u2039\u203a\u2190\u2192<>|:"
GENERIC_RELATED_ITEMS = (".p-related__item", ".jp-relatedposts-post", ".yarpp-related li")
GENERIC_RELATED_TITLE = (".p-related__title", ".jp-relatedposts-post-title", "h3", "h4")
GENERIC_RELATED_CATEGORY = (".p-related__cat", ".jp-relatedposts-post-context")
GENERIC_RELATED_EXCERPT = (".p-related__excerpt", ".jp-relatedposts-post-excerpt")
GENERIC_COMMENT_COUNT = (
    ".comments-title",
    "#comments-title",
    ".c-comment__title",
    ".p-comment__title",
)
GENERIC_PAGERS = (
    ".comment-navigation",
    ".comments-pagination",
    "nav.comment-pagination",
    ".c-comment__pager",
    ".p-comment__pager",
)
GENERIC_PAGER_CURRENT = tuple(f"{pager} .current" for pager in GENERIC_PAGERS)
_QUOTED_TITLE = re.compile(r"「.*」|“.*”|\".*\"", re.DOTALL)
_COUNT_PATTERNS = (
    re.compile(r"(\d[\d,]*)\s*件"),
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
    for item in find.all(find.root, profile.related_items + GENERIC_RELATED_ITEMS):
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


def comment_count_shown(
    find: Finder,
    profile: SiteProfile,
    metadata: PageMetadata,
    url: str,
    anomalies: list[Anomaly],
) -> int | None:
    """The comment count the page displays; else the count its JSON-LD declares."""
    element = find.first(find.root, profile.comment_count + GENERIC_COMMENT_COUNT)
    if element is not None:
        raw = inline_text(element)
        text = _QUOTED_TITLE.sub("", raw)  # a title in 「」 may hold numbers of its own
        for pattern in _COUNT_PATTERNS:
            match = pattern.search(text)
            if match:
                return int(match.group(1).replace(",", ""))
        anomalies.append(Anomaly("article.comment_count", raw, "no number in comment count", url))
        return None
    declared = metadata.json_ld.get("commentCount")
    if isinstance(declared, int) and not isinstance(declared, bool):
        return declared
    if isinstance(declared, str) and declared.strip().isdigit():
        return int(declared.strip())
    return None


def current_comment_page(find: Finder, profile: SiteProfile, response_url: str) -> int:
    """The comment page shown: the pager's current number, else the URL's, else 1."""
    # The pagers first: a pager that is not on the page rules out its ".current" without
    # another walk of the page (the Finder remembers what matched nothing).
    find.all(find.root, profile.comment_pager + GENERIC_PAGERS)
    current = find.first(find.root, profile.comment_pager_current + GENERIC_PAGER_CURRENT)
    if current is not None:
        digits = re.sub(r"\D", "", inline_text(current))
        if digits:
            return int(digits)
    return comment_page_of(response_url) or 1


def comment_page_urls(
    find: Finder, profile: SiteProfile, article_url: str, response_url: str, page: int
) -> list[str]:
    """Canonical URLs of the other comment pages the pager links to, in pager order."""
    own = canonicalize_url(response_url)
    article_path = urlsplit(article_url).path
    urls: list[str] = []
    for pager in find.all(find.root, profile.comment_pager + GENERIC_PAGERS):
        for link in pager.css("a"):
            raw = (attr(link, "href") or "").strip()
            if not raw or raw.startswith(("#", "javascript:")):
                continue
            href = find.absolute(raw)
            target = canonicalize_url(href)
            # Paths, not whole URLs: rel=canonical may name another host than the one
            # serving the page (a mirror, a local copy), and the pager links are fetched.
            if urlsplit(article_url_of(target)).path != article_path or target == own:
                continue
            if comment_page_of(target) == page or target in urls:
                continue
            urls.append(target)
    return urls
