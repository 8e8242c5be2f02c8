"""A Chinese shopper's conversation over WeChat, end to end: the real service with the trained
intent model, the catalog, the actions and SQLite stores; WeChat (pushing messages, in safe
mode) and its server API are real servers on 127.0.0.1. Run under the heavy lock."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from actions.catalog import Product
from bot.app import BOT, QUEUE, SHOP
from bot.settings import Settings
from tests.connectors.test_socketio import served
from tests.connectors.test_wechat import (
    APP_ID,
    KEY,
    OPENID,
    SECRET,
    chinese,
    platform,
    with_wechat,
)
from tests.fakes.wechat_api import FakeWechatApi, text_xml

CONVERSATION = f"wechat:{OPENID}"
BUDGET_CNY = 3000


@pytest.fixture
async def wechat_api() -> AsyncIterator[FakeWechatApi]:
    api = FakeWechatApi(APP_ID, SECRET)
    await api.start()
    yield api
    await api.close()


@pytest.fixture
async def server(settings: Settings, wechat_api: FakeWechatApi) -> AsyncIterator[TestServer]:
    safe = with_wechat(
        settings,
        wechat_api,
        encoding_aes_key=SecretStr(KEY),
        product_url="https://shop.example/products/{id}",
    )
    async with served(safe) as server:
        yield server


async def shown(server: TestServer) -> list[Product]:
    """The products the conversation last listed, from the catalog."""
    tracker = await server.app[BOT].tracker(CONVERSATION)
    catalog = server.app[SHOP].catalog
    products = [catalog.get(str(pid)) for pid in tracker.slots.get("last_results") or []]
    return [product for product in products if product is not None]


async def test_a_chinese_shopper_searches_picks_asks_and_reaches_a_person(
    server: TestServer, wechat_api: FakeWechatApi
) -> None:
    wechat = platform(server, safe=True)

    # a budget in 块: laptops as news articles, the list with its numbers as text after them
    results = await wechat.send(text_xml(OPENID, f"{BUDGET_CNY}块以内的笔记本"))
    assert results.reply["MsgType"] == "news", results.reply
    products = await shown(server)
    assert len(products) >= 2
    limit_usd = BUDGET_CNY * server.app[SHOP].money.exchange_rates["CNY"]
    for product in products:
        assert "laptop" in f"{product.category} {product.title}".lower()
        assert product.price is not None and product.price <= limit_usd
    titles = [article["Title"] for article in results.articles]
    assert titles == [f"{n}. {p.title}" for n, p in enumerate(products, 1)][:8]
    assert results.articles[1]["Url"] == f"https://shop.example/products/{products[1].id}"
    listing = (await wechat_api.wait_for(1))[0]
    assert listing.touser == OPENID and chinese(listing.text)
    assert f"2. {products[1].title}" in listing.text

    # "the second one": its details, passively
    details = await wechat.send(text_xml(OPENID, "第二个"))
    assert details.reply["MsgType"] == "text"
    assert details.text.startswith(products[1].title)
    tracker = await server.app[BOT].tracker(CONVERSATION)
    assert tracker.slots["selected_product"] == products[1].id

    # a question about it, answered in Chinese from its listing
    weight = await wechat.send(text_xml(OPENID, "这款有多重？"))
    assert chinese(weight.text), weight.text
    assert re.search(r"重|listing|没有", weight.text), weight.text

    # a person: the shopper is told they are being connected, and the desk has them
    person = await wechat.send(text_xml(OPENID, "转人工"))
    assert "转接人工客服" in person.text
    queued = await server.app[QUEUE].get(CONVERSATION)
    assert queued is not None and queued.state == "waiting"
    texts = [
        e["text"] for e in await server.app[BOT].store.load(CONVERSATION) if e["event"] == "user"
    ]
    assert texts == [f"{BUDGET_CNY}块以内的笔记本", "第二个", "这款有多重？", "转人工"]
