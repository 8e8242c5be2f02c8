"""Faults while serving (issue 17), each a few seconds against real servers:

- an instance killed with SIGKILL in the middle of a load run: after a restart every message
  it acknowledged is in its conversation exactly once, and no conversation is corrupt;
- Redis, then PostgreSQL, stopped under a running app with shoppers talking: `/health` says
  degraded, turns fail at once with a clear 503 (never a 500, never a hang), and everything
  comes back by itself when the server does, without restarting the app;
- the description model's server gone: shoppers get the listing's own words, never a 500.

Redis and PostgreSQL here are private servers of the test's own (`private_servers`); the
machine's shared ones are never stopped. The figures each test saw are printed (`pytest -s`).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from pydantic import SecretStr

from bot.app import BOT, HEALTH_TIMEOUT_S, OUTBOX, SHOP, create_app
from bot.locks_redis import COMMAND_TIMEOUT_S as REDIS_TIMEOUT_S
from bot.locks_redis import open_redis
from bot.outbox_redis import RedisOutbox
from bot.settings import LimitSettings, Settings
from bot.store import ConversationStore, SqliteConversationStore, Unavailable
from bot.store_postgres import COMMAND_TIMEOUT_S as POSTGRES_TIMEOUT_S
from bot.store_postgres import PostgresConversationStore
from bot.tracker import Event
from tests.bot.shared_servers import DATABASE_URL, REDIS_URL, closed_port, pg_schema, redis_prefix
from tests.conftest import MODELS
from tests.e2e.private_servers import (
    PrivatePostgres,
    PrivateRedis,
    postgres_cluster,
    private_postgres,
    private_redis,
)
from tests.e2e.processes import SHOPBOT, free_port
from tests.fakes.tcp_relay import TcpRelay
from writer.settings import WriterSettings

__all__ = [  # fixtures
    "pg_schema",
    "postgres_cluster",
    "private_postgres",
    "private_redis",
    "redis_prefix",
]

URL = "/webhooks/rest/webhook"
SHOPPERS = 8
LOAD_S = 2.0
DEADLINE_S = 60.0  # waits for a server or a recovery; only a hang ever reaches it
UNLIMITED = LimitSettings(burst=100_000, address_burst=100_000)


@dataclass
class Shopper:
    """One conversation's messages: what the app acknowledged (200) and what it refused."""

    sender: str
    acknowledged: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # 503: the store was away
    unanswered: list[str] = field(default_factory=list)  # the connection broke mid-turn
    other: list[int] = field(default_factory=list)  # any other status: a bug
    slowest_refusal_s: float = 0.0
    acknowledged_at: list[float] = field(default_factory=list)


async def talk(post: Any, shopper: Shopper, stop: asyncio.Event) -> None:
    """Send numbered messages back to back until `stop`; `post(json)` returns the status."""
    texts = ("hi", "show me laptops", "the first one", "any headphones under 100", "thanks")
    turn = 0
    while not stop.is_set():
        text = f"{texts[turn % len(texts)]} {shopper.sender}-{turn}"
        turn += 1
        started = time.monotonic()
        try:
            status = await post({"sender": shopper.sender, "message": text})
        except (aiohttp.ClientError, OSError):
            shopper.unanswered.append(text)
            await asyncio.sleep(0.05)
            continue
        if status == 200:
            shopper.acknowledged.append(text)
            shopper.acknowledged_at.append(time.monotonic())
        elif status == 503:
            shopper.refused.append(text)
            shopper.slowest_refusal_s = max(shopper.slowest_refusal_s, time.monotonic() - started)
            await asyncio.sleep(0.05)  # Retry-After says wait; a little is enough here
        else:
            shopper.other.append(status)


def said(events: list[Event]) -> list[str]:
    return [str(e["text"]) for e in events if e.get("event") == "user"]


def assert_well_formed(events: list[Event]) -> None:
    """Every event a dict with a kind; every turn whole (a user message, what the bot did,
    and the wait for the next message), as an append is all or nothing."""
    assert events, "an empty conversation"
    assert all(isinstance(e, dict) and e.get("event") for e in events)
    users = [i for i, e in enumerate(events) if e["event"] == "user"]
    for start, end in zip(users, [*users[1:], len(events)], strict=True):
        last = events[end - 1]
        assert (last["event"], last.get("name")) == ("action", "action_listen"), events[start:end]


def assert_exactly_once(events: list[Event], shopper: Shopper, maybe: list[str]) -> None:
    """Each acknowledged message once, in the order sent; besides them only messages whose
    answer never came (`maybe`: the turn may have been stored just before the fault)."""
    stored = said(events)
    assert len(stored) == len(set(stored)), f"a message stored twice: {stored}"
    assert [text for text in stored if text in shopper.acknowledged] == shopper.acknowledged
    assert set(stored) - set(shopper.acknowledged) <= set(maybe)


# -- an instance killed in the middle of a load run ------------------------------------------


def start_serve(home: Path, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`shopbot serve` in a session of its own (so SIGKILL reaches it, not only `timeout`);
    what it logs goes to `serve.log` beside its home."""
    command = ["timeout", "300", SHOPBOT, "serve", "--port", str(port), "--home", str(home)]
    environment = {
        **os.environ,
        "SHOPBOT_MODELS": str(MODELS),
        "SHOPBOT_LOG_LEVEL": "WARNING",
        "SHOPBOT_WRITER__LOAD_AT_STARTUP": "false",
        "SHOPBOT_INSIGHTS__DEMO_REVIEWS": "false",
        "SHOPBOT_LIMITS__BURST": "100000",
        "SHOPBOT_LIMITS__ADDRESS_BURST": "100000",
        "SHOPBOT_LIMITS__MAX_EVENTS": "100000",  # no compaction folds a message away mid-test
        **env,
    }
    with (home.parent / "serve.log").open("ab") as log:
        return subprocess.Popen(
            command, env=environment, stdout=log, stderr=log, start_new_session=True
        )


async def until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"shopbot serve exited with {process.returncode}")
            try:
                async with session.get(f"{base}/health") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(base)


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(params=["sqlite", "postgresql", "postgresql+redis"])
def served_store(
    request: pytest.FixtureRequest, pg_schema: str, redis_prefix: str
) -> dict[str, str]:
    """The served instance's conversation store (its environment): SQLite in its home, or a
    schema of its own on the shared PostgreSQL, with or without the shared Redis (locks that
    the killed instance leaves held, rate limits, the outbox) under a prefix of its own."""
    if request.param == "sqlite":
        return {}
    env = {"SHOPBOT_DATABASE_URL": DATABASE_URL, "SHOPBOT_DATABASE_SCHEMA": pg_schema}
    if request.param == "postgresql+redis":
        env |= {"SHOPBOT_REDIS_URL": REDIS_URL, "SHOPBOT_REDIS_PREFIX": redis_prefix}
    return env


async def open_served_store(home: Path, env: dict[str, str]) -> ConversationStore:
    if "SHOPBOT_DATABASE_URL" in env:
        url, schema = env["SHOPBOT_DATABASE_URL"], env["SHOPBOT_DATABASE_SCHEMA"]
        return await PostgresConversationStore.open(url, schema)
    return SqliteConversationStore(home / "conversations.db")


async def test_an_instance_killed_mid_load_keeps_every_acknowledged_message(
    tmp_path: Path, intent_model_dir: Path, served_store: dict[str, str]
) -> None:
    home, port = tmp_path / "home", free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_serve(home, port, served_store)
    shoppers = [Shopper(f"k{index}") for index in range(SHOPPERS)]
    try:
        await until_up(base, server)
        stopping = asyncio.Event()
        timeout = aiohttp.ClientTimeout(total=DEADLINE_S)
        async with aiohttp.ClientSession(timeout=timeout) as session:

            async def post(body: dict[str, str]) -> int:
                async with session.post(f"{base}{URL}", json=body) as response:
                    await response.read()
                    return response.status

            load = [asyncio.create_task(talk(post, s, stopping)) for s in shoppers]
            await asyncio.sleep(LOAD_S)
            stop(server, signal.SIGKILL)  # mid-turn for most shoppers
            stopping.set()
            await asyncio.gather(*load)
        acknowledged = sum(len(s.acknowledged) for s in shoppers)
        assert acknowledged >= SHOPPERS, "the load never got going"
        assert all(not s.other for s in shoppers), [s.other for s in shoppers]

        server = start_serve(home, port, served_store)
        restarted = time.monotonic()
        await until_up(base, server)
        kind = "+".join(
            name
            for name, key in (
                ("postgresql", "SHOPBOT_DATABASE_URL"),
                ("redis", "SHOPBOT_REDIS_URL"),
            )
            if key in served_store
        )
        print(
            f"\nkill -9 ({kind or 'sqlite'}): {acknowledged} messages acknowledged, "
            f"restarted in {time.monotonic() - restarted:.1f} s"
        )
        answered_after: list[float] = []
        async with aiohttp.ClientSession() as session:

            async def hello_again(shopper: Shopper) -> None:
                body = {"sender": shopper.sender, "message": "hello again"}
                async with session.post(f"{base}{URL}", json=body) as response:
                    assert response.status == 200 and await response.json()
                answered_after.append(time.monotonic() - restarted)

            # each conversation answers again, those whose Redis lock the dead instance held
            # once the lock has expired (RedisConversationLocks waits longer than its ttl)
            await asyncio.gather(*(hello_again(shopper) for shopper in shoppers))
        print(f"  every conversation answered within {max(answered_after):.1f} s of the restart")
    finally:
        stop(server)

    store = await open_served_store(home, served_store)
    try:
        found = cut_off_but_stored = 0
        for shopper in shoppers:
            events = await store.load(f"rest:{shopper.sender}")
            assert_well_formed(events)
            again = max(i for i, e in enumerate(events) if e["event"] == "user")
            assert events[again]["text"] == "hello again"
            assert_exactly_once(events[:again], shopper, maybe=shopper.unanswered)
            found += len([t for t in said(events) if t in shopper.acknowledged])
            cut_off_but_stored += len([t for t in said(events) if t in shopper.unanswered])
        unanswered = sum(len(s.unanswered) for s in shoppers)
        print(
            f"  found {found} of {acknowledged} acknowledged, each once; of {unanswered} turns "
            f"cut off by the kill, {cut_off_but_stored} had been stored whole"
        )
        assert found == acknowledged
    finally:
        await store.close()


# -- Redis and PostgreSQL stopped and started under a running app -----------------------------


async def until_health(client: TestClient, status: int) -> dict[str, Any]:
    """Poll `/health` until it answers `status`; each answer must come within the bound."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        response = await asyncio.wait_for(client.get("/health"), DEADLINE_S)
        body: dict[str, Any] = await response.json()
        if response.status == status or time.monotonic() > deadline:
            assert response.status == status, body
            return body
        await asyncio.sleep(0.05)


async def until_each_answers(shoppers: list[Shopper], since: float) -> None:
    """Wait until every shopper had a message acknowledged after `since`."""
    deadline = time.monotonic() + DEADLINE_S
    while not all(s.acknowledged_at and s.acknowledged_at[-1] > since for s in shoppers):
        assert time.monotonic() < deadline, "a conversation did not come back"
        await asyncio.sleep(0.05)


async def restart_under_load(
    client: TestClient,
    name: str,
    stop_server: Any,
    start_server: Any,
    bound_s: float,
) -> list[Shopper]:
    """Shoppers talk while `stop_server` runs and until they are all answered again after
    `start_server`; checks what the app said meanwhile, returns what each shopper saw."""
    shoppers = [Shopper(f"{name[0]}{index}") for index in range(4)]
    stopping = asyncio.Event()

    async def post(body: dict[str, str]) -> int:
        response = await asyncio.wait_for(client.post(URL, json=body), DEADLINE_S)
        await response.read()
        return response.status

    load = [asyncio.create_task(talk(post, s, stopping)) for s in shoppers]
    try:
        await until_each_answers(shoppers, since=0)
        await stop_server()
        stopped = time.monotonic()
        body = await until_health(client, 503)
        degraded_s = time.monotonic() - stopped
        assert body["status"] == "degraded" and name in body["unavailable"]
        refused = sum(len(s.refused) for s in shoppers)
        while not any(s.refused[refused:] for s in shoppers):  # a turn meanwhile: a 503
            assert time.monotonic() - stopped < DEADLINE_S
            await asyncio.sleep(0.05)
        await start_server()
        started = time.monotonic()
        await until_health(client, 200)
        healthy_s = time.monotonic() - started
        await until_each_answers(shoppers, since=started)
        answered_s = time.monotonic() - started
    finally:
        stopping.set()
        await asyncio.gather(*load)
    slowest = max(s.slowest_refusal_s for s in shoppers)
    print(
        f"\n{name} restart: degraded after {degraded_s:.2f} s, slowest 503 {slowest:.2f} s, "
        f"healthy {healthy_s:.2f} s and every conversation answered {answered_s:.2f} s after "
        f"the start; {sum(len(s.acknowledged) for s in shoppers)} acknowledged, "
        f"{sum(len(s.refused) for s in shoppers)} refused"
    )
    assert all(not s.other and not s.unanswered for s in shoppers), "a 500 or a dropped turn"
    assert slowest < bound_s, "a turn hung instead of failing fast"
    return shoppers


async def test_redis_restarted_under_a_running_app(
    aiohttp_client: Any, settings: Settings, private_redis: PrivateRedis
) -> None:
    on_redis = settings.model_copy(
        update={
            "redis_url": SecretStr(private_redis.url),
            "redis_prefix": "faults:",
            "limits": UNLIMITED,
        }
    )
    client: TestClient = await aiohttp_client(create_app(on_redis))
    heard: list[tuple[str, str, dict[str, Any]]] = []
    client.app[OUTBOX].subscribe(lambda *line: heard.append(line), from_every_instance=True)

    async def kill() -> None:
        private_redis.kill()

    shoppers = await restart_under_load(
        client, "redis", kill, private_redis.start, bound_s=10 * REDIS_TIMEOUT_S
    )
    store = client.app[BOT].store
    for shopper in shoppers:  # the conversations are on SQLite: a refused turn left nothing
        events = await store.load(f"rest:{shopper.sender}")
        assert_well_formed(events)
        assert said(events) == shopper.acknowledged

    # the outbox listens again: a line another instance publishes reaches a socket here
    other_client = open_redis(private_redis.url)
    other = RedisOutbox(other_client, channel="faults:outbox")
    await other.start()
    try:
        deadline = time.monotonic() + DEADLINE_S
        while not heard and time.monotonic() < deadline:
            other.publish("web:ann", {"text": "Hi, Sam here"}, event="bot_uttered")
            await asyncio.sleep(0.1)
    finally:
        await other.close()
        await other_client.aclose()
    assert heard[0] == ("web:ann", "bot_uttered", {"text": "Hi, Sam here"})


async def test_postgresql_calls_across_restarts_succeed_or_say_unavailable(
    private_postgres: PrivatePostgres,
) -> None:
    """Eight conversations appending while the server is stopped and started five times (fast,
    then immediate, as a crash): each call succeeds or raises `Unavailable`, nothing else, and
    afterwards every call succeeds again on the same pool."""
    store = await PostgresConversationStore.open(private_postgres.url, "restarts")
    outcomes: Counter[str] = Counter()
    stopping = asyncio.Event()

    async def conversation(index: int) -> None:
        while not stopping.is_set():
            try:
                await store.load(f"c{index}")
                await store.append(f"c{index}", [{"event": "user", "text": "hi", "timestamp": 1}])
                outcomes["ok"] += 1
            except Unavailable:
                outcomes["unavailable"] += 1
                await asyncio.sleep(0.01)

    tasks = [asyncio.create_task(conversation(index)) for index in range(8)]
    try:
        for mode in ("fast", "immediate", "fast", "immediate", "fast"):
            await asyncio.sleep(0.2)
            await private_postgres.stop(mode)
            await asyncio.sleep(0.1)
            await private_postgres.start()
    finally:
        stopping.set()
        await asyncio.gather(*tasks)  # anything but `Unavailable` fails the test here
    print(f"\npostgresql restarts, store calls: {dict(outcomes)}")
    assert outcomes["unavailable"] > 0 and outcomes["ok"] > 0
    for index in range(8):
        await store.append(f"c{index}", [{"event": "user", "text": "back", "timestamp": 2}])
        assert (await store.load(f"c{index}"))[-1]["text"] == "back"
    await store.close()


async def test_postgresql_restarted_under_a_running_app(
    aiohttp_client: Any, settings: Settings, private_postgres: PrivatePostgres
) -> None:
    on_postgres = settings.model_copy(
        update={
            "database_url": SecretStr(private_postgres.url),
            "database_schema": "faults",
            "limits": UNLIMITED,
        }
    )
    client: TestClient = await aiohttp_client(create_app(on_postgres))

    async def stop_fast() -> None:
        await private_postgres.stop("fast")

    shoppers = await restart_under_load(
        client, "postgresql", stop_fast, private_postgres.start, bound_s=10 * POSTGRES_TIMEOUT_S
    )
    store = client.app[BOT].store
    for shopper in shoppers:
        events = await store.load(f"rest:{shopper.sender}")
        assert_well_formed(events)
        # a turn cut off by the shutdown was either stored whole or not at all
        assert_exactly_once(events, shopper, maybe=shopper.refused)


async def test_a_partition_from_redis_and_postgresql_heals(
    aiohttp_client: Any,
    settings: Settings,
    private_redis: PrivateRedis,
    private_postgres: PrivatePostgres,
) -> None:
    """Both servers up but cut off (connections open, no bytes: a hung host or a lost
    network), which a killed server never shows: `/health` still answers at once, naming both,
    and when the network is back health and turns are too, without restarting the app."""
    relays = [TcpRelay(private_redis.port), TcpRelay(private_postgres.port)]
    for relay in relays:
        await relay.start()
    behind = settings.model_copy(
        update={
            "redis_url": SecretStr(f"redis://127.0.0.1:{relays[0].port}/0"),
            "redis_prefix": "partition:",
            "database_url": SecretStr(f"postgresql://postgres@127.0.0.1:{relays[1].port}/postgres"),
            "database_schema": "partition",
        }
    )
    try:
        client: TestClient = await aiohttp_client(create_app(behind))
        turn = await client.post(URL, json={"sender": "n1", "message": "hello"})
        assert turn.status == 200
        for relay in relays:
            relay.cut()
        cut = time.monotonic()
        body = await until_health(client, 503)
        print(f"\npartition: /health said degraded after {time.monotonic() - cut:.2f} s")
        assert sorted(body["unavailable"]) == ["postgresql", "redis"]
        assert time.monotonic() - cut < 10 * HEALTH_TIMEOUT_S, "/health hung"
        for relay in relays:
            relay.restore()
        await until_health(client, 200)
        turn = await client.post(URL, json={"sender": "n1", "message": "hello again"})
        assert turn.status == 200
        events = await client.app[BOT].store.load("rest:n1")
        assert said(events) == ["hello", "hello again"]
    finally:
        for relay in relays:
            await relay.close()


# -- the description model's server gone ------------------------------------------------------


async def test_descriptions_fall_back_when_the_model_server_is_down(
    aiohttp_client: Any, settings: Settings
) -> None:
    """The writer on an OpenAI-compatible server at a closed port: a shopper asking for a
    description gets the listing's own words (twice: the failure, then its cooldown), and
    the operator's regenerate a 503 naming the writer; nothing is stored."""
    token = "admin-" + "t" * 40
    down = WriterSettings(
        backend="openai",
        base_url=f"http://127.0.0.1:{closed_port()}/v1",
        load_at_startup=False,
        admin_token=SecretStr(token),
    )
    client: TestClient = await aiohttp_client(
        create_app(settings.model_copy(update={"writer": down}))
    )
    search = await client.post(URL, json={"sender": "w1", "message": "show me laptops"})
    assert search.status == 200
    for _ in range(2):  # the failure, then the product's cooldown: the same fallback
        asked = await client.post(
            URL, json={"sender": "w1", "message": "can you describe the first one"}
        )
        assert asked.status == 200
        replies = await asked.json()
        kinds = [(r.get("custom") or {}).get("type") for r in replies]
        assert "description" in kinds, f"no description came back: {replies}"
        reply = replies[kinds.index("description")]
        product = reply["custom"]["product_id"]
        draft = client.app[SHOP].descriptions.draft_from_record(product)
        assert reply["custom"]["path"] == "record"
        assert reply["text"].endswith(draft) and "listing's own words" in reply["text"]

    regenerate = await client.post(
        f"/api/products/{product}/description", headers={"Authorization": f"Bearer {token}"}
    )
    assert regenerate.status == 503 and regenerate.headers["Retry-After"]
    assert "writer" in (await regenerate.json())["error"]
    assert (await client.get(f"/api/products/{product}/description")).status == 404
