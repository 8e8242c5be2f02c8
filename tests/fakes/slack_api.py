"""Both sides of Slack for tests, on 127.0.0.1.

`FakeSlackApi` is Slack's Web API as a real aiohttp server (slack_sdk's `base_url` points at
it): it checks the bot token, answers the methods the connector calls as Slack answers them,
and records every call with the moment it arrived. `SlackSender` is Slack calling the app:
events, button presses and slash commands, signed exactly as Slack signs them.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

BOT_USER, BOT_ID, TEAM = "U0SHOPBOT", "B0SHOPBOT", "T0SHOP"


@dataclass(frozen=True)
class ApiCall:
    method: str
    args: dict[str, Any]
    at: float  # time.perf_counter() when it arrived
    answer: dict[str, Any]


class FakeSlackApi:
    """Slack's Web API: auth.test, users.info, chat.postMessage, chat.update,
    chat.postEphemeral, and response URLs; anything else is `unknown_method`."""

    def __init__(
        self, token: str, users: dict[str, str], channels: dict[str, str] | None = None
    ) -> None:
        self.token = token
        self.users = users  # user id -> display name
        self.channels = channels or {"#support": "C0SUPPORT"}  # name -> id
        self.calls: list[ApiCall] = []
        self._ts = itertools.count(1)
        self._arrived = asyncio.Condition()
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        self._server = TestServer(app, host="127.0.0.1")

    async def start(self) -> None:
        await self._server.start_server()

    async def close(self) -> None:
        await self._server.close()

    @property
    def api_url(self) -> str:
        return str(self._server.make_url("/api/"))

    def response_url(self, name: str) -> str:
        return str(self._server.make_url(f"/respond/{name}"))

    def called(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[ApiCall]:
        """The first `count` calls of `method`, once that many have arrived."""

        async def enough() -> list[ApiCall]:
            async with self._arrived:
                await self._arrived.wait_for(lambda: len(self.called(method)) >= count)
            return self.called(method)[:count]

        return await asyncio.wait_for(enough(), timeout)

    async def _record(
        self, method: str, args: dict[str, Any], answer: dict[str, Any], at: float
    ) -> None:
        async with self._arrived:
            self.calls.append(ApiCall(method, args, at, answer))
            self._arrived.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        arrived = time.perf_counter()
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update(await request.post())
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        answer = self._answer(method, args)
        await self._record(method, args, answer, arrived)
        return web.json_response(answer)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://shop.slack.com/",
                "team": "Shop",
                "user": "shopbot",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "users.info":
            name = self.users.get(str(args.get("user")))
            if name is None:
                return {"ok": False, "error": "user_not_found"}
            profile = {"display_name": name, "real_name": f"{name} Example"}
            return {
                "ok": True,
                "user": {"id": args["user"], "name": name.lower(), "profile": profile},
            }
        channel = self.channels.get(str(args.get("channel")), str(args.get("channel")))
        ts = f"{1_700_000_000 + next(self._ts)}.000100"
        if method == "chat.postMessage":
            message = {"type": "message", "text": args.get("text"), "ts": ts, "bot_id": BOT_ID}
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.update":
            return {"ok": True, "channel": channel, "ts": args.get("ts"), "text": args.get("text")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        return {"ok": False, "error": "unknown_method"}

    async def _respond(self, request: web.Request) -> web.Response:
        await self._record(
            f"respond:{request.match_info['name']}", await request.json(), {}, time.perf_counter()
        )
        return web.Response(text="ok")


def slack_signature(secret: str, timestamp: str, body: str) -> str:
    """Slack's v0 signature: HMAC-SHA256 of `v0:{timestamp}:{body}` under the signing secret."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackSender:
    """Slack calling the app: every request signed as Slack signs it (or forged, on request)."""

    def __init__(self, app_url: str, secret: str) -> None:
        self.app_url = app_url.rstrip("/")
        self.secret = secret

    async def post(
        self,
        path: str,
        body: str,
        content_type: str,
        age_s: float = 0.0,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        timestamp = str(int(time.time() - age_s))
        sent = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature or slack_signature(self.secret, timestamp, body),
            **(headers or {}),
        }
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{self.app_url}{path}", data=body.encode(), headers=sent) as r:
                return r.status, await r.text()

    async def event(
        self, event: dict[str, Any], event_id: str | None = None, **options: Any
    ) -> tuple[int, str]:
        """An Events API `event_callback` delivery to /slack/events."""
        body = {
            "token": "unused-verification-token",
            "team_id": TEAM,
            "api_app_id": "A0SHOPBOT",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        }
        return await self.post("/slack/events", json.dumps(body), "application/json", **options)

    async def thread_reply(
        self,
        channel: str,
        thread_ts: str,
        user: str,
        text: str,
        extra: dict[str, Any] | None = None,
        **options: Any,
    ) -> tuple[int, str]:
        ts = f"{time.time():.6f}"
        event = {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": ts,
            "thread_ts": thread_ts,
            "channel_type": "channel",
            "event_ts": ts,
            **(extra or {}),
        }
        return await self.event(event, **options)

    async def press(
        self,
        action_id: str,
        value: str,
        user: str,
        channel: str,
        message_ts: str,
        responses: str,
        **options: Any,
    ) -> tuple[int, str]:
        """A Block Kit button pressed on a message: `payload=<json>` to /slack/interactions."""
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "shop"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
            "api_app_id": "A0SHOPBOT",
            "token": "unused-verification-token",
            "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
            "trigger_id": "1.2.3",
            "channel": {"id": channel, "name": "support"},
            "message": {"type": "message", "ts": message_ts, "bot_id": BOT_ID},
            "response_url": responses,
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": "b1",
                    "value": value,
                    "type": "button",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        body = urlencode({"payload": json.dumps(payload)})
        form = "application/x-www-form-urlencoded"
        return await self.post("/slack/interactions", body, form, **options)

    async def command(
        self,
        text: str,
        user: str,
        channel: str,
        responses: str,
        command: str = "/shopbot",
        **options: Any,
    ) -> tuple[int, str]:
        """A slash command, form-encoded as Slack sends it, to /slack/commands."""
        fields = {
            "token": "unused-verification-token",
            "team_id": TEAM,
            "team_domain": "shop",
            "channel_id": channel,
            "channel_name": "support",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0SHOPBOT",
            "response_url": responses,
            "trigger_id": "1.2.3",
        }
        body = urlencode(fields)
        form = "application/x-www-form-urlencoded"
        return await self.post("/slack/commands", body, form, **options)
