"""Slack as a handoff desk: one parent message per escalation in the support channel, its
thread the conversation, the parent updated with the state (waiting, claimed by X, resolved).

Desk calls come from the event loop and return at once; each Web API call runs as a task,
in order per conversation (a shopper line waits for its thread's parent to exist), and a
failure is logged, never raised into the turn that caused it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.handoff import WAITING, WITH_AGENT, Summary, mask
from bot.slack_threads import SlackThreadStore
from connectors.slack_blocks import RESOLVED, parent_message, shopper_line

logger = logging.getLogger(__name__)

Work = Callable[[], Awaitable[None]]


class SlackDesk:
    """A `bot.handoff.Desk` that works through Slack's Web API."""

    def __init__(
        self,
        client: AsyncWebClient,
        threads: SlackThreadStore,
        channel: str,
        mask_lines: bool = True,
        describe_product: Callable[[str], str] = str,
    ) -> None:
        self._client = client
        self._threads = threads
        self._channel = channel
        self._mask = mask_lines
        self._describe = describe_product
        self._tails: dict[str, asyncio.Task[None]] = {}  # the last work queued per conversation
        self._running: set[asyncio.Task[None]] = set()

    def escalated(self, summary: Summary) -> None:
        shown = summary.to_dict()
        self._later(summary.conversation_id, lambda: self._post_parent(shown))

    def shopper_wrote(self, conversation_id: str, text: str) -> None:
        line = mask(text) if self._mask else text
        self._later(conversation_id, lambda: self._post_in_thread(conversation_id, line))

    def claimed(self, conversation_id: str, agent: str) -> None:
        self._later(conversation_id, lambda: self._show(conversation_id, WITH_AGENT, agent))

    def resolved(self, conversation_id: str, agent: str) -> None:
        self._later(conversation_id, lambda: self._show(conversation_id, RESOLVED, agent))

    async def drain(self, timeout: float = 5.0) -> None:
        """Let queued Web API calls finish (at shutdown)."""
        if self._running:
            await asyncio.wait(set(self._running), timeout=timeout)

    def _later(self, conversation_id: str, work: Work) -> None:
        previous = self._tails.get(conversation_id)
        task = asyncio.get_running_loop().create_task(self._after(previous, work))
        self._tails[conversation_id] = task
        self._running.add(task)
        task.add_done_callback(lambda done: self._finished(conversation_id, done))

    def _finished(self, conversation_id: str, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if self._tails.get(conversation_id) is task:
            del self._tails[conversation_id]

    async def _after(self, previous: asyncio.Task[None] | None, work: Work) -> None:
        if previous is not None:
            await asyncio.wait({previous})
        try:
            await work()
        except Exception:
            logger.exception("slack: a Web API call for a handoff failed")

    async def _post_parent(self, summary: dict[str, Any]) -> None:
        summary["products_viewed"] = [self._describe(p) for p in summary["products_viewed"]]
        text, blocks = parent_message(summary)
        posted = await self._client.chat_postMessage(
            channel=self._channel, text=text, blocks=blocks, unfurl_links=False
        )
        conversation = str(summary["conversation_id"])
        await self._threads.posted(
            str(posted["channel"]), str(posted["ts"]), conversation, summary, WAITING
        )

    async def _post_in_thread(self, conversation_id: str, text: str) -> None:
        thread = await self._threads.latest(conversation_id)
        if thread is None:
            logger.info("slack: a shopper line for a conversation without a thread")
            return
        await self._client.chat_postMessage(
            channel=thread.channel,
            thread_ts=thread.thread_ts,
            text=shopper_line(text),
            unfurl_links=False,
            unfurl_media=False,
        )

    async def _show(self, conversation_id: str, state: str, agent: str) -> None:
        thread = await self._threads.latest(conversation_id)
        if thread is None:
            return  # claimed elsewhere (the inbox) without ever reaching Slack
        thread = await self._threads.set_state(thread, state, agent)
        text, blocks = parent_message(thread.summary, state, agent)
        await self._client.chat_update(
            channel=thread.channel, ts=thread.thread_ts, text=text, blocks=blocks
        )
