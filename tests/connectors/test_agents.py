"""Agents joining, writing in and leaving a shopper's conversation, seen over socket.io."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bot.app import OUTBOX
from bot.settings import Settings, WebSettings
from tests.connectors.test_socketio import Shopper, connected, served

AGENT_TOKEN = "agent-secret-" + "a" * 32
AUTHORIZED = {"Authorization": f"Bearer {AGENT_TOKEN}"}


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[TestServer]:
    web = WebSettings(agent_token=SecretStr(AGENT_TOKEN))
    async with served(settings.model_copy(update={"web": web})) as server:
        yield server


@pytest.fixture
async def shopper(server: TestServer) -> AsyncIterator[Shopper]:
    async with connected(server, "agent_joined", "agent_left") as shopper:
        yield shopper


async def post_line(
    server: TestServer, session_id: str, body: Any, headers: dict[str, str] = AUTHORIZED
) -> Any:
    """Post to a web session's conversation (`web:<session_id>`)."""
    url = server.make_url(f"/api/conversations/web:{session_id}/agent")
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=body, headers=headers) as response:
            return response.status, await response.json()


async def test_join_message_leave_reach_the_shopper_and_the_history(
    server: TestServer, shopper: Shopper
) -> None:
    session = await shopper.connect()
    sid = session["session_id"]
    await shopper.say(sid, "hi")
    assert (await shopper.next())[0] == "bot_uttered"
    for body, expected in [
        ({"event": "join", "agent": "Dana"},
         ("agent_joined", "Dana from our team joined the chat.")),
        ({"event": "message", "agent": "Dana", "text": "I can help with that."},
         ("bot_uttered", "I can help with that.")),
        ({"event": "leave", "agent": "Dana"},
         ("agent_left", "Dana left the chat; the assistant is back.")),
    ]:  # fmt: skip
        status, _ = await post_line(server, sid, body)
        assert status == 201
        name, data = await shopper.next()
        assert (name, data["text"]) == expected
        assert data["custom"]["agent"] == "Dana"
    history_url = server.make_url(f"/api/conversations/{sid}/messages")
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bearer {session['token']}"}
        async with http.get(history_url, headers=headers) as response:
            lines = (await response.json())["messages"]
    types = [line.get("custom", {}).get("type") for line in lines[-3:]]
    assert types == ["agent_joined", "agent_message", "agent_left"]


async def test_while_a_person_has_it_the_bot_is_silent_and_a_second_agent_is_refused(
    server: TestServer, shopper: Shopper
) -> None:
    session = await shopper.connect()
    sid = session["session_id"]
    await shopper.say(sid, "hi")
    await shopper.next()
    assert (await post_line(server, sid, {"event": "join", "agent": "Dana"}))[0] == 201
    await shopper.next()  # Dana joined
    assert (await post_line(server, sid, {"event": "join", "agent": "Eli"}))[0] == 409
    refused = {"event": "message", "agent": "Eli", "text": "hello from Eli"}
    assert (await post_line(server, sid, refused))[0] == 409
    await shopper.say(sid, "show me laptops")  # Dana's now: recorded, no bot answer
    with pytest.raises(TimeoutError):
        await shopper.next(timeout=1.5)
    assert (await post_line(server, sid, {"event": "leave", "agent": "Dana"}))[0] == 201
    await shopper.next()  # Dana left, the assistant is back
    await shopper.say(sid, "show me laptops")
    name, data = await shopper.next()
    assert name == "bot_uttered" and "products I found" in data["text"]


@pytest.mark.parametrize(
    "body",
    [
        {"event": "dance", "agent": "Dana"},
        {"event": "join"},
        {"event": "message", "agent": "Dana", "text": "  "},
        {"event": "join", "agent": "x" * 41},
        ["join", "Dana"],
    ],
)
async def test_bad_lines_are_refused_and_nothing_is_stored(
    server: TestServer, shopper: Shopper, body: Any
) -> None:
    session = await shopper.connect()
    await shopper.say(session["session_id"], "hi")
    await shopper.next()
    status, error = await post_line(server, session["session_id"], body)
    assert status == 400 and "error" in error
    sid = session["session_id"]
    server.app[OUTBOX].publish(f"web:{sid}", {"text": "sentinel"}, event="bot_uttered")
    _, first = await shopper.next()
    assert first["text"] == "sentinel"  # the refused line sent nothing before it


async def test_unknown_conversation_is_404(server: TestServer) -> None:
    status, error = await post_line(server, "nobody-here", {"event": "join", "agent": "Dana"})
    assert status == 404 and error["error"] == "no such conversation"


async def test_the_agent_token_is_required(server: TestServer) -> None:
    status, _ = await post_line(server, "s1", {"event": "join", "agent": "Dana"}, headers={})
    assert status == 401
    status, _ = await post_line(server, "s1", {"event": "join", "agent": "Dana"})
    assert status == 404  # allowed in; the conversation just does not exist
