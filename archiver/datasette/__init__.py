"""The archive's Datasette plugin, as the package Datasette loads (entry point ``archiver``).

The hooks live in :mod:`archiver.datasette_plugin`; this package holds what Datasette
finds only beside a package: ``templates/`` (the article, comment and index pages),
``static/`` (their stylesheet) and ``metadata.yml``.
"""

from archiver.datasette_plugin import (
    extra_css_urls,
    extra_template_vars,
    get_metadata,
    prepare_connection,
)

__all__ = ["extra_css_urls", "extra_template_vars", "get_metadata", "prepare_connection"]
