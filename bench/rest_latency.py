"""Latency of one REST turn through the whole service (HTTP, NLU, policy, actions, SQLite).

Run: `.venv/bin/python -m bench.rest_latency` (or `make bench`). Prints a table and writes
bench/results/rest_latency.json. Servers listen on 127.0.0.1 and stop at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer

from bench.provenance import write_results
from bot.app import create_app
from bot.settings import PROJECT_ROOT, LimitSettings, Settings
from writer.settings import WriterSettings

MESSAGES = ["hi", "show me laptops under $800", "the second one", "headphones", "thanks"]
RESULTS = Path(__file__).parent / "results" / "rest_latency.json"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _turn(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    async with session.post(url, json={"sender": sender, "message": text}) as response:
        await response.read()
        assert response.status == 200
    return (time.perf_counter() - started) * 1000


async def run(turns: int = 200, clients: int = 16) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as home:
        # a load test is a flood from one address by design: the rate limits are lifted
        unlimited = LimitSettings(burst=10**6, address_burst=10**6)
        # no generation in this mix: the writer's model is not loaded, so nothing loads in
        # the background while turns are timed
        settings = Settings(
            home=Path(home),
            models=PROJECT_ROOT / "models",
            log_level="WARNING",
            limits=unlimited,
            writer=WriterSettings(load_at_startup=False),
        )
        server = TestServer(create_app(settings), host="127.0.0.1")
        await server.start_server()
        url = str(server.make_url("/webhooks/rest/webhook"))
        async with aiohttp.ClientSession() as session:
            for text in MESSAGES:  # warm-up
                await _turn(session, url, "warm", text)
            sequential = [
                await _turn(session, url, "one", MESSAGES[i % len(MESSAGES)]) for i in range(turns)
            ]

            async def client(index: int) -> list[float]:
                return [
                    await _turn(session, url, f"c{index}", MESSAGES[i % len(MESSAGES)])
                    for i in range(turns // clients)
                ]

            started = time.perf_counter()
            concurrent = [
                t for part in await asyncio.gather(*map(client, range(clients))) for t in part
            ]
            elapsed = time.perf_counter() - started
        await server.close()
    return {
        "turns": turns,
        "p50_ms_one_client": statistics.median(sequential),
        "p99_ms_one_client": percentile(sequential, 0.99),
        "clients": clients,
        "p50_ms_concurrent": statistics.median(concurrent),
        "p99_ms_concurrent": percentile(concurrent, 0.99),
        "turns_per_s_concurrent": len(concurrent) / elapsed,
    }


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    figures = asyncio.run(run())
    print(f"{'measure':<28}{'value':>10}")
    for name, value in figures.items():
        print(f"{name:<28}{value:>10.1f}")
    lifted = {"limits": "lifted (one address floods by design)", "writer": "not loaded"}
    write_results(RESULTS, figures, arguments={"turns": 200, "clients": 16}, settings=lifted)


if __name__ == "__main__":
    main()
