"""`shopbot actions`: rasa-sdk's own action server over our actions, called as Rasa calls it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from actions.shop import Shop
from bot.app import build_bot, close_bot
from bot.domain import Domain
from bot.messages import UserMessage
from bot.settings import PROJECT_ROOT, ActionSettings, Settings
from bot.tracker import ConversationTracker, slot_event, user_event
from tests.e2e.processes import free_port, shopbot_process


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    home = tmp_path_factory.mktemp("actions-home")
    url = f"http://127.0.0.1:{port}"
    with shopbot_process(
        ["actions", "--port", str(port), "--home", str(home)], f"{url}/health", {}
    ):
        yield url


def _rasa_request(action: str, tracker: ConversationTracker) -> dict[str, Any]:
    domain = Domain.load(PROJECT_ROOT / "data" / "domain.yml").to_rasa_dict()
    return {
        "next_action": action,
        "sender_id": tracker.sender_id,
        "tracker": tracker.to_dict(),
        "domain": domain,
        "version": "3.1",
    }


def _searching(text: str, entities: list[dict[str, Any]]) -> ConversationTracker:
    tracker = ConversationTracker("rasa-user", {"language": "en"})
    score = {"name": "search_product", "confidence": 0.97}
    parse = {"intent": score, "intent_ranking": [score], "entities": entities}
    tracker.apply(user_event(text, parse, "rest", "m1", {}))
    return tracker


async def test_health_and_action_list(action_server: str) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{action_server}/health") as response:
            assert response.status == 200
        async with session.get(f"{action_server}/actions") as response:
            names = {entry["name"] for entry in await response.json()}
    assert {"action_search_products", "action_product_details", "action_greet"} <= names


async def test_search_answers_a_rasa_request(action_server: str) -> None:
    entities = [{"entity": "price_max", "value": 800, "start": 14, "end": 18}]
    tracker = _searching("laptops under $800", entities)
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{action_server}/webhook", json=_rasa_request("action_search_products", tracker)
        ) as response:
            assert response.status == 200
            body = await response.json()
    slots = {e["name"]: e["value"] for e in body["events"] if e["event"] == "slot"}
    assert len(slots["last_results"]) >= 2
    cards = body["responses"][0]["custom"]["products"]
    assert all(card["price"] <= 800 for card in cards)


async def test_details_use_the_slots_rasa_sends(action_server: str) -> None:
    tracker = _searching("the second one", [{"entity": "ordinal", "value": 2}])
    async with aiohttp.ClientSession() as session:
        search = _rasa_request("action_search_products", _searching("headphones", []))
        async with session.post(f"{action_server}/webhook", json=search) as response:
            ids = next(
                e["value"]
                for e in (await response.json())["events"]
                if e.get("name") == "last_results"
            )
        tracker.apply(slot_event("last_results", ids))
        request = _rasa_request("action_product_details", tracker)
        async with session.post(f"{action_server}/webhook", json=request) as response:
            body = await response.json()
    assert body["responses"][0]["custom"]["product"]["id"] == ids[1]


async def test_unknown_action_is_404(action_server: str) -> None:
    request = _rasa_request("action_nope", _searching("x", []))
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{action_server}/webhook", json=request) as response:
            assert response.status == 404
            assert (await response.json())["action_name"] == "action_nope"


async def test_the_bot_can_run_its_actions_remotely(
    action_server: str, settings: Settings, shop: Shop, tmp_path: Path
) -> None:
    remote = settings.model_copy(update={"actions": ActionSettings(endpoint=action_server)})
    bot = await build_bot(remote, shop)
    try:
        replies = await bot.handle(UserMessage("show me laptops under $800", "remote-shopper"))
        cards = replies[0].custom["products"] if replies[0].custom else []
        assert cards and all(card["price"] <= 800 for card in cards)
    finally:
        await close_bot(bot)


def _tracker_for(action: str, shown: list[str]) -> ConversationTracker:
    """A tracker like the one Rasa would send when its policy picks `action`."""
    intent = {
        "action_answer_policy": "check_refund_policy",
        "action_order_request": "track_order",
        "action_start_order_request": "cancel_order",
    }.get(action, "search_product")
    tracker = ConversationTracker("rasa-user", {"language": "en"})
    for name, value in {
        "last_results": shown,
        "selected_product": shown[0],
        "order_id": "384920174650001",
        "order_email": "ana.silva@example.com",
        "order_request": "track_order",
        "pending_confirmation": "cancel_order",
    }.items():
        tracker.apply(slot_event(name, value))
    score = {"name": intent, "confidence": 0.95}
    tracker.apply(
        user_event(
            "does the first one have bluetooth",
            {"intent": score, "intent_ranking": [score], "entities": []},
            "rest",
            "m",
            {},
        )
    )
    tracker.apply({"event": "active_loop", "name": "order_form", "timestamp": 1.0})
    return tracker


async def test_every_action_answers_a_rasa_request(action_server: str) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{action_server}/actions") as response:
            names = sorted(entry["name"] for entry in await response.json())
        search = _rasa_request("action_search_products", _searching("headphones", []))
        async with session.post(f"{action_server}/webhook", json=search) as response:
            shown = next(
                e["value"]
                for e in (await response.json())["events"]
                if e.get("name") == "last_results"
            )
        assert len(names) >= 15
        for name in names:
            request = _rasa_request(name, _tracker_for(name, shown))
            async with session.post(f"{action_server}/webhook", json=request) as response:
                assert response.status == 200, name
                body = await response.json()
            assert isinstance(body["events"], list) and isinstance(body["responses"], list)
            if not name.startswith(("validate_", "action_start_")):
                assert body["responses"], f"{name} said nothing"
