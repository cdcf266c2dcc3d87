"""A comment's vote counts: the up (like) count, and the down (dislike) count of
two-button widgets, whatever the plugin.

:mod:`archiver.parsing.comments` finds each comment's up count with one selector scan
of the thread (:data:`GENERIC_VOTES` after the profile's); this module reads it and
finds the down count beside it. Most threads show one count only, so the down count is
looked for only in the widget around an up count whose classes name a two-button plugin
(Comments Like Dislike, Thumbs Rating, wp-ulike's up/down templates), or when the
profile names a down count: a scan of every thread for it would cost them all.
"""

from __future__ import annotations

import re

from archiver.parsing.document import Node, same
from archiver.parsing.select import attr
from archiver.parsing.text import inline_text
from archiver.parsing.thread import owned_by

GENERIC_VOTES = (
    "span.count-box",
    ".wp_ulike_counter_up",
    ".wpd-vote-result",
    ".cld-like-count-wrap",
    ".thumbs-rating-up",
    ".comment-like-count",
    ".like-count",
    ".likes-count",
    ".vote-count",
    ".c-like__count",
    "[class*=like__count]",
    "[class*=like-count]",
    "[class*=like_count]",
    "[class*=vote-count]",
)
# The down (dislike) count of two-button vote widgets: Comments Like Dislike, Thumbs
# Rating, wp-ulike Pro's up/down templates. Looked for only in the widget around the up
# count (:func:`vote_counts`), never by a scan of the thread.
GENERIC_VOTES_DOWN = (".cld-dislike-count-wrap", ".thumbs-rating-down", ".wp_ulike_counter_down")
# Classes of down counts: never the up count, even when it is the only count an
# up-vote selector found ("[class*=like-count]" matches "cld-dislike-count-wrap").
_DOWN_CLASS = re.compile("dislike|counter_down|rating-down")


def vote_counts(
    up: Node | None, comment: Node, down_selector: str, down_in_profile: bool
) -> tuple[Node | None, Node | None]:
    """The up and the down count of a comment, from the count the field scan found.

    Two-button widgets put both counts in one container, so the down count is looked
    for only there: the up count's parent, then grandparent, inside the comment and not
    in a reply. A down count is never the up count, even when an up-vote selector found
    it (``[class*=like-count]`` matches ``cld-dislike-count-wrap``).
    """
    if up is None:
        return None, None
    classes = up.attrs.get("class") or ""
    # The classes of two-button plugins' counts; like-only widgets (most pages) fail
    # these tests at once. (Spelled out: a generator here costs more than the tests.)
    if not (
        down_in_profile
        or "cld-" in classes
        or "thumbs-" in classes
        or "_counter_" in classes
        or "dislike" in classes
    ):
        return up, None
    if _DOWN_CLASS.search(classes) is not None:
        return None, up
    container = up.parent
    for _ in range(2):
        if container is None or same(container, comment):
            break
        down = container.css_first(down_selector)
        if down is not None and owned_by(down, container, comment):
            return up, down
        container = container.parent
    return up, None


def count_text(counter: Node | None) -> str | None:
    """A vote count as shown: its text, or the value wp-ulike shows from an attribute
    (its count boxes are empty spans that CSS fills with ``data-ulike-counter-value``)."""
    if counter is None:
        return None
    return inline_text(counter) or attr(counter, "data-ulike-counter-value") or ""
