"""Log lines: JSON objects carrying the request's id, and no shopper's email, phone or card
number, whichever logger wrote them. The app tests load the model: run under the heavy lock."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.handoff_queue import SqliteHandoffQueue
from bot.logs import REQUEST_ID, AccessLog, in_context, log_handler, request_id_from
from bot.settings import Settings

URL = "/webhooks/rest/webhook"
EMAIL, CARD, PHONE = "ana.silva@example.com", "4111 1111 1111 1111", "+1 415 555 0100"
SHOPPER_SAYS = f"I am {EMAIL}, my card is {CARD}, call me on {PHONE}"
RAW = (EMAIL, CARD, CARD.replace(" ", ""), "415 555 0100")


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """What the service's handler writes, as JSON lines, from every logger at INFO."""
    stream = io.StringIO()
    handler = log_handler("json", stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_callers_id_is_kept_only_when_it_is_a_plain_token() -> None:
    assert request_id_from("order-flow_42") == "order-flow_42"
    assert request_id_from("a" * 64) == "a" * 64
    for odd in ("a" * 65, "", "two words", "id\nforged: line", "ид", None):
        made = request_id_from(odd)
        assert made != odd and re.fullmatch(r"[0-9a-f]{16}", made)
    assert request_id_from(None) != request_id_from(None)


def test_messages_arguments_and_tracebacks_are_masked(captured: io.StringIO) -> None:
    logger = logging.getLogger("tests.logs")
    token = REQUEST_ID.set("req-1")
    try:
        logger.warning("shopper wrote %r", SHOPPER_SAYS)
        try:
            raise ValueError(f"cannot read {SHOPPER_SAYS}")
        except ValueError:
            logger.exception("failed")
    finally:
        REQUEST_ID.reset(token)
    logger.info("outside a request")
    written = captured.getvalue()
    assert not [raw for raw in RAW if raw in written], written
    said, failed, outside = lines(captured)
    assert said["message"].count("[email]") == 1 and "[card number]" in said["message"]
    assert "[phone]" in said["message"]
    assert said["level"] == "WARNING" and said["logger"] == "tests.logs"
    assert said["request_id"] == failed["request_id"] == "req-1"
    assert "ValueError: cannot read I am [email]" in failed["exception"]
    assert outside["request_id"] is None and re.match(r"\d{4}-\d\d-\d\dT", outside["time"])


def test_text_lines_are_masked_too() -> None:
    stream = io.StringIO()
    handler = log_handler("text", stream)
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "said %s", (EMAIL,), None)
    handler.handle(record)
    assert stream.getvalue().endswith("INFO t [-]: said [email]\n")
    assert log_handler("auto", io.StringIO()).formatter.__class__.__name__ == "JsonLines"


async def _fails(request: web.Request) -> web.Response:
    """A bug that puts what the shopper wrote into its error."""
    body = await request.json()
    raise ValueError(f"could not handle {body['message']}")


async def test_a_request_id_follows_the_turn_into_the_logs_and_the_response(
    aiohttp_client: Any, settings: Settings, captured: io.StringIO
) -> None:
    app = create_app(settings)
    app.router.add_post("/test/fails", _fails)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server(access_log_class=AccessLog)  # as `shopbot serve` runs it
    client: TestClient = await aiohttp_client(server)

    answer = await client.post(
        URL, json={"sender": "ann", "message": SHOPPER_SAYS}, headers={"X-Request-Id": "flow-42"}
    )
    assert answer.status == 200 and answer.headers["X-Request-Id"] == "flow-42"
    turn = [line for line in lines(captured) if line["message"].startswith("turn ")]
    assert len(turn) == 1 and turn[0]["request_id"] == "flow-42"
    access = [line for line in lines(captured) if line["logger"] == "aiohttp.access"]
    assert access[-1]["request_id"] == "flow-42" and f"POST {URL}" in access[-1]["message"]

    made = await client.get("/health", headers={"X-Request-Id": "no spaces allowed"})
    assert re.fullmatch(r"[0-9a-f]{16}", made.headers["X-Request-Id"])
    missing = await client.get("/no/such/page")  # errors carry one too
    assert missing.status == 404 and missing.headers["X-Request-Id"]

    # a bug: the 500 names the same id as the header and the logged trace
    failed = await client.post(
        "/test/fails", json={"message": SHOPPER_SAYS}, headers={"X-Request-Id": "bug-7"}
    )
    assert failed.status == 500 and failed.headers["X-Request-Id"] == "bug-7"
    assert (await failed.json())["request_id"] == "bug-7"
    trace = [line for line in lines(captured) if "exception" in line]
    assert len(trace) == 1 and trace[0]["request_id"] == "bug-7"
    assert "could not handle I am [email], my card is [card number]" in trace[0]["exception"]

    # an id in a path never reaches the access line: a known route's pattern is written, and
    # of a path no route takes (another method, a trailing slash, no route) its first segment
    await client.get("/api/conversations/wechat:oAbC123OpenId/messages")
    await client.post("/api/conversations/wechat:oAbC123OpenId/messages")
    await client.get("/api/conversations/wechat:oAbC123OpenId/messages/")
    await client.get(f"/no/route/{EMAIL}")
    written = captured.getvalue()
    assert "GET /api/conversations/{session_id}/messages" in written
    access_lines = [
        line["message"] for line in lines(captured) if line["logger"] == "aiohttp.access"
    ]
    assert any('"POST /api/…"' in line for line in access_lines)
    assert any('"GET /no/…"' in line for line in access_lines)
    assert "oAbC123OpenId" not in written
    assert not [raw for raw in RAW if raw in written]


async def test_a_change_written_on_the_handoff_queues_thread_logs_with_the_request_id(
    captured: io.StringIO, tmp_path: Path
) -> None:
    queue = SqliteHandoffQueue(tmp_path / "handoffs.db")
    with sqlite3.connect(tmp_path / "handoffs.db") as other:
        other.execute("DROP TABLE handoffs")  # so the next change fails on the queue's thread
    token = REQUEST_ID.set("req-queue")
    try:
        queue.claimed("c-1", "ana")
    finally:
        REQUEST_ID.reset(token)
    await queue.close()  # after the change: one thread takes them in order
    [failed] = [line for line in lines(captured) if line["logger"] == "bot.handoff_queue"]
    assert failed["request_id"] == "req-queue"
    assert "no such table" in failed["exception"]


async def test_work_sent_to_another_thread_in_context_keeps_the_request_id(
    captured: io.StringIO,
) -> None:
    def work(word: str) -> str | None:
        logging.getLogger("tests.logs").info("on a worker: %s", word)
        return REQUEST_ID.get()

    token = REQUEST_ID.set("req-thread")
    try:
        with ThreadPoolExecutor(max_workers=1) as worker:
            loop = asyncio.get_running_loop()
            seen = await loop.run_in_executor(worker, in_context(work, "hello"))
            bare = await loop.run_in_executor(worker, work, "bare")
    finally:
        REQUEST_ID.reset(token)
    assert (seen, bare) == ("req-thread", None)  # the plain call is why in_context exists
    said, said_bare = lines(captured)
    assert said["request_id"] == "req-thread" and said_bare["request_id"] is None
