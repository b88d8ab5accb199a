"""The sandbox's persistent state: one SQLite file in its own folder.

Users, documents with their attachment files, workflow requests with their
main-table fields and logs, and DocService sessions. One connection per call,
one lock for writers: the sandbox is a test double, not a load target.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

__all__ = ["Store"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, loginid TEXT UNIQUE NOT NULL, password TEXT NOT NULL,
    name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, subject TEXT NOT NULL, keyword TEXT,
    content TEXT, creator INTEGER NOT NULL, seccategory INTEGER, created TEXT NOT NULL,
    modified TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY AUTOINCREMENT, docid INTEGER NOT NULL REFERENCES docs(id),
    filename TEXT NOT NULL, filetype TEXT, content BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT, workflow_id INTEGER NOT NULL,
    name TEXT NOT NULL, creator INTEGER NOT NULL, level INTEGER NOT NULL,
    node_id INTEGER NOT NULL, status TEXT NOT NULL, created TEXT NOT NULL,
    modified TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fields (
    request_id INTEGER NOT NULL REFERENCES requests(id), name TEXT NOT NULL,
    value TEXT, PRIMARY KEY (request_id, name));
CREATE TABLE IF NOT EXISTS logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, request_id INTEGER NOT NULL,
    node_id INTEGER NOT NULL, operator INTEGER NOT NULL, type TEXT NOT NULL,
    remark TEXT, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY, user_id INTEGER NOT NULL, created REAL NOT NULL);
INSERT INTO sqlite_sequence (name, seq) SELECT 'requests', 2966000
    WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'requests');
"""


def now_text() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


class Store:
    """The sandbox database at ``<folder>/ecology.db``."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "ecology.db"
        self._lock = threading.RLock()
        with self.transaction() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One serialised transaction, committed on success."""
        with self._lock:
            connection = sqlite3.connect(self.path, timeout=10)
            connection.row_factory = sqlite3.Row
            try:
                with connection:
                    yield connection
            finally:
                connection.close()

    def query(self, sql: str, *params) -> list[sqlite3.Row]:
        with self.transaction() as db:
            return db.execute(sql, params).fetchall()

    def one(self, sql: str, *params) -> sqlite3.Row | None:
        rows = self.query(sql, *params)
        return rows[0] if rows else None
