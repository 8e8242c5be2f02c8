"""Rasa's socket.io protocol against the real app, with a python-socketio client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp.test_utils import TestServer

from bot.app import BOT, OUTBOX, TOKENS, create_app
from bot.messages import BotMessage, Button
from bot.settings import LimitSettings, Settings
from connectors.socketio import to_bot_uttered


class Shopper:
    """A socket.io client that queues what the server sends."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = socketio.AsyncClient()
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        for name in ("session_confirm", "bot_uttered"):
            self.client.on(name, self._recorder(name))

    def _recorder(self, name: str) -> Callable[[Any], Awaitable[None]]:
        async def record(data: Any) -> None:
            await self.events.put((name, data))

        return record

    async def connect(
        self, transports: tuple[str, ...] = ("websocket",), **session_request: Any
    ) -> dict[str, Any]:
        await self.client.connect(self.url, socketio_path="socket.io", transports=list(transports))
        await self.client.emit("session_request", session_request)
        name, data = await self.next()
        assert name == "session_confirm"
        return dict(data)

    async def next(self, timeout: float = 20.0) -> tuple[str, Any]:
        return await asyncio.wait_for(self.events.get(), timeout)

    async def say(self, session_id: str, message: Any) -> None:
        await self.client.emit("user_uttered", {"message": message, "session_id": session_id})


@asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[TestServer]:
    """The whole app on 127.0.0.1, closed afterwards."""
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()


@asynccontextmanager
async def connected(server: TestServer, *events: str) -> AsyncIterator[Shopper]:
    """A shopper that also records `events` beyond session_confirm and bot_uttered."""
    shopper = Shopper(str(server.make_url("/")))
    for name in events:
        shopper.client.on(name, shopper._recorder(name))
    try:
        yield shopper
    finally:
        await shopper.client.disconnect()


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[TestServer]:
    async with served(settings.model_copy(update={"limits": LimitSettings(burst=3)})) as s:
        yield s


@pytest.fixture
async def shopper(server: TestServer) -> AsyncIterator[Shopper]:
    async with connected(server) as shopper:
        yield shopper


async def test_session_then_products(shopper: Shopper) -> None:
    session = await shopper.connect()
    assert session["session_id"] and session["token"]
    await shopper.say(session["session_id"], "show me laptops under $800")
    name, intro = await shopper.next()  # text is split on blank lines, as Rasa does
    assert name == "bot_uttered" and intro == {"text": intro["text"]}
    assert intro["text"].startswith("Here are")
    name, listed = await shopper.next()
    assert name == "bot_uttered" and set(listed) == {"text", "quick_replies"}
    assert listed["text"].startswith("1. ")
    assert listed["quick_replies"][0]["content_type"] == "text"
    name, cards = await shopper.next()  # the custom payload follows on its own, as Rasa sends it
    assert name == "bot_uttered" and set(cards) == {"custom"}
    assert all(p["price"] <= 800 for p in cards["custom"]["products"])


def test_a_reply_goes_out_in_the_parts_rasa_webchat_renders() -> None:
    """rasa-webchat shows `{text}`, `{text, quick_replies}` and attachments, and nothing else."""
    details = Button("Details", "/product_details")
    reply = BotMessage(
        text="Two paragraphs.\n\nThe second.",
        buttons=(details,),
        image="/img/p1.png",
        custom={"type": "product_cards", "products": []},
    )
    details_reply = {"content_type": "text", "title": "Details", "payload": "/product_details"}
    assert to_bot_uttered(reply) == [
        {"text": "Two paragraphs."},
        {"text": "The second.", "quick_replies": [details_reply]},
        {"custom": {"type": "product_cards", "products": []}},
        {"attachment": {"type": "image", "payload": {"src": "/img/p1.png"}}},
    ]
    buttons_only = to_bot_uttered(BotMessage(buttons=(details,)))
    assert buttons_only == [{"text": "", "quick_replies": [details_reply]}]
    assert to_bot_uttered(BotMessage(custom={"type": "x"})) == [{"custom": {"type": "x"}}]
    assert to_bot_uttered(BotMessage(text="Hi!", custom={})) == [{"text": "Hi!"}]


async def test_long_polling_posts_reach_the_bot(shopper: Shopper) -> None:
    """Browsers start on long-polling: engine.io reads those POST bodies itself, so nothing
    in front of it may consume them first."""
    session = await shopper.connect(transports=("polling",))
    await shopper.say(session["session_id"], "hello")
    name, reply = await shopper.next()
    assert name == "bot_uttered" and "store assistant" in reply["text"]


async def test_empty_user_uttered_is_ignored_and_the_socket_lives(shopper: Shopper) -> None:
    session = await shopper.connect()
    await shopper.client.emit("user_uttered", {"session_id": session["session_id"]})
    await shopper.say(session["session_id"], "")
    await shopper.say(session["session_id"], "hello")
    name, reply = await shopper.next()  # the first thing to arrive: the empty ones sent nothing
    assert name == "bot_uttered" and "store assistant" in reply["text"]


async def test_bad_and_overlong_messages_are_refused(shopper: Shopper) -> None:
    session = await shopper.connect()
    await shopper.say(session["session_id"], {"html": "<b>"})
    _, reply = await shopper.next()
    assert reply["metadata"]["notice"] == "bad_message"
    await shopper.say(session["session_id"], "z" * 5000)
    _, reply = await shopper.next()
    assert "too long" in reply["text"]
    assert shopper.client.connected


async def test_a_flood_is_rate_limited_with_a_notice(shopper: Shopper) -> None:
    session = await shopper.connect()
    for index in range(8):
        await shopper.say(session["session_id"], f"hi {index}")
    replies = [(await shopper.next())[1] for _ in range(8)]
    notices = [r for r in replies if r.get("metadata", {}).get("notice") == "rate_limited"]
    assert 1 <= len(notices) <= 5
    assert "too fast" in notices[0]["text"] or "very fast" in notices[0]["text"]


async def test_nobody_joins_someone_elses_session(server: TestServer) -> None:
    alice, mallory = Shopper(str(server.make_url("/"))), Shopper(str(server.make_url("/")))
    try:
        session = await alice.connect()
        await alice.say(session["session_id"], "hello")
        await alice.next()

        stolen = await mallory.connect(session_id=session["session_id"])
        assert stolen["session_id"] != session["session_id"]
        await mallory.say(session["session_id"], "what did alice say?")
        _, reply = await mallory.next()
        assert reply["metadata"]["notice"] == "not_your_session"

        resumed = Shopper(str(server.make_url("/")))
        again = await resumed.connect(session_id=session["session_id"], token=session["token"])
        assert again["session_id"] == session["session_id"]
        await resumed.client.disconnect()
        events = await server.app[BOT].store.load(f"web:{session['session_id']}")
        assert [e["text"] for e in events if e["event"] == "user"] == ["hello"]
    finally:
        await alice.client.disconnect()
        await mallory.client.disconnect()


async def test_history_needs_the_sessions_token(server: TestServer, shopper: Shopper) -> None:
    session = await shopper.connect()
    await shopper.say(session["session_id"], "<img src=x onerror=alert(1)>")
    await shopper.next()
    url = server.make_url(f"/api/conversations/{session['session_id']}/messages")
    async with aiohttp.ClientSession() as http:
        async with http.get(url, headers={"Authorization": f"Bearer {session['token']}"}) as ok:
            body = await ok.json()
        async with http.get(url, headers={"Authorization": f"Bearer {'0' * 64}"}) as wrong:
            assert wrong.status == 403
        async with http.get(url, params={"token": session["token"]}) as in_query:
            assert in_query.status == 403  # never accepted where access logs would keep it
        async with http.get(url) as missing:
            assert missing.status == 403
    assert body["messages"][0] == {
        "sender": "user",
        "text": "<img src=x onerror=alert(1)>",
        "timestamp": body["messages"][0]["timestamp"],
    }
    assert body["messages"][1]["sender"] == "bot"


async def test_an_unused_id_cannot_be_claimed_in_advance(shopper: Shopper) -> None:
    session = await shopper.connect(session_id="C1001")
    assert session["session_id"] != "C1001"


async def test_an_expired_token_gets_a_fresh_session(settings: Settings) -> None:
    limits = LimitSettings(session_ttl_s=1)
    async with served(settings.model_copy(update={"limits": limits})) as server:
        async with connected(server) as first:
            session = await first.connect()
        await asyncio.sleep(1.2)
        async with connected(server) as later:
            again = await later.connect(session_id=session["session_id"], token=session["token"])
    assert again["session_id"] != session["session_id"]


async def test_a_socket_is_in_one_conversation_at_a_time(server: TestServer) -> None:
    async with connected(server) as shopper:
        first = await shopper.connect()
        await shopper.client.emit("session_request", {})
        name, second = await shopper.next()
        assert name == "session_confirm" and second["session_id"] != first["session_id"]
        outbox = server.app[OUTBOX]
        outbox.publish(f"web:{first['session_id']}", {"text": "old"}, event="bot_uttered")
        outbox.publish(f"web:{second['session_id']}", {"text": "new"}, event="bot_uttered")
        outbox.publish(f"web:{second['session_id']}", {"text": "end"}, event="bot_uttered")
        lines = [(await shopper.next())[1]["text"] for _ in range(2)]
        assert lines == ["new", "end"]  # nothing for the room it left came in between


async def test_a_lone_surrogate_fails_alone(server: TestServer) -> None:
    async with connected(server) as mallory, connected(server) as alice:
        bad, good = await mallory.connect(), await alice.connect()
        await asyncio.gather(
            mallory.say(bad["session_id"], "hi \ud800"),
            alice.say(good["session_id"], "show me laptops"),
        )
        _, refused = await mallory.next()
        _, answered = await alice.next()
    assert refused["metadata"]["notice"] == "bad_message"
    assert answered["text"].startswith("Here are")
    assert not await server.app[BOT].store.load(f"web:{bad['session_id']}")


async def test_odd_custom_data_is_ignored_not_a_crash(shopper: Shopper) -> None:
    session = await shopper.connect(customData=["not", "an", "object"])
    await shopper.client.emit(
        "user_uttered",
        {"message": "hello", "session_id": session["session_id"], "customData": "text"},
    )
    _, reply = await shopper.next()
    assert "store assistant" in reply["text"]
    await shopper.client.emit(
        "user_uttered",
        {"message": "hello", "session_id": session["session_id"], "customData": {"x": "y" * 5000}},
    )
    _, refused = await shopper.next()
    assert refused["metadata"]["notice"] == "too_much_data"


async def test_reconnecting_does_not_reset_the_rate_limit(server: TestServer) -> None:
    async with connected(server) as shopper:
        session = await shopper.connect()
        for index in range(3):
            await shopper.say(session["session_id"], f"hi {index}")
        for _ in range(3):
            await shopper.next()
    async with connected(server) as again:
        resumed = await again.connect(session_id=session["session_id"], token=session["token"])
        assert resumed["session_id"] == session["session_id"]
        await again.say(session["session_id"], "hi again")
        _, reply = await again.next()
    assert reply.get("metadata", {}).get("notice") == "rate_limited"


async def test_revoking_cuts_off_a_socket_already_in_the_session(server: TestServer) -> None:
    async with connected(server) as shopper:
        session = await shopper.connect()
        await shopper.say(session["session_id"], "hello")
        await shopper.next()
        server.app[TOKENS].revoke(session["session_id"])
        await shopper.say(session["session_id"], "where is my order")
        _, reply = await shopper.next()
    assert reply["metadata"]["notice"] == "no_session"
    events = await server.app[BOT].store.load(f"web:{session['session_id']}")
    assert [e["text"] for e in events if e["event"] == "user"] == ["hello"]


async def test_resuming_keeps_the_first_expiry(shopper: Shopper) -> None:
    session = await shopper.connect()
    await shopper.client.emit(
        "session_request", {"session_id": session["session_id"], "token": session["token"]}
    )
    _, resumed = await shopper.next()
    assert resumed == session  # the same token: a session's lifetime is not extended


async def test_minting_sessions_is_rate_limited(settings: Settings) -> None:
    limits = LimitSettings(session_burst=2, session_refill_s=60)
    async with served(settings.model_copy(update={"limits": limits})) as server:
        async with connected(server) as shopper:
            await shopper.connect()
            await shopper.client.emit("session_request", {})
            name, _ = await shopper.next()
            assert name == "session_confirm"
            await shopper.client.emit("session_request", {})
            _, refused = await shopper.next()
    assert refused["metadata"]["notice"] == "rate_limited"
