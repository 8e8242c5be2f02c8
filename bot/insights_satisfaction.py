"""Shoppers' 👍/👎 after a handoff is resolved or a conversation goes quiet: one vote per
conversation (a later tap replaces it), an optional comment. `SHOPBOT_HOME/satisfaction.db`.
Comments may hold personal data: they are stored, never logged, and the dashboard shows
counts only."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from actions.database import open_database

VOTES = ("up", "down")
ASKED_AFTER = ("handoff", "quiet")
MAX_COMMENT_CHARS = 500
_SCHEMA = """
CREATE TABLE IF NOT EXISTS satisfaction (
    conversation_id TEXT PRIMARY KEY,
    vote TEXT NOT NULL,
    comment TEXT,
    asked_after TEXT NOT NULL,
    voted_at REAL NOT NULL
);
"""


class SatisfactionStore:
    def __init__(self, path: Path) -> None:
        self._db = open_database(path, _SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def vote(
        self, conversation_id: str, vote: str, asked_after: str, comment: str | None = None
    ) -> None:
        """The conversation's vote, replacing an earlier one; a comment is kept unless the
        new tap brings none."""
        if vote not in VOTES or asked_after not in ASKED_AFTER:
            raise ValueError("vote: up or down; asked_after: handoff or quiet")
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO satisfaction VALUES (?, ?, ?, ?, ?) ON CONFLICT (conversation_id)"
                " DO UPDATE SET vote = excluded.vote, asked_after = excluded.asked_after,"
                " comment = coalesce(excluded.comment, comment), voted_at = excluded.voted_at",
                (conversation_id, vote, comment, asked_after, time.time()),
            )

    def counts(self, since: float) -> dict[str, int]:
        """Votes since `since`: up, down, and how many came with a comment."""
        with self._lock:
            row: sqlite3.Row = self._db.execute(
                "SELECT sum(vote = 'up'), sum(vote = 'down'), sum(comment IS NOT NULL)"
                " FROM satisfaction WHERE voted_at >= ?",
                (since,),
            ).fetchone()
        return {"up": int(row[0] or 0), "down": int(row[1] or 0), "comments": int(row[2] or 0)}
