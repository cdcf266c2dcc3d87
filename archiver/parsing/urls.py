"""Canonical URLs: one spelling per page, so the archive keys and deduplicates on it.

The same WordPress page is linked as ``…/slug/#comment-12``, ``…/slug?replytocom=12``,
``…/slug/?utm_source=x`` or ``HTTP://Host//slug``; all of them are one page. A
``/comment-page-N/`` suffix is *not* dropped by :func:`canonicalize_url`: it is a
different page of the thread; :func:`article_url_of` maps it to its article.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that never change which page is served.
_DROPPED_PARAMS = frozenset(
    {"replytocom", "fbclid", "gclid", "yclid", "msclkid", "mc_cid", "mc_eid", "_ga", "amp"}
)
_DROPPED_PREFIXES = ("utm_", "relatedposts_")  # Jetpack Related Posts' click tracking
_DEFAULT_PORTS = {"http": 80, "https": 443}
_COMMENT_PAGE = re.compile(r"/comment-page-(\d+)/$")
_DUPLICATE_SLASHES = re.compile(r"/{2,}")
# Characters left as they are in a path; everything else is percent-encoded (upper case),
# so "/ロシア/" and "/%e3%83%ad…/" come out the same.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


# A page's links are canonicalized more than once (a comment-page link by
# comment_page_urls, then as a page key and for its page number; the same pager on every
# comment page), and a crawl meets the same URLs on page after page. The function is
# pure, so its answers are remembered (errors are not cached and raise again).
@lru_cache(maxsize=8192)
def canonicalize_url(url: str) -> str:
    """The canonical spelling of ``url``.

    Drops the fragment, ``?replytocom`` and tracking parameters (``utm_*``, ``fbclid``…),
    lower-cases scheme and host, drops default ports, collapses duplicate slashes,
    normalizes percent-encoding and adds the trailing slash WordPress permalinks end
    with (not to paths whose last segment has a dot, like ``/wp-sitemap.xml``). A port
    that is not a number is kept as written; ``ValueError`` only for what
    :func:`urllib.parse.urlsplit` rejects (an unclosed IPv6 bracket).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal: .hostname drops the brackets the URL needs
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # not a number, or out of range: kept as written, never guessed
        host = f"{host}:{parts.netloc.rpartition(':')[2]}"
    else:
        if port is not None and _DEFAULT_PORTS.get(scheme) != port:
            host = f"{host}:{port}"
    if parts.username:  # keep credentials only if present; they are part of the address
        auth = parts.username + (f":{parts.password}" if parts.password else "")
        host = f"{auth}@{host}"
    path = _DUPLICATE_SLASHES.sub("/", parts.path) or "/"
    path = quote(unquote(path), safe=_PATH_SAFE)
    last_segment = path.rsplit("/", 1)[-1]
    if last_segment and "." not in last_segment:
        path += "/"
    query_pairs = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in _DROPPED_PARAMS and not key.lower().startswith(_DROPPED_PREFIXES)
    ]
    query = urlencode(query_pairs)
    return urlunsplit((scheme, host, path, query, ""))


def comment_page_of(url: str) -> int | None:
    """The comment page number a ``/comment-page-N/`` or ``?cpage=N`` URL names, or None."""
    canonical = canonicalize_url(url)
    path, _, query = canonical.partition("?")
    match = _COMMENT_PAGE.search(path)
    if match:
        return int(match.group(1))
    for key, value in parse_qsl(query):
        if key == "cpage" and value.isdigit():
            return int(value)
    return None


def article_url_of(url: str) -> str:
    """The canonical article URL of a comment page URL (or of an article URL itself)."""
    canonical = canonicalize_url(url)
    path, _, query = canonical.partition("?")
    path = _COMMENT_PAGE.sub("/", path)
    if "cpage=" in query:
        query = urlencode(
            [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "cpage"]
        )
    return f"{path}?{query}" if query else path


@lru_cache(maxsize=8192)
def join_url(base_url: str, href: str) -> str:
    """``urljoin``, remembered as :func:`canonicalize_url` is (the same links, pagers,
    related posts and the site's navigation, recur on every page of a site)."""
    return urljoin(base_url, href)


def forget_urls() -> None:
    """Empty the remembered URLs: for a benchmark that parses one page again and again
    and must pay, each time, what a crawl pays for a page it has not seen."""
    canonicalize_url.cache_clear()
    join_url.cache_clear()
