"""The description API over the real app, with the writer on an OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.app import create_app
from bot.settings import Settings, WriterSettings
from tests.writer.chat_api import ChatAPI

PRODUCT = "p2c36c268eb"  # Mac mini M2 Pro, 16GB
ADMIN_TOKEN = "admin-secret-" + "s" * 32
AUTHORIZED = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
URL = f"/api/products/{PRODUCT}/description"


def truthful(body: dict[str, Any]) -> list[str]:
    """Starts with the fact it was given and adds a plain benefit."""
    line = str(body["messages"][-1]["content"])
    fact = line.split("Fact: ", 1)[1] if "Fact: " in line else "The Mac mini"
    return [f"{fact} makes everyday work smooth."]


async def client_for(
    settings: Settings,
    aiohttp_client: Any,
    aiohttp_server: Callable[[Any], Awaitable[TestServer]],
    **writer: Any,
) -> tuple[TestClient, ChatAPI]:
    api = ChatAPI(truthful)
    server = await aiohttp_server(api.app())
    base_url = f"http://127.0.0.1:{server.port}/v1"
    writer.setdefault("admin_token", SecretStr(ADMIN_TOKEN))
    configured = WriterSettings(
        backend="openai", base_url=base_url, load_at_startup=False, **writer
    )
    app = create_app(settings.model_copy(update={"writer": configured}))
    return await aiohttp_client(app), api


async def test_regenerate_then_read_the_stored_description(
    settings: Settings, aiohttp_client: Any, aiohttp_server: Any
) -> None:
    client, api = await client_for(settings, aiohttp_client, aiohttp_server)
    missing = await client.get(URL)
    assert missing.status == 404
    assert "POST" in (await missing.json())["error"]
    created = await client.post(URL, headers=AUTHORIZED)
    assert created.status == 201
    body = await created.json()
    # the server's clause repeats itself, so later sentences keep the record's words
    assert body["product_id"] == PRODUCT and body["path"] == "model+record"
    assert body["check"]["grounded"] and body["check"]["safe"]
    assert "makes everyday work smooth" in body["text"]
    assert len(body["sentences"]) >= 2
    stored = await client.get(URL)
    assert stored.status == 200 and (await stored.json())["text"] == body["text"]
    asked = len(api.requests)
    again = await client.get(URL)
    assert (await again.json())["text"] == body["text"] and len(api.requests) == asked


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/products/nope-not-here/description", 404),
        ("/api/products/bad%20id%3Cscript%3E/description", 400),
        (f"/api/products/{'x' * 65}/description", 400),
    ],
)
async def test_bad_product_ids_are_refused_and_nothing_is_written(
    settings: Settings, aiohttp_client: Any, aiohttp_server: Any, url: str, status: int
) -> None:
    client, api = await client_for(settings, aiohttp_client, aiohttp_server)
    for method in (client.get, client.post):
        response = await method(url, headers=AUTHORIZED)
        assert response.status == status
        assert "error" in await response.json()
    assert api.requests == []


async def test_regenerating_needs_the_admin_token(
    settings: Settings, aiohttp_client: Any, aiohttp_server: Any
) -> None:
    client, api = await client_for(settings, aiohttp_client, aiohttp_server)
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        refused = await client.post(URL, headers=headers)
        assert refused.status == 401
    assert api.requests == [] and (await client.get(URL)).status == 404
    allowed = await client.post(URL, headers=AUTHORIZED)
    assert allowed.status == 201


async def test_writer_status_names_the_backend(
    settings: Settings, aiohttp_client: Any, aiohttp_server: Any
) -> None:
    client, _ = await client_for(settings, aiohttp_client, aiohttp_server)
    status = await (await client.get("/api/writer")).json()
    assert status == {"backend": "openai-compatible", "ready": True, "error": None}
