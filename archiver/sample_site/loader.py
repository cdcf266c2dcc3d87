"""Reading the curated site from its JSON data files.

One file per article (``data/articles/*.json``) plus ``data/site.json`` (categories,
popular list, boilerplate). Depth and prev/next are derived, never stored, so that
editing a data file cannot make them inconsistent.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from archiver.sample_site.model import BodyBlock, SampleArticle, SampleComment, SampleSite

DATA_DIR = Path(__file__).parent / "data"


def load_site_doc(data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """``site.json``: categories, popular list and boilerplate (shared with the synthetic site)."""
    return json.loads((data_dir / "site.json").read_text(encoding="utf-8"))


def load_curated(data_dir: Path = DATA_DIR) -> SampleSite:
    """Load the hand-curated site from ``data_dir``."""
    site_doc = load_site_doc(data_dir)
    categories = [(slug, name) for slug, name in site_doc["categories"]]
    names = dict(categories)
    articles = [
        article_from_doc(json.loads(path.read_text(encoding="utf-8")), names)
        for path in sorted((data_dir / "articles").glob("*.json"))
    ]
    return SampleSite(
        categories=categories,
        popular_paths=list(site_doc["popular"]),
        notice=site_doc["notice"],
        articles=articles,
    )


def article_from_doc(doc: dict[str, Any], category_names: dict[str, str]) -> SampleArticle:
    """Build a :class:`SampleArticle` from one article data file."""
    depth_of: dict[int, int] = {}
    comments = []
    for entry in doc["comments"]:
        parent = entry["parent"]
        depth = 1 if parent is None else depth_of[parent] + 1
        depth_of[entry["id"]] = depth
        comments.append(
            SampleComment(
                comment_id=entry["id"],
                parent_id=parent,
                depth=depth,
                author=entry["author"],
                author_url=entry.get("author_url"),
                posted=datetime.fromisoformat(entry["posted"]),
                text=entry["text"],
                html=entry.get("html"),
                votes=entry["votes"],
            )
        )
    category = doc["category"]
    return SampleArticle(
        post_id=doc["post_id"],
        path=f"/{category}/{doc['slug']}/",
        slug=doc["slug"],
        title=doc["title"],
        category_slug=category,
        category_name=category_names[category],
        published=datetime.fromisoformat(doc["published"]),
        modified=datetime.fromisoformat(doc["modified"]),
        tags=[(name, slug) for name, slug in doc["tags"]],
        comment_markup=doc["comment_markup"],
        comments=comments,
        related_paths=list(doc["related"]),
        body=[
            BodyBlock(
                kind=b["kind"], text=b.get("text", ""), url=b.get("url"), image=b.get("image")
            )
            for b in doc["body"]
        ],
        thumbnail=doc["thumbnail"],
    )
