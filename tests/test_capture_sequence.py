"""The replay's capture order (archiver.capture.sequence), on a real asyncio loop."""

from __future__ import annotations

import asyncio

from archiver.capture import sequence
from archiver.capture.sequence import CaptureSequence


async def _answer(order: CaptureSequence, capture_id: int, answered: list[int]) -> None:
    await order.turn(capture_id)
    answered.append(capture_id)


def test_turns_follow_capture_order_whatever_order_they_are_asked_in():
    async def scenario() -> list[int]:
        order = CaptureSequence([1, 2, 3, 4])
        answered: list[int] = []
        tasks = [asyncio.create_task(_answer(order, cid, answered)) for cid in (4, 2, 3, 1)]
        await asyncio.gather(*tasks)
        assert order.passed_over == 0
        return answered

    assert asyncio.run(scenario()) == [1, 2, 3, 4]


def test_a_capture_is_passed_over_only_when_the_replay_is_stalled(monkeypatch):
    """Not after a while: only once nothing but the waiting requests could still ask."""
    monkeypatch.setattr(sequence, "FALLBACK_PATIENCE", 60.0)
    busy_until = {"checks": 20}  # the engine is "busy" for the first 20 checks
    checks: list[int] = []

    def stalled(waiting: int) -> bool:
        checks.append(waiting)
        return len(checks) > busy_until["checks"]

    async def scenario() -> tuple[list[int], int]:
        order = CaptureSequence([1, 2, 3], stalled)
        answered: list[int] = []
        # capture 1 is never asked for (a killed run's last page, say)
        await asyncio.gather(_answer(order, 3, answered), _answer(order, 2, answered))
        return answered, order.passed_over

    answered, passed_over = asyncio.run(scenario())
    assert answered == [2, 3]
    assert passed_over == 1
    assert len(checks) == busy_until["checks"] + 1  # released at the first stalled check
    assert set(checks) == {2}  # both requests were waiting at every check


def test_a_capture_passed_over_is_answered_at_once_when_asked_later():
    async def scenario() -> list[int]:
        order = CaptureSequence([1, 2], stalled=lambda waiting: True)
        answered: list[int] = []
        await _answer(order, 2, answered)  # 1 not asked: passed over at the first check
        await asyncio.wait_for(_answer(order, 1, answered), timeout=1)
        assert order.passed_over == 1
        return answered

    assert asyncio.run(scenario()) == [2, 1]


def test_without_a_stall_check_only_the_fallback_patience_passes_over(monkeypatch):
    monkeypatch.setattr(sequence, "FALLBACK_PATIENCE", 0.05)

    async def scenario() -> tuple[list[int], float]:
        order = CaptureSequence([1, 2])
        answered: list[int] = []
        loop = asyncio.get_running_loop()
        started = loop.time()
        await _answer(order, 2, answered)
        return answered, loop.time() - started

    answered, waited = asyncio.run(scenario())
    assert answered == [2]
    assert waited >= 0.05
