"""Published descriptions, each with its check and how it was made.

`DescriptionStore` is what the writer service reads and writes: SQLite in the catalog's
database by default; with `database_url` set the app hands it
`bot.descriptions_postgres.PostgresDescriptionStore` instead, so a description written or
regenerated at one instance is the one every instance serves.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

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

# the columns every backend reads, in the order `StoredDescription.from_row` takes them
COLUMNS = "product_id, language, text, path, backend, version, grounded, created_at, record"


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

    @classmethod
    def from_row(cls, row: Any) -> StoredDescription:
        """From `COLUMNS` of either backend (a tuple, an `asyncpg.Record`)."""
        pid, lang, text, path, backend, version, grounded, created, record = tuple(row)
        return cls(pid, lang, text, path, backend, version, bool(grounded), created,
                   json.loads(record))  # fmt: skip

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


def columns(description: Description) -> tuple[Any, ...]:
    """The description as the table's columns up to `created_at`, in the table's order."""
    return (
        description.product_id,
        description.language,
        description.text,
        description.path,
        description.backend,
        description.version,
        bool(description.check.get("grounded")),
        json.dumps(description.to_dict(), ensure_ascii=False),
    )


class DescriptionStore(Protocol):
    """One description per product and language, a new one replacing the old; every call may
    raise what its backend raises when away."""

    async def save(self, description: Description) -> StoredDescription:
        """Store it in place of any before it; what is now stored."""
        ...

    async def get(self, product_id: str, language: str = "en") -> StoredDescription | None: ...

    async def done(self, version: int, language: str = "en") -> set[str]:
        """Products that already have a description from this writer version (for resuming)."""
        ...

    async def all(self, language: str = "en") -> list[StoredDescription]:
        """By product id."""
        ...

    async def close(self) -> None: ...


class SqliteDescriptionStore:
    """`product_descriptions` in the catalog's database; each call one quick statement, run
    inline."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        """On an open connection to the catalog's database (any thread may use it); the
        table is created if missing."""
        self._db = connection
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    async def save(self, description: Description) -> StoredDescription:
        *values, record = columns(description)
        row = (*values, time.time(), record)
        with self._lock, self._db:
            self._db.execute(
                f"INSERT OR REPLACE INTO product_descriptions ({COLUMNS}) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
                row,
            )
        return StoredDescription.from_row(row)

    async def close(self) -> None:
        self._db.close()

    async def get(self, product_id: str, language: str = "en") -> StoredDescription | None:
        rows = self._select("product_id = ? AND language = ?", (product_id, language))
        return rows[0] if rows else None

    async def done(self, version: int, language: str = "en") -> set[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT product_id FROM product_descriptions WHERE version = ? AND language = ?",
                (version, language),
            ).fetchall()
        return {product_id for (product_id,) in rows}

    async def all(self, language: str = "en") -> list[StoredDescription]:
        return self._select("language = ? ORDER BY product_id", (language,))

    def _select(self, where: str, values: tuple[str, ...]) -> list[StoredDescription]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {COLUMNS} FROM product_descriptions WHERE {where}", values
            ).fetchall()
        return [StoredDescription.from_row(row) for row in rows]
