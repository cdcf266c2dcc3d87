"""The sample site's data model: articles, comments and the site that holds them.

The model is plain data so that later "states" of the site (new, deleted or edited
comments, changed votes) are just different data fed to the same pure renderer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from lxml import html as lxml_html

SITE_NAME = "航空万能論GF"
COMMENTS_PER_PAGE = 50  # top-level threads per comment page (WordPress comments_per_page)
POSTS_PER_PAGE = 10  # listing pages (WordPress posts_per_page)


@dataclass(slots=True)
class SampleComment:
    """One comment as WordPress stores it; ``text`` is exactly what a reader sees."""

    comment_id: int
    parent_id: int | None
    depth: int  # 1 = top level
    author: str  # may be "" (shown empty) or "匿名"
    author_url: str | None
    posted: datetime  # aware, +09:00
    text: str  # paragraphs separated by "\n\n", line breaks "\n"
    html: str | None  # displayed body HTML, only when the comment has links/quotes/markup
    votes: int


def children_by_parent(
    comments: Iterable[SampleComment],
) -> dict[int | None, list[SampleComment]]:
    """Parent id (None: top level) -> its replies, in the order of ``comments``."""
    children: dict[int | None, list[SampleComment]] = {}
    for comment in comments:
        children.setdefault(comment.parent_id, []).append(comment)
    return children


@dataclass(slots=True)
class BodyBlock:
    """One block of an article body.

    ``kind`` is one of: ``p`` (text, "\\n" = <br>), ``h2``, ``source`` (参考 label + url),
    ``figure`` (出典 credit text + url, image src), ``related`` (inline 関連記事 link to
    ``url`` which is a site path), ``spacer`` (&nbsp;), ``eyecatch`` (※アイキャッチ画像の出典).
    """

    kind: str
    text: str = ""
    url: str | None = None
    image: str | None = None


@dataclass
class SampleArticle:
    """One post of the sample site with its whole comment thread."""

    post_id: int
    path: str  # "/russia-related/slug/"
    slug: str
    title: str
    category_slug: str
    category_name: str
    published: datetime
    modified: datetime
    tags: list[tuple[str, str]]
    comment_markup: str  # "tcd" | "core"
    comments: list[SampleComment]  # thread order, depth-first, pages 1..N concatenated
    related_paths: list[str]
    body: list[BodyBlock]
    thumbnail: str  # site path of the eyecatch image
    previous_path: str | None = None
    next_path: str | None = None
    # When moderation, an edit or votes last changed the thread (None: never since
    # publication); part of the page's Last-Modified (see render.last_modified).
    touched: datetime | None = None

    @property
    def excerpt(self) -> str:
        """The 35-character excerpt TCD shows in related/listing blocks."""
        lead = next((b.text for b in self.body if b.kind == "p"), "")
        lead = lead.replace("\n", "")
        return lead[:35] + "…" if len(lead) > 35 else lead

    def threads(self) -> list[list[SampleComment]]:
        """Top-level comments each followed by their replies, oldest thread first."""
        threads: list[list[SampleComment]] = []
        for comment in self.comments:
            if comment.depth == 1:
                threads.append([comment])
            else:
                threads[-1].append(comment)
        return threads

    def comment_pages(self, per_page: int = COMMENTS_PER_PAGE) -> int:
        """How many comment pages the thread has (1 for an empty thread, as WordPress)."""
        top = sum(1 for c in self.comments if c.depth == 1)
        return max(1, -(-top // per_page))

    def comments_on_page(self, page: int, per_page: int = COMMENTS_PER_PAGE) -> list[SampleComment]:
        """Comments displayed on comment page ``page`` (1 = oldest threads)."""
        threads = self.threads()[(page - 1) * per_page : page * per_page]
        return [c for thread in threads for c in thread]

    def comment_page_of(self, comment_id: int, per_page: int = COMMENTS_PER_PAGE) -> int:
        """The page a comment is displayed on (replies stay with their thread)."""
        for index, thread in enumerate(self.threads()):
            if any(c.comment_id == comment_id for c in thread):
                return index // per_page + 1
        raise KeyError(comment_id)


@dataclass
class SampleSite:
    """The whole site: categories, popular list and articles in publication order."""

    categories: list[tuple[str, str]]  # (slug, name), menu order
    popular_paths: list[str]
    notice: str
    articles: list[SampleArticle]
    # The site over time (archiver.sample_site.timeline): which day this is, the moment
    # it shows (the end of that day, Asia/Tokyo), unpublished paths (-> 404 or 410) and
    # moved paths (old -> new, answered with a 301).
    day: int = 0
    now: datetime | None = None
    gone: dict[str, int] = field(default_factory=dict)
    moved: dict[str, str] = field(default_factory=dict)
    _by_path: dict[str, SampleArticle] = field(default_factory=dict, repr=False)
    _by_id: dict[int, SampleArticle] = field(default_factory=dict, repr=False)
    _by_category: dict[str, list[SampleArticle]] = field(default_factory=dict, repr=False)
    _by_tag: dict[str, list[SampleArticle]] = field(default_factory=dict, repr=False)
    _tag_names: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        """Recompute lookups and prev/next links (previous = older post, as WordPress)."""
        self.articles.sort(key=lambda a: (a.published, a.post_id))
        self._by_path = {a.path: a for a in self.articles}
        self._by_id = {a.post_id: a for a in self.articles}
        for index, article in enumerate(self.articles):
            older = self.articles[index - 1] if index > 0 else None
            newer = self.articles[index + 1] if index + 1 < len(self.articles) else None
            article.previous_path = older.path if older else None
            article.next_path = newer.path if newer else None
        self._by_category = {slug: [] for slug, _ in self.categories}
        self._by_tag = {}
        self._tag_names = {}
        for article in self.articles:
            self._by_category.setdefault(article.category_slug, []).append(article)
            for name, slug in article.tags:
                self._by_tag.setdefault(slug, []).append(article)
                self._tag_names.setdefault(slug, name)

    def article_by_path(self, path: str) -> SampleArticle | None:
        return self._by_path.get(path)

    def article_by_id(self, post_id: int) -> SampleArticle | None:
        return self._by_id.get(post_id)

    def category_name(self, slug: str) -> str:
        return dict(self.categories)[slug]

    def tag_name(self, slug: str) -> str:
        return self._tag_names[slug]

    def articles_in_category(self, slug: str) -> list[SampleArticle] | None:
        """Posts of a category, oldest first (None for an unknown category)."""
        return self._by_category.get(slug)

    def articles_with_tag(self, slug: str) -> list[SampleArticle] | None:
        """Posts carrying a tag, oldest first (None for an unknown tag)."""
        return self._by_tag.get(slug)

    def tags(self) -> list[tuple[str, str]]:
        """Every tag in use as (name, slug), in first-use order."""
        return [(name, slug) for slug, name in self._tag_names.items()]

    def all_comments(self) -> list[SampleComment]:
        return [c for a in self.articles for c in a.comments]


def visible_text(body_html: str) -> str:
    """The text a reader sees in a comment body: the one rule the site and its tests share.

    Rule: every ``<p>`` (including those inside ``<blockquote>``) is a paragraph, in
    document order; inside a paragraph ``<br>`` is a line break ("\\n") and the source
    newline WordPress writes after ``<br />`` is not text; other whitespace is kept except
    at paragraph ends; paragraphs are joined by a blank line ("\\n\\n"). Text outside
    ``<p>`` elements is not part of a comment body (wpautop always wraps text in <p>).
    """
    root = lxml_html.fragment_fromstring(body_html, create_parent="div")
    for br in root.iter("br"):
        tail = br.tail or ""
        br.tail = "\n" + (tail[1:] if tail.startswith("\n") else tail)
    paragraphs = [p.text_content().strip() for p in root.iter("p")]
    return "\n\n".join(paragraphs)


def comment_body_html(comment: SampleComment) -> str:
    """The comment body as displayed (stored HTML, or the text run through wpautop)."""
    return comment.html if comment.html is not None else text_to_html(comment.text)


def text_to_html(text: str) -> str:
    """Render plain comment text the way wpautop displays it (<p> per paragraph, <br>)."""
    paragraphs = [escape(p, quote=False).replace("\n", "<br />\n") for p in text.split("\n\n")]
    return "\n".join(f"<p>{p}</p>" for p in paragraphs)
