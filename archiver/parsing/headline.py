"""The article's headline as the page shows it, and its publication and modification dates.

The headline is the ``h1``/``h2`` of the article, not the SEO ``<title>``: a theme's
heading first (``h1.entry-title``, block themes' ``h1.wp-block-post-title``, SWELL's
``h1.c-postTitle__ttl`` …), then any ``h1`` of the article. Only when the page has none
does the engine fall back on JSON-LD ``headline``, ``og:title`` and ``<title>``, with the
site name taken off: the name comes from ``og:site_name``, else from the page's own
site title (``.site-title``, the home link, ``application-name``), so a fallback
``記事 | サイト名`` loses its suffix even without ``og:site_name``.

Dates: the published date is the element a theme marks as published (``time.published``,
``entry-date``, ``aria-label="公開日"`` …) but never one marked ``updated``/``modified``
alone: themes print ``<time class="entry-date updated">`` for the modification time,
and taking it for the publication is the classic error. When only the modified time is
machine-readable, the published date stays the text shown (normalized later).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain

from archiver.normalize.dates import parse_japanese_date
from archiver.parsing.document import Node, holds, same
from archiver.parsing.metadata import PageMetadata, json_ld_text
from archiver.parsing.select import Finder, attr, has_class
from archiver.parsing.text import collapse_spaces, inline_text
from archiver.sites.profile import SiteProfile

GENERIC_TITLE = (
    "h1.entry-title",
    "h1.p-entry__title",
    "h1.wp-block-post-title",
    "h1.c-postTitle__ttl",
    "h1.post-title",
    "h1[itemprop=headline]",
    ".entry-title",
    "h1",
    "h2.entry-title",
)
_SITE_NAMES = (
    ".site-title",
    "#site-title",
    ".site-name",
    ".site-name-text",
    "#site-name",
    ".logo-text",
    ".c-headLogo__link",
    "a[rel~=home]",
)
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", "|", " ｜ ", "｜", " : ", " :: ", " « ", " » ")
_HEAD_TITLE = "head > title"

GENERIC_PUBLISHED = (
    "time.entry-date.published",
    "time.published",
    ".p-entry__date time",
    "time.p-entry__date",
    "time[itemprop=datePublished]",
    "[itemprop=datePublished]",
    ".c-postTimes__posted",
    "[aria-label=公開日]",
    ".entry-meta-item-date .published",
    ".posted-on time",
    ".wp-block-post-date time",
    "time.entry-date",
    ".entry-meta .entry-date",
    ".entry-date",
    ".post-date",
    ".published",
    ".date",
    # Themes that tell the two dates apart only by a modifier class (Arkhe's
    # time.-posted / time.-modified) or by the class of the item holding the time
    # (Snow Monkey's li.c-meta__item--published > time).
    "time[class*=posted]",
    "[class*=published] time",
)
GENERIC_MODIFIED = (
    "time.updated",
    ".p-entry__update time",
    "time.p-entry__update",
    "time[itemprop=dateModified]",
    "[itemprop=dateModified]",
    ".c-postTimes__modified",
    "[aria-label=更新日]",
    ".entry-meta-item-updated .updated",
    ".post-update",
    ".updated",
    ".modified",
    "time[class*=modified]",
    "[class*=modified] time",
)
_MODIFIED_CLASSES = ("updated", "modified", "post-update", "c-postTimes__modified")
# A time whose own text names it the update: Nishiki's classless "更新:2022年2月1日".
_MODIFIED_LABEL = re.compile(r"\s*(?:最終)?更新|\s*(?:last\s+)?(?:updated|modified)\b", re.I)


def headline(find: Finder, scope: Node, profile: SiteProfile, metadata: PageMetadata) -> str | None:
    """The headline shown on the page; else a declared title without the site name."""
    element = find.first(scope, profile.title + GENERIC_TITLE)
    if element is None and not same(scope, find.root):
        element = find.first(scope, ("h2",))  # the old default themes' article heading
    if element is None and not same(scope, find.root):
        element = find.first(find.root, ("main h1", "#main h1", "#content h1"))
    text = inline_text(element)
    if text:
        return text
    names = _site_names(find, profile, metadata)
    declared = json_ld_text(metadata.json_ld.get("headline")) or metadata.meta_first(
        "og:title", "twitter:title"
    )
    text = declared or inline_text(find.root.css_first(_HEAD_TITLE))
    return _without_site_name(text, names, profile) if text else None


def _site_names(find: Finder, profile: SiteProfile, metadata: PageMetadata) -> list[str]:
    names = [metadata.meta_first("og:site_name"), metadata.meta_first("application-name")]
    for selector in _SITE_NAMES:
        element = find.root.css_first(selector)
        if element is not None:
            image = element.css_first("img[alt]")
            names.append(inline_text(element) or (attr(image, "alt") if image else None))
    return [n for n in dict.fromkeys(names) if n]


def _without_site_name(text: str, names: list[str], profile: SiteProfile) -> str:
    suffixes = list(profile.site_name_suffixes)
    suffixes += [sep + name for name in names for sep in _TITLE_SEPARATORS]
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)].strip()
    prefixes = [name + sep for name in names for sep in _TITLE_SEPARATORS]
    for prefix in prefixes:
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix) :].strip()
    return text


def published_element(find: Finder, scope: Node, profile: SiteProfile) -> Node | None:
    """The element showing the publication date: never one marked only as modified."""
    for selector in profile.published + GENERIC_PUBLISHED:
        for element in find.run(scope, selector):
            if not _only_modified(element):
                return _unlabelled_time(element)
    return None


def _unlabelled_time(element: Node) -> Node:
    """``element``, or, when it holds a published and a labelled updated ``time`` with no
    class to tell them apart (Nishiki's ``div.date``), the first time not labelled so."""
    times = element.css("time") if element.tag != "time" else []
    if len(times) < 2:
        return element
    labelled = [_MODIFIED_LABEL.match(inline_text(t)) is not None for t in times]
    if any(labelled):
        return next((t for t, updated in zip(times, labelled, strict=True) if not updated), element)
    return element


def modified_element(
    find: Finder, scope: Node, profile: SiteProfile, published: Node | None
) -> Node | None:
    """The element showing the modification date, outside the published one (Luxeritas
    marks its published ``time`` "updated" too, inside ``span.published``)."""
    for selector in profile.modified + GENERIC_MODIFIED:
        for element in find.run(scope, selector):
            if published is None or not (same(element, published) or holds(published, element)):
                return element
    if published is not None and published.tag == "time" and published.parent is not None:
        for element in published.parent.css("time"):  # a labelled time beside it
            if not same(element, published) and _MODIFIED_LABEL.match(inline_text(element)):
                return element
    return None


def published_text_beside(modified: Node, shown: str | None, machine: str | None) -> str | None:
    """The published date shown where only the modified time is machine-readable.

    Either the modified element's own text names another day than its ``datetime`` (TCD
    prints the publication date in ``<time class="updated" datetime="modified">``), or a
    text beside it in its parent holds a date (AFFINGER: ``投稿日：… 更新日：<time>``).
    """
    shown_day = _day_of(shown)
    if shown_day is not None and machine and shown_day != machine[:10]:
        return shown
    parent = modified.parent
    if parent is None:
        return None
    texts = (child for child in parent.iter(include_text=True) if child.tag == "-text")
    if parent.parent is not None:
        # yStandard: each date in its own span of one block, the published one text only
        texts = chain(texts, _own_texts_of_siblings(parent))
    for child in texts:
        text = collapse_spaces(child.text_content or "")
        day = _day_of(text) if text else None
        if day is not None and day != (machine or "")[:10]:
            return text
    return None


def _own_texts_of_siblings(element: Node) -> Iterator[Node]:
    """The text nodes directly inside the element siblings of ``element``."""
    parent = element.parent
    for sibling in parent.iter() if parent is not None else ():
        if sibling.mem_id != element.mem_id:
            yield from (c for c in sibling.iter(include_text=True) if c.tag == "-text")


def _day_of(text: str | None) -> str | None:
    parsed = parse_japanese_date(text) if text else None
    return None if parsed is None else parsed.isoformat()[:10]


def _only_modified(element: Node) -> bool:
    if has_class(element, "published") or attr(element, "itemprop") == "datePublished":
        return False
    if attr(element, "itemprop") == "dateModified" or attr(element, "aria-label") == "更新日":
        return True
    return any(has_class(element, name) for name in _MODIFIED_CLASSES)
