"""Published descriptions in the catalog database, each with its check and how it was made."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Any

from writer.describe import Description

_SCHEMA = """
CREATE TABLE IF NOT EXISTS product_descriptions (
    product_id TEXT NOT NULL,
    language TEXT NOT NULL,
    text TEXT NOT NULL,
    path TEXT NOT NULL,
    backend TEXT NOT NULL,
    version INTEGER NOT NULL,
    grounded INTEGER NOT NULL,
    record TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (product_id, language)
);
"""


@dataclass(frozen=True)
class StoredDescription:
    product_id: str
    language: str
    text: str
    path: str
    backend: str
    version: int
    grounded: bool
    created_at: float
    details: dict[str, Any]  # the full `Description.to_dict()`: check, sentences, timings

    def to_dict(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "language": self.language,
            "text": self.text,
            "path": self.path,
            "backend": self.backend,
            "version": self.version,
            "check": self.details.get("check", {}),
            "sentences": self.details.get("sentences", []),
            "created_at": self.created_at,
        }


class DescriptionStore:
    """One description per product and language; a new one replaces the old."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        """On an open connection to the catalog's database (any thread may use it); the
        table is created if missing."""
        self._db = connection
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def save(self, description: Description) -> None:
        details = description.to_dict()
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO product_descriptions VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    description.product_id,
                    description.language,
                    description.text,
                    description.path,
                    description.backend,
                    description.version,
                    int(bool(description.check.get("grounded"))),
                    json.dumps(details, ensure_ascii=False),
                    time.time(),
                ),
            )

    def close(self) -> None:
        self._db.close()

    def get(self, product_id: str, language: str = "en") -> StoredDescription | None:
        rows = self._select("product_id = ? AND language = ?", (product_id, language))
        return rows[0] if rows else None

    def done(self, version: int, language: str = "en") -> set[str]:
        """Products that already have a description from this writer version (for resuming)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT product_id FROM product_descriptions WHERE version = ? AND language = ?",
                (version, language),
            ).fetchall()
        return {product_id for (product_id,) in rows}

    def all(self, language: str = "en") -> list[StoredDescription]:
        return self._select("language = ? ORDER BY product_id", (language,))

    def _select(self, where: str, values: tuple[str, ...]) -> list[StoredDescription]:
        with self._lock:
            rows = self._db.execute(
                "SELECT product_id, language, text, path, backend, version, grounded, created_at,"
                f" record FROM product_descriptions WHERE {where}",
                values,
            ).fetchall()
        return [
            StoredDescription(pid, lang, text, path, backend, version, bool(grounded), created,
                              json.loads(record))
            for pid, lang, text, path, backend, version, grounded, created, record in rows
        ]  # fmt: skip
