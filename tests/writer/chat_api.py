"""A real local HTTP server that speaks the OpenAI chat-completions API, with scripted replies.

It stands in for vLLM, Ollama or llama.cpp's server: requests are real HTTP, bodies are
recorded so tests can count them and read what the writer asked for.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Reply = Callable[[dict[str, Any]], list[str]]  # request body -> the choices' texts


@dataclass
class ChatAPI:
    reply: Reply
    requests: list[dict[str, Any]] = field(default_factory=list)
    chunk_delay_s: float = 0.0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self.completions)
        return app

    async def completions(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        texts = self.reply(body)
        if not body.get("stream"):
            choices = [
                {"index": i, "message": {"role": "assistant", "content": text}}
                for i, text in enumerate(texts)
            ]
            usage = {"completion_tokens": sum(len(text.split()) for text in texts)}
            return web.json_response({"choices": choices, "usage": usage})
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for word in texts[0].split(" "):
            chunk = {"choices": [{"index": 0, "delta": {"content": word + " "}}]}
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
            await asyncio.sleep(self.chunk_delay_s)
        await response.write(b"data: [DONE]\n\n")
        return response


def last_user_line(body: dict[str, Any]) -> str:
    return str(body["messages"][-1]["content"])


def system_prompt(body: dict[str, Any]) -> str:
    return str(body["messages"][0]["content"])


def clause_after_fact(body: dict[str, Any]) -> list[str]:
    """A writer model that repeats the fact it was given and adds a plain benefit."""
    line = last_user_line(body)
    if "Fact: " not in line:
        return ["It is ready for your desk."]
    return [f"{line.split('Fact: ', 1)[1]} makes everyday work smooth and simple."]


@contextmanager
def chat_api_thread(api: ChatAPI | None = None) -> Iterator[str]:
    """Serve `api` on 127.0.0.1 from its own thread (for subprocesses); yields the base URL."""
    api = api or ChatAPI(clause_after_fact)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(api.app())
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
