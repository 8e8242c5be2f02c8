"""Dynamic micro-batching: concurrent requests share one model call, off the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Generic, TypeVar

from nlu.results import Overloaded

Item = TypeVar("Item")
Result = TypeVar("Result")

log = logging.getLogger(__name__)


class MicroBatcher(Generic[Item, Result]):
    """Collects whatever is waiting (up to `max_batch`) and runs it as one batch in a worker thread.

    No timer: a lone request runs at once, and requests that arrive while a batch runs
    form the next batch, so batches grow exactly when load does. At most `max_waiting`
    requests queue; one more raises `Overloaded` instead of growing the queue. A batch that
    fails is run again item by item, so one bad item fails alone.
    """

    def __init__(
        self,
        predict: Callable[[list[Item]], list[Result]],
        max_batch: int = 32,
        max_waiting: int = 256,
        worker: Executor | None = None,
    ) -> None:
        """`worker`: the thread the model runs on, shared with other models (the app's), or
        None for a thread of this batcher's own."""
        self._predict = predict
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[Item, asyncio.Future[Result]]] = asyncio.Queue(
            maxsize=max_waiting
        )
        self._owns_thread = worker is None
        self._thread = worker or ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlu-batch")
        self._worker: asyncio.Task[None] | None = None
        self.batch_sizes: deque[int] = deque(maxlen=1000)

    async def submit(self, item: Item) -> Result:
        if self._worker is None:
            self._worker = asyncio.create_task(self._run())
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        try:
            self._queue.put_nowait((item, future))
        except asyncio.QueueFull:
            raise Overloaded("the language model's queue is full") from None
        return await future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            self.batch_sizes.append(len(batch))
            items = [item for item, _ in batch]
            try:
                results = await loop.run_in_executor(self._thread, self._predict, items)
            except Exception:
                log.warning("a batch of %d failed; running its items one by one", len(batch))
                await self._run_singly(batch)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def _run_singly(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        loop = asyncio.get_running_loop()
        for item, future in batch:
            try:
                [result] = await loop.run_in_executor(self._thread, self._predict, [item])
            except Exception as error:
                if not future.done():
                    future.set_exception(error)
                continue
            if not future.done():
                future.set_result(result)

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        if self._owns_thread:
            self._thread.shutdown(wait=False)
