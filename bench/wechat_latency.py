"""Latency of one WeChat turn through the whole service, in plaintext and in safe mode, with
one REST turn as the baseline: signature, (decryption,) XML, NLU, policy, actions, SQLite,
the passive reply (encrypted in safe mode).

Run: `.venv/bin/python -m bench.wechat_latency` (under the heavy lock on a shared machine).
Prints a table and writes bench/results/wechat_latency.json. N sequential turns per channel,
a mix of Chinese messages, one shopper per round of the mix; servers on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bench.provenance import write_results
from bench.rest_latency import percentile
from bot.app import create_app
from bot.settings import PROJECT_ROOT, LimitSettings, Settings, WechatSettings
from connectors.wechat_try import signed_message
from writer.settings import WriterSettings

MESSAGES = ["你好", "3000块以内的笔记本", "第二个", "这款有多重？", "有没有蓝牙耳机", "谢谢"]
RESULTS = Path(__file__).parent / "results" / "wechat_latency.json"
TOKEN = "benchWechatToken"
APP_ID = "wx5823bf96d3bd56c7"
KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
Turn = Callable[[aiohttp.ClientSession, str, str, str], Awaitable[float]]


def settings_for(home: Path, safe: bool) -> Settings:
    wechat = WechatSettings(
        token=SecretStr(TOKEN),
        app_id=APP_ID,
        encoding_aes_key=SecretStr(KEY) if safe else None,
        product_replies="text",  # news needs the customer-service API for the text part
    )
    return Settings(
        home=home,
        # the trained intent model and product vectors, as `shopbot serve` left them
        models=Path(os.environ.get("SHOPBOT_MODELS", PROJECT_ROOT / "models")),
        log_level="WARNING",
        # one address sends every turn by design: the rate limits are lifted
        limits=LimitSettings(burst=10**6, address_burst=10**6),
        writer=WriterSettings(load_at_startup=False),
        wechat=wechat,
    )


def wechat_turn(wechat: WechatSettings, late: list[int]) -> Turn:
    async def turn(session: aiohttp.ClientSession, base: str, sender: str, text: str) -> float:
        query, body, _ = signed_message(wechat, sender, text)  # the client's work: not timed
        started = time.perf_counter()
        async with session.post(f"{base}/webhooks/wechat", params=query, data=body) as response:
            answer = await response.text()
            assert response.status == 200, answer
        late[0] += answer == "success"  # over the reply budget
        return (time.perf_counter() - started) * 1000

    return turn


async def rest_turn(session: aiohttp.ClientSession, base: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    body = {"sender": sender, "message": text}
    async with session.post(f"{base}/webhooks/rest/webhook", json=body) as response:
        await response.read()
        assert response.status == 200
    return (time.perf_counter() - started) * 1000


async def timed(server: TestServer, turn: Turn, turns: int, prefix: str) -> list[float]:
    base = str(server.make_url("")).rstrip("/")
    async with aiohttp.ClientSession() as session:
        for text in MESSAGES:  # warm-up
            await turn(session, base, f"{prefix}-warm", text)
        return [
            await turn(session, base, f"{prefix}-{i // len(MESSAGES)}", MESSAGES[i % len(MESSAGES)])
            for i in range(turns)
        ]


async def measure(safe: bool, turns: int) -> dict[str, dict[str, float]]:
    """WeChat turns (and, on the plaintext server, REST turns as the baseline)."""
    with tempfile.TemporaryDirectory() as home:
        settings = settings_for(Path(home), safe)
        server = TestServer(create_app(settings), host="127.0.0.1")
        await server.start_server()
        late = [0]
        try:
            mode = "safe" if safe else "plaintext"
            turn = wechat_turn(settings.wechat, late)
            rows = {f"wechat_{mode}": summary(await timed(server, turn, turns, mode))}
            rows[f"wechat_{mode}"]["late_replies"] = late[0]
            if not safe:
                rows = {"rest": summary(await timed(server, rest_turn, turns, "rest")), **rows}
        finally:
            await server.close()
    return rows


def summary(times: list[float]) -> dict[str, float]:
    return {
        "turns": len(times),
        "p50_ms": statistics.median(times),
        "p95_ms": percentile(times, 0.95),
        "max_ms": max(times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=120, help="sequential turns per channel")
    args = parser.parse_args()

    async def both() -> dict[str, dict[str, float]]:
        return {**await measure(False, args.turns), **await measure(True, args.turns)}

    rows = asyncio.run(both())
    print(f"{'channel':<18}{'turns':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for name, row in rows.items():
        print(
            f"{name:<18}{row['turns']:>7.0f}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}"
            f"{row['max_ms']:>9.1f}"
        )
    lifted = {"limits": "lifted (one address sends every turn)", "writer": "not loaded"}
    settings = {**lifted, "wechat.product_replies": "text", "messages": MESSAGES}
    write_results(RESULTS, rows, arguments=vars(args), settings=settings)


if __name__ == "__main__":
    main()
