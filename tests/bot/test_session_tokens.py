"""Web session tokens expire and can be revoked; the signing key is never empty or split."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from bot.locks_redis import open_redis
from bot.session_tokens import (
    MIN_SECRET_BYTES,
    RevokedSessions,
    SessionTokens,
    agree_on_secret,
    load_or_create_secret,
)
from bot.store import Unavailable
from tests.bot.shared_servers import REDIS_URL, closed_port, redis_prefix

__all__ = ["redis_prefix"]  # the fixture, used by name

SECRET = b"k" * MIN_SECRET_BYTES


def test_a_token_proves_only_its_own_session(tmp_path: Path) -> None:
    tokens = SessionTokens(SECRET, RevokedSessions(tmp_path / "s.db"))
    token = tokens.issue("abc")
    assert tokens.verify("abc", token)
    assert not tokens.verify("abd", token)
    assert not tokens.verify("abc", token[:-1] + ("0" if token[-1] != "0" else "1"))
    assert not tokens.verify("abc", None) and not tokens.verify("abc", "")
    assert not tokens.verify("abc", "²².1.x")  # digits Python reads but int() does not
    assert not tokens.verify("abc", "1.2.пароль")  # compare_digest refuses non-ASCII str
    assert not tokens.verify("ab\udcff", "1.2.\udcff")  # undecodable header bytes


def test_a_token_expires(tmp_path: Path) -> None:
    tokens = SessionTokens(SECRET, RevokedSessions(tmp_path / "s.db"), ttl_s=60)
    token = tokens.issue("abc", now=1_000_000)
    assert tokens.verify("abc", token, now=1_000_059)
    assert not tokens.verify("abc", token, now=1_000_060)
    issued, expires, signature = token.split(".")
    stretched = f"{issued}.{int(expires) + 10**6}.{signature}"
    assert not tokens.verify("abc", stretched, now=1_000_000)  # the expiry is signed


def test_revoking_ends_every_earlier_token(tmp_path: Path) -> None:
    tokens = SessionTokens(SECRET, RevokedSessions(tmp_path / "s.db"))
    old = tokens.issue("abc", now=1_000_000)
    other = tokens.issue("xyz", now=1_000_000)
    tokens.revoke("abc", now=1_000_100)
    assert not tokens.verify("abc", old, now=1_000_200)
    assert tokens.verify("xyz", other, now=1_000_200)
    assert tokens.verify("abc", tokens.issue("abc", now=1_000_300), now=1_000_301)
    again = SessionTokens(SECRET, RevokedSessions(tmp_path / "s.db"))  # survives a restart
    assert not again.verify("abc", old, now=1_000_200)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        SessionTokens(b"")


def test_an_empty_key_file_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "secret.key").write_bytes(b"")  # a crash between create and write
    secret = load_or_create_secret(tmp_path, None)
    assert len(secret) >= MIN_SECRET_BYTES
    assert load_or_create_secret(tmp_path, None) == secret
    assert oct((tmp_path / "secret.key").stat().st_mode & 0o777) == "0o600"


def test_first_starts_at_once_agree_on_one_key(tmp_path: Path) -> None:
    home = tmp_path / "home"
    results: list[bytes | BaseException] = []
    barrier = threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        try:
            results.append(load_or_create_secret(home, None))
        except BaseException as error:
            results.append(error)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(r, bytes) for r in results), results
    assert len(set(results)) == 1  # type: ignore[arg-type]
    assert sorted(p.name for p in home.iterdir()) == ["secret.key", "secret.key.lock"]


def test_first_starts_over_a_short_key_agree_on_one_key(tmp_path: Path) -> None:
    (tmp_path / "secret.key").write_bytes(b"short")
    results: list[bytes] = []
    barrier = threading.Barrier(6)

    def start() -> None:
        barrier.wait()
        results.append(load_or_create_secret(tmp_path, None))

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6 and len(set(results)) == 1
    assert (tmp_path / "secret.key").read_bytes() == results[0]


async def test_instances_starting_at_once_agree_on_one_secret_on_redis(redis_prefix: str) -> None:
    clients = [open_redis(REDIS_URL) for _ in range(4)]
    key = f"{redis_prefix}session-secret"
    try:
        secrets = await asyncio.gather(*(agree_on_secret(client, key) for client in clients))
        assert len(set(secrets)) == 1 and len(secrets[0]) == MIN_SECRET_BYTES
        assert await clients[0].ttl(key) == -1  # kept: tokens outlive any one instance
        assert await agree_on_secret(clients[1], key) == secrets[0]  # a later start
        await clients[0].set(key, b"short")
        with pytest.raises(ValueError, match="too short"):
            await agree_on_secret(clients[0], key)
    finally:
        for client in clients:
            await client.aclose()


async def test_no_redis_no_secret_and_no_tokens_until_it_is_learnt() -> None:
    client = open_redis(f"redis://127.0.0.1:{closed_port()}/0")
    try:
        with pytest.raises(Unavailable, match="cannot be read"):
            await agree_on_secret(client, "test:session-secret")
    finally:
        await client.aclose()
    tokens = SessionTokens(None)
    with pytest.raises(Unavailable):
        tokens.issue("abc")
    with pytest.raises(Unavailable):
        tokens.verify("abc", "1.2.ab")
    assert not tokens.verify("abc", "not a token")  # refused without the secret
    tokens.learn_secret(SECRET)
    assert tokens.verify("abc", tokens.issue("abc"))
