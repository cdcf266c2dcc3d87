"""Page chrome shared by every HTML page of the sample site: head, menu, sidebar, footer."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from html import escape

from archiver.sample_site.model import SITE_NAME, SampleSite

__all__ = [
    "SITE_NAME",
    "Response",
    "gone",
    "head",
    "not_found",
    "page_number_links",
    "redirect",
    "sidebar",
    "site_footer",
    "site_header",
]

# What every handler of the sample site returns: (status, headers, body).
Response = tuple[int, list[tuple[str, str]], bytes]

RANKING_TITLE_CHARS = 40  # the TCD ranking widget cuts titles here and adds "…"


def page_number_links(
    current: int,
    pages: int,
    page_url: Callable[[int], str],
    previous_label: str = "前へ",
    next_label: str = "次へ",
) -> list[str]:
    """The links of WordPress's paginate_links(), used for listings and comment pages.

    Like WordPress: previous/next links, the first and last page, two pages either side
    of the current one, and dots for the gaps, so a crawler sees only a window of pages.
    """
    links = []
    if current > 1:
        links.append(
            f'<a class="prev page-numbers" href="{page_url(current - 1)}">{previous_label}</a>'
        )
    for n in range(1, pages + 1):
        if n == current:
            links.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
        elif n in (1, pages) or abs(n - current) <= 2:
            links.append(f'<a class="page-numbers" href="{page_url(n)}">{n}</a>')
        elif n in (2, pages - 1):
            links.append('<span class="page-numbers dots">&hellip;</span>')
    if current < pages:
        links.append(
            f'<a class="next page-numbers" href="{page_url(current + 1)}">{next_label}</a>'
        )
    return links


def _png(width: int = 8, height: int = 6) -> bytes:
    """A tiny grey PNG, so image URLs in pages resolve like on the real site."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x99" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PLACEHOLDER_PNG = _png()
HTML = "text/html; charset=UTF-8"


def head(title: str, base_url: str, canonical: str, post_id: int | None = None) -> str:
    """Opening of every HTML page, up to (not including) ``</head>``."""
    lines = [
        "<!DOCTYPE html>",
        '<html lang="ja">',
        "<head>",
        '<meta charset="UTF-8">',
        '<meta name="viewport" content="width=device-width">',
        f"<title>{escape(title)}</title>",
        f'<link rel="canonical" href="{escape(canonical)}">',
    ]
    if post_id is not None:
        lines.append(f'<link rel="shortlink" href="{base_url}/?p={post_id}">')
    lines.append(
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; フィード" '
        f'href="{base_url}/feed/">'
    )
    return "\n".join(lines)


def site_header(site: SampleSite, base_url: str) -> str:
    items = "\n".join(
        f'    <li><a href="{base_url}/category/{slug}/">{escape(name)}</a></li>'
        for slug, name in site.categories
    )
    return (
        '<header id="header">\n'
        f'  <div id="logo"><a href="{base_url}/">{SITE_NAME}</a></div>\n'
        f'  <nav id="global_menu"><ul>\n{items}\n  </ul></nav>\n</header>'
    )


def _ranking_title(title: str) -> str:
    if len(title) > RANKING_TITLE_CHARS:
        return title[:RANKING_TITLE_CHARS] + "…"
    return title


def sidebar(site: SampleSite, base_url: str) -> str:
    items = []
    for path in site.popular_paths:
        article = site.article_by_path(path)
        if article is None:
            continue
        items.append(
            f'      <li class="p-ranking__item"><a href="{base_url}{article.path}">'
            f'<span class="p-ranking__cat">{escape(article.category_name)}</span>'
            f'<span class="p-ranking__title">{escape(_ranking_title(article.title))}</span></a></li>'
        )
    return (
        '<aside id="side_col">\n  <div class="widget widget_ranking">\n'
        '    <h2 class="widget_headline">人気記事</h2>\n    <ol class="p-ranking">\n'
        + "\n".join(items)
        + "\n    </ol>\n  </div>\n</aside>"
    )


def site_footer() -> str:
    return (
        '<div id="return_top"><a href="#header"><span>PAGE TOP</span></a></div>\n'
        f'<footer id="footer"><p id="copyright">Copyright &copy; {SITE_NAME} All rights reserved.</p></footer>\n'
        "</body>\n</html>\n"
    )


def not_found(site: SampleSite, base_url: str) -> Response:
    return _error_page(
        site,
        base_url,
        404,
        "ページが見つかりませんでした",
        "404 NOT FOUND",
        "お探しのページは見つかりませんでした。",
    )


def gone(site: SampleSite, base_url: str, status: int) -> Response:
    """An unpublished post: WordPress's 404 page, or a 410 as a plugin (or nginx) sends it."""
    if status != 410:
        return not_found(site, base_url)
    return _error_page(
        site,
        base_url,
        410,
        "このページは削除されました",
        "410 GONE",
        "このページは削除されました。",
    )


def _error_page(
    site: SampleSite, base_url: str, status: int, title: str, heading: str, text: str
) -> Response:
    body_class = "error404" if status == 404 else f"error404 error{status}"
    body = "\n".join(
        [
            head(f"{title} | {SITE_NAME}", base_url, base_url + "/"),
            "</head>",
            f'<body class="{body_class}">',
            site_header(site, base_url),
            '<div id="main_contents" class="clearfix"><div id="main_col">',
            f'<h1 class="p-404__title">{heading}</h1>',
            f"<p>{text}</p>",
            "</div>",
            sidebar(site, base_url),
            "</div>",
            site_footer(),
        ]
    )
    return status, [("Content-Type", HTML)], body.encode("utf-8")


def redirect(location: str) -> Response:
    """A WordPress-style permanent redirect (canonical redirects, ?p=N)."""
    return 301, [("Location", location), ("Content-Type", HTML)], b""
