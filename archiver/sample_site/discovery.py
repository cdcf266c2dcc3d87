"""How a crawler finds articles: listings, sitemaps, the RSS feed and robots.txt."""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape

from archiver.sample_site import page
from archiver.sample_site.model import (
    POSTS_PER_PAGE,
    SITE_NAME,
    SampleArticle,
    SampleSite,
    comment_body_html,
)
from archiver.sample_site.page import Response

SITEMAP_URLS_PER_FILE = 2000  # WordPress core wp_sitemaps_get_max_urls()
FEED_ITEMS = 10  # WordPress posts_per_rss: items of /feed/ and /comments/feed/
_LISTING = re.compile(r"^(?:/(category|tag)/([a-z0-9-]+))?/(?:page/(\d+)/)?$")
_POST_SITEMAP = re.compile(r"^/wp-sitemap-posts-post-(\d+)\.xml$")
XML = "application/xml; charset=UTF-8"
RSS = "application/rss+xml; charset=UTF-8"


def render_discovery(
    site: SampleSite, base_url: str, path: str, feed_items: int = FEED_ITEMS
) -> Response | None:
    """Answer ``path`` if it is a listing or discovery URL, else None."""
    if path == "/robots.txt":
        return 200, [("Content-Type", "text/plain; charset=utf-8")], robots_txt(base_url).encode()
    if path == "/feed/":
        return 200, [("Content-Type", RSS)], feed(site, base_url, feed_items)
    if path == "/comments/feed/":
        return 200, [("Content-Type", RSS)], comment_feed(site, base_url, feed_items)
    if path == "/wp-sitemap.xml":
        return 200, [("Content-Type", XML)], sitemap_index(site, base_url)
    match = _POST_SITEMAP.match(path)
    if match:
        body = post_sitemap(site, base_url, int(match[1]))
        return (200, [("Content-Type", XML)], body) if body else page.not_found(site, base_url)
    if path == "/wp-sitemap-taxonomies-category-1.xml":
        urls = [f"{base_url}/category/{slug}/" for slug, _ in site.categories]
        return 200, [("Content-Type", XML)], _urlset(urls)
    if path == "/wp-sitemap-taxonomies-post_tag-1.xml":
        urls = [f"{base_url}/tag/{slug}/" for _, slug in site.tags()]
        return 200, [("Content-Type", XML)], _urlset(urls)
    match = _LISTING.match(path)
    if match:
        return listing(site, base_url, match[1], match[2], int(match[3]) if match[3] else None)
    return None


def robots_txt(base_url: str) -> str:
    return (
        "User-agent: *\n"
        "Disallow: /wp-admin/\n"
        "Allow: /wp-admin/admin-ajax.php\n"
        "Disallow: /*?replytocom=\n"
        "\n"
        f"Sitemap: {base_url}/wp-sitemap.xml\n"
    )


def listing(
    site: SampleSite, base_url: str, kind: str | None, slug: str | None, number: int | None
) -> Response:
    """Home, category or tag archive page ``number`` (None = first), newest first."""
    if kind == "category":
        posts = site.articles_in_category(slug or "")
    elif kind == "tag":
        posts = site.articles_with_tag(slug or "")
    else:
        posts = site.articles
    if posts is None:
        return page.not_found(site, base_url)
    root = f"{base_url}/{kind}/{slug}/" if kind else f"{base_url}/"
    if number == 1:
        return page.redirect(root)  # WordPress redirects /page/1/ to the archive root
    current = number or 1
    pages = max(1, -(-len(posts) // POSTS_PER_PAGE))
    if current > pages:
        return page.not_found(site, base_url)
    newest_first = posts[::-1][(current - 1) * POSTS_PER_PAGE : current * POSTS_PER_PAGE]

    def page_url(n: int) -> str:
        return root if n == 1 else f"{root}page/{n}/"

    if kind == "category":
        heading = site.category_name(slug or "")
    elif kind == "tag":
        heading = site.tag_name(slug or "")
    else:
        heading = None
    title = f"{heading} | {SITE_NAME}" if heading else SITE_NAME
    if current > 1:
        title = f"{title} | ページ {current}"
    out = [page.head(title, base_url, page_url(current))]
    if current > 1:
        out.append(f'<link rel="prev" href="{page_url(current - 1)}">')
    if current < pages:
        out.append(f'<link rel="next" href="{page_url(current + 1)}">')
    body_class = {"category": f"archive category category-{slug}", "tag": f"archive tag tag-{slug}"}
    out += ["</head>", f'<body class="{body_class.get(kind or "", "home blog")}">']
    out.append(page.site_header(site, base_url))
    out.append('<div id="main_contents" class="clearfix">\n<div id="main_col">')
    if heading:
        out.append(f'<h1 class="p-archive__headline">{escape(heading)}</h1>')
    out.append('<div id="post_list">')
    out += [_archive_item(base_url, article) for article in newest_first]
    out.append("</div>")
    out.append(_pagination(current, pages, page_url))
    out.append("</div><!-- #main_col -->")
    out.append(page.sidebar(site, base_url))
    out.append("</div><!-- #main_contents -->")
    out.append(page.site_footer())
    return 200, [("Content-Type", page.HTML)], "\n".join(out).encode("utf-8")


def _archive_item(base_url: str, article: SampleArticle) -> str:
    return (
        f'  <article class="p-archive__item post-{article.post_id}">\n'
        f'    <a class="p-archive__link" href="{base_url}{article.path}">\n'
        f'      <p class="p-archive__cat">{escape(article.category_name)}</p>\n'
        f'      <h2 class="p-archive__title">{escape(article.title)}</h2>\n'
        f'      <time class="p-archive__date" datetime="{article.published.isoformat()}">'
        f"{article.published:%Y.%m.%d}</time>\n"
        f'      <p class="p-archive__comments">コメント ( {len(article.comments)} )</p>\n'
        "    </a>\n  </article>"
    )


def _pagination(current: int, pages: int, page_url: Callable[[int], str]) -> str:
    if pages == 1:
        return ""
    links = page.page_number_links(current, pages, page_url)
    return (
        '<nav class="navigation pagination" aria-label="投稿"><div class="nav-links">\n'
        + "\n".join(links)
        + "\n</div></nav>"
    )


def sitemap_index(site: SampleSite, base_url: str) -> bytes:
    files = -(-len(site.articles) // SITEMAP_URLS_PER_FILE) or 1
    names = [f"wp-sitemap-posts-post-{n}.xml" for n in range(1, files + 1)]
    names += ["wp-sitemap-taxonomies-category-1.xml", "wp-sitemap-taxonomies-post_tag-1.xml"]
    entries = "".join(f"<sitemap><loc>{base_url}/{name}</loc></sitemap>" for name in names)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</sitemapindex>\n"
    ).encode()


def post_sitemap(site: SampleSite, base_url: str, number: int) -> bytes | None:
    """Post sitemap file ``number`` (posts by ascending id, as WordPress core lists them)."""
    posts = sorted(site.articles, key=lambda a: a.post_id)
    chunk = posts[(number - 1) * SITEMAP_URLS_PER_FILE : number * SITEMAP_URLS_PER_FILE]
    if number < 1 or (not chunk and number > 1):
        return None
    urls = [(base_url + a.path, a.modified.isoformat()) for a in chunk]
    return _urlset(urls)


def _urlset(urls: Sequence[str | tuple[str, str]]) -> bytes:
    """A sitemap ``urlset``; a ``(url, lastmod)`` pair gets a ``<lastmod>``."""
    entries = []
    for url in urls:
        if isinstance(url, tuple):
            entries.append(f"<url><loc>{escape(url[0])}</loc><lastmod>{url[1]}</lastmod></url>")
        else:
            entries.append(f"<url><loc>{escape(url)}</loc></url>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(entries)
        + "</urlset>\n"
    ).encode()


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC)).replace("-0000", "+0000")


def feed(site: SampleSite, base_url: str, items_count: int = FEED_ITEMS) -> bytes:
    """RSS 2.0 of the newest posts, shaped like WordPress's /feed/."""
    newest = site.articles[::-1][:items_count]
    items = []
    for article in newest:
        link = base_url + article.path
        items.append(
            "<item>\n"
            f"<title>{escape(article.title)}</title>\n"
            f"<link>{escape(link)}</link>\n"
            f"<comments>{escape(link)}#respond</comments>\n"
            "<dc:creator><![CDATA[管理人]]></dc:creator>\n"
            f"<pubDate>{_rfc822(article.published)}</pubDate>\n"
            f"<category><![CDATA[{article.category_name}]]></category>\n"
            f'<guid isPermaLink="false">{base_url}/?p={article.post_id}</guid>\n'
            f"<description><![CDATA[{article.excerpt}]]></description>\n"
            f"<slash:comments>{len(article.comments)}</slash:comments>\n"
            "</item>"
        )
    build = _rfc822(max(a.modified for a in site.articles)) if site.articles else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:slash="http://purl.org/rss/1.0/modules/slash/">\n<channel>\n'
        f"<title>{SITE_NAME}</title>\n"
        f'<atom:link href="{base_url}/feed/" rel="self" type="application/rss+xml" />\n'
        f"<link>{base_url}</link>\n"
        "<description>軍事・防衛関連のニュースと分析</description>\n"
        f"<lastBuildDate>{build}</lastBuildDate>\n"
        "<language>ja</language>\n" + "\n".join(items) + "\n</channel>\n</rss>\n"
    ).encode("utf-8")


def comment_feed(site: SampleSite, base_url: str, items_count: int = FEED_ITEMS) -> bytes:
    """The site-wide comment feed, shaped like WordPress core's feed-rss2-comments.php.

    The newest shown comments, newest first; each item names its post (title, ``guid``
    ``?p=POST#comment-ID``) and links to the comment on the comment page that shows it
    (the article URL itself when that is the newest page, as get_comment_link does).
    """
    newest = heapq.nlargest(
        items_count,
        ((c.posted, c.comment_id, a, c) for a in site.articles for c in a.comments),
        key=lambda entry: (entry[0], entry[1]),
    )
    items = []
    for _, _, article, comment in newest:
        page_number = article.comment_page_of(comment.comment_id)
        link = base_url + article.path
        if page_number != article.comment_pages():
            link += f"comment-page-{page_number}/"
        author = comment.author or "匿名"  # get_comment_author() of an empty name
        body = comment_body_html(comment)
        items.append(
            "<item>\n"
            f"<title>{escape(author)} より {escape(article.title)} へのコメント</title>\n"
            f"<link>{escape(link)}#comment-{comment.comment_id}</link>\n"
            f"<dc:creator><![CDATA[{author}]]></dc:creator>\n"
            f"<pubDate>{_rfc822(comment.posted)}</pubDate>\n"
            f'<guid isPermaLink="false">{base_url}/?p={article.post_id}#comment-{comment.comment_id}</guid>\n'
            f"<description><![CDATA[{comment.text}]]></description>\n"
            f"<content:encoded><![CDATA[{body}]]></content:encoded>\n"
            "</item>"
        )
    build = _rfc822(newest[0][0]) if newest else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">\n<channel>\n'
        f"<title>{SITE_NAME} のコメント</title>\n"
        f'<atom:link href="{base_url}/comments/feed/" rel="self" type="application/rss+xml" />\n'
        f"<link>{base_url}</link>\n"
        "<description>軍事・防衛関連のニュースと分析</description>\n"
        f"<lastBuildDate>{build}</lastBuildDate>\n"
        "<sy:updatePeriod>hourly</sy:updatePeriod>\n<sy:updateFrequency>1</sy:updateFrequency>\n"
        + "\n".join(items)
        + "\n</channel>\n</rss>\n"
    ).encode("utf-8")
