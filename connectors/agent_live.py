"""The agent inbox, live: a `Desk` that pushes escalations, shopper lines, claims and
resolutions to the inbox pages of logged-in agents over socket.io.

Its own socket.io server at `/agent/socket.io`, namespace `/agent`: the login cookie is
scoped to `Path=/agent`, so a browser sends it there and never to the shoppers' `/socket.io`.
A socket connects only with an unexpired session cookie *and* that session's CSRF token in
the handshake's `auth`; it only receives (everything an agent does is an HTTP request with
the token). Sockets are dropped when their session ends (logout) or expires; before a push,
at most every `RECHECK_S`, each socket's session is looked up again, so a logout, a new
password or a removal at another instance ends it here too. Events, in the
order the desk heard them: `escalated {conversation_id, reason, summary}`, `line
{conversation_id, from: shopper|agent, agent?, text}`, `claimed` / `resolved
{conversation_id, agent}`.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import socketio
from aiohttp import web

from bot.agent_accounts import AgentSession
from bot.handoff import Summary, mask

logger = logging.getLogger(__name__)

NAMESPACE = "/agent"
SOCKET_PATH = "agent/socket.io"
COOKIE = "shopbot_agent"
ROOM = "agents"
RECHECK_S = 5.0  # how stale a socket's session may be when it hears something
# the cookie's session id -> its session, or None (looked up off the event loop)
SessionLookup = Callable[[str], Awaitable[AgentSession | None]]


def same_secret(given: object, expected: str) -> bool:
    """Constant-time comparison that never raises on odd input."""
    if not isinstance(given, str):
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8"))


class LiveInbox:
    """The inbox pages' socket.io server, and the desk that feeds it."""

    def __init__(self, sessions: SessionLookup, mask_lines: bool) -> None:
        self._sessions = sessions
        self._mask = mask_lines
        self._sockets: dict[str, tuple[str, float]] = {}  # sid -> (session id, expires_at)
        self._checked_at = time.monotonic()  # when the sessions were last looked up again
        self._events: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        # same origin only (python-socketio's default): the page is served by this service;
        # only the /agent namespace, not the default one
        self.server = socketio.AsyncServer(async_mode="aiohttp", namespaces=[NAMESPACE])

    def attach(self, app: web.Application) -> None:
        self.server.attach(app, socketio_path=SOCKET_PATH)
        self.server.on("connect", self.on_connect, namespace=NAMESPACE)
        self.server.on("disconnect", self.on_disconnect, namespace=NAMESPACE)

        async def deliver_in_order(app: web.Application) -> AsyncIterator[None]:
            worker = asyncio.create_task(self._deliver())
            yield
            worker.cancel()

        app.cleanup_ctx.append(deliver_in_order)

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        request = environ.get("aiohttp.request")
        session_id = request.cookies.get(COOKIE, "") if request is not None else ""
        session = await self._sessions(session_id)
        csrf = auth.get("csrf") if isinstance(auth, dict) else None
        if session is None or not same_secret(csrf, session.csrf_token):
            raise socketio.exceptions.ConnectionRefusedError("log in first")
        self._sockets[sid] = (session_id, session.expires_at)
        await self.server.enter_room(sid, ROOM, namespace=NAMESPACE)

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        self._sockets.pop(sid, None)

    async def end_session(self, session_id: str) -> None:
        """Logged out: that session's pages stop hearing at once."""
        for sid, (owner, _) in list(self._sockets.items()):
            if owner == session_id:
                await self.server.disconnect(sid, namespace=NAMESPACE)

    # Desk: called on the event loop by the engine and HandoffService; only queues

    def escalated(self, summary: Summary) -> None:
        data = summary.to_dict()
        self._push(
            "escalated",
            {"conversation_id": summary.conversation_id, "reason": summary.reason, "summary": data},
        )

    def shopper_wrote(self, conversation_id: str, text: str) -> None:
        shown = mask(text) if self._mask else text
        self._push("line", {"conversation_id": conversation_id, "from": "shopper", "text": shown})

    def claimed(self, conversation_id: str, agent: str) -> None:
        self._push("claimed", {"conversation_id": conversation_id, "agent": agent})

    def resolved(self, conversation_id: str, agent: str) -> None:
        self._push("resolved", {"conversation_id": conversation_id, "agent": agent})

    def agent_said(self, conversation_id: str, agent: str, text: str) -> None:
        line = {"conversation_id": conversation_id, "from": "agent", "agent": agent, "text": text}
        self._push("line", line)

    def _push(self, event: str, data: dict[str, Any]) -> None:
        self._events.put_nowait((event, data))

    async def _deliver(self) -> None:
        """One worker, so every page hears events in the order they happened."""
        while True:
            event, data = await self._events.get()
            try:
                await self._drop_ended()
                await self.server.emit(event, data, room=ROOM, namespace=NAMESPACE)
            except Exception:  # one failed push must not stop the ones after it
                logger.exception("agent inbox push failed")

    async def _drop_ended(self) -> None:
        """Drop the sockets of sessions expired, or (looked up again) ended elsewhere."""
        now = time.time()
        recheck = time.monotonic() - self._checked_at >= RECHECK_S
        if recheck:
            self._checked_at = time.monotonic()
        alive: dict[str, bool] = {}
        for sid, (session_id, expires_at) in list(self._sockets.items()):
            ended = expires_at <= now
            if not ended and recheck:
                if session_id not in alive:
                    alive[session_id] = await self._still_open(session_id)
                ended = not alive[session_id]
            if ended:
                self._sockets.pop(sid, None)
                await self.server.disconnect(sid, namespace=NAMESPACE)

    async def _still_open(self, session_id: str) -> bool:
        """A store that does not answer keeps the socket: its expiry still holds."""
        try:
            return await self._sessions(session_id) is not None
        except Exception:
            logger.warning("agent inbox: sessions not looked up again (store unavailable)")
            return True
