"""/health with the shared stores: ok when they answer; degraded (503) when PostgreSQL or
Redis is configured and not there, and turns fail at once with a clear 503, never hang."""

from __future__ import annotations

import time
from typing import Any

from aiohttp.test_utils import TestClient
from pydantic import SecretStr

from bot.app import create_app
from bot.settings import Settings
from tests.bot.shared_servers import (
    closed_port,
    on_shared_servers,
    pg_schema,
    redis_prefix,
)

__all__ = ["pg_schema", "redis_prefix"]  # the fixtures, used by name

URL = "/webhooks/rest/webhook"


async def test_ok_on_postgresql_and_redis(
    aiohttp_client: Any, settings: Settings, pg_schema: str, redis_prefix: str
) -> None:
    shared = on_shared_servers(settings, pg_schema, redis_prefix)
    client: TestClient = await aiohttp_client(create_app(shared))
    health = await client.get("/health")
    assert health.status == 200 and (await health.json())["status"] == "ok"
    turn = await client.post(URL, json={"sender": "h1", "message": "hello"})
    assert turn.status == 200 and await turn.json()


async def test_degraded_and_fast_failing_turns_when_they_are_not_there(
    aiohttp_client: Any, settings: Settings, pg_schema: str
) -> None:
    away = settings.model_copy(
        update={
            "database_url": SecretStr(f"postgresql://postgres@127.0.0.1:{closed_port()}/test"),
            "database_schema": pg_schema,
            "redis_url": SecretStr(f"redis://127.0.0.1:{closed_port()}/0"),
        }
    )
    client: TestClient = await aiohttp_client(create_app(away))  # starts anyway
    health = await client.get("/health")
    body = await health.json()
    assert health.status == 503 and body["status"] == "degraded"
    assert sorted(body["unavailable"]) == ["postgresql", "redis"]
    started = time.monotonic()
    turn = await client.post(URL, json={"sender": "h1", "message": "hello"})
    assert turn.status == 503 and turn.headers["Retry-After"] == "5"
    assert "shared store does not answer" in (await turn.json())["error"]
    assert time.monotonic() - started < 5
    metrics = await (await client.get("/metrics")).text()
    assert 'shopbot_errors_total{kind="unavailable"} 1.0' in metrics


async def test_only_postgresql_away(
    aiohttp_client: Any, settings: Settings, pg_schema: str
) -> None:
    away = settings.model_copy(
        update={
            "database_url": SecretStr(f"postgresql://postgres@127.0.0.1:{closed_port()}/test"),
            "database_schema": pg_schema,
        }
    )
    client: TestClient = await aiohttp_client(create_app(away))
    health = await client.get("/health")
    assert health.status == 503 and (await health.json())["unavailable"] == ["postgresql"]
    turn = await client.post(URL, json={"sender": "h1", "message": "hello"})
    assert turn.status == 503
