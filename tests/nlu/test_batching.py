"""The micro-batcher: one bad item fails alone, and a full queue answers busy."""

from __future__ import annotations

import asyncio
import threading

import pytest

from nlu.batching import MicroBatcher
from nlu.results import Overloaded


def _upper_unless_poisoned(texts: list[str]) -> list[str]:
    if any("poison" in text for text in texts):
        raise ValueError("cannot read poison")
    return [text.upper() for text in texts]


async def test_one_failing_item_fails_alone() -> None:
    batcher: MicroBatcher[str, str] = MicroBatcher(_upper_unless_poisoned, max_batch=32)
    texts = [f"shopper {i}" for i in range(10)]
    results = await asyncio.gather(
        *(batcher.submit(t) for t in [*texts[:5], "poison", *texts[5:]]),
        return_exceptions=True,
    )
    await batcher.close()
    assert max(batcher.batch_sizes) > 1  # they really shared a batch
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == 1 and "poison" in str(failures[0])
    assert [r for r in results if isinstance(r, str)] == [t.upper() for t in texts]


async def test_a_full_queue_answers_busy_instead_of_growing() -> None:
    release = threading.Event()

    def slow(texts: list[str]) -> list[str]:
        release.wait(5)
        return texts

    batcher: MicroBatcher[str, str] = MicroBatcher(slow, max_batch=2, max_waiting=3)
    first = asyncio.ensure_future(batcher.submit("running"))
    await asyncio.sleep(0.05)  # the worker took it: the queue is empty again
    queued = [asyncio.ensure_future(batcher.submit(f"q{i}")) for i in range(3)]
    await asyncio.sleep(0.05)
    with pytest.raises(Overloaded):
        await batcher.submit("one too many")
    release.set()
    assert await first == "running"
    assert await asyncio.gather(*queued) == ["q0", "q1", "q2"]
    await batcher.close()
