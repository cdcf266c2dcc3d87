"""The sample site's renderer: a pure function of (site, base URL, request target).

:func:`render` returns ``(status, headers, body)`` and never touches the clock, the
network or any state, so the server may cache its output and tests may call it
directly. Article pages and comments live here; listings, sitemaps, the feed and
robots.txt live in :mod:`archiver.sample_site.discovery`.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from urllib.parse import parse_qs, urlsplit

from archiver.sample_site import discovery, page
from archiver.sample_site.model import (
    BodyBlock,
    SampleArticle,
    SampleComment,
    SampleSite,
    children_by_parent,
    comment_body_html,
)
from archiver.sample_site.page import Response

MAX_THREAD_DEPTH = 5  # WordPress thread_comments_depth: no reply link at this depth
_ARTICLE = re.compile(r"^/([a-z0-9-]+)/([a-z0-9-]+)/(?:comment-page-(\d+)/)?$")
_UPLOAD = re.compile(r"^/wp-content/(?:uploads/\d{4}/\d{2}/)?[A-Za-z0-9_-]+\.png$")


def render(
    site: SampleSite, base_url: str, target: str, feed_items: int = discovery.FEED_ITEMS
) -> Response:
    """Answer one GET request for ``target`` (path and query) as WordPress would.

    ``base_url`` is scheme and host without a trailing slash (from the Host header);
    ``feed_items`` is WordPress's posts_per_rss (items of /feed/ and /comments/feed/).
    """
    parts = urlsplit(target)
    path, query = parts.path or "/", parse_qs(parts.query)
    if path == "/" and "p" in query:
        article = _article_for_id(site, query["p"][0])
        if article is None:
            return page.not_found(site, base_url)
        return page.redirect(base_url + article.path)
    if _UPLOAD.match(path):
        return 200, [("Content-Type", "image/png")], page.PLACEHOLDER_PNG
    special = discovery.render_discovery(site, base_url, path, feed_items)
    if special is not None:
        return special
    match = _ARTICLE.match(path)
    if match:
        post_path = f"/{match[1]}/{match[2]}/"
        if post_path in site.gone:
            return page.gone(site, base_url, site.gone[post_path])
        if post_path in site.moved:  # WordPress's old-slug redirect (_wp_old_slug)
            rest = f"comment-page-{match[3]}/" if match[3] else ""
            query = f"?{parts.query}" if parts.query else ""
            return page.redirect(base_url + site.moved[post_path] + rest + query)
        article = site.article_by_path(post_path)
        if article is not None:
            comment_page = int(match[3]) if match[3] else None
            if comment_page is not None and not 1 <= comment_page <= article.comment_pages():
                return page.not_found(site, base_url)
            return render_article(site, base_url, article, comment_page)
    if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        status, _, _ = render(site, base_url, path + "/")
        if status == 200:
            return page.redirect(base_url + path + "/" + (f"?{parts.query}" if parts.query else ""))
    return page.not_found(site, base_url)


def _article_for_id(site: SampleSite, raw: str) -> SampleArticle | None:
    # isascii(): str.isdigit() also accepts "²", which int() refuses.
    return site.article_by_id(int(raw)) if raw.isascii() and raw.isdigit() else None


def comment_date_text(comment: SampleComment, markup: str) -> str:
    """The date as the page displays it: TCD ``Y年 n月 j日``, core ``Y年n月j日 g:i A``."""
    posted = comment.posted
    if markup == "tcd":
        return f"{posted.year}年 {posted.month}月 {posted.day}日"
    hour = posted.hour % 12 or 12
    meridiem = "AM" if posted.hour < 12 else "PM"
    return f"{posted.year}年{posted.month}月{posted.day}日 {hour}:{posted.minute:02d} {meridiem}"


def last_modified(article: SampleArticle) -> str:
    """HTTP date of the page's newest change: the post, its newest comment, or the last
    moderation, edit or vote in its thread (``touched``)."""
    return http_date(changed_at(article))


def changed_at(article: SampleArticle) -> datetime:
    """When the article or its thread last changed."""
    stamps = [article.modified, *(c.posted for c in article.comments)]
    if article.touched is not None:
        stamps.append(article.touched)
    return max(stamps)


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def render_article(
    site: SampleSite, base_url: str, article: SampleArticle, comment_page: int | None
) -> Response:
    """An article page; ``comment_page`` None means the article URL (the last page)."""
    pages = article.comment_pages()
    current = comment_page or pages
    url = base_url + article.path
    out: list[str] = []
    previous = site.article_by_path(article.previous_path) if article.previous_path else None
    newer = site.article_by_path(article.next_path) if article.next_path else None
    head_links = []
    if previous:
        head_links.append(f'<link rel="prev" href="{escape(base_url + previous.path)}">')
    if newer:
        head_links.append(f'<link rel="next" href="{escape(base_url + newer.path)}">')
    out.append(page.head(f"{article.title} | {page.SITE_NAME}", base_url, url, article.post_id))
    out.extend(head_links)
    out.extend(_article_meta(article, url))
    out.append("</head>")
    out.append(
        f'<body class="post-template-default single single-post postid-{article.post_id} '
        'single-format-standard">'
    )
    out.append(page.site_header(site, base_url))
    out.append('<div id="main_contents" class="clearfix">\n<div id="main_col">')
    out.append(_article_element(site, base_url, article, previous, newer))
    out.append(_related_block(site, base_url, article))
    if article.comment_markup == "core":
        out.append(_core_comments(base_url, article, current, pages))
    else:
        out.append(_tcd_comments(base_url, article, current, pages))
    out.append("</div><!-- #main_col -->")
    out.append(page.sidebar(site, base_url))
    out.append("</div><!-- #main_contents -->")
    out.append(page.site_footer())
    headers = [
        ("Content-Type", page.HTML),
        ("Last-Modified", last_modified(article)),
        ("Link", f"<{base_url}/?p={article.post_id}>; rel=shortlink"),
    ]
    return 200, headers, "\n".join(out).encode("utf-8")


def _article_meta(article: SampleArticle, url: str) -> list[str]:
    published, modified = article.published.isoformat(), article.modified.isoformat()
    lines = [
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{escape(article.title)}">',
        f'<meta property="og:url" content="{escape(url)}">',
        f'<meta property="og:site_name" content="{page.SITE_NAME}">',
        f'<meta property="article:published_time" content="{published}">',
        f'<meta property="article:modified_time" content="{modified}">',
        f'<meta property="article:section" content="{escape(article.category_name)}">',
    ]
    lines += [f'<meta property="article:tag" content="{escape(name)}">' for name, _ in article.tags]
    ld = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": article.title,
        "datePublished": published,
        "dateModified": modified,
        "author": {"@type": "Person", "name": "管理人"},
        "mainEntityOfPage": url,
        "articleSection": article.category_name,
        "keywords": [name for name, _ in article.tags],
        "commentCount": len(article.comments),
    }
    ld_text = json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
    lines.append(f'<script type="application/ld+json">{ld_text}</script>')
    lines.append("<script>window.dataLayer=window.dataLayer||[];</script>")
    return lines


def _article_element(
    site: SampleSite,
    base_url: str,
    article: SampleArticle,
    previous: SampleArticle | None,
    newer: SampleArticle | None,
) -> str:
    cat_url = f"{base_url}/category/{article.category_slug}/"
    tag_classes = " ".join(f"tag-{slug}" for _, slug in article.tags)
    out = [
        f'<article id="post-{article.post_id}" class="post-{article.post_id} post type-post '
        "status-publish format-standard has-post-thumbnail hentry "
        f'category-{article.category_slug} {tag_classes}">',
        '  <div class="p-entry__header">',
        f'    <p class="p-entry__cat"><a href="{cat_url}" rel="category tag">'
        f"{escape(article.category_name)}</a></p>",
        f'    <h1 class="p-entry__title entry-title">{escape(article.title)}</h1>',
        '    <ul class="p-entry__meta">',
        f'      <li class="p-entry__date"><time class="entry-date published" '
        f'datetime="{article.published.isoformat()}">{article.published:%Y.%m.%d}</time></li>',
        f'      <li class="p-entry__update"><time class="updated" '
        f'datetime="{article.modified.isoformat()}">{article.modified:%Y.%m.%d}</time></li>',
        "    </ul>",
        "  </div>",
        f'  <div class="p-entry__thumbnail"><img src="{base_url}{article.thumbnail}" alt=""></div>',
        '  <div class="post_content clearfix">',
    ]
    out += [f"    {_body_block(site, base_url, block)}" for block in article.body]
    out.append(f'    <p class="p-entry__notice">{escape(site.notice)}</p>')
    out.append("    <script>(adsbygoogle = window.adsbygoogle || []).push({});</script>")
    out.append("  </div>")
    if article.tags:
        out.append('  <ul class="p-entry__tag">')
        out += [
            f'    <li><a href="{base_url}/tag/{slug}/" rel="tag">{escape(name)}</a></li>'
            for name, slug in article.tags
        ]
        out.append("  </ul>")
    out.append('  <div class="c-entry-nav">')
    for other, kind, label in ((previous, "prev", "前のページ"), (newer, "next", "次のページ")):
        if other is not None:
            out.append(
                f'    <a class="c-entry-nav__item c-entry-nav__item--{kind}" '
                f'href="{base_url}{other.path}">\n'
                f'      <span class="c-entry-nav__title">{escape(other.title)}</span>'
                f'<span class="c-entry-nav__label">{label}</span></a>'
            )
    out.append("  </div>")
    out.append("</article>")
    return "\n".join(out)


def _credit(prefix: str, text: str, url: str | None) -> str:
    if url:
        return f'{prefix}<a href="{escape(url)}">{escape(text)}</a>'
    return prefix + escape(text)


def _body_block(site: SampleSite, base_url: str, block: BodyBlock) -> str:
    kind = block.kind
    if kind == "p":
        return "<p>" + escape(block.text, quote=False).replace("\n", "<br />\n") + "</p>"
    if kind == "h2":
        return f"<h2>{escape(block.text)}</h2>"
    if kind == "source":
        return (
            f'<p>参考:<a href="{escape(block.url or "")}" target="_blank" rel="noopener">'
            f"{escape(block.text)}</a></p>"
        )
    if kind == "figure":
        return (
            f'<figure class="wp-block-image size-large"><img src="{base_url}{block.image}" alt="">'
            f"<figcaption>{_credit('出典:', block.text, block.url)}</figcaption></figure>"
        )
    if kind == "related":
        # The anchor text written into the post wins; the renderer fills it in from the
        # target's title only while nobody has frozen it (day 0 leaves it empty).
        target = site.article_by_path(block.url or "")
        title = block.text or (target.title if target else "")
        return f'<p>関連記事:<a href="{base_url}{block.url}">{escape(title)}</a></p>'
    if kind == "spacer":
        return "<p>&nbsp;</p>"
    if kind == "eyecatch":
        return f"<p>{_credit('※アイキャッチ画像の出典:', block.text, block.url)}</p>"
    raise ValueError(f"unknown body block kind {kind!r}")


def _related_block(site: SampleSite, base_url: str, article: SampleArticle) -> str:
    out = [
        '<div id="related_post" class="p-related">',
        '  <h3 class="p-related__headline">関連記事</h3>',
        '  <ol class="p-related__list">',
    ]
    for path in article.related_paths:
        other = site.article_by_path(path)
        if other is None:
            continue
        out += [
            '    <li class="p-related__item">',
            f'      <a class="p-related__link" href="{base_url}{other.path}">',
            f'        <p class="p-related__cat">{escape(other.category_name)}</p>',
            f'        <h4 class="p-related__title">{escape(other.title)}</h4>',
            f'        <p class="p-related__excerpt">{escape(other.excerpt)}</p>',
            "      </a>",
            "    </li>",
        ]
    out += ["  </ol>", "</div>"]
    return "\n".join(out)


def _pager_links(base_url: str, article: SampleArticle, current: int, pages: int) -> str:
    def link(n: int) -> str:
        return f"{base_url}{article.path}comment-page-{n}/#comments"

    return "\n".join(page.page_number_links(current, pages, link, "&laquo; 前へ", "次へ &raquo;"))


class _Alternation:
    """WordPress's even/odd and thread-even/thread-odd class counters."""

    def __init__(self) -> None:
        self.comment = 0
        self.thread = 0

    def classes(self, comment: SampleComment, has_children: bool) -> str:
        parity = "odd alt" if self.comment % 2 else "even"
        self.comment += 1
        classes = ["comment", parity]
        if comment.depth == 1:
            classes.append("thread-odd thread-alt" if self.thread % 2 else "thread-even")
            self.thread += 1
        classes.append(f"depth-{comment.depth}")
        if has_children:
            classes.append("parent")
        return " ".join(classes)


def _votes_html(comment: SampleComment) -> str:
    cid = comment.comment_id
    return (
        '<div class="wpulike wpulike-default"><div class="wp_ulike_general_class '
        'wp_ulike_is_not_liked">\n'
        f'<button type="button" aria-label="いいねボタン" data-ulike-id="{cid}" '
        'data-ulike-type="likeThisComment" class="wp_ulike_btn wp_ulike_put_image '
        f'wp_likethiscomment_{cid}"></button>\n'
        f'<span class="count-box">{comment.votes}</span>\n</div></div>'
    )


def _reply_link(base_url: str, article: SampleArticle, comment: SampleComment, core: bool) -> str:
    cid = comment.comment_id
    href = f"{base_url}{article.path}?replytocom={cid}#respond"
    post = "" if core else f' data-postid="{article.post_id}"'
    return (
        f'<a rel="nofollow" class="comment-reply-link" href="{href}" '
        f'data-commentid="{cid}"{post}>返信</a>'
    )


def _author_html(comment: SampleComment, rel: str) -> str:
    if comment.author_url:
        return (
            f'<a href="{escape(comment.author_url)}" class="url" rel="{rel}">'
            f"{escape(comment.author)}</a>"
        )
    return escape(comment.author)


def _tcd_comment(
    base_url: str, article: SampleArticle, comment: SampleComment, kids: str, classes: str
) -> str:
    cid = comment.comment_id
    if comment.author_url:
        name = f'<li class="comment-name">{_author_html(comment, "external nofollow ugc")}</li>'
    else:
        name = f'<li class="comment-name"><span class="name">{escape(comment.author)}</span></li>'
    reply = ""
    if comment.depth < MAX_THREAD_DEPTH:
        reply = f'      <li class="comment-reply">{_reply_link(base_url, article, comment, False)}</li>\n'
    return (
        f'<li class="{classes}" id="comment-{cid}">\n'
        '  <div class="comment-meta clearfix">\n    <div class="comment-meta-left">\n'
        f'      <ul class="comment-name-date">\n        {name}\n'
        f'        <li class="comment-date">{comment_date_text(comment, "tcd")}</li>\n'
        "      </ul>\n    </div>\n"
        f'    <ul class="comment-act">\n{reply}'
        f'      <li class="comment-quote"><a href="javascript:void(0);" id="quote-{cid}">引用</a></li>\n'
        "    </ul>\n  </div>\n"
        f'  <div class="comment-content post_content" id="comment-content-{cid}">\n'
        f"{comment_body_html(comment)}\n  </div>\n"
        f"  {_votes_html(comment)}\n"
        + (f'  <ul class="children">\n{kids}\n  </ul>\n' if kids else "")
        + "</li>"
    )


def _core_comment(
    base_url: str,
    article: SampleArticle,
    comment: SampleComment,
    kids: str,
    classes: str,
    permalink: str,
) -> str:
    cid = comment.comment_id
    reply = ""
    if comment.depth < MAX_THREAD_DEPTH:
        reply = f'    <div class="reply">{_reply_link(base_url, article, comment, True)}</div>\n'
    return (
        f'<li id="comment-{cid}" class="{classes}">\n'
        f'  <article id="div-comment-{cid}" class="comment-body">\n'
        '    <footer class="comment-meta">\n      <div class="comment-author vcard">\n'
        f'        <img alt="" src="{base_url}/wp-content/avatar.png" class="avatar avatar-32 photo" '
        'height="32" width="32" loading="lazy">\n'
        f'        <b class="fn">{_author_html(comment, "ugc external nofollow")}</b> '
        '<span class="says">より:</span>\n      </div>\n'
        f'      <div class="comment-metadata">\n        <a href="{permalink}#comment-{cid}">'
        f'<time datetime="{comment.posted.isoformat()}">{comment_date_text(comment, "core")}</time></a>\n'
        "      </div>\n    </footer>\n"
        f'    <div class="comment-content">{comment_body_html(comment)}</div>\n'
        f"    {_votes_html(comment)}\n{reply}  </article>\n"
        + (f'  <ol class="children">\n{kids}\n  </ol>\n' if kids else "")
        + "</li>"
    )


def _comment_list(
    base_url: str, article: SampleArticle, comments: list[SampleComment], core: bool, permalink: str
) -> str:
    children = children_by_parent(comments)
    alternation = _Alternation()

    def walk(parent_id: int | None) -> str:
        items = []
        for comment in children.get(parent_id, []):
            classes = alternation.classes(comment, comment.comment_id in children)
            # classes are taken before descending, as WordPress's walker does
            kids = walk(comment.comment_id)
            if core:
                items.append(_core_comment(base_url, article, comment, kids, classes, permalink))
            else:
                items.append(_tcd_comment(base_url, article, comment, kids, classes))
        return "\n".join(items)

    return walk(None)


def _respond_form(base_url: str, article: SampleArticle) -> str:
    return (
        '<div id="respond" class="comment-respond">\n'
        '<h3 id="reply-title" class="comment-reply-title">コメントを残す</h3>\n'
        f'<form action="{base_url}/wp-comments-post.php" method="post" id="commentform" class="comment-form">\n'
        '<p class="comment-form-comment"><textarea id="comment" name="comment" cols="45" rows="8"></textarea></p>\n'
        '<p class="comment-form-author"><input id="author" name="author" type="text" value="" size="30"></p>\n'
        '<p class="comment-form-email"><input id="email" name="email" type="email" value="" size="30"></p>\n'
        '<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="コメントを送信">\n'
        f'<input type="hidden" name="comment_post_ID" value="{article.post_id}" id="comment_post_ID">\n'
        '<input type="hidden" name="comment_parent" id="comment_parent" value="0"></p>\n'
        "</form>\n</div>"
    )


def _permalink(base_url: str, article: SampleArticle, current: int, pages: int) -> str:
    if pages > 1:
        return f"{base_url}{article.path}comment-page-{current}/"
    return base_url + article.path


def _tcd_comments(base_url: str, article: SampleArticle, current: int, pages: int) -> str:
    shown = article.comments_on_page(current)
    if shown:
        listing = _comment_list(base_url, article, shown, False, "")
    else:
        listing = (
            '<li class="comment"><div class="comment-content">'
            '<p class="no_comment">この記事へのコメントはありません。</p></div></li>'
        )
    out = [
        '<div id="comments">',
        '  <div id="comment_header">\n    <ul class="clearfix">',
        '      <li id="comment_switch" class="comment_switch_active"><a href="javascript:void(0);">'
        f"コメント ( {len(article.comments)} )</a></li>",
        '      <li id="trackback_switch"><a href="javascript:void(0);">トラックバック ( 0 )</a></li>',
        "    </ul>\n  </div>",
        f'  <div id="comment_area">\n    <ol class="commentlist">\n{listing}\n    </ol>\n  </div>',
    ]
    if pages > 1:
        out.append(
            f'  <div id="comment_pager" class="clearfix">\n{_pager_links(base_url, article, current, pages)}\n  </div>'
        )
    out.append(
        '  <div id="trackback_area" style="display:none">\n    <ol class="commentlist">\n'
        '      <li class="comment"><div class="comment-content"><p class="no_comment">'
        "この記事へのトラックバックはありません。</p></div></li>\n    </ol>\n  </div>"
    )
    out.append(_respond_form(base_url, article))
    out.append("</div>")
    return "\n".join(out)


def _core_comments(base_url: str, article: SampleArticle, current: int, pages: int) -> str:
    shown = article.comments_on_page(current)
    out = ['<div id="comments" class="comments-area">']
    if shown:
        permalink = _permalink(base_url, article, current, pages)
        out.append(
            f'<h2 class="comments-title">「{escape(article.title)}」への{len(article.comments)}件のフィードバック</h2>'
        )
        out.append(
            f'<ol class="comment-list">\n{_comment_list(base_url, article, shown, True, permalink)}\n</ol>'
        )
        if pages > 1:
            out.append(
                '<nav class="navigation comment-navigation" aria-label="コメント">\n'
                f'<div class="nav-links">\n{_pager_links(base_url, article, current, pages)}\n</div>\n</nav>'
            )
    out.append(_respond_form(base_url, article))
    out.append("</div>")
    return "\n".join(out)
