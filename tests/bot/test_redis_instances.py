"""Two instances of the whole app on one PostgreSQL and one Redis: a conversation goes on at
either, and an agent's line published at one reaches the shopper's socket at the other."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from bot.app import BOT, OUTBOX, TOKENS, create_app
from bot.settings import Settings
from tests.bot.shared_servers import (
    on_shared_servers,
    pg_schema,
    redis_prefix,
)

__all__ = ["pg_schema", "redis_prefix"]  # the fixtures, used by name

URL = "/webhooks/rest/webhook"


async def test_two_instances_share_conversations_and_the_outbox(
    aiohttp_client: Any, settings: Settings, pg_schema: str, redis_prefix: str
) -> None:
    shared = on_shared_servers(settings, pg_schema, redis_prefix)
    a: TestClient = await aiohttp_client(create_app(shared))
    b: TestClient = await aiohttp_client(create_app(shared))

    assert (await a.post(URL, json={"sender": "ann", "message": "hello"})).status == 200
    assert (await b.post(URL, json={"sender": "ann", "message": "show me laptops"})).status == 200
    events = await a.app[BOT].store.load("rest:ann")
    said = [e["text"] for e in events if e.get("event") == "user"]
    assert said == ["hello", "show me laptops"]

    # the same conversation at both instances at once: its turns still take turns
    replies = await asyncio.gather(
        a.post(URL, json={"sender": "bob", "message": "hello"}),
        b.post(URL, json={"sender": "bob", "message": "hi there"}),
    )
    assert [r.status for r in replies] == [200, 200]
    events = await b.app[BOT].store.load("rest:bob")
    kinds = [e["event"] for e in events if e["event"] in ("user", "action")]
    # each user event is followed by its own turn's actions, never the other turn's message
    users = [i for i, kind in enumerate(kinds) if kind == "user"]
    assert len(users) == 2 and kinds[users[0] + 1] == "action"

    socket_at_b: list[tuple[str, str, dict[str, Any]]] = []
    b.app[OUTBOX].subscribe(lambda *line: socket_at_b.append(line), from_every_instance=True)
    a.app[OUTBOX].publish("web:ann", {"text": "Hi, Sam here"}, event="bot_uttered")
    for _ in range(200):
        if socket_at_b:
            break
        await asyncio.sleep(0.01)
    assert socket_at_b == [("web:ann", "bot_uttered", {"text": "Hi, Sam here"})]


async def test_two_instances_with_their_own_homes_accept_each_others_session_tokens(
    aiohttp_client: Any, settings: Settings, pg_schema: str, redis_prefix: str, tmp_path: Path
) -> None:
    shared = on_shared_servers(settings, pg_schema, redis_prefix)
    a: TestClient = await aiohttp_client(create_app(shared))
    b: TestClient = await aiohttp_client(
        create_app(shared.model_copy(update={"home": tmp_path / "home-b"}))
    )
    assert not (tmp_path / "home-b" / "secret.key").exists()  # the secret is on Redis
    history = "/api/conversations/{}/messages"
    for issuer, reader in ((a, b), (b, a)):
        token = issuer.app[TOKENS].issue("sess-shared")
        answer = await reader.get(
            history.format("sess-shared"), headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status == 200
        assert reader.app[TOKENS].verify("sess-shared", token)
        assert not reader.app[TOKENS].verify("sess-other", token)
    forged = await b.get(history.format("sess-shared"), headers={"Authorization": "Bearer 1.2.x"})
    assert forged.status == 403
