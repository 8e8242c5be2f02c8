"""The outbox across instances, over Redis pub/sub.

A line is delivered at once to this instance's subscribers (as `Outbox` does) and published,
in order, on one Redis channel; every other instance delivers it to its subscribers that
asked for lines `from_every_instance` (sockets), so the instance holding a shopper's socket
gets the agent line that arrived at another. Lines go to Redis through one queue and one
task, so they keep their order; while Redis is away they are dropped with a warning (the
shopper's history still has them) and the listener resubscribes when it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

import redis.asyncio as redis
from redis.exceptions import RedisError

from bot.outbox import Delivery, Outbox

logger = logging.getLogger(__name__)

RETRY_S = 1.0


class RedisOutbox(Outbox):
    """`Outbox` shared by every instance on one Redis channel; `start()` before use,
    `close()` after."""

    def __init__(
        self, client: redis.Redis, channel: str = "shopbot:outbox", max_waiting: int = 10_000
    ) -> None:
        super().__init__()
        self._client = client
        self._channel = channel
        self.instance = uuid.uuid4().hex
        self._from_others: list[Delivery] = []
        self._sending: asyncio.Queue[str] = asyncio.Queue(max_waiting)
        self._pubsub = client.pubsub(ignore_subscribe_messages=True)
        self._tasks: list[asyncio.Task[None]] = []

    def subscribe(
        self, deliver: Delivery, *, from_every_instance: bool = False
    ) -> Callable[[], None]:
        stop = super().subscribe(deliver)
        if not from_every_instance:
            return stop
        self._from_others.append(deliver)

        def stop_both() -> None:
            stop()
            if deliver in self._from_others:
                self._from_others.remove(deliver)

        return stop_both

    def publish(
        self, conversation_id: str, payload: dict[str, Any], event: str = "bot_stream"
    ) -> None:
        super().publish(conversation_id, payload, event)
        line = {"from": self.instance, "to": conversation_id, "event": event, "payload": payload}
        try:
            self._sending.put_nowait(json.dumps(line))
        except asyncio.QueueFull:
            logger.warning("outbox: Redis is behind; a line reaches this instance only")
        except (TypeError, ValueError):
            logger.exception("outbox: a line that is not JSON reaches this instance only")

    async def start(self) -> None:
        """Listen (at once if Redis answers, else as soon as it does) and start sending."""
        try:
            await self._pubsub.subscribe(self._channel)
        except RedisError:
            logger.warning("outbox: Redis does not answer; lines from other instances wait")
        self._tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._send())]

    async def close(self, flush_s: float = 2.0) -> None:
        """Send what is queued (for up to `flush_s`), then stop listening."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._sending.join(), flush_s)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(RedisError):
            await self._pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _send(self) -> None:
        while True:
            line = await self._sending.get()
            try:
                await self._client.publish(self._channel, line)
            except RedisError:
                logger.warning("outbox: Redis does not answer; a line reached this instance only")
            finally:
                self._sending.task_done()

    async def _listen(self) -> None:
        while True:
            try:
                if not self._pubsub.subscribed:
                    await self._pubsub.subscribe(self._channel)
                message = await self._pubsub.get_message(timeout=1.0)
            except RedisError:
                logger.warning("outbox: lost Redis; listening again in %g s", RETRY_S)
                await asyncio.sleep(RETRY_S)
                continue
            if message is not None and message.get("type") == "message":
                self._deliver(message["data"])

    def _deliver(self, data: bytes) -> None:
        try:
            line = json.loads(data)
            if line["from"] == self.instance:
                return  # delivered here when it was published
            conversation_id, event, payload = line["to"], line["event"], line["payload"]
        except (ValueError, KeyError, TypeError):
            logger.warning("outbox: a line on %s that is not ours", self._channel)
            return
        for deliver in list(self._from_others):
            try:
                deliver(conversation_id, event, payload)
            except Exception:  # a broken channel must not break the listener
                logger.exception("outbox delivery failed")
