"""Answer replayed requests in the order the original run received its responses.

The rebuilt archive must not depend on how Scrapy happens to schedule the replay: the
order articles reach storage decides, for instance, which of two spellings of a tag one
run saw is kept. The original order is the capture order (each capture was indexed as
its response arrived), so a request is answered only when every earlier capture of the
run has been answered.

A capture nobody asks for (the original run was killed, or today's spider no longer
follows that link) would block the rest, so it is passed over, and answered at once if
it is asked for later. When to pass over is decided by the crawl's state, not by a
clock: the head of the line is passed over only when the replay is *stalled*, that is
when every request in flight is waiting here and nothing else (a callback still
running, a request in the scheduler, a start request not yet sent) could still ask for
it. A wall-clock patience would pass over a capture whose request is merely queued
behind pages still being parsed, and so change the order under load (and waste the
patience's time on every such capture). The caller says what "stalled" means
(:class:`~archiver.capture.replay.ReplayDownloadHandler` asks Scrapy's engine);
:data:`FALLBACK_PATIENCE` is only a safety net for a request that never arrives.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

#: Seconds between checks of whether the replay is stalled, while requests wait.
STALL_CHECK = 0.01
#: Seconds without any progress after which the head is passed over regardless.
FALLBACK_PATIENCE = 10.0


class CaptureSequence:
    """Hands out turns in capture-id order: ``await turn(id)`` returns when it is ``id``'s.

    ``stalled(waiting)`` is called with the number of requests waiting for their turn and
    says whether nothing else could still ask for the head capture; without it, only
    :data:`FALLBACK_PATIENCE` passes a capture over.
    """

    def __init__(
        self, capture_ids: list[int], stalled: Callable[[int], bool] | None = None
    ) -> None:
        self._order = capture_ids
        self._known = set(capture_ids)
        self._head = 0  # index in _order of the next capture to answer
        self._done: set[int] = set()  # answered, or passed over
        self._waiting: dict[int, asyncio.Future[None]] = {}
        self._stalled = stalled
        self._timer: asyncio.TimerHandle | None = None
        self._idle_since = 0.0  # loop time of the last progress
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
        if self._timer is None:
            self._idle_since = asyncio.get_running_loop().time()
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
        self._idle_since = asyncio.get_running_loop().time()

    def _arm(self) -> None:
        self._timer = asyncio.get_running_loop().call_later(STALL_CHECK, self._check)

    def _check(self) -> None:
        """While requests wait: pass the head over if the replay is stalled, else look again."""
        self._timer = None
        if not self._waiting:
            return
        waited = asyncio.get_running_loop().time() - self._idle_since
        stalled = self._stalled is not None and self._stalled(len(self._waiting))
        if (stalled or waited >= FALLBACK_PATIENCE) and self._head < len(self._order):
            self._done.add(self._order[self._head])
            self.passed_over += 1
            self._advance()
        if self._waiting:
            self._arm()
