"""What every WordPress page declares about itself, whatever its theme.

JSON-LD (``BlogPosting``/``NewsArticle``/``Article``, also inside ``@graph``),
``og:``/``article:`` meta, ``rel=canonical``/``rel=shortlink`` links and the post id in
``body``/``article`` classes. These are the engine's fallbacks when a profile's
selectors find nothing, so a new theme still yields the article's identity and dates.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from archiver.items import Anomaly

_ARTICLE_TYPES = frozenset(
    {"Article", "BlogPosting", "NewsArticle", "Report", "TechArticle", "SocialMediaPosting"}
)
_POSTID_CLASS = re.compile(r"(?:^|\s)postid-(\d+)(?:\s|$)")
_POST_ID = re.compile(r"^post-(\d+)$")
_SHORTLINK_ID = re.compile(r"[?&]p=(\d+)(?:&|#|$)")

# XPath's translate(@type, 'A…Z', 'a…z'): ASCII letters only, unlike str.lower().
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_XP_BODY = etree.XPath("/html/body")
_XP_POST_ARTICLE = etree.XPath("//article[starts-with(@id, 'post-')]")
_XP_COMMENT_POST_ID = etree.XPath("//input[@name='comment_post_ID']/@value", smart_strings=False)


@dataclass
class PageMetadata:
    """The page-level declarations the engine falls back on."""

    json_ld: dict[str, Any] = field(default_factory=dict)  # the article object, if any
    meta: dict[str, list[str]] = field(default_factory=dict)  # property/name -> contents
    links: dict[str, list[str]] = field(default_factory=dict)  # rel -> hrefs
    body_class: str = ""

    def meta_first(self, *names: str) -> str | None:
        for name in names:
            for value in self.meta.get(name, ()):
                if value.strip():
                    return value.strip()
        return None

    def link_first(self, rel: str) -> str | None:
        values = self.links.get(rel)
        return values[0] if values else None


def read_metadata(root: etree._Element, url: str, anomalies: list[Anomaly]) -> PageMetadata:
    """Collect JSON-LD, meta, link and body-class declarations of the page."""
    metadata = PageMetadata()
    metas, links, scripts = _declaring_elements(root)
    for node in metas:
        key = (node.get("property") or node.get("name") or node.get("itemprop") or "").strip()
        if key:
            metadata.meta.setdefault(key.lower(), []).append(node.get("content") or "")
    for node in links:
        for rel in (node.get("rel") or "").lower().split():
            metadata.links.setdefault(rel, []).append((node.get("href") or "").strip())
    bodies = _XP_BODY(root)
    if bodies:
        metadata.body_class = bodies[0].get("class") or ""
    for script in scripts:
        raw = (script.text or "").strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError as exc:
            anomalies.append(Anomaly("article.json_ld", raw[:200], f"invalid JSON-LD: {exc}", url))
            continue
        article = _find_article_object(data)
        if article is not None and not metadata.json_ld:
            metadata.json_ld = article
    return metadata


def _declaring_elements(
    root: etree._Element,
) -> tuple[list[etree._Element], list[etree._Element], list[etree._Element]]:
    """In document order: ``meta[@content][@property or @name or @itemprop]``,
    ``link[@rel][@href]`` and JSON-LD ``script`` elements of the whole document.

    One tag-filtered ``iter`` of the document (filtered in C) is several times faster
    than three XPath scans, each of which tests every element of a 200 KB page.
    """
    metas, links, scripts = [], [], []
    for node in root.getroottree().iter("meta", "link", "script"):
        get = node.get
        tag = node.tag
        if tag == "meta":
            if get("content") is not None and (
                get("property") is not None
                or get("name") is not None
                or get("itemprop") is not None
            ):
                metas.append(node)
        elif tag == "link":
            if get("rel") is not None and get("href") is not None:
                links.append(node)
        elif (get("type") or "").translate(_ASCII_LOWER) == "application/ld+json":
            scripts.append(node)
    return metas, links, scripts


def _types_of(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {k for k in kind if isinstance(k, str)}
    return set()


def _find_article_object(data: Any) -> dict[str, Any] | None:
    """The first Article-like object in a JSON-LD document (lists and ``@graph`` too)."""
    stack = [data]
    while stack:
        node = stack.pop(0)
        if isinstance(node, list):
            stack[0:0] = node
        elif isinstance(node, dict):
            if _types_of(node) & _ARTICLE_TYPES:
                return node
            graph = node.get("@graph")
            if isinstance(graph, list):
                stack[0:0] = graph
    return None


def json_ld_text(value: Any) -> str | None:
    """A JSON-LD value as text: strings as they are, objects by their ``name``."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        return json_ld_text(value.get("name"))
    if isinstance(value, list):
        names = [n for n in (json_ld_text(v) for v in value) if n]
        return ", ".join(names) or None
    return None


def json_ld_list(value: Any) -> list[str]:
    """A JSON-LD value that may be a list, one string, or a comma-separated string."""
    if isinstance(value, list):
        return [t for t in (json_ld_text(v) for v in value) if t]
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return []


def post_id_of(
    root: etree._Element, article_root: etree._Element | None, metadata: PageMetadata
) -> int | None:
    """The WordPress post id: body.postid-N, article#post-N, shortlink ?p=N, comment form."""
    match = _POSTID_CLASS.search(metadata.body_class)
    if match:
        return int(match.group(1))
    candidates = [article_root] if article_root is not None else []
    candidates += _XP_POST_ARTICLE(root)[:1]
    for node in candidates:
        match = _POST_ID.match(node.get("id") or "")
        if match:
            return int(match.group(1))
    shortlink = metadata.link_first("shortlink")
    if shortlink:
        match = _SHORTLINK_ID.search(shortlink)
        if match:
            return int(match.group(1))
    for value in _XP_COMMENT_POST_ID(root):
        if str(value).strip().isdigit():
            return int(str(value).strip())
    return None
