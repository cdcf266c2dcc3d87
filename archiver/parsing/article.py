"""Parse one article page (or one of its comment pages) into an :class:`Article`.

Pure: the result depends only on the response and the profile. Each part of the page
is read by the profile's selectors first and WordPress' generic markup second; what
cannot be read becomes ``None`` plus an :class:`~archiver.items.Anomaly`, and an
unexpected error in one part is recorded as an anomaly instead of losing the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit

from scrapy.http import TextResponse
from selectolax.lexbor import LexborHTMLParser

from archiver.items import Anomaly, Article, Tag
from archiver.parsing.body import parse_body
from archiver.parsing.comments import parse_comments
from archiver.parsing.document import Node, base_url, parse_document, same
from archiver.parsing.headline import (
    headline,
    modified_element,
    published_element,
    published_text_beside,
)
from archiver.parsing.metadata import (
    PageMetadata,
    json_ld_list,
    json_ld_text,
    post_id_of,
    read_metadata,
)
from archiver.parsing.navigation import (
    adjacent,
    comment_count_shown,
    comment_page_urls,
    current_comment_page,
    related_articles,
)
from archiver.parsing.select import Finder, attr
from archiver.parsing.text import inline_text, shown_text
from archiver.parsing.unread import unread_thread
from archiver.parsing.urls import article_url_of, canonicalize_url
from archiver.sites import DEFAULT_PROFILE, SiteProfile

GENERIC_ARTICLE_ROOT = (
    "article[id^=post-]",
    "article.hentry",
    ".hentry",
    "article.type-post",
    "article.post",
    "article.p-entry",
    ".p-entry",
)
GENERIC_CATEGORY = (
    "a[rel~=category]",
    ".cat-links a",
    ".p-entry__cat a",
    "a.p-entry__cat",
    "a.p-article__cat",
    "header a[href*='/category/']",
)
GENERIC_TAGS = ("a[rel=tag]", ".tags-links a", ".post-tags a", ".p-entry__tag a")
GENERIC_AUTHOR = (".author.vcard .fn", ".byline .author", "a[rel=author]", ".entry-author-name")
GENERIC_BODY = (
    ".entry-content",
    ".p-entry__body",
    ".post_content",
    ".post-content",
    "[itemprop=articleBody]",
    ".article-body",
    ".entry-body",
    ".postContents",
    ".entry",
    "[class*=entry__content]",  # BEM: Arkhe's p-entry__content, Snow Monkey's c-entry__content
)


@contextmanager
def _guard(part: str, url: str, anomalies: list[Anomaly]) -> Iterator[None]:
    """Record an unexpected error in one part of the page as an anomaly and go on."""
    try:
        yield
    except Exception as exc:  # an archive keeps the rest of the page whatever happens
        anomalies.append(Anomaly(f"article.{part}", None, f"parser error: {exc!r}", url))


def parse_article_page(response: TextResponse, profile: SiteProfile | None = None) -> Article:
    """The article, its comments on this page and the other comment pages to fetch."""
    return read_article(response, parse_document(response), profile or DEFAULT_PROFILE)


def read_article(response: TextResponse, tree: LexborHTMLParser, profile: SiteProfile) -> Article:
    """:func:`parse_article_page` on the page's already parsed tree (which it may read only)."""
    response_url = canonicalize_url(response.url)
    anomalies: list[Anomaly] = []
    root = tree.root
    find = Finder(root, base_url(response))
    metadata = PageMetadata()
    with _guard("metadata", response_url, anomalies):
        metadata = read_metadata(tree, response_url, anomalies)
    declared = metadata.link_first("canonical") or metadata.meta_first("og:url")
    article = Article(
        url=article_url_of(find.absolute(declared) or response.url), site=profile.name
    )
    article_root = find.first(root, profile.article_root + GENERIC_ARTICLE_ROOT)
    scope = article_root if article_root is not None else root

    with _guard("post_id", response_url, anomalies):
        article.post_id = post_id_of(tree, article_root, metadata)
    with _guard("title", response_url, anomalies):
        article.title = headline(find, scope, profile, metadata)
    with _guard("category", response_url, anomalies):
        _category(article, find, scope, profile, metadata)
    with _guard("tags", response_url, anomalies):
        article.tags = _tags(find, scope, profile, metadata)
    with _guard("dates", response_url, anomalies):
        _dates(article, find, scope, profile, metadata)
    with _guard("author", response_url, anomalies):
        article.author = _author(find, scope, profile, metadata)
    with _guard("body", response_url, anomalies):
        body = find.first(scope, profile.body + GENERIC_BODY)
        if body is None:
            anomalies.append(Anomaly("article.body", None, "no article body found", response_url))
        else:
            content = parse_body(body, profile, find)
            article.body_text, article.body_html = content.text, content.html
            article.sources, article.credits = content.sources, content.credits
            article.eyecatch_credit = content.eyecatch_credit
            article.inline_links = content.inline_links
    with _guard("previous", response_url, anomalies):
        article.previous = adjacent(find, scope, profile, "prev")
    with _guard("next", response_url, anomalies):
        article.next = adjacent(find, scope, profile, "next")
    with _guard("related", response_url, anomalies):
        article.related = related_articles(find, profile, response_url, anomalies)
    with _guard("comment_count", response_url, anomalies):
        article.comment_count_shown = comment_count_shown(
            find, profile, metadata, response_url, anomalies
        )
    with _guard("comment_page", response_url, anomalies):
        article.comment_page = current_comment_page(find, profile, response.url)
        article.comment_page_urls = comment_page_urls(
            find, profile, article.url, response.url, article.comment_page
        )
    with _guard("comments", response_url, anomalies):
        article.comments, article.pingbacks = parse_comments(
            find, profile, article.comment_page, response_url, anomalies
        )
    with _guard("comments", response_url, anomalies):
        anomalies.extend(unread_thread(find, article, response_url))

    if article.post_id is None:
        anomalies.append(Anomaly("article.post_id", None, "no WordPress post id", response_url))
    if article.title is None:
        anomalies.append(Anomaly("article.title", None, "no title found", response_url))
    if article.published_raw is None and article.published_attr is None:
        anomalies.append(Anomaly("article.published", None, "no publication date", response_url))
    article.anomalies = anomalies
    return article


def _slug_of(href: str | None, marker: str) -> str | None:
    """The slug in ``…/<marker>/<parent>/<slug>/``: the last path segment after ``marker``."""
    if not href:
        return None
    segments = [s for s in urlsplit(href.strip()).path.split("/") if s]
    if marker in segments:
        segments = segments[segments.index(marker) + 1 :]
    return unquote(segments[-1]) if segments else None


_CATEGORY_CLASS = re.compile(r"(?:^|\s)category-(\S+)")


def _category(
    article: Article,
    find: Finder,
    scope: Node,
    profile: SiteProfile,
    metadata: PageMetadata,
) -> None:
    link = find.first(scope, profile.category_links + GENERIC_CATEGORY)
    if link is not None:
        article.category = inline_text(link) or None
        article.category_slug = _slug_of(attr(link, "href"), "category")
        return
    section = json_ld_list(metadata.json_ld.get("articleSection"))
    article.category = metadata.meta_first("article:section") or (section[0] if section else None)
    match = _CATEGORY_CLASS.search(scope.attrs.get("class") or "")
    article.category_slug = unquote(match.group(1)) if match else None


def _tags(find: Finder, scope: Node, profile: SiteProfile, metadata: PageMetadata) -> list[Tag]:
    tags: list[Tag] = []
    seen: set[str] = set()
    for link in find.all(scope, profile.tag_links + GENERIC_TAGS):
        name = inline_text(link)
        if name and name not in seen:
            seen.add(name)
            tags.append(Tag(name, _slug_of(attr(link, "href"), "tag")))
    if tags:
        return tags
    names = [v.strip() for v in metadata.meta.get("article:tag", []) if v.strip()]
    names = names or json_ld_list(metadata.json_ld.get("keywords"))
    return [Tag(name) for name in dict.fromkeys(names)]


def _time_of(element: Node | None) -> tuple[str | None, str | None]:
    """Displayed text and machine attribute of a date element."""
    if element is None:
        return None, None
    value = attr(element, "datetime") or attr(element, "content")
    if value is None:
        times = [t for t in element.css("time[datetime]") if not same(t, element)]  # inside it
        value = attr(times[0], "datetime") if times else None
    return shown_text(element) or None, (value or "").strip() or None


def _dates(
    article: Article,
    find: Finder,
    scope: Node,
    profile: SiteProfile,
    metadata: PageMetadata,
) -> None:
    """Displayed dates; the machine value falls back to article: meta, then JSON-LD."""
    published = published_element(find, scope, profile)
    modified = modified_element(find, scope, profile, published)
    article.published_raw, article.published_attr = _time_of(published)
    article.modified_raw, article.modified_attr = _time_of(modified)
    if published is None and modified is not None:
        # Only the modified time is machine-readable: the published date is the text shown,
        # in the element itself (its text names another day than its datetime) or beside it.
        shown = published_text_beside(modified, article.modified_raw, article.modified_attr)
        if shown is not None:
            article.published_raw = shown
            if shown == article.modified_raw:
                article.modified_raw = None
    article.published_attr = (
        article.published_attr
        or metadata.meta_first("article:published_time")
        or json_ld_text(metadata.json_ld.get("datePublished"))
    )
    article.modified_attr = (
        article.modified_attr
        or metadata.meta_first("article:modified_time", "og:updated_time")
        or json_ld_text(metadata.json_ld.get("dateModified"))
    )


def _author(find: Finder, scope: Node, profile: SiteProfile, metadata: PageMetadata) -> str | None:
    name = inline_text(find.first(scope, profile.author + GENERIC_AUTHOR))
    if name:
        return name
    return json_ld_text(metadata.json_ld.get("author")) or metadata.meta_first("author")
