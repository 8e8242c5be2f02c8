"""Throughput of one instance under K concurrent shoppers, next to the classifier's own ceiling.

Run: `.venv/bin/python -m bench.load [--clients 32] [--seconds 30] [--profile]
[--instances 1 2]`. Starts `shopbot serve` as its own process on 127.0.0.1 (rate limits
lifted: a load test is a flood from one address by design; no generation in the mix), then
K shoppers talk over the Rasa REST channel for a fixed time, each a realistic conversation
(greeting, searches with filters, "the second one", attribute questions, an order question,
policies, thanks). Reports messages/s, p50/p95/p99, errors and lost replies (a turn that
answers nothing), and the intent classifier's batched sentences/s measured in this run on
the same machine, so the ratio is measured, not assumed. `--instances 1 2` adds a table
for two instances on one home sharing Redis and a fresh PostgreSQL schema, each shopper's
turns alternating between them (a round-robin proxy, so every turn reads state the other
instance wrote). `--profile` records the server with py-spy (sampled, subprocesses
included) and prints the functions where the time goes. Writes bench/results/load.json.
The servers stop at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp

from bench.provenance import write_results
from bot.settings import PROJECT_ROOT

RESULTS = Path(__file__).parent / "results" / "load.json"
CONVERSATION = (
    "hi",
    "show me laptops under $800",
    "any cheaper?",
    "the second one",
    "does it have a backlit keyboard?",
    "wireless headphones with noise cancelling",
    "sony ones",
    "the first one",
    "is it waterproof?",
    "what's your return policy?",
    "how long does delivery take?",
    "where is my order 123456789012345",
    "有没有3000块以内的笔记本",
    "第二个",
    "thanks",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def start_server(
    home: Path, models: Path, port: int, shared: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """`shopbot serve` on `port`; `shared`: the environment that puts it on Redis and
    PostgreSQL beside other instances."""
    environment = dict(
        os.environ,
        **(shared or {}),
        HF_HUB_OFFLINE="1",
        SHOPBOT_HOME=str(home),
        SHOPBOT_MODELS=str(models),
        SHOPBOT_LOG_LEVEL="WARNING",
        SHOPBOT_LIMITS__BURST="1000000",
        SHOPBOT_LIMITS__ADDRESS_BURST="1000000",
        SHOPBOT_WRITER__LOAD_AT_STARTUP="false",
        SHOPBOT_INSIGHTS__DEMO_REVIEWS="false",
    )
    command = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"]
    return subprocess.Popen(
        [*command, "--port", str(port)], env=environment, cwd=PROJECT_ROOT, start_new_session=True
    )


async def wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError("the server stopped while starting")
            try:
                async with session.get(url + "/health") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)
    raise TimeoutError("the server did not start")


async def shopper(
    session: aiohttp.ClientSession,
    urls: list[str],
    number: int,
    until: float,
    record: dict[str, Any],
    label: str,
) -> None:
    """One shopper's conversations, turn after turn; with several instances each turn goes
    to the next one (a round-robin proxy), so "the second one" is read at another instance
    than the search it points back to."""
    turn = 0
    while time.monotonic() < until:
        text = CONVERSATION[turn % len(CONVERSATION)]
        sender = f"{label}-{number}-{turn // len(CONVERSATION)}"
        url = urls[(number + turn) % len(urls)]
        started = time.perf_counter()
        try:
            async with session.post(url, json={"sender": sender, "message": text}) as response:
                body = await response.json()
                if response.status != 200:
                    record["errors"][str(response.status)] += 1
                elif not body:
                    record["lost"] += 1
                    record["lost_turns"][text] += 1
                else:
                    latency = (time.perf_counter() - started) * 1000
                    record["latencies"].append(latency)
                    record["by_message"].setdefault(text, []).append(latency)
        except (aiohttp.ClientError, TimeoutError) as error:
            record["errors"][type(error).__name__] += 1
        turn += 1


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process `pid`, all its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(
    urls: list[str],
    clients: int,
    seconds: float,
    server_pids: tuple[int, ...] = (),
    label: str = "load",
) -> dict[str, Any]:
    """K shoppers for `seconds`; with `server_pids`, the CPU the servers and this load
    generator spent per message too (they share the machine's cores). Each run's
    conversations are its own (`label`): one that went on where another run stopped could
    say "hi" twice, and a shopper repeating themselves is handed to a person."""
    record: dict[str, Any] = {
        "latencies": [],
        "errors": Counter(),
        "lost": 0,
        "lost_turns": Counter(),
        "by_message": {},
    }
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        server_cpu = sum(cpu_seconds(pid) for pid in server_pids)
        client_cpu = time.process_time()
        started = time.monotonic()
        until = started + seconds
        await asyncio.gather(
            *(shopper(session, urls, n, until, record, label) for n in range(clients))
        )
        elapsed = time.monotonic() - started
        client_cpu = time.process_time() - client_cpu
        server_cpu = sum(cpu_seconds(pid) for pid in server_pids) - server_cpu
    latencies = record["latencies"]
    per_message = 1000 / max(len(latencies), 1)
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "messages": len(latencies),
        "messages_per_s": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "errors": dict(record["errors"]),
        "lost_replies": record["lost"],
        "lost_by_message": dict(record["lost_turns"]),
        "by_message": {
            text: {
                "messages": len(values),
                "p50_ms": percentile(values, 0.50),
                "p99_ms": percentile(values, 0.99),
            }
            for text, values in record["by_message"].items()
        },
        "server_cpu_ms_per_message": server_cpu * per_message if server_pids else None,
        "client_cpu_ms_per_message": client_cpu * per_message,
    }


def classifier_ceiling(models: Path, seconds: float = 10.0) -> float:
    """The intent model's batched sentences/s (batch 32) on this machine, as the service runs
    it: the same runtime, through `IntentClassifier.rank`."""
    from bot.settings import Settings
    from nlu.classifier import IntentClassifier
    from nlu.model_store import ensure_intent_model
    from nlu.pipeline import recipe_from

    settings = Settings(models=models)
    directory = ensure_intent_model(settings.nlu_file, models, recipe_from(settings.nlu))
    classifier = IntentClassifier.load(directory, settings.nlu.runtime)
    batch = [CONVERSATION[i % len(CONVERSATION)] for i in range(32)]
    classifier.rank(batch)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        classifier.rank(batch)
        done += len(batch)
    return done / (time.perf_counter() - started)


def profile_summary(raw: Path, top: int = 15) -> list[tuple[str, float]]:
    """Share of samples per function at the leaf of py-spy's collapsed stacks."""
    leaves: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        leaves[stack.split(";")[-1]] += int(count)
        total += int(count)
    return [(frame, n / max(1, total)) for frame, n in leaves.most_common(top)]


def shared_environment(args: argparse.Namespace) -> dict[str, str]:
    """Redis and a fresh PostgreSQL schema for a run of several instances."""
    schema = f"load_{os.getpid()}"
    return {
        "SHOPBOT_DATABASE_URL": args.database_url,
        "SHOPBOT_DATABASE_SCHEMA": schema,
        "SHOPBOT_REDIS_URL": args.redis_url,
        "SHOPBOT_REDIS_PREFIX": f"shopbot-load-{os.getpid()}:",
        "SHOPBOT_SECRET_KEY": "load-bench-" + "k" * 32,
    }


async def drop_schema(url: str, schema: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await connection.close()


async def run_instances(
    args: argparse.Namespace, models: Path, count: int
) -> tuple[list[dict[str, Any]], list[tuple[str, float]]]:
    """`count` instances on one home (several: on Redis and PostgreSQL), loaded in turn."""
    shared = shared_environment(args) if count > 1 else None
    with tempfile.TemporaryDirectory() as home:
        servers: list[subprocess.Popen[bytes]] = []
        bases: list[str] = []
        profiler = None
        try:
            for _ in range(count):  # one after the other: the first imports the catalog
                port = free_port()
                servers.append(start_server(Path(home), models, port, shared))
                bases.append(f"http://127.0.0.1:{port}")
                await wait_until_up(bases[-1], servers[-1], 600)
            urls = [base + "/webhooks/rest/webhook" for base in bases]
            await load(urls, 4, 3, label="warm-up")  # caches, first batches
            if args.profile and count == 1:
                spy = Path(sys.executable).parent / "py-spy"
                output = Path(home) / "profile.txt"
                profiler = subprocess.Popen(
                    [str(spy), "record", "--pid", str(servers[0].pid), "--format", "raw",
                     "--output", str(output), "--duration", str(int(args.seconds)),
                     "--subprocesses", "--nonblocking", *(["--gil"] if args.gil else [])],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip
            pids = tuple(server.pid for server in servers)
            rows = [
                await load(urls, clients, args.seconds, pids, f"load-{clients}")
                for clients in args.clients
            ]
            profile: list[tuple[str, float]] = []
            if profiler is not None:
                profiler.wait(timeout=args.seconds + 60)
                raw = Path(home) / "profile.txt"
                profile = profile_summary(raw) if raw.exists() else []
        finally:
            for server in servers:
                os.killpg(server.pid, 15)
            for server in servers:
                server.wait(timeout=30)
            if shared is not None:
                await drop_schema(args.database_url, shared["SHOPBOT_DATABASE_SCHEMA"])
    for row in rows:
        row["instances"] = count
    return rows, profile


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    models = args.models or PROJECT_ROOT / "models"
    tables: dict[str, list[dict[str, Any]]] = {}
    profile: list[tuple[str, float]] = []
    for count in args.instances:
        rows, measured = await run_instances(args, models, count)
        tables[str(count)] = rows
        profile = profile or measured
    ceiling = classifier_ceiling(models)
    return {
        "rows": tables[str(args.instances[0])],
        "tables": tables,
        "classifier_sentences_per_s": ceiling,
        "profile": profile,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 16, 32])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--models", type=Path, help="Models folder (default: models/).")
    parser.add_argument("--profile", action="store_true", help="py-spy the server's first run.")
    parser.add_argument(
        "--gil",
        action="store_true",
        help="With --profile: sample only the thread holding the GIL (the Python work that "
        "cannot overlap), not threads waiting for it.",
    )
    parser.add_argument(
        "--instances",
        type=int,
        nargs="+",
        default=[1],
        help="Instance counts to run, one table each (e.g. 1 2); two or more share Redis and "
        "PostgreSQL, and each shopper's turns go round-robin over them.",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    figures = asyncio.run(main_async(args))
    ceiling = figures["classifier_sentences_per_s"]
    for count, rows in figures["tables"].items():
        shared = " on Redis + PostgreSQL" if int(count) > 1 else ""
        print(f"\n{count} instance(s){shared}")
        print(f"{'clients':>8}{'msg/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
              f"{'lost':>6}{'of ceiling':>12}{'server CPU ms/msg':>19}"
              f"{'load gen':>10}")  # fmt: skip
        for row in rows:
            print(
                f"{row['clients']:>8}{row['messages_per_s']:>9.1f}{row['p50_ms']:>9.1f}"
                f"{row['p95_ms']:>9.1f}{row['p99_ms']:>9.1f}{sum(row['errors'].values()):>8}"
                f"{row['lost_replies']:>6}{row['messages_per_s'] / ceiling:>12.2f}"
                f"{row['server_cpu_ms_per_message']:>19.2f}"
                f"{row['client_cpu_ms_per_message']:>10.2f}"
            )
    print(f"intent classifier alone, batch 32: {ceiling:.0f} sentences/s")
    busiest = max(figures["rows"], key=lambda row: row["clients"])
    print(
        f"\nby message, {busiest['clients']} clients, {figures['rows'][0]['instances']} instance(s)"
    )
    print(f"{'p50 ms':>9}{'p99 ms':>9}  message")
    for text, figure in sorted(busiest["by_message"].items(), key=lambda item: -item[1]["p99_ms"]):
        print(f"{figure['p50_ms']:>9.1f}{figure['p99_ms']:>9.1f}  {text}")
    for frame, share in figures["profile"]:
        print(f"{share:>7.1%}  {frame}")
    write_results(RESULTS, figures, args, {"channel": "rest", "conversation": CONVERSATION})


if __name__ == "__main__":
    main()
