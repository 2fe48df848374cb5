# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""A SQLite file in a cache folder that is never trusted to be ours: one that
is not a database, or of another layout, is thrown away and made afresh.
The caches (descriptors, findings) are built on it."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path


class SqliteStore:
    """The connection to `folder/filename`, made on first use, with `tables`
    (CREATE ... IF NOT EXISTS statements) at layout version `schema`."""

    def __init__(self, folder: Path, filename: str, schema: int, tables: str) -> None:
        self.path = folder / filename
        self._schema = schema
        self._tables = tables
        self._db: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection | None:
        """The connection, or None when no usable database can be had (a cache
        that cannot be opened is a cache miss, never an error)."""
        if self._db is not None:
            return self._db
        for attempt in range(2):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # One thread at a time, but not always the one that opened it: the
                # descriptor cache is written by a thread of its own (core/cached_compile.py).
                db = sqlite3.connect(
                    self.path, timeout=30, isolation_level=None, check_same_thread=False
                )
                if db.execute("PRAGMA user_version").fetchone()[0] not in (0, self._schema):
                    raise sqlite3.DatabaseError("another cache layout")
                # Big pages for a new file: a tree's descriptors are tens of
                # megabytes, written in one transaction, then copied from the
                # log into the file; with 4 KiB pages that copy took 0.28 s of
                # googleapis' 0.5 s write, with 64 KiB pages 0.16 s.
                db.execute("PRAGMA page_size=65536")
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(self._tables)
                db.execute(f"PRAGMA user_version={self._schema}")
                self._db = db
                return db
            except (sqlite3.Error, OSError):
                if attempt == 0:
                    self._discard()  # not a database (or not ours): start afresh
        return None

    def _discard(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
