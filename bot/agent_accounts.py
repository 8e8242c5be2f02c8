"""Agent accounts and their login sessions for the built-in inbox.

Passwords are stored only as argon2id hashes (argon2-cffi's `PasswordHasher`). A login
session id is random (`secrets.token_urlsafe`) and stored only as its SHA-256, so a copy
of the database opens no session; each session has its own CSRF token and an absolute
expiry. `AgentAccounts` is what callers await: `SqliteAgentAccounts` keeps them in
`SHOPBOT_HOME/agents.db` (the default), `bot.agent_accounts_postgres` in PostgreSQL, so an
agent logged in at one instance is logged in at every other; the app's
`agent_accounts(settings)` picks one. argon2 takes tens of milliseconds by design, so
hashing and checking always run in a thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from actions.database import open_database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS agents (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,    -- argon2id, PHC string
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS agent_sessions (
    id_hash TEXT PRIMARY KEY,       -- SHA-256 of the cookie's session id
    agent TEXT NOT NULL REFERENCES agents(name) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS agent_sessions_expiry ON agent_sessions (expires_at);
"""
# shown to shoppers ("Dana from our team joined the chat"), so a name, not an address
AGENT_NAME = re.compile(r"^[^\W_][\w .'-]{0,39}$")
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024  # argon2 hashes anything; this only bounds the work per request


class AccountError(ValueError):
    """A name or password that cannot be used, or a name already taken."""


@dataclass(frozen=True)
class AgentSession:
    """A logged-in agent. `session_id` is only known right after login (the cookie)."""

    agent: str
    csrf_token: str
    expires_at: float
    session_id: str = ""


def session_digest(session_id: str) -> str:
    """What is stored of a session id: its SHA-256."""
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


def check_name(name: str) -> str:
    if not AGENT_NAME.match(name):
        raise AccountError(
            "an agent name is 1 to 40 letters, digits, spaces, dots, dashes or apostrophes"
        )
    return name


def check_password(password: str) -> str:
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise AccountError(
            f"a password needs {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"
        )
    return password


def new_session(agent: str, ttl_s: float) -> tuple[AgentSession, str]:
    """A new login for `agent`, valid for `ttl_s` seconds from now, and its id's digest."""
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires_at = time.time() + ttl_s
    return AgentSession(agent, csrf, expires_at, session_id), session_digest(session_id)


def usable_session_id(session_id: str) -> bool:
    return bool(session_id) and len(session_id) <= 128


class Passwords:
    """argon2id hashing and checking (blocking: made and run in a thread). An unknown name
    is checked against a decoy, so that answer takes as long as a wrong password."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._decoy = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(check_password(password))

    def matches(self, stored: str | None, password: str) -> bool:
        """Whether `password` is the one `stored` hashes; None (no such agent) never is."""
        if len(password) > MAX_PASSWORD_CHARS:
            return False
        try:
            self._hasher.verify(stored or self._decoy, password)
        except (VerificationError, InvalidHashError):
            return False
        return stored is not None  # the decoy matched: a random password nobody knows

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)


class AgentAccounts(Protocol):
    """Who may use the inbox, and who is logged in now; every call may raise
    `bot.store.Unavailable` where the accounts are on a server."""

    async def add(self, name: str, password: str, replace: bool = False) -> None:
        """A new agent, or (`replace`) a new password for one, which ends their sessions."""
        ...

    async def remove(self, name: str) -> bool:
        """The agent and their sessions gone; False if there was no such agent."""
        ...

    async def names(self) -> list[tuple[str, float]]:
        """(name, created_at) of every agent, by name."""
        ...

    async def verify(self, name: str, password: str) -> bool:
        """Whether `password` is `name`'s. An unknown name costs one hash check too."""
        ...

    async def open_session(self, agent: str, ttl_s: float) -> AgentSession:
        """A new login for `agent`, valid for `ttl_s` seconds from now."""
        ...

    async def session(self, session_id: str) -> AgentSession | None:
        """The unexpired session with this id, or None."""
        ...

    async def close_session(self, session_id: str) -> None: ...

    async def close(self) -> None: ...


class SqliteAgentAccounts:
    """`SHOPBOT_HOME/agents.db`; every call runs in a thread (argon2 and SQLite both block),
    and so should the constructor (it hashes the decoy)."""

    def __init__(self, path: Path, hasher: PasswordHasher | None = None) -> None:
        self._db = open_database(path, _SCHEMA, rows=True)
        self._db.execute("PRAGMA foreign_keys=ON")
        self._lock = threading.Lock()
        self._passwords = Passwords(hasher)

    async def close(self) -> None:
        self._db.close()

    async def add(self, name: str, password: str, replace: bool = False) -> None:
        await asyncio.to_thread(self._add, name, password, replace)

    async def remove(self, name: str) -> bool:
        return await asyncio.to_thread(self._remove, name)

    async def names(self) -> list[tuple[str, float]]:
        return await asyncio.to_thread(self._names)

    async def verify(self, name: str, password: str) -> bool:
        return await asyncio.to_thread(self._verify, name, password)

    async def open_session(self, agent: str, ttl_s: float) -> AgentSession:
        return await asyncio.to_thread(self._open_session, agent, ttl_s)

    async def session(self, session_id: str) -> AgentSession | None:
        if not usable_session_id(session_id):
            return None
        return await asyncio.to_thread(self._session, session_id)

    async def close_session(self, session_id: str) -> None:
        await asyncio.to_thread(self._close_session, session_id)

    def _add(self, name: str, password: str, replace: bool) -> None:
        hashed = self._passwords.hash(password)
        with self._lock, self._db:
            exists = self._db.execute("SELECT 1 FROM agents WHERE name = ?", (name,)).fetchone()
            if exists and not replace:
                raise AccountError(f"there is already an agent called {name!r}")
            if exists:
                self._db.execute(
                    "UPDATE agents SET password_hash = ? WHERE name = ?", (hashed, name)
                )
                self._db.execute("DELETE FROM agent_sessions WHERE agent = ?", (name,))
            else:
                self._db.execute(
                    "INSERT INTO agents VALUES (?, ?, ?)", (check_name(name), hashed, time.time())
                )

    def _remove(self, name: str) -> bool:
        with self._lock, self._db:
            self._db.execute("DELETE FROM agent_sessions WHERE agent = ?", (name,))
            return self._db.execute("DELETE FROM agents WHERE name = ?", (name,)).rowcount > 0

    def _names(self) -> list[tuple[str, float]]:
        with self._lock:
            rows = self._db.execute("SELECT name, created_at FROM agents ORDER BY name").fetchall()
        return [(str(row["name"]), float(row["created_at"])) for row in rows]

    def _verify(self, name: str, password: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT password_hash FROM agents WHERE name = ?", (name,)
            ).fetchone()
        stored = str(row["password_hash"]) if row else None
        if not self._passwords.matches(stored, password):
            return False
        if stored is not None and self._passwords.needs_rehash(stored):
            with self._lock, self._db:  # unless a new password was set meanwhile
                self._db.execute(
                    "UPDATE agents SET password_hash = ? WHERE name = ? AND password_hash = ?",
                    (self._passwords.hash(password), name, stored),
                )
        return True

    def _open_session(self, agent: str, ttl_s: float) -> AgentSession:
        session, digest = new_session(agent, ttl_s)
        with self._lock, self._db:
            self._db.execute("DELETE FROM agent_sessions WHERE expires_at <= ?", (time.time(),))
            self._db.execute(
                "INSERT INTO agent_sessions VALUES (?, ?, ?, ?, ?)",
                (digest, agent, session.csrf_token, time.time(), session.expires_at),
            )
        return session

    def _session(self, session_id: str) -> AgentSession | None:
        with self._lock:
            row = self._db.execute(
                "SELECT agent, csrf_token, expires_at FROM agent_sessions "
                "WHERE id_hash = ? AND expires_at > ?",
                (session_digest(session_id), time.time()),
            ).fetchone()
        if row is None:
            return None
        return AgentSession(str(row["agent"]), str(row["csrf_token"]), float(row["expires_at"]))

    def _close_session(self, session_id: str) -> None:
        with self._lock, self._db:
            self._db.execute(
                "DELETE FROM agent_sessions WHERE id_hash = ?", (session_digest(session_id),)
            )
