"""Agent accounts and login sessions in real SQLite and the real PostgreSQL: the same
behaviours on both, two instances on one file or schema (a session opened at one is valid at
the other; a new password at one ends it at the other), the migration's version, a server
that is not there."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from argon2 import PasswordHasher

from bot.agent_accounts import AccountError, AgentAccounts, SqliteAgentAccounts
from bot.agent_accounts_postgres import PostgresAgentAccounts
from bot.store import Unavailable
from tests.bot.shared_servers import DATABASE_URL, closed_port, pg_schema

__all__ = ["pg_schema"]  # the fixture, used by name

# the cheapest argon2id parameters: these tests are about the store, not the hash's cost
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@dataclass
class Backend:
    """Opens the accounts anew each call (another instance, or a restart) on one file or
    schema, and reads a table's rows as they are stored."""

    open: Callable[[PasswordHasher], AgentAccounts]
    rows: Callable[[str], Any]


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    path = tmp_path / "agents.db"
    if request.param == "sqlite":

        async def sqlite_rows(table: str) -> list[tuple[Any, ...]]:
            with sqlite3.connect(path) as raw:
                return raw.execute(f"SELECT * FROM {table}").fetchall()

        return Backend(lambda hasher: SqliteAgentAccounts(path, hasher), sqlite_rows)
    schema = request.getfixturevalue("pg_schema")

    async def postgres_rows(table: str) -> list[tuple[Any, ...]]:
        raw = await asyncpg.connect(DATABASE_URL)
        try:
            return [tuple(row) for row in await raw.fetch(f'SELECT * FROM "{schema}".{table}')]
        finally:
            await raw.close()

    def postgres(hasher: PasswordHasher) -> AgentAccounts:
        return PostgresAgentAccounts(DATABASE_URL, schema, hasher)

    return Backend(postgres, postgres_rows)


async def _with_dana(backend: Backend) -> AgentAccounts:
    accounts = backend.open(CHEAP)
    await accounts.add("Dana", "correct horse battery")
    return accounts


async def test_only_the_hash_is_stored_and_only_the_right_password_verifies(
    backend: Backend,
) -> None:
    accounts = await _with_dana(backend)
    assert await accounts.verify("Dana", "correct horse battery")
    assert not await accounts.verify("Dana", "correct horse batterY")
    assert not await accounts.verify("Nobody", "correct horse battery")
    assert not await accounts.verify("Dana", "x" * 5000)
    [stored] = await backend.rows("agents")
    assert stored[1].startswith("$argon2id$") and "correct horse" not in str(stored)
    await accounts.close()


async def test_names_and_passwords_are_checked(backend: Backend) -> None:
    accounts = await _with_dana(backend)
    for name in ("", "<b>Dana</b>", "x" * 41, "Dana\nEli", "_x"):
        with pytest.raises(AccountError):
            await accounts.add(name, "long enough password")
    with pytest.raises(AccountError):
        await accounts.add("Eli", "short")
    with pytest.raises(AccountError):
        await accounts.add("Dana", "another long password")  # taken
    await accounts.add("Zoë O'Neil-Li", "long enough password")
    await accounts.add("eli", "long enough password")
    names = [name for name, _ in await accounts.names()]
    assert names == ["Dana", "Zoë O'Neil-Li", "eli"]  # by code point, as SQLite sorts
    await accounts.close()


async def test_sessions_expire_and_end(backend: Backend) -> None:
    accounts = await _with_dana(backend)
    session = await accounts.open_session("Dana", ttl_s=60)
    found = await accounts.session(session.session_id)
    assert found is not None and found.agent == "Dana"
    assert found.csrf_token == session.csrf_token and found.session_id == ""
    assert session.session_id not in str(await backend.rows("agent_sessions"))  # digest only
    first = "y" if session.session_id.startswith("x") else "x"  # another id, always
    assert await accounts.session(first + session.session_id[1:]) is None
    assert await accounts.session("") is None and await accounts.session("x" * 200) is None
    await accounts.close_session(session.session_id)
    assert await accounts.session(session.session_id) is None
    short = await accounts.open_session("Dana", ttl_s=0.05)
    await asyncio.sleep(0.1)
    assert await accounts.session(short.session_id) is None
    await accounts.close()


async def test_a_session_opened_at_one_instance_is_valid_at_the_other(backend: Backend) -> None:
    one, other = await _with_dana(backend), backend.open(CHEAP)
    assert await other.verify("Dana", "correct horse battery")
    session = await one.open_session("Dana", ttl_s=60)
    found = await other.session(session.session_id)
    assert found is not None and (found.agent, found.csrf_token) == ("Dana", session.csrf_token)
    await other.close_session(session.session_id)  # logged out there: out here too
    assert await one.session(session.session_id) is None
    session = await one.open_session("Dana", ttl_s=60)
    await other.add("Dana", "a brand new password", replace=True)
    assert await one.session(session.session_id) is None
    assert await one.verify("Dana", "a brand new password")
    await one.close()
    await other.close()


async def test_a_new_password_or_removal_ends_the_sessions(backend: Backend) -> None:
    accounts = await _with_dana(backend)
    session = await accounts.open_session("Dana", ttl_s=60)
    await accounts.add("Dana", "a brand new password", replace=True)
    assert await accounts.session(session.session_id) is None
    assert await accounts.verify("Dana", "a brand new password")
    session = await accounts.open_session("Dana", ttl_s=60)
    assert await accounts.remove("Dana") and not await accounts.remove("Dana")
    assert await accounts.session(session.session_id) is None
    assert not await accounts.verify("Dana", "a brand new password")
    assert await backend.rows("agent_sessions") == []
    await accounts.close()


async def test_old_hashes_are_upgraded_on_login(backend: Backend) -> None:
    await (await _with_dana(backend)).close()
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    accounts = backend.open(stronger)
    assert await accounts.verify("Dana", "correct horse battery")
    [stored] = await backend.rows("agents")
    assert not stronger.check_needs_rehash(stored[1])
    assert await accounts.verify("Dana", "correct horse battery")
    await accounts.close()


async def test_the_migration_is_recorded_in_this_stores_range(pg_schema: str) -> None:
    stores = [PostgresAgentAccounts(DATABASE_URL, pg_schema, CHEAP) for _ in range(2)]
    await asyncio.gather(*(store.names() for store in stores))
    raw = await asyncpg.connect(DATABASE_URL)
    try:
        rows = await raw.fetch(f'SELECT version FROM "{pg_schema}".shopbot_migrations')
    finally:
        await raw.close()
    assert [row["version"] for row in rows] == [521]
    for store in stores:
        await store.close()


async def test_a_server_that_is_not_there_fails_every_call_fast() -> None:
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/test"
    accounts = PostgresAgentAccounts(url, hasher=CHEAP)
    started = time.monotonic()
    calls: list[Any] = [
        accounts.add("Dana", "correct horse battery"),
        accounts.remove("Dana"),
        accounts.names(),
        accounts.verify("Dana", "correct horse battery"),
        accounts.open_session("Dana", 60),
        accounts.session("x" * 43),
        accounts.close_session("x" * 43),
    ]
    for call in calls:
        with pytest.raises(Unavailable, match=r"PostgreSQL at 127\.0\.0\.1:\d+ does not answer"):
            await call
    await accounts.close()
    assert time.monotonic() - started < 30  # only catches a hang
