"""A faithful local replica of grandfleet.info (航空万能論GF) for demos, tests and benchmarks.

The site is data (``data/*.json``, or a deterministic synthetic generator) rendered by a
pure function (:func:`archiver.sample_site.render.render`) and served by a small
threaded HTTP server (:func:`archiver.sample_site.server.serve`).
"""

from __future__ import annotations

from archiver.sample_site.model import BodyBlock, SampleArticle, SampleComment, SampleSite

__all__ = ["BodyBlock", "SampleArticle", "SampleComment", "SampleSite", "load_day0", "load_site"]


def load_site(synthetic_articles: int | None = None, seed: int = 0, day: int = 0) -> SampleSite:
    """The site as it is on ``day`` (0 = the data as shipped; see
    :mod:`archiver.sample_site.timeline`): the curated site, or a deterministic synthetic
    site of ``synthetic_articles`` posts. Each call builds new objects."""
    from archiver.sample_site.timeline import day0_now, evolve

    if day < 0:
        raise ValueError(f"day must be 0 or later, not {day}")
    site = load_day0(synthetic_articles, seed)
    if day:
        evolve(site, day, seed)
    else:
        site.now = day0_now(site)
    return site


def load_day0(synthetic_articles: int | None = None, seed: int = 0) -> SampleSite:
    """The site as shipped (day 0), without its ``now``."""
    if synthetic_articles is None:
        from archiver.sample_site.loader import load_curated

        return load_curated()
    from archiver.sample_site.synthetic import generate_site

    return generate_site(synthetic_articles, seed=seed)
