"""Fast element access on the tree Scrapy built for a response.

Scrapy's ``response.selector`` parses HTML with :class:`lxml.html.HTMLParser`, whose
element class lookup is a Python method (``HtmlElementClassLookup.lookup``) called
every time lxml creates a Python proxy for an element: every XPath result, child,
parent and iteration step. On a 200 KB page with 100 comments that callback alone
costs more than the parse of the page. The parser only uses the plain
:class:`lxml.etree._Element` API, so while it reads a page it switches the document's
lookup to lxml's C default, and puts the ``lxml.html`` one back afterwards.

The switch touches only this response's document: parsel builds one parser object per
document (trees from lxml.html's shared module parsers are left alone), and proxies are created afresh once ours are gone, so whoever reads the
response after the parser still gets ``lxml.html`` elements.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from lxml import etree, html

_PLAIN_LOOKUP = etree.ElementDefaultClassLookup()


@contextmanager
def plain_elements(root: etree._Element) -> Iterator[None]:
    """Within the block, new proxies of ``root``'s document are plain ``_Element``."""
    parser = root.getroottree().parser if type(root) is html.HtmlElement else None
    if parser is None or parser is html.html_parser or parser is html.xhtml_parser:
        # Not a tree parsel built with its own parser (lxml.html's module parsers are
        # shared by every document they parse): leave its classes alone.
        yield
        return
    parser.set_element_class_lookup(_PLAIN_LOOKUP)
    try:
        yield
    finally:
        parser.set_element_class_lookup(html.HtmlElementClassLookup())
