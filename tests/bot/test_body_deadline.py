"""A body that trickles in is dropped with 408 at the deadline, and changes nothing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp.test_utils import TestServer

from bot.app import BOT, create_app
from bot.settings import LimitSettings, Settings


async def _raw_post(server: TestServer, body: bytes, send: int, pause_s: float) -> bytes:
    """POST to the REST channel over a plain socket, sending only `send` bytes of the body
    and then waiting, as a slow (or malicious) client would."""
    reader, writer = await asyncio.open_connection(server.host, server.port)
    head = (
        "POST /webhooks/rest/webhook HTTP/1.1\r\n"
        f"Host: {server.host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode() + body[:send])
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), pause_s)
    finally:
        writer.close()


async def test_a_body_that_stops_arriving_gets_408(aiohttp_server: Any, settings: Settings) -> None:
    limits = LimitSettings(body_timeout_s=0.5)
    server = await aiohttp_server(create_app(settings.model_copy(update={"limits": limits})))
    body = json.dumps({"sender": "slow", "message": "hello"}).encode()
    answer = await _raw_post(server, body, send=10, pause_s=20)
    assert answer.startswith(b"HTTP/1.1 408")
    assert b"too slow" in answer
    assert not await server.app[BOT].store.load("rest:slow")


async def test_a_whole_body_is_read_as_before(aiohttp_server: Any, settings: Settings) -> None:
    limits = LimitSettings(body_timeout_s=0.5)
    server = await aiohttp_server(create_app(settings.model_copy(update={"limits": limits})))
    body = json.dumps({"sender": "fast", "message": "hello"}).encode()
    answer = await _raw_post(server, body, send=len(body), pause_s=20)
    assert answer.startswith(b"HTTP/1.1 200")
    assert await server.app[BOT].store.load("rest:fast")
