"""Selector lookup for the parsing engine: a profile's selectors, then the fallbacks.

Selectors are CSS, run by lexbor's selector engine in C (``css``/``css_first``), with
the semantics of the DOM's ``querySelectorAll`` on an element: the element itself
can match, and the ancestors a selector names may lie outside it. Class names match
as in a browser: exactly, except in a page without a doctype (quirks mode), where
they match without regard to ASCII case.

Every selector run on the whole document walks all of it, comment thread included
(about 0.1 ms on a 200 KB page), and the engine tries many fallbacks that match
nothing on a given page; so a :class:`Finder` avoids walks that cannot change the result:

* ``#id rest`` starts from the first element with that id (looked up once per page,
  as ``document.getElementById`` does), and matches nothing if there is none;
* a selector run on the whole document that matched nothing is remembered, and a
  later selector that needs an ancestor matching it (``.comment-navigation .current``
  after ``.comment-navigation``) is not run;
* the fallbacks left after a profile's selector are first probed together, as one
  selector list: one walk tells that none of them matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

from archiver.parsing.document import Node, same
from archiver.parsing.urls import join_url

# "#id" or "#id descendant-part": the id is looked up once, the rest runs inside it.
_ANCHORED = re.compile(r"^#([-\w]+)(?:\s+([^,]+))?$")
_CSS_IDENT = re.compile(r"^-?[_a-zA-Z][-\w]*$")  # what "#id" can name as it is
# "ancestor descendant-part", where the ancestor part is one compound selector.
_ANCESTOR = re.compile(r"^([^\s,>+~()\[\]]+)\s+[^,]+$")


@cache
def _shape(selector: str) -> tuple[str | None, str | None, str | None]:
    """``(ancestor part, anchor id, rest)`` of a selector, for :meth:`Finder.run`."""
    ancestor = _ANCESTOR.match(selector)
    anchored = _ANCHORED.match(selector)
    return (
        ancestor.group(1) if ancestor else None,
        anchored.group(1) if anchored else None,
        anchored.group(2) if anchored else None,
    )


def attr(node: Node, name: str) -> str | None:
    """The value of ``node``'s attribute ``name``: None if absent, "" if it has no value."""
    attributes = node.attributes
    if name in attributes:
        return attributes[name] or ""
    return None


class Finder:
    """Runs selectors on one page and resolves its links."""

    def __init__(self, root: Node, base_url: str = "") -> None:
        self.root = root  # the <html> element: lexbor always builds one
        self.base_url = base_url  # relative links in the page resolve against it
        self._ids: dict[str, Node | None] = {}
        self._absent: set[str] = set()  # selectors that match nothing in the document
        self._scans: dict[str, list[Node]] = {}
        self._derived: dict[str, list[Node]] = {}

    def absolute(self, href: str | None) -> str:
        """``href`` as an absolute URL ("" when there is none, or it is no URL at all).

        ``urljoin`` raises on what cannot be a URL (``http://[oops``); one such link
        in a comment or the body must not cost the page's whole comment thread or body.
        """
        href = (href or "").strip()
        if not href:
            return ""
        try:
            return join_url(self.base_url, href)
        except ValueError:
            return ""

    def by_id(self, element_id: str) -> Node | None:
        """The first element whose id is ``element_id``, or None."""
        if element_id not in self._ids:
            if _CSS_IDENT.match(element_id):
                node = self.root.css_first(f"#{element_id}")
                if node is not None and node.id != element_id:
                    # quirks mode matched "#id" ignoring case; ids are exact, as in the DOM
                    node = self.root.css_first(f'[id="{element_id}"]')
            else:  # "#1st" is no CSS; the attribute selector takes any id
                node = self.root.css_first(f'[id="{element_id}"]')
            self._ids[element_id] = node
        return self._ids[element_id]

    def run(self, context: Node, selector: str, only_first: bool = False) -> list[Node]:
        """All elements ``selector`` matches inside ``context`` (itself included), in order.

        With ``only_first``, at most the first of them.
        """
        if selector in self._absent:
            return []
        ancestor, anchor_id, rest = _shape(selector)
        if ancestor is not None and ancestor in self._absent:
            return []
        if anchor_id is not None:
            return self._run_anchored(context, anchor_id, rest, only_first)
        if only_first:
            node = context.css_first(selector)
            found = [node] if node is not None else []
        else:
            found = context.css(selector)
        if not found and same(context, self.root):
            self._absent.add(selector)
        return found

    def _run_anchored(
        self, context: Node, element_id: str, rest: str | None, only_first: bool
    ) -> list[Node]:
        anchor = self.by_id(element_id)
        if anchor is None:
            return []
        if rest is None:
            found = [anchor]
        elif only_first:
            node = anchor.css_first(rest)
            if same(node, anchor):  # the anchor itself matches: the match must be inside it
                node = next((n for n in anchor.css(rest) if not same(n, anchor)), None)
            found = [node] if node is not None else []
        else:
            found = [n for n in anchor.css(rest) if not same(n, anchor)]
        if not same(context, self.root):
            found = [n for n in found if _inside(n, context)]
        return found

    def scan_once(self, selector: str) -> list[Node]:
        """All elements of the document ``selector`` matches, found by one walk per page
        however many parts of the parser ask (they share one selector list)."""
        if selector not in self._scans:
            self._scans[selector] = self.root.css(selector)
        return self._scans[selector]

    def once(self, key: str, compute: Callable[[], list[Node]]) -> list[Node]:
        """``compute()``, run once per page however many parts of the parser ask for it
        by ``key`` (elements the scans find, filtered: the links to comment pages)."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    def all(self, context: Node, selectors: Iterable[str]) -> list[Node]:
        """The elements of the first selector of ``selectors`` that matches anything."""
        selectors = tuple(selectors)
        for index, selector in enumerate(selectors):
            if index == 1 and not self._any(context, selectors[1:]):
                return []
            found = self.run(context, selector)
            if found:
                return found
        return []

    def first(self, context: Node, selectors: Iterable[str]) -> Node | None:
        """The first element of the first selector that matches anything, or None."""
        selectors = tuple(selectors)
        for index, selector in enumerate(selectors):
            if index == 1 and not self._any(context, selectors[1:]):
                return None
            found = self.run(context, selector, only_first=True)
            if found:
                return found[0]
        return None

    def _any(self, context: Node, selectors: tuple[str, ...]) -> bool:
        """Whether any of ``selectors`` may match: the plain ones probed in one walk."""
        plain = []
        for selector in selectors:
            if selector in self._absent:
                continue
            ancestor, anchor_id, _ = _shape(selector)
            if ancestor is not None and ancestor in self._absent:
                continue
            if anchor_id is not None:
                return True  # cheap to run on its own
            plain.append(selector)
        if len(plain) < 2:
            return bool(plain)
        if context.css_first(", ".join(plain)) is not None:
            return True
        if same(context, self.root):
            self._absent.update(plain)
        return False


def _inside(node: Node, context: Node) -> bool:
    """Whether ``node`` is ``context`` or one of its descendants."""
    while node is not None:
        if same(node, context):
            return True
        node = node.parent
    return False


def has_class(element: Node, name: str) -> bool:
    """Whether ``element``'s class attribute contains the class ``name``."""
    return name in (element.attrs.get("class") or "").split()
