"""Operator routes (agent lines, regenerating, revoking sessions) need their token, always."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from pydantic import SecretStr, ValidationError

from bot.app import BOT, TOKENS, create_app
from bot.settings import Settings, WebSettings

AGENT_TOKEN = "agent-token-0123456789-abcdefghij"
AGENT_URL = "/api/conversations/rest:shopper/agent"
LINE = {"event": "join", "agent": "Maya"}


@pytest.fixture
async def client(aiohttp_client: Any, settings: Settings) -> TestClient:
    web = WebSettings(agent_token=SecretStr(AGENT_TOKEN))
    client = await aiohttp_client(create_app(settings.model_copy(update={"web": web})))
    await client.post("/webhooks/rest/webhook", json={"sender": "shopper", "message": "hello"})
    return client


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("token", ["", "short", "x" * 31, "a" * 40, " " * 40, "ab cd" * 8])
def test_a_short_or_empty_token_stops_the_service_at_startup(token: str) -> None:
    with pytest.raises(ValidationError):
        WebSettings(agent_token=SecretStr(token))
    with pytest.raises(ValidationError):
        Settings(writer={"admin_token": token})
    with pytest.raises(ValidationError):
        Settings(secret_key=SecretStr(token))


async def test_unconfigured_routes_are_closed_even_from_this_machine(
    aiohttp_client: Any, settings: Settings
) -> None:
    client = await aiohttp_client(create_app(settings))
    await client.post("/webhooks/rest/webhook", json={"sender": "shopper", "message": "hello"})
    assert client.server.host == "127.0.0.1"
    agent = await client.post(AGENT_URL, json=LINE)
    assert agent.status == 403 and "web.agent_token" in (await agent.json())["error"]
    regenerate = await client.post("/api/products/p2c36c268eb/description")
    assert regenerate.status == 403
    revoke = await client.post("/api/sessions/abc/revoke")
    assert revoke.status == 403


async def test_agent_lines_need_the_token_and_a_json_content_type(client: TestClient) -> None:
    assert (await client.post(AGENT_URL, json=LINE)).status == 401
    form = await client.post(
        AGENT_URL,
        data='{"event": "join", "agent": "Maya"}',
        headers={**_bearer(AGENT_TOKEN), "Content-Type": "text/plain"},
    )
    assert form.status == 415  # what a cross-site form or fetch without preflight can send
    ok = await client.post(AGENT_URL, json=LINE, headers=_bearer(AGENT_TOKEN))
    assert ok.status == 201
    events = await client.app[BOT].store.load("rest:shopper")
    assert events[-1]["text"] == "Maya from our team joined the chat."


async def test_deeply_nested_agent_json_is_a_400(client: TestClient) -> None:
    body = '{"event": "message", "agent": "M", "text": ' + "[" * 20_000 + "]" * 20_000 + "}"
    response = await client.post(
        AGENT_URL,
        data=body,
        headers={**_bearer(AGENT_TOKEN), "Content-Type": "application/json"},
    )
    assert response.status == 400


async def _raw_request(client: TestClient, authorization: bytes) -> bytes:
    """A request whose header bytes no HTTP client library would send."""
    reader, writer = await asyncio.open_connection("127.0.0.1", client.server.port)
    body = b'{"event": "join", "agent": "Maya"}'
    writer.write(
        b"POST " + AGENT_URL.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nAuthorization: " + authorization + b"\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
    )
    await writer.drain()
    response = await reader.read()
    writer.close()
    return response


@pytest.mark.parametrize(
    "authorization", ["Bearer пароль".encode(), b"Bearer \xff\xfe\xfd", b"\xc3\x28"]
)
async def test_odd_authorization_bytes_get_a_401_not_a_500(
    client: TestClient, authorization: bytes
) -> None:
    response = await _raw_request(client, authorization)
    assert response.startswith(b"HTTP/1.1 401"), response[:80]


async def test_a_revoked_session_token_no_longer_opens_the_history(
    aiohttp_client: Any, settings: Settings
) -> None:
    api_token = "operator-token-0123456789-abcdef"
    client = await aiohttp_client(
        create_app(settings.model_copy(update={"api_token": SecretStr(api_token)}))
    )
    token = client.app[TOKENS].issue("sess1")  # as the widget got it at session_confirm
    history = "/api/conversations/sess1/messages"
    assert (await client.get(history, headers=_bearer(token))).status == 200
    assert (await client.post("/api/sessions/sess1/revoke")).status == 401
    revoked = await client.post("/api/sessions/sess1/revoke", headers=_bearer(api_token))
    assert revoked.status == 200
    assert (await client.get(history, headers=_bearer(token))).status == 403
