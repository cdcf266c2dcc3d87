"""Answer replayed requests in the order the original run received its responses.

The rebuilt archive must not depend on how Scrapy happens to schedule the replay: the
order articles reach storage decides, for instance, which of two spellings of a tag one
run saw is kept. The original order is the capture order (each capture was indexed as
its response arrived), so a request is answered only when every earlier capture of the
run has been answered. A capture nobody asks for (the original run was killed, or
today's spider no longer follows that link) would block the rest: after
:data:`PATIENCE` seconds without progress it is passed over, and answered at once if it
is asked for later.
"""

from __future__ import annotations

import asyncio

#: Seconds without progress before the capture at the head of the line is passed over.
PATIENCE = 0.3


class CaptureSequence:
    """Hands out turns in capture-id order: ``await turn(id)`` returns when it is ``id``'s."""

    def __init__(self, capture_ids: list[int]) -> None:
        self._order = capture_ids
        self._known = set(capture_ids)
        self._head = 0  # index in _order of the next capture to answer
        self._done: set[int] = set()  # answered, or passed over
        self._waiting: dict[int, asyncio.Future[None]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self.passed_over = 0  # captures never asked for in time

    async def turn(self, capture_id: int) -> None:
        if capture_id not in self._known or capture_id in self._done:
            return  # passed over earlier: answer at once
        if self._order[self._head] == capture_id:
            self._done.add(capture_id)
            self._advance()
            return
        future = asyncio.get_running_loop().create_future()
        self._waiting[capture_id] = future
        self._arm()
        await future

    def _advance(self) -> None:
        """Move the head past answered captures, waking each waiting one in order."""
        while self._head < len(self._order):
            capture_id = self._order[self._head]
            if capture_id not in self._done:
                future = self._waiting.pop(capture_id, None)
                if future is None:
                    break  # not asked for yet
                self._done.add(capture_id)
                future.set_result(None)  # wakes in capture order
            self._head += 1
        self._arm()

    def _arm(self) -> None:
        """(Re)start the patience timer while requests wait behind an unasked capture."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._waiting:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(PATIENCE, self._pass_over)

    def _pass_over(self) -> None:
        self._timer = None
        if self._head < len(self._order):
            self._done.add(self._order[self._head])
            self.passed_over += 1
            self._advance()
