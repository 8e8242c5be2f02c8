"""Rasa's socket.io channel (path /socket.io), as `rasa-webchat` and our widget speak it.

Client `session_request {session_id?, token?}` -> server `session_confirm {session_id, token}`;
client `user_uttered {message, session_id, customData?}` -> server `bot_uttered`, one per part
of each reply, in the order and shapes of Rasa's SocketIOOutput: `{text}` for each paragraph,
the last one `{text, quick_replies}` when the reply has buttons, then `{custom}`, then the
image as `{attachment}`. rasa-webchat renders a message only when it has one of those shapes
(a message with text and anything more but quick replies shows nothing), so nothing rides
along. Notices are `{text, metadata: {notice}}` (rasa-webchat drops `metadata` before
rendering). Text an action generates arrives first as `bot_stream {stream_id, kind:
token|sentence|retract, text}`; the reply that ends it is its checked text followed by
`{custom: {..., stream_id}}`, so clients without streaming lose nothing.

Session ids are issued by the server; one is only reused with its unexpired, unrevoked
token, so nobody claims another shopper's conversation, before or after its owner. The
conversation is `web:<session_id>`, which is also the socket.io room of its sockets; a
socket is in one such room at a time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from uuid import uuid4

import socketio
from aiohttp import web

from bot.app import BOT, CLIENT_LIMITS, OUTBOX, TOKENS
from bot.messages import BotMessage, UserMessage, conversation_id
from bot.settings import Settings
from bot.store import Unavailable
from bot.text import has_huge_integer, is_clean_text, json_size
from connectors.access import client_address
from nlu.results import Overloaded

logger = logging.getLogger(__name__)
Handler = Callable[[str, Any], Awaitable[None]]

NOTICES = {
    "rate_limited": "You're sending messages very fast. Please wait a moment and try again.",
    "no_session": "Your chat session has not started yet. Please reload the page.",
    "not_your_session": "This chat session belongs to someone else; your message was not sent.",
    "bad_message": "That message could not be read. Please send plain text.",
    "too_much_data": "That message carried too much extra data to be sent.",
    "busy": "I'm busy with a lot of shoppers right now. Please try again in a moment.",
}


def to_bot_uttered(message: BotMessage) -> list[dict[str, Any]]:
    """The `bot_uttered` payloads of one reply, as Rasa's SocketIOOutput sends them."""
    payloads: list[dict[str, Any]] = []
    if message.text or message.buttons:
        payloads = [{"text": part} for part in _paragraphs(message.text or "")]
        if message.buttons:
            payloads[-1]["quick_replies"] = [
                {"content_type": "text", "title": b.title, "payload": b.payload}
                for b in message.buttons
            ]
    if message.custom:  # as Rasa: an empty custom payload is not sent
        payloads.append({"custom": message.custom})
    if message.image:
        payloads.append({"attachment": {"type": "image", "payload": {"src": message.image}}})
    return payloads


def _paragraphs(text: str) -> list[str]:
    """Rasa sends each paragraph as its own message (and at least one, for the buttons)."""
    return [part for part in text.strip().split("\n\n") if part] or [text.strip()]


class SocketIOChannel:
    name = "socketio"
    conversations = "web"  # the channel part of this channel's conversation ids

    def __init__(self) -> None:
        self.sio: socketio.AsyncServer | None = None

    def register(self, app: web.Application, settings: Settings) -> None:
        origins: list[str] | str = settings.web.cors_origins or "*"
        self.sio = socketio.AsyncServer(
            async_mode="aiohttp",
            cors_allowed_origins=origins,
            max_http_buffer_size=settings.limits.max_body_bytes,
        )
        self.sio.attach(app, socketio_path="socket.io")
        self._app = app
        self._limits = settings.limits
        self.sio.on("connect", self.on_connect)
        self.sio.on("session_request", self._busy_when_unavailable(self.on_session_request))
        self.sio.on("user_uttered", self._busy_when_unavailable(self.on_user_uttered))
        self._pending: set[asyncio.Task[None]] = set()

        async def follow_the_outbox(app: web.Application) -> AsyncIterator[None]:
            # a socket lives in one process: lines published at any instance come here
            stop = app[OUTBOX].subscribe(self.forward_stream, from_every_instance=True)
            yield
            stop()

        app.cleanup_ctx.append(follow_the_outbox)

    def _busy_when_unavailable(self, handle: Handler) -> Handler:
        """A shared store (Redis: limits, locks; PostgreSQL) not answering is a `busy` notice,
        the socket's 503, instead of silence and a trace."""

        async def handled(sid: str, data: Any = None) -> None:
            try:
                await handle(sid, data)
            except Unavailable as error:
                logger.warning("socket.io: %s", error)
                await self.server.emit("bot_typing", {"typing": False}, to=sid)
                await self._notice(sid, "busy")

        return handled

    def forward_stream(self, conversation_id: str, event: str, payload: dict[str, Any]) -> None:
        """Pass generated text and agents' lines on to the conversation's sockets."""
        task = asyncio.ensure_future(self.server.emit(event, payload, room=conversation_id))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    @property
    def server(self) -> socketio.AsyncServer:
        assert self.sio is not None, "register() first"
        return self.sio

    def room(self, session_id: str) -> str:
        return conversation_id(self.conversations, session_id)

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        request = environ.get("aiohttp.request")
        address = client_address(request, self._limits.trusted_proxies) if request else "unknown"
        await self.server.save_session(sid, {"session_id": None, "token": None, "address": address})

    async def on_session_request(self, sid: str, data: Any = None) -> None:
        data = data if isinstance(data, dict) else {}
        custom = data.get("customData") if isinstance(data.get("customData"), dict) else {}
        requested = data.get("session_id")
        token = data.get("token") or custom.get("token")
        state = await self.server.get_session(sid)
        tokens = self._app[TOKENS]
        if isinstance(requested, str) and len(requested) <= 128 and tokens.verify(requested, token):
            session_id = requested  # resumed with the same token: its expiry does not move
        elif await self._app[CLIENT_LIMITS].check_new_session(state["address"]) is None:
            session_id, token = uuid4().hex, None
        else:
            await self._notice(sid, "rate_limited")
            return
        await self._leave(sid, state)
        state["session_id"] = session_id
        state["token"] = token or tokens.issue(session_id)
        await self.server.enter_room(sid, self.room(session_id))
        await self.server.emit(
            "session_confirm", {"session_id": session_id, "token": state["token"]}, to=sid
        )

    async def _leave(self, sid: str, state: dict[str, Any]) -> None:
        """A socket is in one conversation at a time."""
        if state.get("session_id"):
            await self.server.leave_room(sid, self.room(state["session_id"]))
        state["session_id"] = state["token"] = None

    async def _still_valid(self, sid: str, state: dict[str, Any]) -> bool:
        """The session's token may have expired or been revoked since it was confirmed."""
        if self._app[TOKENS].verify(state["session_id"], state["token"]):
            return True
        await self._leave(sid, state)
        return False

    async def on_user_uttered(self, sid: str, data: Any = None) -> None:
        if not isinstance(data, dict) or data.get("message") in (None, ""):
            return  # some clients send an empty user_uttered when they open
        state = await self.server.get_session(sid)
        message = data.get("message")
        metadata = data.get("customData") if isinstance(data.get("customData"), dict) else {}
        if not isinstance(message, str) or not is_clean_text(message):
            await self._notice(sid, "bad_message")
            return
        if not state.get("session_id") or not await self._still_valid(sid, state):
            await self._notice(sid, "no_session")
            return
        claimed = data.get("session_id")
        if claimed is not None and claimed != state["session_id"]:
            await self._notice(sid, "not_your_session")
            return
        if (
            not is_clean_text(metadata)
            or has_huge_integer(metadata)
            or json_size(metadata) > self._limits.max_metadata_bytes
        ):
            await self._notice(sid, "too_much_data")
            return
        room = self.room(state["session_id"])
        if await self._app[CLIENT_LIMITS].check(state["address"], room) is not None:
            await self._notice(sid, "rate_limited")
            return
        metadata = {key: value for key, value in metadata.items() if key != "token"}
        await self.server.emit("bot_typing", {"typing": True}, room=room)
        try:
            replies = await self._app[BOT].handle(
                UserMessage(message, state["session_id"], self.conversations, metadata)
            )
        except Overloaded:
            await self._notice(sid, "busy")
            replies = []
        for reply in replies:
            for payload in to_bot_uttered(reply):
                await self.server.emit("bot_uttered", payload, room=room)
        await self.server.emit("bot_typing", {"typing": False}, room=room)

    async def _notice(self, sid: str, kind: str) -> None:
        notice = {"text": NOTICES[kind], "metadata": {"notice": kind}}
        await self.server.emit("bot_uttered", notice, to=sid)
