"""Opening a SQLite database the way every store of the service wants it."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_database(
    path: Path, schema: str = "", rows: bool = False, any_thread: bool = True
) -> sqlite3.Connection:
    """The folder made, WAL journal (readers never wait for the writer), NORMAL sync (safe
    with WAL), a busy timeout (a second process waits rather than fails), the schema applied.

    `rows`: rows come back as `sqlite3.Row`. `any_thread`: the connection may be used from
    threads other than this one (each store serialises its own writes).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, check_same_thread=not any_thread, timeout=10.0)
    if rows:
        connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    if schema:
        connection.executescript(schema)
    return connection
