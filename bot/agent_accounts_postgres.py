"""Agent accounts and login sessions on PostgreSQL (asyncpg), so an agent logged in at one
instance is logged in at every other, and a new password or a removal ends their sessions
everywhere: `<schema>.agents` and `<schema>.agent_sessions`, the SQLite tables' columns (argon2id
hashes, session ids as their SHA-256 only).

Hashing and checking passwords run in a thread (argon2 is slow by design); the statements run
on the event loop. Like the other PostgreSQL stores, the pool connects on first use and every
call fails within seconds with `Unavailable` while the server does not answer.
"""

from __future__ import annotations

import asyncio
import time

from argon2 import PasswordHasher

from bot.agent_accounts import (
    AccountError,
    AgentSession,
    Passwords,
    check_name,
    new_session,
    session_digest,
    usable_session_id,
)
from bot.postgres import LazyDatabase, Migrations, quote

# versions 521-530 of `shopbot_migrations`. Append, never edit.
MIGRATIONS: Migrations = (
    (
        521,
        """
        CREATE TABLE {schema}.agents (
            name TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE {schema}.agent_sessions (
            id_hash TEXT PRIMARY KEY,
            agent TEXT NOT NULL REFERENCES {schema}.agents (name) ON DELETE CASCADE,
            csrf_token TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            expires_at DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX agent_sessions_expiry ON {schema}.agent_sessions (expires_at);
        CREATE INDEX agent_sessions_agent ON {schema}.agent_sessions (agent);
        """,
    ),
)


class PostgresAgentAccounts:
    """A `bot.agent_accounts.AgentAccounts` shared by every instance; a small pool of its own.
    Construct it in a thread (it hashes the decoy)."""

    def __init__(
        self,
        url: str,
        schema: str = "public",
        hasher: PasswordHasher | None = None,
        max_connections: int = 2,
    ) -> None:
        self._agents = f"{quote(schema)}.agents"
        self._sessions = f"{quote(schema)}.agent_sessions"
        self._database = LazyDatabase(url, schema, MIGRATIONS, "agent accounts", max_connections)
        self._passwords = Passwords(hasher)

    async def close(self) -> None:
        await self._database.close()

    async def add(self, name: str, password: str, replace: bool = False) -> None:
        hashed = await asyncio.to_thread(self._passwords.hash, password)
        async with self._database.connection() as connection, connection.transaction():
            exists = await connection.fetchval(
                f"SELECT 1 FROM {self._agents} WHERE name = $1 FOR UPDATE", name
            )
            if exists and not replace:
                raise AccountError(f"there is already an agent called {name!r}")
            if exists:
                await connection.execute(
                    f"UPDATE {self._agents} SET password_hash = $1 WHERE name = $2", hashed, name
                )
                await connection.execute(f"DELETE FROM {self._sessions} WHERE agent = $1", name)
                return
            added = await connection.fetchval(
                f"INSERT INTO {self._agents} VALUES ($1, $2, $3) "
                "ON CONFLICT (name) DO NOTHING RETURNING name",
                check_name(name),
                hashed,
                time.time(),
            )
            if added is None:  # another instance added the name a moment ago
                raise AccountError(f"there is already an agent called {name!r}")

    async def remove(self, name: str) -> bool:
        """The sessions go with the agent (ON DELETE CASCADE)."""
        async with self._database.connection() as connection:
            removed = await connection.fetchval(
                f"DELETE FROM {self._agents} WHERE name = $1 RETURNING name", name
            )
        return removed is not None

    async def names(self) -> list[tuple[str, float]]:
        async with self._database.connection() as connection:
            rows = await connection.fetch(
                f'SELECT name, created_at FROM {self._agents} ORDER BY name COLLATE "C"'
            )
        return [(str(row["name"]), float(row["created_at"])) for row in rows]

    async def verify(self, name: str, password: str) -> bool:
        async with self._database.connection() as connection:
            stored = await connection.fetchval(
                f"SELECT password_hash FROM {self._agents} WHERE name = $1", name
            )
        if not await asyncio.to_thread(self._passwords.matches, stored, password):
            return False
        if stored is not None and self._passwords.needs_rehash(stored):
            rehashed = await asyncio.to_thread(self._passwords.hash, password)
            async with self._database.connection() as connection:
                await connection.execute(  # unless a new password was set meanwhile
                    f"UPDATE {self._agents} SET password_hash = $1 "
                    "WHERE name = $2 AND password_hash = $3",
                    rehashed,
                    name,
                    stored,
                )
        return True

    async def open_session(self, agent: str, ttl_s: float) -> AgentSession:
        session, digest = new_session(agent, ttl_s)
        now = time.time()
        async with self._database.connection() as connection, connection.transaction():
            await connection.execute(f"DELETE FROM {self._sessions} WHERE expires_at <= $1", now)
            await connection.execute(
                f"INSERT INTO {self._sessions} VALUES ($1, $2, $3, $4, $5)",
                digest,
                agent,
                session.csrf_token,
                now,
                session.expires_at,
            )
        return session

    async def session(self, session_id: str) -> AgentSession | None:
        if not usable_session_id(session_id):
            return None
        async with self._database.connection() as connection:
            row = await connection.fetchrow(
                f"SELECT agent, csrf_token, expires_at FROM {self._sessions} "
                "WHERE id_hash = $1 AND expires_at > $2",
                session_digest(session_id),
                time.time(),
            )
        if row is None:
            return None
        return AgentSession(str(row["agent"]), str(row["csrf_token"]), float(row["expires_at"]))

    async def close_session(self, session_id: str) -> None:
        async with self._database.connection() as connection:
            await connection.execute(
                f"DELETE FROM {self._sessions} WHERE id_hash = $1", session_digest(session_id)
            )
