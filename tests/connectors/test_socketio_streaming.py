"""A description written during a chat streams to the shopper's socket as it is generated."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.settings import Settings, WriterSettings
from tests.connectors.test_socketio import Shopper, connected, served
from tests.writer.chat_api import ChatAPI


def clause(body: dict[str, Any]) -> list[str]:
    line = str(body["messages"][-1]["content"])
    if "Fact: " not in line:
        return ["It is ready for your desk."]
    fact = line.split("Fact: ", 1)[1]
    return [f"{fact} makes everyday work smooth."]


@pytest.fixture
async def server(settings: Settings, aiohttp_server: Any) -> AsyncIterator[TestServer]:
    api = await aiohttp_server(ChatAPI(clause, chunk_delay_s=0.01).app())
    writer = WriterSettings(
        backend="openai", base_url=f"http://127.0.0.1:{api.port}/v1", load_at_startup=False
    )
    async with served(settings.model_copy(update={"writer": writer})) as server:
        yield server


@pytest.fixture
async def shopper(server: TestServer) -> AsyncIterator[Shopper]:
    async with connected(server, "bot_stream") as shopper:
        yield shopper


async def test_description_streams_then_arrives_checked(shopper: Shopper) -> None:
    session = await shopper.connect()
    await shopper.say(session["session_id"], "show me laptops")
    await shopper.next()  # the intro, the list, then its cards
    await shopper.next()
    name, cards = await shopper.next()
    assert name == "bot_uttered" and cards["custom"]["products"]
    await shopper.say(session["session_id"], "write a description for the first one")
    streamed: list[dict[str, Any]] = []
    while True:
        name, data = await shopper.next(timeout=30)
        if name == "bot_uttered":
            final = data
            break
        streamed.append(data)
    name, ending = await shopper.next()  # the custom payload that ends the stream follows the text
    assert name == "bot_uttered" and set(ending) == {"custom"}
    tokens = [event for event in streamed if event["kind"] == "token"]
    kept = [event["text"] for event in streamed if event["kind"] == "sentence"]
    assert len(tokens) >= 5, "the text should arrive in pieces before the final message"
    assert {event["stream_id"] for event in streamed} == {ending["custom"]["stream_id"]}
    assert ending["custom"]["type"] == "description" and ending["custom"]["grounded"]
    assert ending["custom"]["product_id"] == cards["custom"]["products"][0]["id"]
    assert final == {"text": " ".join(kept)}
