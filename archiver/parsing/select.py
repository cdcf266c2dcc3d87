"""Selector lookup for the parsing engine: fast enough for 100-comment pages.

The engine tries a profile's selectors and then many generic WordPress fallbacks;
on a 200 KB page every XPath that scans the whole document costs about half a
millisecond, so the lookups avoid scans that cannot match:

* each CSS selector is compiled once to an lxml ``etree.XPath``;
* a selector naming a class that appears nowhere in the page is skipped, using the
  page's set of class tokens (:class:`Finder`, built once per page);
* a selector starting with ``#id`` starts from libxml2's id table (``id('…')``)
  instead of scanning the document;
* a ``tag.class`` selector walks only the elements of its tag (lxml filters the tag
  in C) and tests their classes in Python, which costs less than XPath's ``@class``
  string tests on every element.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from urllib.parse import urljoin

from lxml import etree
from parsel.csstranslator import css2xpath

_BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)")
_CLASS_NAMES = re.compile(r"\.(-?[_a-zA-Z][-\w]*)")
_CLASS_SUBSTRINGS = re.compile(r"\[class\*=['\"]?([-\w]+)['\"]?\]")
_SIMPLE = re.compile(r"^([a-z][a-z0-9]*)?((?:\.-?[_a-zA-Z][-\w]*)+)$")  # tag.class.class
_LEADING_ID = re.compile(r"^([a-zA-Z][\w-]*)?#([-\w]+)(\s+)(?=[^\s>+~,])")
_XP_CLASSES = etree.XPath("//@class", smart_strings=False)


@dataclass(frozen=True)
class Compiled:
    """One selector, ready to run."""

    xpath: etree.XPath
    required_classes: frozenset[str]
    by_id: bool  # starts from id('…'): results must be checked to be inside the context
    class_substrings: tuple[str, ...] = ()  # [class*=x]: some class token must contain x
    exact_classes: frozenset[str] = frozenset()  # checked in Python on the XPath's matches
    tag: str | None = None  # ``tag.class`` selectors: run as a tag-filtered iter instead


@cache
def compiled(selector: str) -> Compiled:
    """Compile a CSS selector (or ``xpath:…``) relative to a context node."""
    if selector.startswith("xpath:"):
        return Compiled(etree.XPath(selector[6:], smart_strings=False), frozenset(), False)
    outside_brackets = _BRACKETS.sub("", selector)
    required = (
        frozenset(_CLASS_NAMES.findall(outside_brackets)) if "," not in selector else frozenset()
    )
    substrings = tuple(_CLASS_SUBSTRINGS.findall(selector)) if "," not in selector else ()
    match = _LEADING_ID.match(selector)
    if match and "," not in selector:
        tag, element_id = match.group(1), match.group(2)
        rest = css2xpath(selector[match.end() :])
        rest = rest.replace("descendant-or-self::", "descendant::", 1)
        start = f"id('{element_id}')" + (f"[self::{tag.lower()}]" if tag else "")
        xpath = etree.XPath(f"{start}/{rest}", smart_strings=False)
        return Compiled(xpath, required, True, substrings)
    if re.fullmatch(r"#[-\w]+", selector):
        xpath = etree.XPath(f"id('{selector[1:]}')", smart_strings=False)
        return Compiled(xpath, required, True, substrings)
    simple = _SIMPLE.match(selector)
    if simple:
        # contains(@class) in XPath and the exact token test in Python on the few
        # matches: a third cheaper than the translator's concat/normalize-space test.
        tests = "".join(f"[contains(@class, '{c}')]" for c in sorted(required))
        xpath = etree.XPath(
            f"descendant-or-self::{simple.group(1) or '*'}{tests}", smart_strings=False
        )
        return Compiled(xpath, required, False, substrings, required, simple.group(1))
    xpath = etree.XPath(css2xpath(selector), smart_strings=False)
    return Compiled(xpath, required, False, substrings)


class Finder:
    """Runs selectors on one page, skipping those that cannot match it."""

    def __init__(self, root: etree._Element, base_url: str = "") -> None:
        self.root = root
        self.base_url = base_url  # relative links in the page resolve against it
        # Most class attributes repeat (a hundred comments share a few): split each once.
        self.classes = frozenset(" ".join(set(_XP_CLASSES(root))).split())
        self._substrings: dict[str, bool] = {}

    def _has_class_containing(self, part: str) -> bool:
        known = self._substrings.get(part)
        if known is None:
            known = self._substrings[part] = any(part in name for name in self.classes)
        return known

    def absolute(self, href: str | None) -> str:
        """``href`` as an absolute URL ("" when there is none, or it is no URL at all).

        ``urljoin`` raises on what cannot be a URL (``http://[oops``); one such link
        in a comment or the body must not cost the page's whole comment thread or body.
        """
        href = (href or "").strip()
        if not href:
            return ""
        try:
            return urljoin(self.base_url, href)
        except ValueError:
            return ""

    def may_match(self, selector: str) -> bool:
        """False when ``selector`` names a class the page does not have."""
        return self._classes_present(compiled(selector))

    def _classes_present(self, selector_: Compiled) -> bool:
        return selector_.required_classes <= self.classes and all(
            self._has_class_containing(p) for p in selector_.class_substrings
        )

    def run(self, context: etree._Element, selector: str) -> list[etree._Element]:
        """All elements ``selector`` matches inside ``context`` (self included), in order."""
        selector_ = compiled(selector)
        if not self._classes_present(selector_):
            return []
        if selector_.tag is not None:
            return _tagged_with(context, selector_.tag, selector_.exact_classes)
        found = [n for n in selector_.xpath(context) if isinstance(n, etree._Element)]
        if selector_.exact_classes:
            exact = selector_.exact_classes
            found = [n for n in found if exact <= set((n.get("class") or "").split())]
        if selector_.by_id and found and context is not self.root:
            found = [n for n in found if n is context or _contains(context, n)]
        return found

    def all(self, context: etree._Element, selectors: Iterable[str]) -> list[etree._Element]:
        """The elements of the first selector of ``selectors`` that matches anything."""
        for selector in selectors:
            found = self.run(context, selector)
            if found:
                return found
        return []

    def first(self, context: etree._Element, selectors: Iterable[str]) -> etree._Element | None:
        """The first element of the first selector that matches anything, or None."""
        for selector in selectors:
            found = self.run(context, selector)
            if found:
                return found[0]
        return None


def _tagged_with(
    context: etree._Element, tag: str, classes: frozenset[str]
) -> list[etree._Element]:
    """What ``descendant-or-self::tag`` with the classes ``classes`` selects, in order.

    lxml filters the tag in C; testing the few elements of that tag in Python costs
    less than XPath's ``@class`` string tests (measured: about a fifth less on the
    comment list of a 100-comment page).
    """
    probe = max(classes, key=len)  # a substring test rules out most elements cheaply
    found = []
    for node in context.iter(tag):
        value = node.get("class")
        if value and probe in value and classes <= set(value.split()):
            found.append(node)
    return found


def _contains(ancestor: etree._Element, node: etree._Element) -> bool:
    return any(parent is ancestor for parent in node.iterancestors())


def has_class(element: etree._Element, name: str) -> bool:
    """Whether ``element``'s class attribute contains the class ``name``."""
    return name in (element.get("class") or "").split()
