"""What one site theme looks like: the selectors and text patterns of a site profile.

A profile is data, not code: the parsing engine (``archiver.parsing``) tries the
profile's selectors first and then falls back to what every WordPress site emits
(JSON-LD, ``og:``/``article:`` meta, ``li#comment-N``, ``time[datetime]`` ...). So a
profile only has to name what is special about its theme, and a page whose theme
changed still parses through the fallbacks.

Selectors are CSS, run by lexbor's selector engine (selectolax) with the semantics of
``querySelectorAll``; ``#id rest`` starts from the first element with that id. Every
selector field is a tuple tried in order; the first selector that matches anything wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

Selectors = tuple[str, ...]

# Path segments that WordPress uses for things that are not posts.
NON_ARTICLE_SEGMENTS = frozenset(
    {
        "category",
        "tag",
        "page",
        "feed",
        "author",
        "search",
        "comments",
        "trackback",
        "embed",
        "amp",
        "attachment",
        "xmlrpc.php",
    }
)
_COMMENT_PAGE_SEGMENT = re.compile(r"^comment-page-\d+$")


@dataclass(frozen=True)
class SiteProfile:
    """The selectors and boilerplate patterns of one site theme.

    ``permalink_pattern`` is matched against the URL path to tell an article URL from
    listings, archives and WordPress internals (see :meth:`is_article_url`).
    """

    name: str
    permalink_pattern: str = r"^/(?:[^/]+/)+$"
    site_name_suffixes: tuple[str, ...] = ()  # " | 航空万能論GF" stripped from <title>
    # Article page
    article_root: Selectors = ()
    title: Selectors = ()
    category_links: Selectors = ()
    tag_links: Selectors = ()
    published: Selectors = ()
    modified: Selectors = ()
    author: Selectors = ()
    body: Selectors = ()
    boilerplate: Selectors = ()  # elements removed from the body (notices, share buttons)
    boilerplate_patterns: tuple[str, ...] = ()  # regexes on a body block's text: block removed
    previous_link: Selectors = ()
    next_link: Selectors = ()
    nav_title: Selectors = ()  # inside a previous/next link: the span holding the title
    nav_labels: tuple[str, ...] = ()  # label texts removed from a previous/next anchor text
    related_items: Selectors = ()
    related_link: Selectors = ()
    related_title: Selectors = ()
    related_category: Selectors = ()
    related_excerpt: Selectors = ()
    comment_count: Selectors = ()
    comment_pager: Selectors = ()
    comment_pager_current: Selectors = ()
    # Comments: the list roots, then per-comment parts looked up inside one comment.
    comment_lists: Selectors = ()
    comment_excluded_areas: Selectors = ()  # e.g. the trackback list
    comment_author: Selectors = ()
    comment_date: Selectors = ()
    comment_body: Selectors = ()
    comment_votes: Selectors = ()
    # The down (dislike) count, looked for in the vote widget around the comment_votes one.
    comment_votes_down: Selectors = ()
    # Listing pages
    listing_links: Selectors = ()
    listing_next: Selectors = ()
    # Body line prefixes (matched on one line of a body block, before a : or :).
    source_prefixes: tuple[str, ...] = ("参考",)
    credit_prefixes: tuple[str, ...] = ("出典",)
    eyecatch_prefixes: tuple[str, ...] = ("※アイキャッチ画像の出典", "アイキャッチ画像の出典")
    inline_link_prefixes: tuple[str, ...] = ("関連記事",)

    def is_article_url(self, url: str) -> bool:
        """Whether ``url`` looks like a post permalink of this site.

        Listings (``/category/``, ``/tag/``, ``/page/N/``), feeds, ``/wp-*`` internals,
        comment pages and files are not articles; the spider fetches comment pages
        through the article's pager instead.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.query:
            return False
        path = parts.path or "/"
        if not path.endswith("/"):
            path += "/"
        segments = [s for s in path.split("/") if s]
        if not segments:
            return False
        for segment in segments:
            lower = segment.lower()
            if (
                lower in NON_ARTICLE_SEGMENTS
                or lower.startswith("wp-")
                or _COMMENT_PAGE_SEGMENT.match(lower)
                or ("." in segment and not lower.endswith((".html", ".htm")))  # files
            ):
                return False
        if all(s.isdigit() for s in segments):  # date archives /2022/ /2022/01/
            return False
        return re.match(self.permalink_pattern, path) is not None
