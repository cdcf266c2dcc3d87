"""grandfleet.info (航空万能論GF): a WordPress military-news blog on a TCD theme.

Only the theme's own markup is named here (see docs/sample-site-markup.md); everything
WordPress emits anyway (JSON-LD, meta, comment ids, core comment markup) is handled by
the engine's fallbacks.
"""

from __future__ import annotations

from archiver.sites.profile import SiteProfile

GRANDFLEET = SiteProfile(
    name="grandfleet",
    # Permalinks are /<category-slug>/<post-slug>/.
    permalink_pattern=r"^/[^/]+/[^/]+/$",
    site_name_suffixes=(" | 航空万能論GF", " - 航空万能論GF", "|航空万能論GF"),
    article_root=("article[id^=post-]",),
    title=("h1.p-entry__title", "h1.entry-title"),
    category_links=(".p-entry__cat a",),
    tag_links=(".p-entry__tag a",),
    published=(".p-entry__date time", "time.published"),
    modified=(".p-entry__update time", "time.updated"),
    author=(".p-entry__author",),
    body=("div.post_content", "div.p-entry__body"),
    boilerplate=(".p-entry__notice",),
    boilerplate_patterns=(r"^お知らせ\s*[::]",),
    previous_link=("a.c-entry-nav__item--prev",),
    next_link=("a.c-entry-nav__item--next",),
    nav_title=(".c-entry-nav__title",),
    nav_labels=("前のページ", "次のページ"),
    related_items=("#related_post li.p-related__item", ".p-related li"),
    related_link=("a.p-related__link", "a[href]"),
    related_title=(".p-related__title",),
    related_category=(".p-related__cat",),
    related_excerpt=(".p-related__excerpt",),
    comment_count=("#comment_switch a", "#comment_switch"),
    comment_pager=("#comment_pager",),
    comment_pager_current=("#comment_pager .page-numbers.current",),
    comment_lists=("#comment_area ol.commentlist",),
    comment_excluded_areas=("#trackback_area",),
    comment_author=("li.comment-name",),
    comment_date=("li.comment-date",),
    comment_body=("div.comment-content",),
    comment_votes=("span.count-box",),
    listing_links=("#post_list a.p-archive__link",),
    listing_next=("nav.pagination a.next",),
)
