"""The built-in agent inbox at `/agent`: where support agents work when Slack is not set up.

Pages: `GET /agent` (log in, then the queue and a chat pane), its assets under
`/agent/static/`. Login: `POST /agent/login {name, password}` (JSON, or a plain form) checks
the argon2 hash; an unknown name and a wrong password get the same 401, and each client
address has a small allowance of attempts. A login sets the session cookie (`HttpOnly`,
`SameSite=Strict`, `Path=/agent`, `Secure` with `inbox.secure_cookies`) and answers the
session's CSRF token. Every request that changes something (`/agent/logout`, claim, write,
resolve) needs the cookie, the token in `X-CSRF-Token` and a JSON content type; no address
is trusted, since behind a reverse proxy every request comes from this machine.

API (JSON): `GET /agent/api/me`, `GET /agent/api/queue` (waiting first, oldest first, each
with its summary), `GET /agent/api/conversations/{id}` (its lines), `POST
/agent/api/conversations/{id}/claim | /messages {text} | /resolve`. Everything a person says
goes through `bot.handoff.HandoffService`; the live side is `connectors.agent_live`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.agent_accounts import AgentAccounts, AgentSession
from bot.app import BOT, DESKS, HANDOFF, METRICS, QUEUE, REDIS, agent_accounts, json_error
from bot.handoff import WITH_AGENT, Refused, mask
from bot.handoff_queue import RESOLVED, QueuedConversation
from bot.rate_limits import Limiter, RateLimiter
from bot.rate_limits_redis import RedisRateLimiter
from bot.settings import Settings
from bot.text import is_clean_text
from bot.transcript import transcript
from connectors.access import client_address, json_object, too_many
from connectors.agent_live import COOKIE, LiveInbox, same_secret

WEB = Path(__file__).parent / "web"
PAGE = WEB / "agent.html"
LOGIN_FAILED = "unknown agent or wrong password"
LOGIN_BURST, LOGIN_REFILL_S = 10, 6.0  # attempts per client address: 10, then one per 6 s
MAX_LINES = 200  # of a conversation, newest, in the chat pane
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def queue_entry(entry: QueuedConversation) -> dict[str, Any]:
    return {
        "conversation_id": entry.conversation_id,
        "state": entry.state,
        "agent": entry.agent,
        "reason": entry.reason,
        "escalated_at": entry.escalated_at,
        "updated_at": entry.updated_at,
        "summary": entry.summary,
    }


def chat_lines(events: list[dict[str, Any]], masked: bool) -> list[dict[str, Any]]:
    """The conversation as the agent reads it: `{from: shopper|bot|agent|system, text,
    agent?, timestamp}`; joins and leaves are system lines."""
    lines: list[dict[str, Any]] = []
    for line in transcript(events):
        if not line.get("text"):
            continue
        kind = str((line.get("custom") or {}).get("type", ""))
        entry: dict[str, Any] = {
            "from": "shopper" if line["sender"] == "user" else "bot",
            "text": mask(str(line["text"])) if masked else str(line["text"]),
            "timestamp": line.get("timestamp"),
        }
        if kind.startswith("agent"):
            entry["from"] = "agent" if kind == "agent_message" else "system"
            entry["agent"] = line["custom"].get("agent")
        lines.append(entry)
    return lines[-MAX_LINES:]


def _private(response: web.Response) -> web.Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _json(data: Any, status: int = 200) -> web.Response:
    return _private(web.json_response(data, status=status))


class AgentInbox:
    name = "agent_inbox"

    def register(self, app: web.Application, settings: Settings) -> None:
        if not settings.inbox.enabled:
            return
        self._settings = settings
        # with Redis, an address's attempts count at every instance together
        self._logins: Limiter = (
            RedisRateLimiter(
                app[REDIS],
                f"{settings.redis_prefix}rate:login:",
                LOGIN_BURST,
                LOGIN_REFILL_S,
                app[METRICS],
            )
            if REDIS in app
            else RateLimiter(LOGIN_BURST, LOGIN_REFILL_S)
        )
        self._accounts: AgentAccounts | None = None
        self.live = LiveInbox(self.session_for, settings.handoff.mask_personal_data)
        self.live.attach(app)
        app[DESKS].add(self.live)
        app.cleanup_ctx.append(self._open_accounts)
        app.router.add_get("/agent", self.page)
        app.router.add_static("/agent/static/", WEB / "static", append_version=False)
        app.router.add_post("/agent/login", self.login)
        app.router.add_post("/agent/logout", self.logout)
        app.router.add_get("/agent/api/me", self.me)
        app.router.add_get("/agent/api/queue", self.queue)
        conversation = "/agent/api/conversations/{conversation_id}"
        app.router.add_get(conversation, self.conversation)
        app.router.add_post(f"{conversation}/claim", self.claim)
        app.router.add_post(f"{conversation}/messages", self.write)
        app.router.add_post(f"{conversation}/resolve", self.resolve)

    async def _open_accounts(self, app: web.Application) -> AsyncIterator[None]:
        self._accounts = await asyncio.to_thread(agent_accounts, self._settings)
        yield
        await self._accounts.close()

    @property
    def accounts(self) -> AgentAccounts:
        assert self._accounts is not None, "the app has not started"
        return self._accounts

    async def session_for(self, session_id: str) -> AgentSession | None:
        if not session_id:
            return None
        return await self.accounts.session(session_id)

    async def _agent(self, request: web.Request, changes: bool = False) -> AgentSession:
        """The logged-in agent; for a change also the CSRF token and a JSON body type."""
        session = await self.session_for(request.cookies.get(COOKIE, ""))
        if session is None:
            raise web.HTTPUnauthorized(reason="log in first")
        if changes:
            if not same_secret(request.headers.get("X-CSRF-Token"), session.csrf_token):
                raise web.HTTPForbidden(reason="missing or wrong CSRF token (X-CSRF-Token)")
            if request.content_type != "application/json":
                raise web.HTTPUnsupportedMediaType(reason="send the body as application/json")
        return session

    async def page(self, request: web.Request) -> web.Response:
        response = web.Response(text=PAGE.read_text(encoding="utf-8"), content_type="text/html")
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["Referrer-Policy"] = "no-referrer"
        return _private(response)

    async def login(self, request: web.Request) -> web.Response:
        if request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
            return json_error(403, "log in from the inbox page")  # no login CSRF
        address = client_address(request, self._settings.limits.trusted_proxies)
        wait = await self._logins.take(address)
        if wait is not None:
            return too_many(wait, "too many login attempts; wait a moment")
        name, password = await _credentials(request)
        if not await self.accounts.verify(name, password):
            return _private(json_error(401, LOGIN_FAILED))
        ttl = self._settings.inbox.session_ttl_s
        session = await self.accounts.open_session(name, ttl)
        body = {"agent": name, "csrf_token": session.csrf_token, "expires_at": session.expires_at}
        if request.content_type == "application/json":
            response = _json(body)
        else:  # a plain form (no script): back to the page, which picks the session up
            response = _private(web.Response(status=303, headers={"Location": "/agent"}))
        response.set_cookie(
            COOKIE,
            session.session_id,
            path="/agent",
            max_age=int(ttl),
            httponly=True,
            samesite="Strict",
            secure=self._settings.inbox.secure_cookies,
        )
        return response

    async def logout(self, request: web.Request) -> web.Response:
        await self._agent(request, changes=True)
        session_id = request.cookies.get(COOKIE, "")
        await self.accounts.close_session(session_id)
        await self.live.end_session(session_id)
        response = _json({"logged_out": True})
        response.del_cookie(COOKIE, path="/agent")
        return response

    async def me(self, request: web.Request) -> web.Response:
        """Who is logged in, the session's CSRF token (readable by same-origin pages only),
        and the canned replies."""
        session = await self._agent(request)
        return _json(
            {
                "agent": session.agent,
                "csrf_token": session.csrf_token,
                "expires_at": session.expires_at,
                "canned_replies": self._settings.inbox.canned_replies,
            }
        )

    async def queue(self, request: web.Request) -> web.Response:
        await self._agent(request)
        entries = await request.app[QUEUE].open()
        return _json({"conversations": [queue_entry(e) for e in entries], "now": time.time()})

    async def _queued(self, request: web.Request) -> QueuedConversation:
        conversation_id = request.match_info["conversation_id"]
        entry = await request.app[QUEUE].get(conversation_id)
        if entry is None:
            raise web.HTTPNotFound(reason="this conversation was never handed to a person")
        return entry

    async def conversation(self, request: web.Request) -> web.Response:
        await self._agent(request)
        entry = await self._queued(request)
        events = await request.app[BOT].store.load(entry.conversation_id)
        masked = self._settings.handoff.mask_personal_data
        return _json({**queue_entry(entry), "messages": chat_lines(events, masked)})

    async def claim(self, request: web.Request) -> web.Response:
        session = await self._agent(request, changes=True)
        entry = await self._queued(request)
        if entry.state == RESOLVED:
            return json_error(409, "already resolved: the assistant has it again")
        if entry.state == WITH_AGENT and entry.agent == session.agent:
            shown = None  # claimed already (a second click): the shopper is not told twice
        else:
            shown = await _handoff(request.app[HANDOFF].claim(entry.conversation_id, session.agent))
        return _json({"conversation_id": entry.conversation_id, "agent": session.agent,
                      "shown": shown})  # fmt: skip

    async def write(self, request: web.Request) -> web.Response:
        session = await self._agent(request, changes=True)
        text = (await json_object(request)).get("text")
        limit = self._settings.limits.max_message_chars
        if not isinstance(text, str) or not text.strip() or not is_clean_text(text):
            return json_error(400, 'send {"text": ...} with something to say')
        if len(text) > limit:
            return json_error(400, f"a message has at most {limit} characters")
        entry = await self._queued(request)
        shown = await _handoff(request.app[HANDOFF].say(entry.conversation_id, session.agent, text))
        self.live.agent_said(entry.conversation_id, session.agent, shown)
        return _json({"shown": shown}, status=201)

    async def resolve(self, request: web.Request) -> web.Response:
        session = await self._agent(request, changes=True)
        entry = await self._queued(request)
        shown = await _handoff(request.app[HANDOFF].resolve(entry.conversation_id, session.agent))
        return _json({"conversation_id": entry.conversation_id, "shown": shown})


async def _handoff(step: Awaitable[str]) -> str:
    """What the shopper was shown; a refusal (someone else's, not handed off) is a 409."""
    try:
        return await step
    except Refused as refusal:
        raise web.HTTPConflict(reason=str(refusal)) from None
    except LookupError:
        raise web.HTTPNotFound(reason="no such conversation") from None


async def _credentials(request: web.Request) -> tuple[str, str]:
    """(name, password) from a JSON body or a urlencoded form; a 4xx (raised) otherwise."""
    if request.content_type == "application/json":
        body: dict[str, Any] = await json_object(request)
    elif request.content_type == "application/x-www-form-urlencoded":
        body = dict(await request.post())
    else:
        raise web.HTTPUnsupportedMediaType(reason="send JSON or a form")
    name, password = body.get("name"), body.get("password")
    if not isinstance(name, str) or not isinstance(password, str) or not name or not password:
        raise web.HTTPBadRequest(reason="send a name and a password")
    return name, password
