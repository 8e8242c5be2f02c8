"""Rasa's REST channel over the real aiohttp app: wire format and bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import BOT, create_app
from bot.settings import Settings

URL = "/webhooks/rest/webhook"


@pytest.fixture
async def client(aiohttp_client: Any, settings: Settings) -> TestClient:
    return await aiohttp_client(create_app(settings))


async def _stored_events(client: TestClient, sender: str) -> list[dict[str, Any]]:
    return await client.app[BOT].store.load(f"rest:{sender}")


async def test_reply_is_rasa_rest_format(client: TestClient) -> None:
    response = await client.post(URL, json={"sender": "s1", "message": "hello"})
    assert response.status == 200
    body = await response.json()
    assert isinstance(body, list) and body
    assert all(item["recipient_id"] == "s1" for item in body)
    assert isinstance(body[0]["text"], str)
    assert all(set(item) <= {"recipient_id", "text", "buttons", "image", "custom"} for item in body)


async def test_health_and_channel_status(client: TestClient) -> None:
    health = await client.get("/health")
    assert health.status == 200 and (await health.json())["status"] == "ok"
    status = await client.get("/webhooks/rest/")
    assert (await status.json()) == {"status": "ok"}


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b"", 400, "empty body"),
        (b"   ", 400, "empty body"),
        (b"{not json", 400, "not valid JSON"),
        (b"\xff\xfe", 400, "not valid JSON"),
        (b"[1, 2]", 400, "JSON object"),
        (json.dumps({"sender": "bad1", "message": 5}).encode(), 400, "message"),
        (json.dumps({"sender": 7, "message": "hi"}).encode(), 400, "sender"),
        (json.dumps({"sender": "bad1"}).encode(), 400, "message"),
        (json.dumps({"sender": "bad1", "message": ""}).encode(), 400, "message"),
        (
            json.dumps({"sender": "bad1", "message": "hi", "metadata": [1]}).encode(),
            400,
            "metadata",
        ),
    ],
)
async def test_bad_bodies_get_json_4xx_and_store_nothing(
    client: TestClient, body: bytes, status: int, error: str
) -> None:
    response = await client.post(URL, data=body, headers={"Content-Type": "application/json"})
    assert response.status == status
    assert error in (await response.json())["error"]
    assert await _stored_events(client, "bad1") == []
    assert await _stored_events(client, "default") == []


async def test_oversize_body_is_413_json_and_stores_nothing(client: TestClient) -> None:
    body = json.dumps({"sender": "big", "message": "x" * (70 * 1024)})
    response = await client.post(URL, data=body, headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert "too large" in (await response.json())["error"]
    assert await _stored_events(client, "big") == []


async def test_overlong_message_gets_a_polite_refusal(client: TestClient) -> None:
    response = await client.post(URL, json={"sender": "long", "message": "y" * 2001})
    assert response.status == 200
    [reply] = await response.json()
    assert "too long" in reply["text"] and "2000" in reply["text"]
    assert await _stored_events(client, "long") == []
