"""A REST shopper handed to a person gets the person's lines through the callback URL,
as Rasa's callback channel delivers them; the bot stays silent meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bot.settings import Settings, WebSettings
from tests.connectors.test_socketio import served

AGENT_TOKEN = "agent-secret-" + "b" * 32
AUTHORIZED = {"Authorization": f"Bearer {AGENT_TOKEN}"}


@pytest.fixture
async def backend() -> AsyncIterator[tuple[TestServer, asyncio.Queue[dict[str, Any]]]]:
    """The integrating backend's callback endpoint: a real server on 127.0.0.1."""
    received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def callback(request: web.Request) -> web.Response:
        await received.put(await request.json())
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/callback", callback)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield server, received
    await server.close()


async def test_agent_lines_reach_a_rest_shopper_through_the_callback(
    settings: Settings, backend: tuple[TestServer, asyncio.Queue[dict[str, Any]]]
) -> None:
    receiver, received = backend
    configured = settings.model_copy(
        update={
            "web": WebSettings(agent_token=SecretStr(AGENT_TOKEN)),
            "rest_callback_url": str(receiver.make_url("/callback")),
        }
    )
    async with served(configured) as server, aiohttp.ClientSession() as http:

        async def say(text: str) -> list[dict[str, Any]]:
            body = {"sender": "bob", "message": text}
            async with http.post(server.make_url("/webhooks/rest/webhook"), json=body) as r:
                return list(await r.json())

        async def agent(body: dict[str, Any]) -> int:
            url = server.make_url("/api/conversations/rest:bob/agent")
            async with http.post(url, json=body, headers=AUTHORIZED) as response:
                return response.status

        assert await say("hello")
        assert await agent({"event": "join", "agent": "Dana"}) == 201
        assert await say("is anyone there?") == []  # a person has it: the bot is silent
        assert await agent({"event": "message", "agent": "Dana", "text": "Yes, hi!"}) == 201
        assert await agent({"event": "leave", "agent": "Dana"}) == 201
        lines = [await asyncio.wait_for(received.get(), 10) for _ in range(3)]
        assert [line["recipient_id"] for line in lines] == ["bob"] * 3
        assert [line["text"] for line in lines] == [
            "Dana from our team joined the chat.",
            "Yes, hi!",
            "Dana left the chat; the assistant is back.",
        ]
        assert lines[1]["custom"] == {"type": "agent_message", "agent": "Dana"}
        assert await say("hello")  # the bot answers again
