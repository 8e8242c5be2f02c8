"""Lines that reach a REST shopper outside their request (an agent joining, writing,
leaving), POSTed to the integrating backend's callback URL as Rasa's callback channel does:
`{"recipient_id": <sender>, "text": ..., "custom": ...}`. A REST client has no socket to
push to; this is its outbox delivery."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import OUTBOX

logger = logging.getLogger(__name__)

PERSON_EVENTS = frozenset({"agent_joined", "bot_uttered", "agent_left"})
PREFIX = "rest:"


class RestCallbacks:
    def __init__(self, url: str) -> None:
        self.url = url
        self._http: aiohttp.ClientSession | None = None
        self._pending: set[asyncio.Task[None]] = set()

    def register(self, app: web.Application) -> None:
        async def follow_the_outbox(app: web.Application) -> AsyncIterator[None]:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
            stop = app[OUTBOX].subscribe(self.deliver)
            yield
            stop()
            if self._pending:
                await asyncio.wait(set(self._pending), timeout=5)
            await self._http.close()

        app.cleanup_ctx.append(follow_the_outbox)

    def deliver(self, conversation_id: str, event: str, payload: dict[str, Any]) -> None:
        if event not in PERSON_EVENTS or not conversation_id.startswith(PREFIX):
            return
        body = {
            "recipient_id": conversation_id[len(PREFIX) :],
            "text": payload.get("text"),
            "custom": payload.get("custom") or {},
        }
        task = asyncio.ensure_future(self._post(body))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _post(self, body: dict[str, Any]) -> None:
        assert self._http is not None
        try:
            async with self._http.post(self.url, json=body) as response:
                if response.status >= 300:
                    logger.warning("REST callback answered %s", response.status)
        except (aiohttp.ClientError, TimeoutError):
            logger.warning("REST callback unreachable")
