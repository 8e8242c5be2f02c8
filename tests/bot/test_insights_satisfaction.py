"""Shoppers' votes on real SQLite and on the real PostgreSQL (the same behaviours on both):
one vote per conversation, a later tap replaces it and keeps the comment, counts by time; two
instances on one file or schema count each other's votes; a server that is not there."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.insights_satisfaction import (
    PostgresSatisfactionStore,
    SatisfactionStore,
    SqliteSatisfactionStore,
)
from bot.store import Unavailable
from tests.bot.shared_servers import DATABASE_URL, closed_port, pg_schema

__all__ = ["pg_schema"]  # the fixture, used by name

StoreMaker = Callable[[], SatisfactionStore]


@pytest.fixture(params=["sqlite", "postgresql"])
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreMaker:
    """Opens the store anew each call (another instance) on one file or schema."""
    if request.param == "sqlite":
        return lambda: SqliteSatisfactionStore(tmp_path / "satisfaction.db")
    schema = request.getfixturevalue("pg_schema")
    return lambda: PostgresSatisfactionStore(DATABASE_URL, schema)


async def test_a_later_vote_replaces_the_earlier_and_keeps_its_comment(
    new_store: StoreMaker,
) -> None:
    store = new_store()
    try:
        before = time.time() - 1
        await store.vote("web:a", "down", "handoff", "slow answer")
        await store.vote("web:a", "up", "quiet")  # no comment: the earlier one stays
        await store.vote("web:b", "down", "quiet")
        assert await store.counts(before) == {"up": 1, "down": 1, "comments": 1}
        assert await store.counts(time.time() + 60) == {"up": 0, "down": 0, "comments": 0}
        with pytest.raises(ValueError):
            await store.vote("web:c", "meh", "quiet")
    finally:
        await store.close()


async def test_two_instances_count_each_others_votes(new_store: StoreMaker) -> None:
    here, there = new_store(), new_store()
    try:
        await here.vote("web:a", "up", "quiet")
        await there.vote("web:b", "down", "handoff", "never answered")
        for store in (here, there):
            assert await store.counts(0) == {"up": 1, "down": 1, "comments": 1}
    finally:
        await here.close()
        await there.close()


async def test_a_server_that_is_not_there_fails_fast() -> None:
    store = PostgresSatisfactionStore(f"postgresql://postgres@127.0.0.1:{closed_port()}/test")
    started = time.monotonic()
    with pytest.raises(Unavailable):
        await store.vote("web:a", "up", "quiet")
    with pytest.raises(Unavailable):
        await store.counts(0)
    assert time.monotonic() - started < 10
    await store.close()
