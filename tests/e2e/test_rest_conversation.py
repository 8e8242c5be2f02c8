"""End to end over REST with the real classifier, catalog, actions and SQLite store."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bot.app import BOT, create_app
from bot.settings import LimitSettings, Settings

URL = "/webhooks/rest/webhook"


async def _say(client: TestClient, sender: str, text: str) -> list[dict[str, Any]]:
    response = await client.post(URL, json={"sender": sender, "message": text})
    assert response.status == 200
    return await response.json()


def _cards(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for reply in replies:
        custom = reply.get("custom") or {}
        if custom.get("type") == "product_cards":
            return list(custom["products"])
    return []


async def test_search_pick_details(aiohttp_client: Any, settings: Settings) -> None:
    client = await aiohttp_client(create_app(settings))
    replies = await _say(client, "shopper", "show me laptops under $800")
    cards = _cards(replies)
    assert len(cards) >= 2
    assert all(c["price"] <= 800 and "Laptop" in (c["title"] + c["category"]) for c in cards)

    details = await _say(client, "shopper", "tell me more about the second one")
    detail = details[0]["custom"]["product"]
    assert detail["id"] == cards[1]["id"]
    assert cards[1]["title"] in details[0]["text"]
    assert detail["features"] and detail["features"][0] in details[0]["text"]


async def test_a_button_payload_picks_a_product(aiohttp_client: Any, settings: Settings) -> None:
    client = await aiohttp_client(create_app(settings))
    replies = await _say(client, "clicker", "headphones")
    button = replies[0]["buttons"][0]
    details = await _say(client, "clicker", button["payload"])
    assert details[0]["custom"]["product"]["id"] == _cards(replies)[0]["id"]


async def test_conversation_survives_a_restart(settings: Settings) -> None:
    first = TestClient(TestServer(create_app(settings)))
    await first.start_server()
    cards = _cards(await _say(first, "returning", "show me tvs"))
    assert len(cards) >= 2
    await first.close()

    second = TestClient(TestServer(create_app(settings)))
    await second.start_server()
    details = await _say(second, "returning", "the second one")
    assert details[0]["custom"]["product"]["id"] == cards[1]["id"]
    tracker = await second.app[BOT].tracker("rest:returning")
    assert tracker.slots["selected_product"] == cards[1]["id"]
    await second.close()


async def test_fifty_conversations_at_once(aiohttp_client: Any, settings: Settings) -> None:
    # ten turns back to back per shopper: faster than anyone types, so the limit is raised
    limits = LimitSettings(burst=10)
    client = await aiohttp_client(create_app(settings.model_copy(update={"limits": limits})))
    texts = ["hi", "show me laptops", "the first one", "any headphones under 100", "thanks"]

    async def conversation(index: int) -> None:
        sender = f"c{index}"
        for turn in range(10):
            replies = await _say(client, sender, f"{texts[turn % len(texts)]} {turn}")
            assert replies and all(r["recipient_id"] == sender for r in replies)

    await asyncio.gather(*(conversation(i) for i in range(50)))
    store = client.app[BOT].store
    for index in range(50):
        events = await store.load(f"rest:c{index}")
        users = [e["text"] for e in events if e["event"] == "user"]
        assert [int(text.rsplit(" ", 1)[1]) for text in users] == list(range(10))
        assert events[-1]["name"] == "action_listen"
