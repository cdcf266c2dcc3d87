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

from selectolax.lexbor import LexborHTMLParser

from archiver.items import Anomaly
from archiver.parsing.document import Node

_ARTICLE_TYPES = frozenset(
    {"Article", "BlogPosting", "NewsArticle", "Report", "TechArticle", "SocialMediaPosting"}
)
_POSTID_CLASS = re.compile(r"(?:^|\s)postid-(\d+)(?:\s|$)")
_POST_ID = re.compile(r"^post-(\d+)$")
_SHORTLINK_ID = re.compile(r"[?&]p=(\d+)(?:&|#|$)")

# The HTML standard's "ASCII lowercase" of a type attribute, unlike str.lower().
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Every element that may declare something, in document order, in one scan.
_DECLARING = "meta, link, script"
_POST_ARTICLE = "article[id^=post-]"
_COMMENT_POST_ID = 'input[name="comment_post_ID" s][value]'


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


def read_metadata(tree: LexborHTMLParser, url: str, anomalies: list[Anomaly]) -> PageMetadata:
    """Collect JSON-LD, meta, link and body-class declarations of the page."""
    metadata = PageMetadata()
    metas, links, scripts = _declaring_elements(tree)
    for node in metas:
        get = node.attrs.get
        key = (get("property") or get("name") or get("itemprop") or "").strip()
        if key:
            metadata.meta.setdefault(key.lower(), []).append(get("content") or "")
    for node in links:
        get = node.attrs.get
        for rel in (get("rel") or "").lower().split():
            metadata.links.setdefault(rel, []).append((get("href") or "").strip())
    body = tree.body
    if body is not None:
        metadata.body_class = body.attrs.get("class") or ""
    for script in scripts:
        raw = script.text().strip()
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


def _declaring_elements(tree: LexborHTMLParser) -> tuple[list[Node], list[Node], list[Node]]:
    """In document order: ``meta[content]`` with a ``property``, ``name`` or ``itemprop``,
    ``link[rel][href]`` and JSON-LD ``script`` elements of the whole document.

    One scan of the document by lexbor for the three tags (tag names are its cheapest
    test), and the attributes tested in Python on the few elements found.
    """
    metas, links, scripts = [], [], []
    for node in tree.css(_DECLARING):
        tag = node.tag
        attributes = node.attributes  # a valueless attribute is present, with None
        if tag == "meta":
            if "content" in attributes and (
                "property" in attributes or "name" in attributes or "itemprop" in attributes
            ):
                metas.append(node)
        elif tag == "link":
            if "rel" in attributes and "href" in attributes:
                links.append(node)
        elif (attributes.get("type") or "").translate(_ASCII_LOWER) == "application/ld+json":
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
    tree: LexborHTMLParser, article_root: Node | None, metadata: PageMetadata
) -> int | None:
    """The WordPress post id: body.postid-N, article#post-N, shortlink ?p=N, comment form."""
    match = _POSTID_CLASS.search(metadata.body_class)
    if match:
        return int(match.group(1))
    candidates = [article_root] if article_root is not None else []
    first_post = tree.css_first(_POST_ARTICLE)
    candidates += [first_post] if first_post is not None else []
    for node in candidates:
        match = _POST_ID.match(node.attrs.get("id") or "")
        if match:
            return int(match.group(1))
    shortlink = metadata.link_first("shortlink")
    if shortlink:
        match = _SHORTLINK_ID.search(shortlink)
        if match:
            return int(match.group(1))
    for node in tree.css(_COMMENT_POST_ID):
        value = (node.attrs.get("value") or "").strip()
        if value.isdigit():
            return int(value)
    return None
