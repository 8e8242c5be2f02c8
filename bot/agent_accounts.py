"""Agent accounts and their login sessions for the built-in inbox (`SHOPBOT_HOME/agents.db`).

Passwords are stored only as argon2id hashes (argon2-cffi's `PasswordHasher`). A login
session id is random (`secrets.token_urlsafe`) and stored only as its SHA-256, so a copy
of the database opens no session; each session has its own CSRF token and an absolute
expiry. Every method is blocking (argon2 takes tens of milliseconds by design): callers on
the event loop run them in a thread.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

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


def _digest(session_id: str) -> str:
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


class AgentAccounts:
    """Who may use the inbox, and who is logged in now."""

    def __init__(self, path: Path, hasher: PasswordHasher | None = None) -> None:
        self._db = open_database(path, _SCHEMA, rows=True)
        self._db.execute("PRAGMA foreign_keys=ON")
        self._lock = threading.Lock()
        self._hasher = hasher or PasswordHasher()
        # checked when the name is unknown, so that answer takes as long as a wrong password
        self._decoy = self._hasher.hash(secrets.token_urlsafe(16))

    def close(self) -> None:
        self._db.close()

    def add(self, name: str, password: str, replace: bool = False) -> None:
        """A new agent, or (`replace`) a new password for one, which ends their sessions."""
        hashed = self._hasher.hash(check_password(password))
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

    def remove(self, name: str) -> bool:
        """The agent and their sessions gone; False if there was no such agent."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM agent_sessions WHERE agent = ?", (name,))
            return self._db.execute("DELETE FROM agents WHERE name = ?", (name,)).rowcount > 0

    def names(self) -> list[tuple[str, float]]:
        """(name, created_at) of every agent, by name."""
        with self._lock:
            rows = self._db.execute("SELECT name, created_at FROM agents ORDER BY name").fetchall()
        return [(str(row["name"]), float(row["created_at"])) for row in rows]

    def verify(self, name: str, password: str) -> bool:
        """Whether `password` is `name`'s. An unknown name costs one hash check too."""
        if len(password) > MAX_PASSWORD_CHARS:
            return False
        with self._lock:
            row = self._db.execute(
                "SELECT password_hash FROM agents WHERE name = ?", (name,)
            ).fetchone()
        stored = str(row["password_hash"]) if row else self._decoy
        try:
            self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
        if row is None:
            return False  # the decoy matched: a random password nobody knows; never a login
        if self._hasher.check_needs_rehash(stored):
            self._rehash(name, password)
        return True

    def _rehash(self, name: str, password: str) -> None:
        with self._lock, self._db:
            self._db.execute(
                "UPDATE agents SET password_hash = ? WHERE name = ?",
                (self._hasher.hash(password), name),
            )

    def open_session(self, agent: str, ttl_s: float) -> AgentSession:
        """A new login for `agent`, valid for `ttl_s` seconds from now."""
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = time.time()
        with self._lock, self._db:
            self._db.execute("DELETE FROM agent_sessions WHERE expires_at <= ?", (now,))
            self._db.execute(
                "INSERT INTO agent_sessions VALUES (?, ?, ?, ?, ?)",
                (_digest(session_id), agent, csrf, now, now + ttl_s),
            )
        return AgentSession(agent, csrf, now + ttl_s, session_id)

    def session(self, session_id: str) -> AgentSession | None:
        """The unexpired session with this id, or None."""
        if not session_id or len(session_id) > 128:
            return None
        with self._lock:
            row = self._db.execute(
                "SELECT agent, csrf_token, expires_at FROM agent_sessions "
                "WHERE id_hash = ? AND expires_at > ?",
                (_digest(session_id), time.time()),
            ).fetchone()
        if row is None:
            return None
        return AgentSession(str(row["agent"]), str(row["csrf_token"]), float(row["expires_at"]))

    def close_session(self, session_id: str) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM agent_sessions WHERE id_hash = ?", (_digest(session_id),))
