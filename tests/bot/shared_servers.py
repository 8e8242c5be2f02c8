"""The PostgreSQL and Redis every machine of this project runs (CI included), and a place of
their own for each test: a fresh schema, a fresh key prefix, removed afterwards."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import redis.asyncio as redis
from pydantic import SecretStr

from bot.settings import Settings

DATABASE_URL = os.environ.get(
    "SHOPBOT_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("SHOPBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def on_shared_servers(settings: Settings, pg_schema: str, redis_prefix: str) -> Settings:
    """`settings` with conversations on this machine's PostgreSQL and locks, outbox on Redis."""
    return settings.model_copy(
        update={
            "database_url": SecretStr(DATABASE_URL),
            "database_schema": pg_schema,
            "redis_url": SecretStr(REDIS_URL),
            "redis_prefix": redis_prefix,
        }
    )


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def pg_schema() -> AsyncIterator[str]:
    """A schema of this test's own in the shared database, dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    yield schema
    connection = await asyncpg.connect(DATABASE_URL)
    try:
        await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await connection.close()


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards (never FLUSHALL)."""
    prefix = f"test:{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
