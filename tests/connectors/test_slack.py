"""Support agents in Slack: the real slack-bolt app inside the real service, requests signed
as Slack signs them, Slack's Web API a real server on 127.0.0.1, a socket.io shopper."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import statistics
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier

import connectors.slack
from bot.app import BOT, OUTBOX
from bot.settings import PROJECT_ROOT, LimitSettings, Settings, SlackSettings
from connectors.slack_blocks import CLAIM, RESOLVE, escape, parent_message, to_plain
from tests.connectors.test_socketio import Shopper, connected, served
from tests.fakes.slack_api import ApiCall, FakeSlackApi, SlackSender, slack_signature

TOKEN = "xoxb-1111-2222-shopbot-test-token"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
AGENTS = {"U0DANA": "Dana", "U0ELI": "Eli"}
SUPPORT = "C0SUPPORT"  # the id Slack answers for "#support"
ASK_FOR_A_PERSON = "I want to talk to a person"
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
Event = tuple[str, Any]


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackApi]:
    api = FakeSlackApi(TOKEN, AGENTS)
    await api.start()
    yield api
    await api.close()


def with_slack(settings: Settings, api: FakeSlackApi) -> Settings:
    slack = SlackSettings(
        bot_token=SecretStr(TOKEN),
        signing_secret=SecretStr(SECRET),
        support_channel="#support",
        api_url=api.api_url,
    )
    channels = list(settings.channels)
    if "connectors.slack:SlackChannel" not in channels:
        channels.append("connectors.slack:SlackChannel")
    limits = LimitSettings(session_burst=100)  # the latency test opens many sessions
    return settings.model_copy(update={"slack": slack, "channels": channels, "limits": limits})


@pytest.fixture
async def server(settings: Settings, slack_api: FakeSlackApi) -> AsyncIterator[TestServer]:
    async with served(with_slack(settings, slack_api)) as server:
        yield server


@pytest.fixture
def slack(server: TestServer) -> SlackSender:
    return SlackSender(str(server.make_url("/")), SECRET)


@pytest.fixture
async def shopper(server: TestServer) -> AsyncIterator[Shopper]:
    async with connected(server, "agent_joined", "agent_left") as shopper:
        yield shopper


async def until(shopper: Shopper, wanted: Callable[[Event], bool], timeout: float = 20) -> Event:
    """The first event `wanted` accepts; the ones before it are dropped."""
    deadline = time.monotonic() + timeout
    while True:
        event = await shopper.next(timeout=max(0.1, deadline - time.monotonic()))
        if wanted(event):
            return event


def saying(words: str, name: str | None = None) -> Callable[[Event], bool]:
    return lambda e: words in str(e[1].get("text", "")) and name in (None, e[0])


async def nothing_more(server: TestServer, shopper: Shopper, session_id: str) -> None:
    """Nothing reached the shopper since the last event read: a sentinel comes next."""
    server.app[OUTBOX].publish(f"web:{session_id}", {"text": "sentinel"}, event="bot_uttered")
    assert (await shopper.next())[1]["text"] == "sentinel"


@dataclass(frozen=True)
class Escalation:
    session_id: str
    token: str
    parent: ApiCall  # the parent message's chat.postMessage
    seconds: float  # from the shopper's message to the parent post

    @property
    def conversation(self) -> str:
        return f"web:{self.session_id}"

    @property
    def thread_ts(self) -> str:
        return str(self.parent.answer["ts"])


async def escalate(shopper: Shopper, api: FakeSlackApi) -> Escalation:
    """A new widget session asks for a person."""
    await shopper.client.emit("session_request", {})
    _, session = await until(shopper, lambda e: e[0] == "session_confirm")
    posts = len(api.called("chat.postMessage"))
    started = time.perf_counter()
    await shopper.say(session["session_id"], ASK_FOR_A_PERSON)
    parent = (await api.wait_for("chat.postMessage", posts + 1))[-1]
    await until(shopper, saying("Connecting you to a person"))
    return Escalation(session["session_id"], session["token"], parent, parent.at - started)


def custom_of(event: dict[str, Any]) -> dict[str, Any]:
    return dict((event.get("data") or {}).get("custom") or {})


def blocks_text(call: ApiCall) -> str:
    return json.dumps(call.args.get("blocks", []), ensure_ascii=False) + str(call.args["text"])


# the signature


async def test_a_forged_signature_is_refused(slack: SlackSender, slack_api: FakeSlackApi) -> None:
    forged = "v0=" + "0" * 64
    status, _ = await slack.thread_reply(SUPPORT, "1.0", "U0DANA", "hi", signature=forged)
    assert status == 401
    wrong_secret = SlackSender(slack.app_url, "not-the-signing-secret")
    assert (await wrong_secret.command("queue", "U0DANA", SUPPORT, "http://x/"))[0] == 401
    assert not [c for c in slack_api.calls if c.method.startswith("chat.")]


async def test_a_stale_request_is_refused(slack: SlackSender) -> None:
    status, _ = await slack.command("queue", "U0DANA", SUPPORT, "http://x/", age_s=301)
    assert status == 401  # correctly signed, but older than Slack's 300 s window
    status, body = await slack.command("queue", "U0DANA", SUPPORT, "http://x/", age_s=200)
    assert status == 200 and "Nobody is waiting" in json.loads(body)["text"]


def test_requests_are_signed_as_the_slack_sdk_verifies_them() -> None:
    body, timestamp = '{"type":"event_callback"}', str(int(time.time()))
    signature = slack_signature(SECRET, timestamp, body)
    assert signature == SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body)


# the whole loop


async def test_a_shopper_and_an_agent_in_a_slack_thread(
    server: TestServer, slack: SlackSender, slack_api: FakeSlackApi, shopper: Shopper
) -> None:
    await shopper.connect()
    asked = await escalate(shopper, slack_api)
    sid, conversation, thread_ts = asked.session_id, asked.conversation, asked.thread_ts
    assert asked.parent.args["channel"] == "#support"
    shown = blocks_text(asked.parent)
    for expected in ("Waiting for an agent", "contact_human_agent", ASK_FOR_A_PERSON, "*Channel*"):
        assert expected in shown
    actions = next(b for b in asked.parent.args["blocks"] if b["type"] == "actions")
    assert [(b["action_id"], b["value"]) for b in actions["elements"]] == [
        (CLAIM, conversation),
        (RESOLVE, conversation),
    ]

    await shopper.say(sid, "my order never arrived, write to me at ann@example.com")
    line = (await slack_api.wait_for("chat.postMessage", 2))[1]
    assert (line.args["channel"], line.args["thread_ts"]) == (SUPPORT, thread_ts)
    assert "my order never arrived" in line.args["text"] and "[email]" in line.args["text"]
    assert "ann@example.com" not in line.args["text"]  # masked, as the summary is

    pressed = await slack.press(CLAIM, conversation, "U0DANA", SUPPORT, thread_ts, "x")
    assert pressed[0] == 200
    _, joined = await until(shopper, lambda e: e[0] == "agent_joined")
    assert joined["text"] == "Dana from our team joined the chat."
    update = (await slack_api.wait_for("chat.update"))[0]
    assert (update.args["channel"], update.args["ts"]) == (SUPPORT, thread_ts)
    assert "Claimed by Dana" in blocks_text(update)

    reply = "I'm on it: <https://shop.example/track|track it here> &amp; I'll stay"
    assert (await slack.thread_reply(SUPPORT, thread_ts, "U0DANA", reply))[0] == 200
    _, said = await until(shopper, lambda e: e[0] == "bot_uttered")
    assert said["text"] == "I'm on it: track it here (https://shop.example/track) & I'll stay"
    assert said["custom"] == {"type": "agent_message", "agent": "Dana"}
    edit: dict[str, Any] = {"type": "message", "subtype": "message_changed", "channel": SUPPORT}
    edit["message"] = {"text": "edited", "thread_ts": thread_ts, "user": "U0DANA"}
    assert (await slack.event(edit))[0] == 200  # an edit is not sent again
    also_in_channel = {"subtype": "thread_broadcast"}
    await slack.thread_reply(SUPPORT, thread_ts, "U0DANA", "Found it.", extra=also_in_channel)
    _, said = await until(shopper, lambda e: e[0] == "bot_uttered")
    assert said["text"] == "Found it."

    pressed = await slack.press(RESOLVE, conversation, "U0DANA", SUPPORT, thread_ts, "x")
    assert pressed[0] == 200
    _, left = await until(shopper, lambda e: e[0] == "agent_left")
    assert left["text"] == "Dana left the chat; the assistant is back."
    resolved = (await slack_api.wait_for("chat.update", 2))[1]
    assert "Resolved by Dana" in blocks_text(resolved)
    assert not [b for b in resolved.args["blocks"] if b["type"] == "actions"]

    await shopper.say(sid, "show me laptops")
    _, answer = await until(shopper, lambda e: e[0] == "bot_uttered")
    assert answer["text"].startswith("Here are")
    assert len(slack_api.called("chat.postMessage")) == 2  # the bot's turn went nowhere else


async def test_a_redelivered_event_reaches_the_shopper_once(
    server: TestServer, slack: SlackSender, slack_api: FakeSlackApi, shopper: Shopper
) -> None:
    await shopper.connect()
    asked = await escalate(shopper, slack_api)
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    forged = {"event_id": "Ev0RETRY", "signature": "v0=" + "1" * 64}
    statuses = [
        (await slack.thread_reply(SUPPORT, asked.thread_ts, "U0DANA", "hello", **extra))[0]
        for extra in (forged, {"event_id": "Ev0RETRY"}, {"event_id": "Ev0RETRY", "headers": retry})
    ]
    assert statuses == [401, 200, 200]  # a forged delivery does not use up the event id
    await until(shopper, lambda e: e[0] == "agent_joined")  # a waiting thread: claimed first
    name, said = await shopper.next()
    assert (name, said["text"]) == ("bot_uttered", "hello")
    await nothing_more(server, shopper, asked.session_id)
    events = await server.app[BOT].store.load(asked.conversation)
    kinds = [custom_of(e).get("type") for e in events]
    assert [kind for kind in kinds if kind] == ["agent_joined", "agent_message"]


async def test_a_reply_in_an_unknown_thread_is_ignored(
    server: TestServer, slack: SlackSender, slack_api: FakeSlackApi, shopper: Shopper
) -> None:
    await shopper.connect()
    asked = await escalate(shopper, slack_api)
    status, _ = await slack.thread_reply(SUPPORT, "1699999999.000001", "U0DANA", "who's this?")
    assert status == 200
    top_level = {"type": "message", "channel": SUPPORT, "user": "U0DANA", "text": "hi all"}
    assert (await slack.event({**top_level, "ts": "1699999999.5"}))[0] == 200
    elsewhere = await slack.thread_reply("C0OTHER", asked.thread_ts, "U0DANA", "wrong room")
    assert elsewhere[0] == 200
    await asyncio.sleep(0.3)  # listeners run after the acknowledgement
    sent = [c.method for c in slack_api.calls if c.method.startswith("chat.")]
    assert sent == ["chat.postMessage"]  # the parent, nothing since
    await nothing_more(server, shopper, asked.session_id)


async def test_a_second_agent_cannot_take_a_claimed_conversation(
    server: TestServer, slack: SlackSender, slack_api: FakeSlackApi, shopper: Shopper
) -> None:
    await shopper.connect()
    asked = await escalate(shopper, slack_api)
    conversation, thread_ts = asked.conversation, asked.thread_ts
    await slack.press(CLAIM, conversation, "U0DANA", SUPPORT, thread_ts, "x")
    await until(shopper, lambda e: e[0] == "agent_joined")
    await slack_api.wait_for("chat.update")

    await slack.press(CLAIM, conversation, "U0ELI", SUPPORT, thread_ts, "x")
    refusal = (await slack_api.wait_for("chat.postEphemeral"))[0]
    assert (refusal.args["user"], refusal.args["channel"]) == ("U0ELI", SUPPORT)
    assert "Already claimed by Dana" in refusal.args["text"]
    await slack.thread_reply(SUPPORT, thread_ts, "U0ELI", "Eli here!")
    refused_line = (await slack_api.wait_for("chat.postEphemeral", 2))[1]
    assert "did not reach the shopper" in refused_line.args["text"]
    assert refused_line.args["thread_ts"] == thread_ts
    await slack.press(RESOLVE, conversation, "U0ELI", SUPPORT, thread_ts, "x")
    await slack_api.wait_for("chat.postEphemeral", 3)

    assert len(slack_api.called("chat.update")) == 1  # nothing changed
    await nothing_more(server, shopper, asked.session_id)
    events = await server.app[BOT].store.load(conversation)
    agents = {custom_of(e).get("agent") for e in events}
    assert "Eli" not in agents


async def test_an_agents_line_the_service_cannot_record_is_reported_lost(
    server: TestServer,
    settings: Settings,
    slack: SlackSender,
    slack_api: FakeSlackApi,
    shopper: Shopper,
) -> None:
    await shopper.connect()
    asked = await escalate(shopper, slack_api)
    with sqlite3.connect(settings.home / "conversations.db") as db:  # the disk fails now
        db.execute(
            "CREATE TRIGGER disk_gone BEFORE INSERT ON events "
            "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
        )
    await slack.thread_reply(SUPPORT, asked.thread_ts, "U0DANA", "Hi, Dana here")
    lost = (await slack_api.wait_for("chat.postEphemeral"))[0]
    assert (lost.args["user"], lost.args["thread_ts"]) == ("U0DANA", asked.thread_ts)
    assert "did not reach the shopper" in lost.args["text"] and "again" in lost.args["text"]


async def test_shopbot_command_lists_claims_and_resolves(
    server: TestServer,
    slack: SlackSender,
    slack_api: FakeSlackApi,
    shopper: Shopper,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await shopper.connect()
    asked = await escalate(shopper, slack_api)
    sid, responses = asked.session_id, slack_api.response_url("shopbot")

    async def shopbot(text: str, user: str = "U0DANA") -> str:
        status, body = await slack.command(text, user, SUPPORT, responses)
        assert status == 200
        return str(json.loads(body)["text"])

    listed = await shopbot("queue")
    assert f"`web:{sid}` waiting" in listed and "contact_human_agent" in listed
    assert "Waiting: 1" in await shopbot("stats")

    assert "is yours" in await shopbot(f"claim {sid[:8]}")  # the start of an id will do
    _, joined = await until(shopper, lambda e: e[0] == "agent_joined")
    assert joined["custom"]["agent"] == "Dana"
    assert "With an agent: 1 (Dana 1)" in await shopbot("stats", "U0ELI")
    assert "Already claimed by Dana" in await shopbot(f"claim web:{sid}", "U0ELI")

    budget = connectors.slack.ACK_BUDGET_S
    monkeypatch.setattr(connectors.slack, "ACK_BUDGET_S", 0.0)  # as if a turn held it long
    assert "Working on it" in await shopbot(f"resolve web:{sid}")
    later = (await slack_api.wait_for("respond:shopbot"))[0]
    assert "the assistant is back" in later.args["text"]
    assert later.args["response_type"] == "ephemeral"
    await until(shopper, lambda e: e[0] == "agent_left")
    monkeypatch.setattr(connectors.slack, "ACK_BUDGET_S", budget)  # reading the queue waits
    assert "Nobody is waiting" in await shopbot("queue")
    assert "No open conversation matches" in await shopbot("claim nothing-like-this")
    assert "Usage" in await shopbot("")


async def test_threads_outlive_a_restart(settings: Settings, slack_api: FakeSlackApi) -> None:
    """The conversation <-> thread mapping is in the database: after a restart an agent's
    reply still reaches the shopper, who comes back with their session token."""
    configured = with_slack(settings, slack_api)
    async with served(configured) as server, connected(server) as shopper:
        await shopper.connect()
        asked = await escalate(shopper, slack_api)
        slack = SlackSender(str(server.make_url("/")), SECRET)
        await slack.press(CLAIM, asked.conversation, "U0DANA", SUPPORT, asked.thread_ts, "x")
        await slack_api.wait_for("chat.update")
    async with served(configured) as server, connected(server) as shopper:
        resumed = await shopper.connect(session_id=asked.session_id, token=asked.token)
        assert resumed["session_id"] == asked.session_id
        slack = SlackSender(str(server.make_url("/")), SECRET)
        await slack.thread_reply(SUPPORT, asked.thread_ts, "U0DANA", "still here")
        _, said = await until(shopper, lambda e: e[0] == "bot_uttered")
        assert (said["text"], said["custom"]["agent"]) == ("still here", "Dana")


def test_shopper_text_is_escaped_and_agent_text_made_plain() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert to_plain("<@U0ELI|eli> see <#C1|orders>, <!here>") == "@eli see #orders, @here"
    assert to_plain("<mailto:help@shop.example|help@shop.example>") == "help@shop.example"
    assert to_plain("<https://a.example>") == "https://a.example"
    summary = {
        "conversation_id": "web:1",
        "channel": "web",
        "language": "en",
        "reason": "requested",
        "intents": [],
        "products_viewed": [],
        "orders_proven": [],
        "messages": [{"from": "shopper", "text": "<!channel> help"}],
    }
    text, blocks = parent_message(summary)
    assert "<!channel>" not in json.dumps(blocks) and "&lt;!channel&gt;" in json.dumps(blocks)
    assert text == "A shopper needs a person (Waiting for an agent): web:1"


# how long it takes


async def test_time_to_slack_and_back(
    server: TestServer, slack: SlackSender, slack_api: FakeSlackApi, shopper: Shopper
) -> None:
    """Shopper's message -> parent post, and agent's thread reply -> the shopper's socket.
    Printed, never asserted."""
    await shopper.connect()
    to_slack: list[float] = []
    to_shopper: list[float] = []
    for _ in range(int(os.environ.get("SHOPBOT_SLACK_LATENCY_RUNS", "20"))):
        asked = await escalate(shopper, slack_api)
        to_slack.append(asked.seconds)
        await slack.press(CLAIM, asked.conversation, "U0DANA", SUPPORT, asked.thread_ts, "x")
        await until(shopper, lambda e: e[0] == "agent_joined")
        started = time.perf_counter()
        await slack.thread_reply(SUPPORT, asked.thread_ts, "U0DANA", "Dana here")
        await until(shopper, saying("Dana here", "bot_uttered"))
        to_shopper.append(time.perf_counter() - started)
        await slack.press(RESOLVE, asked.conversation, "U0DANA", SUPPORT, asked.thread_ts, "x")
        await until(shopper, lambda e: e[0] == "agent_left")
    figures = {"shopper_to_slack_post_s": to_slack, "agent_reply_to_shopper_s": to_shopper}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "slack_latency.json").write_text(json.dumps(figures, indent=2))
    print(f"\n{'path':<28}{'n':>4}{'p50 ms':>10}{'p99 ms':>10}")
    for path, samples in figures.items():
        print(f"{path:<28}{len(samples):>4}{_ms(samples, 50):>10.1f}{_ms(samples, 99):>10.1f}")


def _ms(samples: list[float], percentile: int) -> float:
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0] * 1000
    return statistics.quantiles(ordered, n=100, method="inclusive")[percentile - 1] * 1000
