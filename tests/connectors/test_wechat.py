"""The WeChat Official Account channel in the real service: requests signed (and encrypted)
as WeChat does, WeChat's server API a real server on 127.0.0.1 that counts what it got, the
real intent model, SQLite stores. Run under the heavy lock (it loads the model)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bot.app import BOT, HANDOFF
from bot.settings import LimitSettings, Settings, WechatSettings
from bot.wechat_deliveries import SqliteDeliveries
from bot.wechat_shoppers import SERVICE_WINDOW_S, SqliteWechatShoppers
from connectors.wechat import MEDIA_ANSWER, TOO_FAST_ANSWER, WELCOME_CHOICES
from tests.connectors.test_socketio import served
from tests.connectors.test_wechat_xml import BILLION_LAUGHS, XXE
from tests.fakes.wechat_api import (
    SAMPLES,
    Answer,
    FakeWechatApi,
    WechatPlatform,
    encrypt_as_wechat,
    envelope_xml,
    message_xml,
    text_xml,
    wechat_signature,
)

TOKEN = "shopbotWechat2024"
APP_ID = "wx5823bf96d3bd56c7"
SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


@pytest.fixture
async def wechat_api() -> AsyncIterator[FakeWechatApi]:
    api = FakeWechatApi(APP_ID, SECRET)
    await api.start()
    yield api
    await api.close()


def with_wechat(settings: Settings, api: FakeWechatApi, **options: Any) -> Settings:
    wechat = WechatSettings(
        token=SecretStr(TOKEN),
        app_id=APP_ID,
        app_secret=SecretStr(SECRET),
        api_url=api.api_url,
        **options,
    )
    return settings.model_copy(update={"wechat": wechat})


def platform(server: TestServer, safe: bool = False) -> WechatPlatform:
    url = str(server.make_url("/"))
    return WechatPlatform(url, TOKEN, KEY, APP_ID) if safe else WechatPlatform(url, TOKEN)


async def user_texts(server: TestServer, openid: str = OPENID) -> list[str]:
    events = await server.app[BOT].store.load(f"wechat:{openid}")
    return [str(e["text"]) for e in events if e["event"] == "user"]


async def remembered(settings: Settings) -> tuple[int, int]:
    """(deliveries, shoppers) kept in the home's wechat.db."""
    deliveries = SqliteDeliveries(settings.home / "wechat.db")
    shoppers = SqliteWechatShoppers(settings.home / "wechat.db")
    try:
        return await deliveries.count(), await shoppers.count()
    finally:
        await deliveries.close()
        await shoppers.close()


def chinese(text: str) -> bool:
    return any("\u4e00" <= character <= "\u9fff" for character in text)


@pytest.fixture
async def plain(settings: Settings, wechat_api: FakeWechatApi) -> AsyncIterator[TestServer]:
    """Plaintext mode, product results as text; a shopper may send a dozen at once."""
    plain_settings = with_wechat(settings, wechat_api, product_replies="text")
    limits = LimitSettings(burst=20)
    async with served(plain_settings.model_copy(update={"limits": limits})) as server:
        yield server


@pytest.fixture
async def safe(settings: Settings, wechat_api: FakeWechatApi) -> AsyncIterator[TestServer]:
    """Safe mode, product results as news."""
    safe_settings = with_wechat(
        settings,
        wechat_api,
        encoding_aes_key=SecretStr(KEY),
        product_url="https://s.example/p/{id}",
    )
    async with served(safe_settings) as server:
        yield server


# the URL check


async def test_the_url_check(plain: TestServer) -> None:
    wechat = platform(plain)
    assert await wechat.verify("1616140317555161061") == (200, "1616140317555161061")
    forged = WechatPlatform(wechat.url.removesuffix("/webhooks/wechat"), "notTheToken")
    assert (await forged.verify("1616140317555161061"))[0] == 403
    assert (await wechat.verify("123", age_s=301))[0] == 403
    assert (await wechat.verify("123", age_s=-301))[0] == 403
    assert (await wechat.verify("123", age_s=240))[0] == 200
    assert (await wechat.verify(""))[0] == 400
    assert (await wechat.verify("a\nb"))[0] == 400


async def test_off_without_a_token(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="connectors.wechat")
    async with served(settings) as server:
        assert (await platform(server).verify("123"))[0] == 404
        assert (await platform(server).send(text_xml(OPENID, "你好"))).status == 404
    assert "wechat: off" in caplog.text


# every kind of message


async def test_every_kind_of_message_gets_its_answer(plain: TestServer, settings: Settings) -> None:
    wechat = platform(plain)
    for sample in ("image", "voice", "video", "shortvideo", "location", "link"):
        msg_type, fields = SAMPLES[sample]
        answer = await wechat.send(message_xml(msg_type, OPENID, fields))
        assert (answer.status, answer.reply.get("MsgType"), answer.text) == (
            200,
            "text",
            MEDIA_ANSWER,
        ), sample
        assert answer.reply["ToUserName"] == OPENID
    assert await user_texts(plain) == []  # none of those was a turn

    answer = await wechat.send(message_xml("voice", OPENID, SAMPLES["voice_recognised"][1]))
    assert chinese(answer.text) and answer.text != MEDIA_ANSWER
    answer = await wechat.send(message_xml("event", OPENID, SAMPLES["click"][1]))
    assert answer.status == 200 and answer.text
    assert await user_texts(plain) == ["有没有蓝牙耳机", "推荐一款蓝牙耳机"]

    welcome = await wechat.send(message_xml("event", OPENID, {"Event": "subscribe"}))
    assert welcome.reply["MsgType"] == "text" and chinese(welcome.text)
    for number, (title, _) in enumerate(WELCOME_CHOICES, 1):
        assert f"{number}. {title}" in welcome.text
    assert await remembered(settings) == (9, 1)

    other = await wechat.send(message_xml("event", OPENID, {"Event": "VIEW", "EventKey": "x"}))
    assert (other.status, other.body) == (200, "success")
    gone = await wechat.send(message_xml("event", OPENID, {"Event": "unsubscribe"}))
    assert (gone.status, gone.body) == (200, "success")
    assert (await remembered(settings))[1] == 0  # nothing kept about who left


async def test_a_number_selects_the_option_it_stands_for(plain: TestServer) -> None:
    wechat = platform(plain)
    await wechat.send(message_xml("event", OPENID, {"Event": "subscribe"}))
    answer = await wechat.send(text_xml(OPENID, "４"))  # full-width, as Chinese keyboards type
    assert "转接人工客服" in answer.text
    assert await user_texts(plain) == [WELCOME_CHOICES[3][1]]

    results = await wechat.send(text_xml("o-second", "蓝牙耳机"))
    listed = [line for line in results.text.splitlines() if line[:2] == "2."]
    assert listed, results.text
    details = await wechat.send(text_xml("o-second", "2"))
    title = listed[0].removeprefix("2. ").split(" — ")[0]
    assert details.text.startswith(title)
    assert (await user_texts(plain, "o-second"))[1].startswith("/product_details")
    nine = await wechat.send(text_xml("o-second", "99"))  # no such option: the bot reads it
    assert (await user_texts(plain, "o-second"))[2] == "99" and nine.status == 200


async def test_product_results_as_news_in_safe_mode(
    safe: TestServer, wechat_api: FakeWechatApi
) -> None:
    answer = await platform(safe, safe=True).send(text_xml(OPENID, "有没有蓝牙耳机"))
    assert answer.reply["MsgType"] == "news"
    articles = answer.articles
    assert 1 <= len(articles) <= 8 and int(answer.reply["ArticleCount"]) == len(articles)
    assert articles[0]["Title"].startswith("1. ")
    assert articles[0]["Url"].startswith("https://s.example/p/p")
    assert "$" in articles[0]["Description"]
    text = (await wechat_api.wait_for(1))[0]  # the text goes through the customer-service API
    assert text.touser == OPENID and text.msgtype == "text"
    assert articles[0]["Title"].removeprefix("1. ") in text.text and chinese(text.text)


# safe mode


async def test_a_safe_mode_round_trip(safe: TestServer, settings: Settings) -> None:
    wechat = platform(safe, safe=True)
    answer = await wechat.send(text_xml(OPENID, "你好"))
    assert answer.status == 200
    assert set(read_keys(answer.body)) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    # `platform` checked MsgSignature and the AppID and decrypted it, as WeChat does
    assert (answer.reply["MsgType"], answer.reply["ToUserName"]) == ("text", OPENID)
    assert chinese(answer.text)
    assert await user_texts(safe) == ["你好"]

    # compatible mode: the plaintext fields ride along, and only the encrypted ones count
    encrypted = encrypt_as_wechat(KEY, APP_ID, text_xml(OPENID, "有没有蓝牙耳机"))
    both = text_xml(OPENID, "plaintext is not read").replace(
        "</xml>", f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    )
    query = wechat.signed_query()
    signed = wechat_signature(TOKEN, query["timestamp"], query["nonce"], encrypted)
    compatible = await wechat.post(
        both.encode(), query | {"encrypt_type": "aes", "msg_signature": signed}
    )
    assert compatible.status == 200 and "Encrypt" in read_keys(compatible.body)
    assert chinese(compatible.text) or compatible.reply["MsgType"] == "news"
    assert await user_texts(safe) == ["你好", "有没有蓝牙耳机"]


def read_keys(xml: str) -> list[str]:
    from xml.etree import ElementTree

    return [child.tag for child in ElementTree.fromstring(xml)]


async def test_safe_mode_refusals_change_nothing(
    safe: TestServer, settings: Settings, wechat_api: FakeWechatApi
) -> None:
    wechat = platform(safe, safe=True)
    message = text_xml(OPENID, "你好")
    assert (await wechat.send(message, app_id="wx0000000000000000")).status == 403
    assert (await wechat.send(message, query={"msg_signature": "0" * 40})).status == 403
    assert (await wechat.send(message, encrypt=False)).status == 403  # plaintext to safe mode
    signed = wechat.signed_query()
    garbage = "A" * 44  # base64, but not whole 32-byte blocks
    msg_signature = wechat_signature(TOKEN, signed["timestamp"], signed["nonce"], garbage)
    query = signed | {"encrypt_type": "aes", "msg_signature": msg_signature}
    assert (await wechat.post(envelope_xml(garbage).encode(), query)).status == 400
    no_encrypt = wechat.signed_query() | {"encrypt_type": "aes", "msg_signature": "0" * 40}
    assert (await wechat.post(b"<xml><ToUserName>gh</ToUserName></xml>", no_encrypt)).status == 400
    assert await user_texts(safe) == []
    assert await remembered(settings) == (0, 0)
    assert wechat_api.token_requests == wechat_api.send_requests == 0


# bad input


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (XXE, 400),
        (BILLION_LAUGHS, 400),
        ("<xml><ToUserName>gh</ToUserName", 400),
        ("not xml at all", 400),
        (message_xml("text", OPENID, {}), 400),  # no Content
        (message_xml("sticker", OPENID, {"Content": "你好"}), 400),
        (message_xml("text", OPENID + "\u2028", {"Content": "你好"}), 400),
        (message_xml("text", "o" * 65, {"Content": "你好"}), 400),
        (message_xml("text", OPENID, {"Content": "你好" + "x" * 70_000}), 413),
    ],
)
async def test_bad_bodies_change_nothing(
    plain: TestServer, settings: Settings, body: str, status: int
) -> None:
    wechat = platform(plain)
    answer = await wechat.post(body.encode(), wechat.signed_query())
    assert answer.status == status, answer.body
    assert "error" in answer.body
    assert await user_texts(plain) == [] and await user_texts(plain, "o" * 65) == []
    assert await remembered(settings) == (0, 0)


async def test_unsigned_stale_and_future_requests_change_nothing(
    plain: TestServer, settings: Settings
) -> None:
    wechat = platform(plain)
    message = text_xml(OPENID, "你好")
    forged = wechat.signed_query() | {"signature": "f" * 40}
    assert (await wechat.post(message.encode(), forged)).status == 403
    assert (await wechat.post(message.encode(), {})).status == 403
    assert (await wechat.send(message, age_s=301)).status == 403
    assert (await wechat.send(message, age_s=-301)).status == 403
    encrypted = {"encrypt_type": "aes", "msg_signature": "0" * 40}
    assert (await wechat.send(message, query=encrypted)).status == 400  # no key configured
    assert await user_texts(plain) == []
    assert await remembered(settings) == (0, 0)


# retries


async def test_three_identical_deliveries_at_once_are_one_turn(plain: TestServer) -> None:
    wechat = platform(plain)
    delivery = text_xml(OPENID, "有没有蓝牙耳机", msg_id="6912345678901234567")
    answers = await asyncio.gather(*(wechat.send(delivery) for _ in range(3)))
    assert [a.status for a in answers] == [200, 200, 200]
    replies = [a for a in answers if a.body != "success"]
    assert len(replies) >= 1 and all(a.text == replies[0].text for a in replies)
    assert await user_texts(plain) == ["有没有蓝牙耳机"]
    later = await wechat.send(delivery)  # WeChat's retry after the first was answered
    assert later.text == replies[0].text
    assert await user_texts(plain) == ["有没有蓝牙耳机"]
    event = message_xml("event", OPENID, {"Event": "subscribe"}, created=int(time.time()))
    first, again = await wechat.send(event), await wechat.send(event)
    assert first.text == again.text and WELCOME_CHOICES[0][0] in again.text


async def test_options_not_kept_after_a_turn_never_make_a_retry_a_second_turn(
    plain: TestServer, settings: Settings
) -> None:
    # the store fails only where the turn is already recorded: keeping the reply's options
    with sqlite3.connect(settings.home / "wechat.db") as db:
        db.execute(
            "CREATE TRIGGER no_options BEFORE UPDATE OF options ON wechat_shoppers "
            "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
        )
    wechat = platform(plain)
    delivery = text_xml(OPENID, "有没有蓝牙耳机", msg_id="6912345678901234599")
    first = await wechat.send(delivery)
    assert first.status == 200
    retry = await wechat.send(delivery)
    assert retry.status == 200 and retry.text == first.text
    assert await user_texts(plain) == ["有没有蓝牙耳机"]


async def test_a_retry_takes_over_a_delivery_whose_instance_died_mid_turn(
    plain: TestServer, settings: Settings
) -> None:
    # another instance took this delivery 10 s ago and died before answering it
    dead = SqliteDeliveries(settings.home / "wechat.db")
    assert (await dead.claim("msg:6912345678901234588", now=time.time() - 10)).first
    await dead.close()
    delivery = text_xml(OPENID, "有没有蓝牙耳机", msg_id="6912345678901234588")
    retry = await platform(plain).send(delivery)
    assert retry.status == 200 and retry.body != "success" and retry.text
    assert await user_texts(plain) == ["有没有蓝牙耳机"]


# the 5-second rule


async def test_a_slow_turn_answers_success_then_through_the_customer_service_api(
    settings: Settings, wechat_api: FakeWechatApi
) -> None:
    slow = with_wechat(settings, wechat_api, product_replies="text", reply_budget_s=0.001)
    async with served(slow) as server:
        wechat = platform(server)
        first = await wechat.send(text_xml(OPENID, "你好"))
        assert (first.status, first.body) == (200, "success")
        greeting = (await wechat_api.wait_for(1))[0]
        assert (greeting.touser, greeting.msgtype) == (OPENID, "text")
        assert chinese(greeting.text)
        assert (await wechat.send(text_xml(OPENID, "有没有蓝牙耳机"))).body == "success"
        results = (await wechat_api.wait_for(2))[1]
        assert "1. " in results.text and chinese(results.text)
        assert wechat_api.token_requests == 1  # fetched once, then reused
        assert {s.access_token for s in wechat_api.sent} == {"ACCESS_TOKEN_1"}

        wechat_api.refuse_token_once = True  # WeChat says 40001: refreshed once, sent again
        assert (await wechat.send(text_xml(OPENID, "谢谢"))).body == "success"
        thanks = (await wechat_api.wait_for(3))[2]
        assert thanks.access_token == "ACCESS_TOKEN_2" and chinese(thanks.text)
        assert wechat_api.token_requests == 2
        assert wechat_api.send_requests == 4  # three messages, one of them twice


# a person's lines


async def test_an_agents_lines_reach_the_shopper(
    plain: TestServer, settings: Settings, wechat_api: FakeWechatApi
) -> None:
    wechat = platform(plain)
    asked = await wechat.send(text_xml(OPENID, "转人工"))
    assert "转接人工客服" in asked.text
    handoff = plain.app[HANDOFF]
    await handoff.claim(f"wechat:{OPENID}", "Dana")
    await handoff.say(f"wechat:{OPENID}", "Dana", "您好，我来帮您查一下。")
    joined, said = await wechat_api.wait_for(2)
    assert (joined.touser, joined.text) == (OPENID, "客服 Dana 已加入对话。")
    assert (said.touser, said.msgtype, said.text) == (OPENID, "text", "您好，我来帮您查一下。")
    # while a person has it, the shopper's messages get no bot answer
    assert (await wechat.send(text_xml(OPENID, "好的，谢谢"))).body == "success"


async def test_outside_the_48_hour_window_a_line_is_dropped(
    plain: TestServer,
    settings: Settings,
    wechat_api: FakeWechatApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await platform(plain).send(text_xml(OPENID, "转人工"))
    shoppers = SqliteWechatShoppers(settings.home / "wechat.db")
    await shoppers.wrote(OPENID, now=time.time() - SERVICE_WINDOW_S - 60)  # two days ago
    await shoppers.close()
    await plain.app[HANDOFF].claim(f"wechat:{OPENID}", "Dana")
    for _ in range(100):
        if "48-hour window" in caplog.text:
            break
        await asyncio.sleep(0.05)
    assert "48-hour window, dropped (1 so far)" in caplog.text
    assert OPENID not in caplog.text  # logs carry a digest, never the OpenID
    assert wechat_api.sent == [] and wechat_api.send_requests == 0


# limits


async def test_a_flood_from_one_shopper_is_slowed(
    settings: Settings, wechat_api: FakeWechatApi
) -> None:
    limited = with_wechat(settings, wechat_api, product_replies="text")
    limited = limited.model_copy(update={"limits": LimitSettings(burst=2, refill_s=60)})
    async with served(limited) as server:
        wechat = platform(server)
        answers: list[Answer] = [await wechat.send(text_xml(OPENID, "你好")) for _ in range(3)]
        assert answers[2].text == TOO_FAST_ANSWER
        assert await user_texts(server) == ["你好", "你好"]
        other = await wechat.send(text_xml("o-someone-else", "你好"))
        assert other.text != TOO_FAST_ANSWER
