# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The descriptor cache: one FileDescriptorProto per key, in one SQLite file.

SQLite, because a big tree has thousands of files: one file per entry costs
more in file creation than the compile saves, while one database takes them
all in one transaction. It is also safe under concurrent runs (SQLite's own
locking, a write-ahead log so readers never wait for a writer).

Every row carries a hash of its payload: a row that does not match, like a
database file that is not one, is dropped and rebuilt. The hash catches
damage, not a row rewritten on purpose: what the compiler takes from here,
and for what, is said in core/cached_compile.py. All
writes are best effort: a cache that cannot be written (a read-only
checkout, a full disk) costs speed, never the compile.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path

from google.protobuf import descriptor_pb2
from google.protobuf.message import DecodeError

from core.sqlite_store import SqliteStore

FileProto = descriptor_pb2.FileDescriptorProto
# Bump when the layout of the database changes: an old file is then rebuilt.
SCHEMA = 1
_TABLES = """
CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, digest BLOB, payload BLOB);
CREATE TABLE IF NOT EXISTS imports (content TEXT PRIMARY KEY, names TEXT);
"""


def _import_name(name: object) -> bool:
    """Whether `name` can be what a .proto imports: a relative path that stays
    below its include folder. A list naming anything else (`/dev/zero`,
    `../../x`) was not written by the compiler and is ignored."""
    if not isinstance(name, str) or not name.endswith(".proto") or "\\" in name:
        return False
    parts = name.split("/")
    return not name.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def _parsed(rows: list[tuple[object, object]]) -> Iterator[tuple[str, object]]:
    """Each row's content hash and its names parsed, each row on its own (one
    parse of them all joined took longer, counting the check that no row
    had split or joined across the commas); a row that is not JSON is left out."""
    for content, names in rows:
        if isinstance(content, str) and isinstance(names, str):
            try:
                yield content, json.loads(names)
            except ValueError:
                continue


class DescriptorCache(SqliteStore):
    """Descriptors by cache key, and the imports of a file by its content hash."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder, "descriptors.sqlite", SCHEMA, _TABLES)
        self._writing = False

    def get(self, key: str) -> FileProto | None:
        payload = self.get_payload(key)
        if payload is None:
            return None
        try:
            return FileProto.FromString(payload)
        except DecodeError:
            self.drop(key)
            return None

    def get_payload(self, key: str) -> bytes | None:
        """The serialized descriptor of `key`, if stored and matching its hash."""
        db = self._connect()
        if db is None:
            return None
        try:
            row = db.execute("SELECT digest, payload FROM entries WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        digest, payload = row
        if not isinstance(payload, bytes) or hashlib.sha256(payload).digest() != digest:
            self.drop(key)
            return None
        return payload

    def drop(self, key: str) -> None:
        """Forget a row that turned out unusable."""
        db = self._connect()
        if db is not None:
            with contextlib.suppress(sqlite3.Error):
                db.execute("DELETE FROM entries WHERE key = ?", (key,))

    def begin(self) -> bool:
        """Open the one write transaction of a compile; False when the cache
        cannot be written (then begin() again is needed before put())."""
        db = self._connect()
        if db is None:
            return False
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error:
            return False
        self._writing = True
        return True

    def put(self, entries: Iterable[tuple[str, bytes]]) -> None:
        """Store serialized descriptors by key, in the open transaction."""
        db = self._db
        if db is None or not self._writing:
            return
        rows = ((key, hashlib.sha256(payload).digest(), payload) for key, payload in entries)
        try:
            db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", rows)
        except sqlite3.Error:
            self.rollback()

    def commit(self, imports: Mapping[str, list[str]], live: set[str]) -> None:
        """Replace the import lists with `imports` (those of the current
        files), drop every entry whose key is not in `live` (old versions of
        edited files), and commit the transaction."""
        db = self._db
        if db is None or not self._writing:
            return
        try:
            db.execute("DELETE FROM imports")
            db.executemany(
                "INSERT INTO imports VALUES (?, ?)",
                ((k, json.dumps(v)) for k, v in sorted(imports.items())),
            )
            db.execute("CREATE TEMP TABLE IF NOT EXISTS live (key TEXT PRIMARY KEY)")
            db.execute("DELETE FROM live")
            db.executemany("INSERT OR IGNORE INTO live VALUES (?)", ((k,) for k in live))
            db.execute("DELETE FROM entries WHERE key NOT IN (SELECT key FROM live)")
            db.execute("COMMIT")
            self._writing = False
        except sqlite3.Error:
            self.rollback()

    def rollback(self) -> None:
        """Drop what the open transaction wrote: the old rows stay."""
        if self._db is not None and self._writing:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
        self._writing = False

    def imports_of(self) -> dict[str, list[str]]:
        """Content hash -> the imports a file with that content names."""
        db = self._connect()
        if db is None:
            return {}
        try:
            rows = db.execute("SELECT content, names FROM imports").fetchall()
        except sqlite3.Error:
            return {}
        found: dict[str, list[str]] = {}
        good: dict[str, bool] = {}  # a name is checked once, however many files import it
        for content, value in _parsed(rows):
            if not isinstance(value, list):
                continue
            for n in value:
                if not isinstance(n, str):
                    break  # a number, a list, an object: not a name
                if n not in good:
                    good[n] = _import_name(n)
                if not good[n]:
                    break
            else:
                found[content] = value
        return found
