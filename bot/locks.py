"""Per-conversation locks: one turn at a time per conversation, all conversations in parallel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol


class Locks(Protocol):
    """One holder at a time per key: in this process (`ConversationLocks`) or across
    instances (`bot.locks_redis.RedisConversationLocks`)."""

    def hold(self, key: str) -> AbstractAsyncContextManager[None]: ...


class ConversationLocks:
    """Hands out one `asyncio.Lock` per key and forgets it when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                del self._users[key]
                del self._locks[key]

    def __len__(self) -> int:
        return len(self._locks)
