"""Slack for support agents: slack-bolt's `AsyncApp` inside the service's aiohttp app.

`POST /slack/events`, `/slack/interactions` and `/slack/commands` go to the same Bolt app,
which verifies Slack's signature (v0 HMAC-SHA256 with the signing secret, 300 s window: a
forged or stale request gets 401) and dispatches by payload. Every listener acknowledges
first and works after (events are acknowledged by Bolt before the listener runs), so Slack
always has its answer within 3 s; an event Slack delivers again (`X-Slack-Retry-Num`, same
`event_id`) is acknowledged and dropped (`SlackThreadStore.first_delivery`), whichever
instance it reaches when the threads are on PostgreSQL.

Outbound, `SlackDesk` posts each escalation to `slack.support_channel` with Claim / Resolve
buttons and keeps its thread as the conversation. Inbound:
- a person's reply in a handoff thread reaches the shopper, attributed to them, through
  `HandoffService.say` (claiming a waiting conversation for them first); replies in other
  threads, edits and bots' messages are ignored;
- Claim / Resolve buttons call `HandoffService.claim` / `resolve`; a refusal (claimed by
  someone else, already back with the assistant) is told to that person alone;
- `/shopbot queue | claim ID | resolve ID | stats` answers in the command's response.

Slack is on when `slack.bot_token` and `slack.signing_secret` are both set.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import DESKS, HANDOFF, QUEUE, SHOP, slack_threads
from bot.handoff import WAITING, WITH_AGENT, Refused
from bot.handoff_queue import QueuedConversation
from bot.settings import Settings
from connectors.slack_blocks import CLAIM, RESOLVE, escape, to_plain
from connectors.slack_desk import SlackDesk

logger = logging.getLogger(__name__)

LINE_LOST = (
    "Your message did not reach the shopper: the service could not record it just now."
    " Please send it again in a moment."
)

PATHS = ("/slack/events", "/slack/interactions", "/slack/commands")
COMMAND = "/shopbot"
USAGE = "`/shopbot queue` · `/shopbot claim ID` · `/shopbot resolve ID` · `/shopbot stats`"
ACK_BUDGET_S = 2.0  # a command's work that fits in Slack's 3 s is answered in its response
MAX_NAME = 40
MAX_LISTED = 30


class SlackChannel:
    name = "slack"

    def __init__(self) -> None:
        self._bolt: AsyncApp | None = None
        self._names: dict[str, str] = {}  # Slack user id -> the name shoppers see

    def register(self, app: web.Application, settings: Settings) -> None:
        slack = settings.slack
        if slack.bot_token is None or slack.signing_secret is None:
            logger.info("slack: off (set slack.bot_token and slack.signing_secret)")
            return
        self._app = app
        self._threads = slack_threads(settings)
        base_url = slack.api_url if slack.api_url.endswith("/") else slack.api_url + "/"
        self._client = AsyncWebClient(token=slack.bot_token.get_secret_value(), base_url=base_url)
        self._client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
        self._desk = SlackDesk(
            self._client,
            self._threads,
            slack.support_channel,
            settings.handoff.mask_personal_data,
            self._product_title,
        )
        app[DESKS].add(self._desk)
        bolt = AsyncApp(
            client=self._client,  # carries the bot token
            signing_secret=slack.signing_secret.get_secret_value(),
            request_verification_enabled=True,
        )
        bolt.use(self.once_per_event)
        bolt.event("message")(self.on_message)
        bolt.action(CLAIM)(self.on_claim)
        bolt.action(RESOLVE)(self.on_resolve)
        bolt.command(COMMAND)(self.on_command)
        self._bolt = bolt
        for path in PATHS:
            app.router.add_post(path, self.dispatch)
        app.cleanup_ctx.append(self._web_session)

    @property
    def bolt(self) -> AsyncApp:
        assert self._bolt is not None, "register() with Slack settings first"
        return self._bolt

    async def dispatch(self, request: web.Request) -> web.Response:
        response = await self.bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def _web_session(self, app: web.Application) -> AsyncIterator[None]:
        """One HTTP session for every Web API call, closed after the desk's last call."""
        self._client.session = aiohttp.ClientSession()
        yield
        await self._desk.drain()
        await self._client.session.close()
        await self._threads.close()

    async def once_per_event(
        self, body: dict[str, Any], next_: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        """Bolt middleware (after signature verification): a redelivered event is dropped."""
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if isinstance(event_id, str) and not await self._threads.first_delivery(event_id):
            logger.info("slack: event delivered again, dropped")
            return BoltResponse(status=200, body="")
        await next_()
        return None

    # listeners

    async def on_message(self, event: dict[str, Any]) -> None:
        """A person's reply in a handoff thread goes to the shopper."""
        thread_ts, user = event.get("thread_ts"), event.get("user")
        human = event.get("subtype") in (None, "thread_broadcast") and not event.get("bot_id")
        if not human or not thread_ts or not user:
            return  # edits, joins, bots (this one too), top-level messages
        try:
            await self._relay(event, str(user), str(thread_ts))
        except Exception:
            # Slack has its acknowledgement already and will not deliver it again: the agent
            # must hear that the line was lost, not believe the shopper read it
            logger.exception("slack: an agent's line was not delivered")
            await self._tell(str(event.get("channel")), str(user), LINE_LOST, str(thread_ts))

    async def _relay(self, event: dict[str, Any], user: str, thread_ts: str) -> None:
        thread = await self._threads.find(str(event.get("channel")), thread_ts)
        text = to_plain(str(event.get("text") or ""))
        if thread is None or thread_ts == event.get("ts") or not text:
            return  # not a handoff thread
        agent = await self.agent_name(user)
        conversation = thread.conversation_id
        try:
            if await self._state(conversation) == WAITING:
                await self._app[HANDOFF].claim(conversation, agent)
            await self._app[HANDOFF].say(conversation, agent, text)
        except (Refused, LookupError):
            why = await self._refusal(conversation, agent, "your message did not reach the shopper")
            await self._tell(thread.channel, user, why, thread_ts)

    async def on_claim(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user, conversation = str(body["user"]["id"]), str(action["value"])
        agent = await self.agent_name(user)
        if await self._holder(conversation) == agent:
            return  # already theirs: the shopper is not told twice
        try:
            await self._app[HANDOFF].claim(conversation, agent)
        except (Refused, LookupError):
            await self._tell(_channel_of(body), user, await self._refusal(conversation, agent, ""))

    async def on_resolve(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user, conversation = str(body["user"]["id"]), str(action["value"])
        agent = await self.agent_name(user)
        try:
            await self._app[HANDOFF].resolve(conversation, agent)
        except (Refused, LookupError):
            await self._tell(_channel_of(body), user, await self._refusal(conversation, agent, ""))

    async def on_command(
        self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond
    ) -> None:
        words = str(command.get("text") or "").split()
        verb = words[0].lower() if words else ""
        if verb == "queue":
            await ack(_only_you(await self._queue_text()))
        elif verb == "stats":
            await ack(_only_you(await self._stats_text()))
        elif verb in ("claim", "resolve") and len(words) == 2:
            work = asyncio.ensure_future(self._act(verb, words[1], str(command["user_id"])))
            done, _ = await asyncio.wait({work}, timeout=ACK_BUDGET_S)
            if done:
                await ack(_only_you(work.result()))
                return
            await ack(_only_you("Working on it…"))  # a turn holds the conversation
            await respond(text=await work, response_type="ephemeral")
        else:
            await ack(_only_you(f"Usage: {USAGE}"))

    # what the listeners share

    async def agent_name(self, user_id: str) -> str:
        """The name a shopper sees for a Slack user: their display name, else their id."""
        if user_id in self._names:
            return self._names[user_id]
        try:
            user = (await self._client.users_info(user=user_id))["user"]
        except SlackApiError as error:
            logger.warning("slack: users.info failed (%s); the agent is named by id", error)
            return user_id
        profile = user.get("profile") or {}
        name = (
            profile.get("display_name")
            or profile.get("real_name")
            or user.get("real_name")
            or user.get("name")
            or user_id
        )
        if len(self._names) > 1000:
            self._names.clear()
        self._names[user_id] = str(name).strip()[:MAX_NAME] or user_id
        return self._names[user_id]

    async def _act(self, verb: str, ident: str, user_id: str) -> str:
        conversation = await self._find(ident)
        if conversation is None:
            return f"No open conversation matches `{escape(ident)}`; `/shopbot queue` lists them."
        agent = await self.agent_name(user_id)
        handoff = self._app[HANDOFF]
        try:
            if verb == "claim":
                if await self._holder(conversation) != agent:
                    await handoff.claim(conversation, agent)
                return f"`{escape(conversation)}` is yours: reply in its thread to the shopper."
            await handoff.resolve(conversation, agent)
        except (Refused, LookupError):
            return await self._refusal(conversation, agent, "")
        return f"Resolved `{escape(conversation)}`: the assistant is back."

    async def _find(self, ident: str) -> str | None:
        """An open conversation by its id or the unique start of it (with or without the
        channel part); an id with a channel part is taken as given."""
        ids = [entry.conversation_id for entry in await self._app[QUEUE].open()]
        if ident in ids:
            return ident
        matches = [c for c in ids if c.startswith(ident) or c.split(":", 1)[-1].startswith(ident)]
        if len(matches) == 1:
            return matches[0]
        return ident if ":" in ident and not matches else None

    async def _entry(self, conversation: str) -> QueuedConversation | None:
        return await self._app[QUEUE].get(conversation)

    async def _state(self, conversation: str) -> str | None:
        entry = await self._entry(conversation)
        return entry.state if entry else None

    async def _holder(self, conversation: str) -> str | None:
        entry = await self._entry(conversation)
        return entry.agent if entry and entry.state == WITH_AGENT else None

    async def _refusal(self, conversation: str, agent: str, consequence: str) -> str:
        holder = await self._holder(conversation)
        if holder and holder != agent:
            why = f"Already claimed by {escape(holder)}"
        elif await self._state(conversation) in (None, "resolved"):
            why = "This conversation is back with the assistant (Claim takes it again)"
        else:
            why = "That did not work"
        return f"{why}; {consequence}." if consequence else f"{why}."

    async def _tell(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        """A line only `user` sees."""
        try:
            await self._client.chat_postEphemeral(
                channel=channel, user=user, text=text, thread_ts=thread_ts
            )
        except SlackApiError:
            logger.exception("slack: chat.postEphemeral failed")

    async def _queue_text(self) -> str:
        entries = await self._app[QUEUE].open()
        if not entries:
            return "Nobody is waiting for a person."
        now = time.time()
        waiting = sum(entry.state == WAITING for entry in entries)
        lines = [
            f"*{len(entries)} open*: {waiting} waiting, {len(entries) - waiting} with an agent"
        ]
        for entry in entries[:MAX_LISTED]:
            state = "waiting" if entry.state == WAITING else f"with {escape(entry.agent or '?')}"
            lines.append(
                f"• `{escape(entry.conversation_id)}` {state} "
                f"{_age(now - entry.escalated_at)}: {escape(entry.reason)}"
            )
        if len(entries) > MAX_LISTED:
            lines.append(f"…and {len(entries) - MAX_LISTED} more")
        return "\n".join(lines)

    async def _stats_text(self) -> str:
        entries = await self._app[QUEUE].open()
        now = time.time()
        waits = [now - e.escalated_at for e in entries if e.state == WAITING]
        agents: dict[str, int] = {}
        for entry in entries:
            if entry.state == WITH_AGENT:
                agents[entry.agent or "?"] = agents.get(entry.agent or "?", 0) + 1
        posted = await self._threads.counts_since(now - 86_400)
        held = ", ".join(f"{escape(name)} {count}" for name, count in sorted(agents.items()))
        longest = f" (longest {_age(max(waits))})" if waits else ""
        return "\n".join(
            [
                f"Waiting: {len(waits)}{longest}",
                f"With an agent: {sum(agents.values())}" + (f" ({held})" if held else ""),
                f"Posted here in the last 24 h: {sum(posted.values())}, "
                f"resolved: {posted.get('resolved', 0)}",
            ]
        )

    def _product_title(self, product_id: str) -> str:
        shop = self._app.get(SHOP)
        product = shop.catalog.get(product_id) if shop is not None else None
        return f"{product.title[:60]} ({product_id})" if product else product_id


def _only_you(text: str) -> dict[str, str]:
    """A command's answer, shown to whoever typed it."""
    return {"response_type": "ephemeral", "text": text}


def _channel_of(body: dict[str, Any]) -> str:
    return str((body.get("channel") or {}).get("id") or body["container"]["channel_id"])


def _age(seconds: float) -> str:
    if seconds < 60:
        return f"{int(seconds)}s"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86_400:
        return f"{int(seconds // 3600)}h {int(seconds % 3600 // 60)}m"
    return f"{int(seconds // 86_400)}d"
