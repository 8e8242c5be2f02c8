"""Stored descriptions on SQLite and on the real PostgreSQL: the same behaviours on both, two
instances on one file or schema (a save at one is read at the other; the newest save wins),
the writer service stored-first across instances, its migration beside the other stores', a
server that is not there, and two whole apps on one schema."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from pydantic import SecretStr

from actions.catalog import Catalog
from actions.catalog_import import ensure_demo_catalog
from actions.database import open_database
from bot.app import SHOP, create_app
from bot.descriptions_postgres import PostgresDescriptionStore
from bot.locks_redis import RedisConversationLocks, open_redis
from bot.settings import Settings, WriterSettings
from bot.store import Unavailable
from tests.bot.shared_servers import (
    DATABASE_URL,
    REDIS_URL,
    closed_port,
    on_shared_servers,
    pg_schema,
    redis_prefix,
)
from tests.connectors.test_product_api import ADMIN_TOKEN, AUTHORIZED, PRODUCT, URL, truthful
from tests.e2e.processes import SHOPBOT
from tests.writer.chat_api import ChatAPI, chat_api_thread
from writer.describe import Description, OnEvent
from writer.records import ProductRecord
from writer.service import DescriptionService, WriterBusy
from writer.store import DescriptionStore, SqliteDescriptionStore

__all__ = ["pg_schema", "redis_prefix"]  # the fixtures, used by name

StoreMaker = Callable[[], DescriptionStore]


def _description(product_id: str, text: str, language: str = "en", version: int = 4) -> Description:
    check = {"grounded": text.endswith("."), "safe": True, "claims": [text]}
    return Description(product_id, language, text, "model+record", check, "scripted",
                       seconds=0.5, version=version)  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql"])
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreMaker:
    """Opens the store anew each call (another instance, or a restart) on one file or schema."""
    if request.param == "sqlite":
        return lambda: SqliteDescriptionStore(open_database(tmp_path / "catalog.db"))
    schema = request.getfixturevalue("pg_schema")
    return lambda: PostgresDescriptionStore(DATABASE_URL, schema)


async def test_a_saved_description_reads_back_whole_per_language(new_store: StoreMaker) -> None:
    store = new_store()
    assert await store.get("p1") is None
    saved = await store.save(_description("p1", "A quiet fan. It is 20 dB."))
    await store.save(_description("p1", "安静的风扇。", language="zh"))
    stored = await store.get("p1")
    assert stored == saved
    assert stored is not None and stored.text == "A quiet fan. It is 20 dB."
    assert stored.grounded and stored.path == "model+record" and stored.backend == "scripted"
    assert stored.details["check"]["claims"] == ["A quiet fan. It is 20 dB."]
    assert stored.to_dict()["check"]["safe"] is True
    assert abs(stored.created_at - time.time()) < 60
    chinese = await store.get("p1", "zh")
    assert chinese is not None and chinese.text == "安静的风扇。" and chinese.language == "zh"
    await store.close()


async def test_a_new_save_replaces_the_old_and_done_counts_this_version(
    new_store: StoreMaker,
) -> None:
    store = new_store()
    first = await store.save(_description("p2", "Old words", version=3))
    await store.save(_description("p1", "Kept."))
    await store.save(_description("p3", "Other language.", language="zh"))
    assert await store.done(4) == {"p1"}
    assert await store.done(3) == {"p2"}
    newer = await store.save(_description("p2", "New words."))
    assert newer.created_at >= first.created_at
    assert await store.done(4) == {"p1", "p2"} and await store.done(3) == set()
    assert [(d.product_id, d.text) for d in await store.all()] == [
        ("p1", "Kept."),
        ("p2", "New words."),
    ]
    assert [d.version for d in await store.all()] == [4, 4]
    assert [d.product_id for d in await store.all("zh")] == ["p3"]
    await store.close()


async def test_a_save_at_one_instance_is_read_at_the_other_and_after_a_restart(
    new_store: StoreMaker,
) -> None:
    a, b = new_store(), new_store()
    await a.save(_description("p1", "Written at A."))
    at_b = await b.get("p1")
    assert at_b is not None and at_b.text == "Written at A."
    await b.save(_description("p1", "Regenerated at B."))
    at_a = await a.get("p1")
    assert at_a is not None and at_a.text == "Regenerated at B."
    await a.close()
    await b.close()
    again = new_store()
    assert [d.text for d in await again.all()] == ["Regenerated at B."]
    await again.close()


async def test_of_two_saves_at_once_the_newest_is_what_both_read(new_store: StoreMaker) -> None:
    a, b = new_store(), new_store()
    for round_ in range(5):
        saved = await asyncio.gather(
            a.save(_description("p1", f"From A, round {round_}.")),
            b.save(_description("p1", f"From B, round {round_}.")),
        )
        newest = max(saved, key=lambda stored: stored.created_at)
        assert await a.get("p1") == newest and await b.get("p1") == newest
    assert len(await a.all()) == 1
    await a.close()
    await b.close()


class CountingWriter:
    """Stands in for `DescriptionWriter`: a fixed sentence per record, each write counted."""

    def __init__(self, words: str) -> None:
        self.generator = object()  # not a local model: nothing to load
        self.words = words
        self.written: list[str] = []

    async def write(self, record: ProductRecord, on_event: OnEvent | None = None) -> Description:
        self.written.append(record.id)
        return _description(record.id, f"{self.words} {record.id}.")


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    catalog = Catalog(tmp_path_factory.mktemp("descriptions") / "catalog.db")
    ensure_demo_catalog(catalog, show_progress=False)
    yield catalog
    catalog.close()


async def test_a_description_written_at_one_service_is_served_by_the_other(
    new_store: StoreMaker, catalog: Catalog
) -> None:
    writers = CountingWriter("Written at A for"), CountingWriter("Written at B for")
    a, b = (DescriptionService(w, new_store(), catalog) for w in writers)  # type: ignore[arg-type]
    product = catalog.popular(limit=1)[0].id
    written = await a.describe(product)
    served = await b.describe(product)  # stored first: B writes nothing
    assert served == written and writers[1].written == []
    regenerated = await b.describe(product, regenerate=True)
    assert regenerated.text == f"Written at B for {product}."
    assert await a.stored(product) == regenerated
    assert await a.describe(product) == regenerated and writers[0].written == [product]
    await a.store.close()
    await b.store.close()


class SlowWriter(CountingWriter):
    """A write that takes a while, so two instances asked at once overlap."""

    async def write(self, record: ProductRecord, on_event: OnEvent | None = None) -> Description:
        await asyncio.sleep(0.3)
        return await super().write(record, on_event)


async def test_two_instances_asked_at_once_write_a_product_once(
    new_store: StoreMaker, catalog: Catalog, redis_prefix: str
) -> None:
    clients = [open_redis(REDIS_URL) for _ in range(2)]
    writers = SlowWriter("Written at A for"), SlowWriter("Written at B for")
    a, b = (
        DescriptionService(
            writer, new_store(), catalog, locks=RedisConversationLocks(client, redis_prefix)
        )  # type: ignore[arg-type]
        for writer, client in zip(writers, clients, strict=True)
    )
    first, second = (p.id for p in catalog.popular(limit=2))
    at_a, at_b = await asyncio.gather(a.describe(first), b.describe(first))
    assert at_a == at_b and writers[0].written + writers[1].written == [first]
    # staff regenerating at both instances at once: one new text, which both return
    regenerated = await asyncio.gather(
        a.describe(first, regenerate=True), b.describe(first, regenerate=True)
    )
    assert regenerated[0] == regenerated[1] and regenerated[0].created_at > at_a.created_at
    assert len(writers[0].written + writers[1].written) == 2
    # other products are not held up by the lock on this one
    other = await asyncio.gather(a.describe(second), b.describe(first))
    assert other[0].product_id == second and other[1] == regenerated[0]
    for service in (a, b):
        await service.store.close()
    for client in clients:
        await client.aclose()


async def test_a_product_held_too_long_elsewhere_is_busy_so_the_listing_answers(
    new_store: StoreMaker, catalog: Catalog, redis_prefix: str
) -> None:
    clients = [open_redis(REDIS_URL) for _ in range(2)]
    slow, waiting = SlowWriter("Written at A for"), SlowWriter("Written at B for")
    a = DescriptionService(
        slow, new_store(), catalog, locks=RedisConversationLocks(clients[0], redis_prefix)
    )  # type: ignore[arg-type]
    impatient = RedisConversationLocks(clients[1], redis_prefix, wait_s=0.05)
    b = DescriptionService(waiting, new_store(), catalog, locks=impatient)  # type: ignore[arg-type]
    product = catalog.popular(limit=1)[0].id
    writing = asyncio.ensure_future(a.describe(product))
    await asyncio.sleep(0.1)  # A holds describe:<id> while it writes
    with pytest.raises(WriterBusy, match="being written elsewhere"):
        await b.describe(product)
    written = await writing
    assert await b.describe(product) == written and waiting.written == []
    for service in (a, b):
        await service.store.close()
    for client in clients:
        await client.aclose()


async def test_its_migration_joins_the_other_stores_under_one_table(pg_schema: str) -> None:
    stores = [PostgresDescriptionStore(DATABASE_URL, pg_schema) for _ in range(2)]
    assert await asyncio.gather(*(store.all() for store in stores)) == [[], []]
    raw = await asyncpg.connect(DATABASE_URL)
    try:
        rows = await raw.fetch(f'SELECT version FROM "{pg_schema}".shopbot_migrations')
    finally:
        await raw.close()
    assert [r["version"] for r in rows] == [301]
    for store in stores:
        await store.close()


async def test_a_server_that_is_not_there_fails_every_call_fast() -> None:
    store = PostgresDescriptionStore(f"postgresql://postgres@127.0.0.1:{closed_port()}/test")
    started = time.monotonic()
    calls: list[Any] = [
        store.get("p1"),
        store.save(_description("p1", "Never stored.")),
        store.done(4),
        store.all(),
    ]
    for call in calls:
        with pytest.raises(Unavailable, match=r"PostgreSQL at 127\.0\.0\.1:\d+ does not answer"):
            await call
    await store.close()
    assert time.monotonic() - started < 30  # only catches a hang


async def test_two_apps_on_one_schema_serve_the_description_staff_regenerated(
    aiohttp_client: Any,
    aiohttp_server: Any,
    settings: Settings,
    pg_schema: str,
    redis_prefix: str,
    tmp_path: Path,
) -> None:
    chat = await aiohttp_server(ChatAPI(truthful).app())
    writer = WriterSettings(
        backend="openai",
        base_url=f"http://127.0.0.1:{chat.port}/v1",
        load_at_startup=False,
        admin_token=SecretStr(ADMIN_TOKEN),
    )
    shared = on_shared_servers(settings, pg_schema, redis_prefix).model_copy(
        update={"writer": writer}
    )
    a: TestClient = await aiohttp_client(create_app(shared))
    b: TestClient = await aiohttp_client(
        create_app(shared.model_copy(update={"home": tmp_path / "home-b"}))
    )
    assert isinstance(a.app[SHOP].descriptions.store, PostgresDescriptionStore)
    assert (await b.get(URL)).status == 404
    created = await a.post(URL, headers=AUTHORIZED)
    assert created.status == 201
    at_b = await b.get(URL)
    assert at_b.status == 200 and (await at_b.json())["text"] == (await created.json())["text"]
    assert (await at_b.json())["product_id"] == PRODUCT


async def test_descriptions_away_is_a_503_not_a_500(
    aiohttp_client: Any, settings: Settings
) -> None:
    client: TestClient = await aiohttp_client(create_app(settings))
    shop = client.app[SHOP]
    await shop.descriptions.store.close()
    away = PostgresDescriptionStore(f"postgresql://postgres@127.0.0.1:{closed_port()}/test")
    shop.descriptions.store = away
    response = await client.get(URL)
    assert response.status == 503, await response.text()
    assert "Retry-After" in response.headers


def _describe_all_twice(schema: str, home: Path) -> list[dict[str, Any]]:
    """`shopbot describe --all --limit 2` twice on `schema`, against a chat server of its own
    thread; each run's summary."""
    with chat_api_thread() as base_url:
        env = {
            **os.environ,
            "SHOPBOT_WRITER__BACKEND": "openai",
            "SHOPBOT_WRITER__BASE_URL": base_url,
            "SHOPBOT_DATABASE_URL": DATABASE_URL,
            "SHOPBOT_DATABASE_SCHEMA": schema,
        }
        command = [SHOPBOT, "describe", "--all", "--limit", "2", "--json", "--home", str(home)]
        summaries = []
        for _ in range(2):
            run = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
            assert run.returncode == 0, run.stderr
            summaries.append(json.loads(run.stdout.strip().splitlines()[-1]))
    return summaries


async def test_the_catalog_job_stores_where_the_app_reads(pg_schema: str, tmp_path: Path) -> None:
    """`shopbot describe --all` with `SHOPBOT_DATABASE_URL`: the rows are in the schema, and a
    rerun skips them (it reads `done` there too)."""
    runs = await asyncio.to_thread(_describe_all_twice, pg_schema, tmp_path / "home")
    assert runs[0]["written"] == 2 and runs[1]["already_done"] == 2
    store = PostgresDescriptionStore(DATABASE_URL, pg_schema)
    assert len(await store.all()) == 4
    await store.close()
