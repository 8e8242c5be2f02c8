"""What the Slack connector remembers: which thread is which conversation, the state each
parent message shows, and the Events API deliveries already handled (Slack retries an event
it thinks was missed; a retry must not post twice, whichever instance it lands on).

`SlackThreadStore` is what the connector calls; `SqliteSlackThreads` keeps it in
`SHOPBOT_HOME/slack.db` (the default), `bot.slack_threads_postgres` in PostgreSQL for several
instances. The app's `slack_threads(settings)` picks one."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from actions.database import open_database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS slack_threads (
    channel TEXT NOT NULL,          -- the support channel's id, as chat.postMessage answered
    thread_ts TEXT NOT NULL,        -- the parent message's ts: the thread
    conversation_id TEXT NOT NULL,
    summary TEXT NOT NULL,          -- JSON: what the parent shows (bot.handoff.Summary, masked)
    state TEXT NOT NULL,            -- waiting, with_agent, resolved
    agent TEXT,
    posted_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (channel, thread_ts)
);
CREATE INDEX IF NOT EXISTS slack_threads_conversation
    ON slack_threads (conversation_id, posted_at);
CREATE TABLE IF NOT EXISTS slack_events (
    event_id TEXT PRIMARY KEY,
    received_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS slack_events_age ON slack_events (received_at);
"""
# Slack retries a delivery three times within about an hour; a day is ample
EVENT_MEMORY_S = 86_400.0


@dataclass(frozen=True)
class SlackThread:
    """One escalation's parent message in the support channel."""

    channel: str
    thread_ts: str
    conversation_id: str
    summary: dict[str, Any]
    state: str
    agent: str | None
    posted_at: float


class SlackThreadStore(Protocol):
    """Slack's threads and seen events; every call may raise `bot.store.Unavailable`."""

    async def first_delivery(self, event_id: str) -> bool:
        """True the first time an Events API `event_id` is seen, False for a retry."""
        ...

    async def posted(
        self,
        channel: str,
        thread_ts: str,
        conversation_id: str,
        summary: dict[str, Any],
        state: str,
    ) -> None: ...

    async def set_state(
        self, thread: SlackThread, state: str, agent: str | None
    ) -> SlackThread: ...

    async def latest(self, conversation_id: str) -> SlackThread | None:
        """The thread of the conversation's latest escalation."""
        ...

    async def find(self, channel: str, thread_ts: str) -> SlackThread | None: ...

    async def counts_since(self, since: float) -> dict[str, int]:
        """Parent messages posted since `since`, by the state they show now."""
        ...

    async def close(self) -> None: ...


class SqliteSlackThreads:
    """Small indexed reads and writes (WAL, no fsync per commit), run inline on the event
    loop."""

    def __init__(self, path: Path) -> None:
        self._db = open_database(path, _SCHEMA, rows=True)
        self._lock = threading.Lock()

    async def close(self) -> None:
        self._db.close()

    async def first_delivery(self, event_id: str) -> bool:
        """True the first time an Events API `event_id` is seen, False for a retry."""
        now = time.time()
        with self._lock, self._db:
            self._db.execute(
                "DELETE FROM slack_events WHERE received_at < ?", (now - EVENT_MEMORY_S,)
            )
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO slack_events VALUES (?, ?)", (event_id, now)
            )
            return cursor.rowcount == 1

    async def posted(
        self,
        channel: str,
        thread_ts: str,
        conversation_id: str,
        summary: dict[str, Any],
        state: str,
    ) -> None:
        now = time.time()
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO slack_threads VALUES (?, ?, ?, ?, ?, NULL, ?, ?)",
                (channel, thread_ts, conversation_id, summary_json(summary), state, now, now),
            )

    async def set_state(self, thread: SlackThread, state: str, agent: str | None) -> SlackThread:
        with self._lock, self._db:
            self._db.execute(
                "UPDATE slack_threads SET state = ?, agent = ?, updated_at = ? "
                "WHERE channel = ? AND thread_ts = ?",
                (state, agent, time.time(), thread.channel, thread.thread_ts),
            )
        return replace(thread, state=state, agent=agent)

    async def latest(self, conversation_id: str) -> SlackThread | None:
        """The thread of the conversation's latest escalation."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM slack_threads WHERE conversation_id = ? "
                "ORDER BY posted_at DESC LIMIT 1",
                (conversation_id,),
            ).fetchone()
        return thread_of(row) if row else None

    async def find(self, channel: str, thread_ts: str) -> SlackThread | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM slack_threads WHERE channel = ? AND thread_ts = ?",
                (channel, thread_ts),
            ).fetchone()
        return thread_of(row) if row else None

    async def counts_since(self, since: float) -> dict[str, int]:
        """Parent messages posted since `since`, by the state they show now."""
        with self._lock:
            rows = self._db.execute(
                "SELECT state, COUNT(*) FROM slack_threads WHERE posted_at >= ? GROUP BY state",
                (since,),
            ).fetchall()
        return {str(state): int(count) for state, count in rows}


def summary_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, ensure_ascii=False)


def thread_of(row: Any) -> SlackThread:
    """A stored row (SQLite's or asyncpg's, by column name) as a `SlackThread`."""
    values = dict(row)
    values["summary"] = json.loads(values["summary"])
    values.pop("updated_at")
    return SlackThread(**values)
