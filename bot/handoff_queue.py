"""The handoff queue: every escalated conversation, its state and summary, in SQLite
(`SHOPBOT_HOME/handoffs.db`), so the agent inbox lists it after a restart and any instance
sees the same queue. It is a `Desk`: the engine and `HandoffService` keep it current."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actions.database import open_database
from bot.handoff import WAITING, WITH_AGENT, HandoffService, Summary, mask

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS handoffs (
    conversation_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,            -- waiting, with_agent, resolved
    agent TEXT,
    reason TEXT NOT NULL,
    summary TEXT NOT NULL,          -- JSON of bot.handoff.Summary, messages masked
    escalated_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS handoffs_open ON handoffs (state, escalated_at);
"""
RESOLVED = "resolved"


@dataclass(frozen=True)
class QueuedConversation:
    conversation_id: str
    state: str
    agent: str | None
    reason: str
    summary: dict[str, Any]
    escalated_at: float
    updated_at: float


class HandoffQueue:
    def __init__(self, path: Path, mask_lines: bool = True) -> None:
        self._db = open_database(path, _SCHEMA, rows=True)
        self._lock = threading.Lock()
        self._mask = mask_lines

    def close(self) -> None:
        self._db.close()

    def escalated(self, summary: Summary) -> None:
        now = time.time()
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO handoffs VALUES (?, ?, NULL, ?, ?, ?, ?) "
                "ON CONFLICT(conversation_id) DO UPDATE SET state = excluded.state, "
                "agent = NULL, reason = excluded.reason, summary = excluded.summary, "
                "escalated_at = excluded.escalated_at, updated_at = excluded.updated_at",
                (
                    summary.conversation_id,
                    WAITING,
                    summary.reason,
                    json.dumps(summary.to_dict(), ensure_ascii=False),
                    now,
                    now,
                ),
            )

    def shopper_wrote(self, conversation_id: str, text: str) -> None:
        """The line joins the summary's recent messages (masked as the summary is)."""
        entry = self.get(conversation_id)
        if entry is None or entry.state == RESOLVED:
            return
        summary = dict(entry.summary)
        line = {"from": "shopper", "text": mask(text) if self._mask else text}
        summary["messages"] = [*summary.get("messages", []), line][-50:]
        with self._lock, self._db:
            self._db.execute(
                "UPDATE handoffs SET summary = ?, updated_at = ? WHERE conversation_id = ?",
                (json.dumps(summary, ensure_ascii=False), time.time(), conversation_id),
            )

    def claimed(self, conversation_id: str, agent: str) -> None:
        self._set(conversation_id, WITH_AGENT, agent)

    def resolved(self, conversation_id: str, agent: str) -> None:
        self._set(conversation_id, RESOLVED, agent)

    def _set(self, conversation_id: str, state: str, agent: str) -> None:
        with self._lock, self._db:
            self._db.execute(
                "UPDATE handoffs SET state = ?, agent = ?, updated_at = ? "
                "WHERE conversation_id = ?",
                (state, agent, time.time(), conversation_id),
            )

    def get(self, conversation_id: str) -> QueuedConversation | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM handoffs WHERE conversation_id = ?", (conversation_id,)
            ).fetchone()
        return _entry(row) if row else None

    def open(self) -> list[QueuedConversation]:
        """Waiting first, oldest first; then those with an agent."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM handoffs WHERE state != ? ORDER BY state = ? DESC, escalated_at",
                (RESOLVED, WAITING),
            ).fetchall()
        return [_entry(row) for row in rows]


def _entry(row: Any) -> QueuedConversation:
    values = dict(row)
    values["summary"] = json.loads(values["summary"])
    return QueuedConversation(**values)


async def tell_the_unclaimed(
    queue: HandoffQueue, service: HandoffService, after_s: float, every_s: float = 5.0
) -> None:
    """Forever (until cancelled): a shopper waiting longer than `after_s` is told, once, that
    nobody is free yet and that they may leave an email; the conversation stays queued."""
    told: set[tuple[str, float]] = set()
    while True:
        await asyncio.sleep(min(every_s, after_s / 4))
        now = time.time()
        for entry in queue.open():
            key = (entry.conversation_id, entry.escalated_at)
            if entry.state == WAITING and now - entry.escalated_at >= after_s and key not in told:
                told.add(key)
                try:
                    await service.tell_unclaimed(entry.conversation_id)
                except Exception:
                    logger.exception("telling an unclaimed shopper failed")
