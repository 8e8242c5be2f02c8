"""What every store on PostgreSQL shares: one pool's limits, what counts as the server not
answering (`Unavailable`), and the versioned migrations in `<schema>.shopbot_migrations`.

Each store keeps its own list of migrations in its own range of version numbers (the
conversation store 1-99, the handoff queue 101-199, the order book 201-299, descriptions
301-399, reviews and opinion alerts 401-439, satisfaction votes 441-459, Slack threads 501,
WeChat shoppers 511, agent accounts 521, WeChat deliveries 601, the interaction log 611), so
they share the table and the advisory lock and each applies only its own, whichever starts first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from bot.store import Unavailable

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 3.0
COMMAND_TIMEOUT_S = 10.0
PING_TIMEOUT_S = 1.5  # within the 2 s `/health` gives each check
# a number every instance agrees on, so only one migrates at a time
MIGRATION_LOCK = 0x5B07_0001

# (version, statements); `{schema}` is the store's schema, quoted. Append, never edit.
Migrations = tuple[tuple[int, str], ...]

# what a server that is down, restarting or out of reach raises
UNREACHABLE = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,  # shutting down, cannot connect now
    asyncpg.InterfaceError,  # the connection closed under a query
    # a pooled connection that got the server's "terminating connection" while idle and is
    # handed out before it notices the socket closed ("cannot switch to state …; another
    # operation is in progress"); the pool drops it when it comes back
    asyncpg.exceptions.InternalClientError,
)
# what a server that answers but cannot serve this instance now raises: full, a standby after
# a failover, or set up without this database or role; a 503 and a degraded /health, not a 500
REFUSED = (
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.ReadOnlySQLTransactionError,
    asyncpg.exceptions.InvalidCatalogNameError,
    asyncpg.exceptions.InvalidAuthorizationSpecificationError,  # and a wrong password
)


def unavailable(where: str, error: BaseException) -> Unavailable:
    """What a store raises for `error`, naming the server but never the URL's secrets."""
    if isinstance(error, REFUSED):
        return Unavailable(f"PostgreSQL at {where} refuses this instance ({type(error).__name__})")
    return Unavailable(f"PostgreSQL at {where} does not answer")


async def open_pool(url: str, max_connections: int, session_state: bool = False) -> asyncpg.Pool:
    """A pool that connects only when asked (so a server that is not up yet stops nothing),
    within `CONNECT_TIMEOUT_S`, and gives up on a command after `COMMAND_TIMEOUT_S`.

    `session_state`: the store leaves something on a connection that outlives a transaction
    (a session advisory lock), so each release runs asyncpg's full reset. The others set
    nothing of the kind (no SET, LISTEN, session locks or cursors outside a transaction), and
    asyncpg rolls back an open transaction on release anyway, so they skip that round trip,
    which was one in three of a turn's."""
    return await asyncpg.create_pool(
        url,
        min_size=0,
        max_size=max_connections,
        timeout=CONNECT_TIMEOUT_S,
        command_timeout=COMMAND_TIMEOUT_S,
        reset=None if session_state else _nothing_to_reset,
    )


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    return None


class LazyDatabase:
    """A store's way to PostgreSQL: its pool opened on first use and its migrations applied on
    its first connection, so an instance started before its database works once it is up;
    whatever the driver raises when the server is not there is `Unavailable`."""

    def __init__(
        self,
        url: str,
        schema: str,
        migrations: Migrations,
        what: str,
        max_connections: int,
        session_state: bool = False,
    ) -> None:
        self._url = url
        self._session_state = session_state
        self._schema = schema
        self._migrations = migrations
        self._what = what  # the store, for the log
        self.where = where(url)  # host:port, for messages (never the password)
        self._max_connections = max_connections
        self._pool: asyncpg.Pool | None = None
        self._migrated = False
        self._starting = asyncio.Lock()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Any]:
        """A pooled connection on a migrated schema, within the connect timeout."""
        try:
            pool = await self._opened()
            async with pool.acquire(timeout=CONNECT_TIMEOUT_S) as connection:
                if not self._migrated:
                    await self._migrate(connection)
                yield connection
        except (*UNREACHABLE, *REFUSED) as error:
            raise unavailable(self.where, error) from error

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()

    async def _opened(self) -> asyncpg.Pool:
        async with self._starting:
            if self._pool is None:
                self._pool = await open_pool(self._url, self._max_connections, self._session_state)
            return self._pool

    async def _migrate(self, connection: Any) -> None:
        async with self._starting:
            if not self._migrated:
                await migrate(connection, self._schema, self._migrations, self._what)
                self._migrated = True


async def migrate(connection: Any, schema: str, migrations: Migrations, what: str) -> None:
    """Apply the `migrations` not yet recorded in `schema`, in one transaction, one instance
    at a time (an advisory lock); `what` names the store in the log."""
    quoted = quote(schema)
    async with connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await connection.execute(f"CREATE SCHEMA IF NOT EXISTS {quoted}")
        await connection.execute(
            f"CREATE TABLE IF NOT EXISTS {quoted}.shopbot_migrations ("
            "version INTEGER PRIMARY KEY, "
            "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        done = {
            row["version"]
            for row in await connection.fetch(f"SELECT version FROM {quoted}.shopbot_migrations")
        }
        for version, statements in migrations:
            if version in done:
                continue
            await connection.execute(statements.format(schema=quoted))
            await connection.execute(
                f"INSERT INTO {quoted}.shopbot_migrations (version) VALUES ($1)", version
            )
            logger.info("%s: migrated %s to version %d", what, quoted, version)


def outcome_ignored(task: asyncio.Future[Any]) -> None:
    """Collect a background task's outcome, so asyncio does not log it as never retrieved."""
    if not task.cancelled():
        task.exception()


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def where(url: str) -> str:
    """host:port of a database URL, never its user or password (whatever characters those
    hold: `Settings` refuses a URL whose port does not parse)."""
    parts = urlsplit(url)
    try:
        port = parts.port or 5432
    except ValueError:
        return "the configured server"
    return f"{parts.hostname or 'localhost'}:{port}"
