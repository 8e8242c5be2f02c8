"""Web session tokens: an expiring HMAC over the session id, revocable per session."""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import hmac
import logging
import os
import secrets
import tempfile
import threading
import time
from pathlib import Path

import redis.asyncio as redis
from redis.exceptions import RedisError

from actions.database import open_database
from bot.store import Unavailable

logger = logging.getLogger(__name__)

MIN_SECRET_BYTES = 32


def load_or_create_secret(home: Path, configured: str | None) -> bytes:
    """The configured secret, or one generated once and kept (mode 0600) under `home`.

    Creation holds a lock file, and the key is written aside and renamed into place, so a
    crash never leaves an empty key and starts at the same moment agree on one key.
    """
    if configured:
        return configured.encode("utf-8")
    path = home / "secret.key"
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "secret.key.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists() and len(secret := path.read_bytes()) >= MIN_SECRET_BYTES:
            return secret
        # none yet, or too short to sign with (a crash between create and write): a new one
        descriptor, draft = tempfile.mkstemp(dir=home, prefix=".secret-")  # mode 0600
        with os.fdopen(descriptor, "wb") as file:
            file.write(secrets.token_bytes(MIN_SECRET_BYTES))
            file.flush()
            os.fsync(file.fileno())
        os.replace(draft, path)
        return path.read_bytes()


async def agree_on_secret(client: redis.Redis, key: str) -> bytes:
    """The secret every instance sharing this Redis signs with: the first to start stores a
    random one (`SET NX`, never expiring), every instance then reads what is there.

    Raises `Unavailable` when Redis does not answer, `ValueError` when it holds something
    too short to sign with (never replaced: the other instances may be signing with it).
    """
    try:
        await client.set(key, secrets.token_bytes(MIN_SECRET_BYTES), nx=True)
        secret = await client.get(key)
    except RedisError as error:
        raise Unavailable(f"the session secret on Redis ({key}) cannot be read") from error
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the session secret on Redis ({key}) is missing or too short")
    return secret


async def learn_shared_secret(
    tokens: SessionTokens, client: redis.Redis, key: str, retry_s: float = 1.0
) -> None:
    """Give `tokens` the secret agreed on Redis, asking again every `retry_s` while Redis
    does not answer (an instance starts without Redis and works once it is back)."""
    while True:
        try:
            tokens.learn_secret(await agree_on_secret(client, key))
            return
        except Unavailable as error:
            logger.warning("%s; web sessions wait for it", error)
            await asyncio.sleep(retry_s)


class RevokedSessions:
    """Sessions whose tokens issued before a moment no longer count (SQLite under `home`)."""

    def __init__(self, path: Path) -> None:
        self._db = open_database(
            path,
            "CREATE TABLE IF NOT EXISTS revoked_sessions "
            "(session_id TEXT PRIMARY KEY, before REAL NOT NULL);",
        )
        self._lock = threading.Lock()

    def revoke(self, session_id: str, before: float) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO revoked_sessions (session_id, before) VALUES (?, ?) "
                "ON CONFLICT (session_id) DO UPDATE SET before = excluded.before",
                (session_id, before),
            )

    def revoked_before(self, session_id: str) -> float:
        with self._lock:
            row = self._db.execute(
                "SELECT before FROM revoked_sessions WHERE session_id = ?", (session_id,)
            ).fetchone()
        return float(row[0]) if row else 0.0

    def close(self) -> None:
        self._db.close()


class SessionTokens:
    """`<issued>.<expires>.<hmac>`: valid until it expires or its session is revoked."""

    def __init__(
        self,
        secret: bytes | None,
        revoked: RevokedSessions | None = None,
        ttl_s: float = 7 * 86_400,
    ) -> None:
        """`secret` None: not known yet (`learn_secret`); until then issuing and verifying
        raise `Unavailable`."""
        self._secret: bytes | None = None
        if secret is not None:
            self.learn_secret(secret)
        self._revoked = revoked
        self.ttl_s = ttl_s

    def learn_secret(self, secret: bytes) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"a session secret needs at least {MIN_SECRET_BYTES} bytes")
        self._secret = secret

    def _sign(self, session_id: str, issued: int, expires: int) -> str:
        if self._secret is None:
            raise Unavailable("the web session secret is not known yet (Redis does not answer)")
        message = f"{session_id}\n{issued}\n{expires}".encode("utf-8", "surrogatepass")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def issue(self, session_id: str, now: float | None = None) -> str:
        issued = int(now if now is not None else time.time())
        expires = issued + int(self.ttl_s)
        return f"{issued}.{expires}.{self._sign(session_id, issued, expires)}"

    def verify(self, session_id: str, token: object, now: float | None = None) -> bool:
        if not isinstance(token, str) or len(token) > 128:
            return False
        parts = token.split(".")
        if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts[:2]):
            return False
        issued, expires = int(parts[0]), int(parts[1])
        given = parts[2].encode("utf-8", "surrogatepass")  # header bytes may be anything
        if not hmac.compare_digest(self._sign(session_id, issued, expires).encode(), given):
            return False
        if (now if now is not None else time.time()) >= expires:
            return False
        return self._revoked is None or issued >= self._revoked.revoked_before(session_id)

    def close(self) -> None:
        if self._revoked is not None:
            self._revoked.close()

    def revoke(self, session_id: str, now: float | None = None) -> None:
        """Every token issued for this session so far stops working."""
        if self._revoked is None:
            raise RuntimeError("no revocation list configured")
        # tokens carry whole seconds: anything issued in this second is revoked too
        self._revoked.revoke(session_id, int(now if now is not None else time.time()) + 1)
