"""A Redis and a PostgreSQL of a test's own, on free loopback ports, that the test may kill and
start again. The machine's shared servers (6379, 5432) are never stopped: other tests use them.

Each server runs under `timeout`, so one left behind by a crashed test run stops by itself.
PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user.
"""

from __future__ import annotations

import asyncio
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as redis
from redis.exceptions import RedisError

from tests.e2e.processes import free_port

MAX_LIFETIME_S = 300
# how PostgreSQL's postmaster takes each shutdown mode (what `pg_ctl stop -m` sends)
SHUTDOWN = {"smart": signal.SIGTERM, "fast": signal.SIGINT, "immediate": signal.SIGQUIT}
READY_WITHIN_S = 30.0


def _binary(name: str) -> str:
    """`name` on the PATH, else from Debian's PostgreSQL packages."""
    packaged = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    found = shutil.which(name) or (packaged[-1] if packaged else None)
    if found is None:
        raise FileNotFoundError(f"{name} is not installed (PATH or /usr/lib/postgresql/*/bin)")
    return found


class PrivateRedis:
    """redis-server on a port of its own, no persistence: a restart starts it empty."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        command = [
            "timeout", str(MAX_LIFETIME_S), _binary("redis-server"),
            "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
            "--save", "", "--appendonly", "no",
        ]  # fmt: skip
        # a session of its own, so `kill` reaches redis-server and not only `timeout`
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        try:
            await _until(client.ping, self._process, "redis-server")
        finally:
            await client.aclose()

    def kill(self) -> None:
        """SIGKILL: gone at once, as a crash or an OOM kill leaves it."""
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
        self._process = None


class PostgresCluster:
    """One `initdb` per test session; `PrivatePostgres` runs a server on it."""

    def __init__(self) -> None:
        self.owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        self.folder = Path(tempfile.mkdtemp(prefix="shopbot-pg-"))
        self.data = self.folder / "data"
        if self.owner is not None:  # initdb and postgres refuse to run as root
            os.chown(self.folder, self.owner.pw_uid, self.owner.pw_gid)
        subprocess.run(
            [*self.as_owner(), _binary("initdb"), "-D", str(self.data), "-U", "postgres",
             "--auth=trust", "--no-sync", "--encoding=UTF8"],
            check=True, capture_output=True,
        )  # fmt: skip

    def as_owner(self) -> list[str]:
        return [] if self.owner is None else ["runuser", "-u", self.owner.pw_name, "--"]

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class PrivatePostgres:
    """The cluster's server on a port of its own; `stop("fast")` as an operator's restart does,
    `stop("immediate")` as a crash does."""

    def __init__(self, cluster: PostgresCluster) -> None:
        self.cluster = cluster
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        command = [
            *self.cluster.as_owner(), "timeout", "-s", "INT", str(MAX_LIFETIME_S),
            _binary("postgres"), "-D", str(self.cluster.data), "-p", str(self.port),
            "-k", str(self.cluster.folder), "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=off", "-c", "max_connections=40",
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )

        async def answers() -> None:
            connection = await asyncpg.connect(self.url, timeout=1)
            await connection.close()

        await _until(answers, self._process, "postgres")

    async def stop(self, mode: str = "fast") -> None:
        """Signal the postmaster and wait until it is gone."""
        if self._process is None or self._process.poll() is not None:
            return
        os.kill(self._postmaster(), SHUTDOWN[mode])
        deadline = time.monotonic() + READY_WITHIN_S
        while self._process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if self._process.poll() is None:
            self._signal_all(signal.SIGKILL)
            self._process.wait()
        self._process = None

    def _postmaster(self) -> int:
        return int((self.cluster.data / "postmaster.pid").read_text().split()[0])

    def _signal_all(self, sig: int) -> None:
        """The postmaster's process group (with `timeout` and, as root, `runuser`); its
        backends, each in a session of its own, exit when it does."""
        os.killpg(os.getpgid(self._postmaster()), sig)


async def _until(
    check: Callable[[], Awaitable[object]], process: subprocess.Popen[bytes], name: str
) -> None:
    """Call `check` until it succeeds; raise if `process` exits or it takes too long."""
    deadline = time.monotonic() + READY_WITHIN_S
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} while starting")
        try:
            await check()
            return
        except (OSError, asyncpg.PostgresError, RedisError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


@pytest.fixture
async def private_redis(tmp_path: Path) -> AsyncIterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    await server.start()
    yield server
    server.kill()


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """Initialised once a session (about 2 s); each test runs its own server on it."""
    cluster = PostgresCluster()
    yield cluster
    cluster.remove()


@pytest.fixture
async def private_postgres(postgres_cluster: PostgresCluster) -> AsyncIterator[PrivatePostgres]:
    server = PrivatePostgres(postgres_cluster)
    await server.start()
    yield server
    await server.stop("fast")
