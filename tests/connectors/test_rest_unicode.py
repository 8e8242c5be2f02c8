"""Odd Unicode over the REST channel: invisible characters, bidi controls, emoji, combining
marks and very long text are answered, stored as they read, and never break a conversation."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.app import BOT, create_app
from bot.settings import Settings
from bot.text import readable

URL = "/webhooks/rest/webhook"


@pytest.fixture
async def client(aiohttp_client: Any, settings: Settings) -> TestClient:
    return await aiohttp_client(create_app(settings))


async def _say(client: TestClient, sender: str, text: str) -> list[dict[str, Any]]:
    response = await client.post(URL, json={"sender": sender, "message": text})
    assert response.status == 200, await response.text()
    return list(await response.json())


def _titles(replies: list[dict[str, Any]]) -> list[str]:
    products = [p for r in replies for p in (r.get("custom") or {}).get("products", [])]
    return [str(p["title"]) for p in products]


def test_readable_composes_and_drops_only_invisible_format_characters() -> None:
    assert readable("cafe\u0301") == "café"
    assert readable("\u202eevil\u202c \u200fhi\u200e \ufeffx\u00ad") == "evil hi x"
    assert readable("lap\u200btop") == "laptop"
    family = "👨\u200d👩\u200d👧"  # emoji joined by ZWJ keep their joiners
    assert readable(family) == family
    assert readable("می\u200cخواهم") == "می\u200cخواهم"  # Persian's ZWNJ is spelling


async def test_zero_width_characters_do_not_split_a_search(client: TestClient) -> None:
    plain = _titles(await _say(client, "plain", "wireless headphones"))
    hidden = _titles(await _say(client, "hidden", "wire\u200bless head\u200bphones\ufeff"))
    assert plain and hidden == plain


async def test_bidi_controls_are_not_stored(client: TestClient) -> None:
    await _say(client, "bidi", "show me \u202elaptops\u202c \u2066please\u2069")
    events = await client.app[BOT].store.load("rest:bidi")
    [user] = [e for e in events if e.get("event") == "user"]
    assert user["text"] == "show me laptops please"


@pytest.mark.parametrize(
    "text",
    [
        "🎧🎧🎧 headphones?? 🔥" * 20,
        "e\u0301" * 900,  # combining marks: 1,800 code points, 900 once composed
        "\u0308" * 1500,  # marks with nothing to combine with
        "مرحبا، هل لديكم سماعات؟",
        "ｈｅａｄｐｈｏｎｅｓ ｕｎｄｅｒ ＄５０",  # fullwidth
        "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466" * 100,
    ],
)
async def test_odd_text_is_answered_and_the_conversation_goes_on(
    client: TestClient, text: str
) -> None:
    replies = await _say(client, "odd", text)
    assert replies and all(isinstance(r.get("text", ""), str) for r in replies)
    after = await _say(client, "odd", "hi")
    assert after and after[0].get("text")


async def test_ten_thousand_characters_are_refused_and_not_stored(client: TestClient) -> None:
    replies = await _say(client, "long", "\u200f" + "a\u0301b " * 2500)
    assert "too long" in replies[0]["text"]
    assert not await client.app[BOT].store.load("rest:long")
