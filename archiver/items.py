"""The data the archiver extracts: one article page with its whole comment thread.

These dataclasses are the contract between the three stages of the pipeline:

* the **parser** (``archiver.parsing``) fills the raw fields from a response, purely;
* the **normalize pipeline** fills the normalized fields (``*_at``, ``*_date``,
  ``*_precision``, ``votes``) from the raw ones;
* the **storage pipeline** writes one :class:`Article` with everything in it as one
  SQLite transaction.

Raw text is always kept beside the normalized value, so a researcher can check every
normalization against what the page said. Field names are the column names of the
archive, so the same word means the same thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ArticleRef:
    """A link from one article to another (previous/next, inline 関連記事, related block).

    ``url`` is canonical (no query, no fragment, trailing slash as the site writes it).
    """

    url: str
    anchor_text: str | None = None


@dataclass
class RelatedArticle:
    """One entry of the 関連記事 block under an article."""

    position: int  # 1-based, as displayed
    url: str
    title: str | None = None
    category: str | None = None
    excerpt: str | None = None


@dataclass
class Source:
    """A 参考 line: the outside source the article cites."""

    position: int  # 1-based, in body order
    label: str
    url: str | None = None


@dataclass
class Credit:
    """An image credit: 出典 under a figure, or the アイキャッチ (eyecatch) credit."""

    kind: str  # "image" for 出典 lines, "eyecatch" for ※アイキャッチ画像の出典
    position: int  # 1-based, in body order, per kind
    text: str
    url: str | None = None


@dataclass
class Tag:
    name: str
    slug: str | None = None


@dataclass
class Anomaly:
    """Something the parser or a normalizer could not read, kept for the anomalies table."""

    field: str  # e.g. "comment.posted", "article.title"
    raw_value: str | None
    problem: str
    url: str | None = None
    #: When it was seen, if not when it is stored: the fetch time of the response that
    #: showed it (a reparse records it at the original time, not at its own).
    seen_at: str | None = None


@dataclass
class Pingback:
    """A pingback or trackback shown in the thread: a link from another site, not a comment."""

    position: int  # 1-based, in page order
    source_url: str | None
    title: str | None = None
    posted_raw: str | None = None


@dataclass
class Comment:
    """One comment of an article's thread, with its place in the thread."""

    comment_id: int | None  # WordPress comment id (li#comment-N); None if the page has none
    parent_id: int | None  # WordPress id of the comment this one replies to
    depth: int  # 1 for top-level comments, 2 for replies to them, ...
    position: int  # 1-based position in thread order over all comment pages
    author: str | None
    author_url: str | None = None
    posted_raw: str | None = None  # the date text as shown, e.g. "2022年 1月 27日"
    posted_attr: str | None = None  # machine-readable datetime attribute, if the markup has one
    body_text: str = ""
    body_html: str = ""
    votes_raw: str | None = None  # the vote count text as shown, e.g. "25"
    # The second count of two-button widgets (dislikes), as shown, e.g. "-3"
    votes_down_raw: str | None = None
    page: int = 1  # WordPress comment page the comment was found on
    # Filled by the normalize pipeline:
    posted_at: str | None = (
        None  # ISO 8601: "YYYY-MM-DD" (date shown) or "YYYY-MM-DDTHH:MM:SS+09:00"
    )
    posted_date: str | None = None  # Tokyo calendar date "YYYY-MM-DD"
    posted_precision: str | None = None  # "day", "hour", "minute" or "second": what the page showed
    votes: int | None = None
    votes_down: int | None = None  # how many down votes (never negative), from votes_down_raw
    capture_id: int | None = None  # the raw capture (WARC record) the comment was parsed from


@dataclass
class ArticleGone:
    """An article URL that answered 404 or 410: an archived article the site took down."""

    url: str
    status: int
    fetched_at: str | None = None


@dataclass
class Article:
    """An article page and its whole comment thread, as archived in one transaction."""

    url: str  # canonical URL
    site: str  # site profile name, e.g. "grandfleet"
    post_id: int | None = None  # WordPress post id (body.postid-N, article#post-N, ?p=N)
    title: str | None = None
    category: str | None = None  # display name, e.g. "ロシア関連"
    category_slug: str | None = None  # e.g. "russia-related"
    tags: list[Tag] = field(default_factory=list)
    published_raw: str | None = None
    published_attr: str | None = None
    modified_raw: str | None = None
    modified_attr: str | None = None
    author: str | None = None
    body_text: str = ""
    body_html: str = ""
    sources: list[Source] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    eyecatch_credit: str | None = None
    inline_links: list[ArticleRef] = field(default_factory=list)  # 関連記事: links in the body
    previous: ArticleRef | None = None  # 前のページ
    next: ArticleRef | None = None  # 次のページ
    related: list[RelatedArticle] = field(default_factory=list)
    comment_count_shown: int | None = None  # the count the page displays, if any
    comments: list[Comment] = field(default_factory=list)
    pingbacks: list[Pingback] = field(default_factory=list)
    comment_page: int = 1  # which comment page this response showed
    comment_page_urls: list[str] = field(default_factory=list)  # other comment pages to fetch
    anomalies: list[Anomaly] = field(default_factory=list)
    # Set by the spider (the parser never reads the clock):
    fetched_at: str | None = None  # ISO 8601 with offset, when the response arrived
    # True only when every comment page of the thread arrived whole (HTTP 200, not cut
    # short): only then is a comment missing from it evidence that it was removed.
    thread_complete: bool = False
    capture_id: int | None = None  # the raw capture (WARC record) of the article page
    # Filled by the normalize pipeline:
    published_at: str | None = None
    published_date: str | None = None
    published_precision: str | None = None
    modified_at: str | None = None
    modified_date: str | None = None
    modified_precision: str | None = None
