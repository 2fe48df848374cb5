# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The findings cache: each file's findings, and each package's, from an earlier run.

A file's row is keyed on its descriptor key (its content and, transitively,
its imports'), the rules selected, the whole config and the suite's own
identity (the code of presubmit/ and core/, protoc, Python and protobuf):
a file whose row is found is neither parsed nor checked. A package's row
(rules whose findings follow from one package's files) is keyed on its
files' keys. Rows live beside the descriptors, in `findings.sqlite`.

Everything read here is input: a row carries sha256(key, payload), and its
payload is read whole and checked (its shape, each finding's rule among
those that could report it, its path the file's own or one of the
package's, its line inside the file) before use; a row that fails is
ignored, and the next write replaces it. As for the descriptor cache, the
hash catches damage, not a row rewritten on purpose by whoever controls
`.cache`: such rows can mislead this lint's verdict, never a file of the
tree. Runs that judge the tree for others (the build's lint, the commit
queue, --fix) read no row. Writes are best effort and one transaction.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import sqlite3
import sys
from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import fields
from pathlib import Path

import core
from core import cached_compile
from core.sqlite_store import SqliteStore
from presubmit.config import Config
from presubmit.finding import Finding

# Bump when the layout of the database or of a payload changes.
SCHEMA = 1
FILENAME = "findings.sqlite"
# No row of a hand-written tree comes near this: a bigger one is not ours.
MAX_PAYLOAD = 8 * 1024 * 1024
_TABLE = "CREATE TABLE IF NOT EXISTS findings (key TEXT PRIMARY KEY, digest BLOB, payload BLOB)"


@functools.cache
def code_identity() -> str:
    """What decides findings besides the inputs and the config: the suite's code
    (every source file of presubmit/ and core/), protoc, Python and protobuf."""
    h = hashlib.sha256()
    for package in (Path(__file__).parent, Path(core.__file__).parent):
        for path in sorted(package.rglob("*.py")):
            h.update(f"{path.relative_to(package.parent).as_posix()}\0".encode())
            h.update(path.read_bytes() + b"\0")
    try:
        protobuf = importlib.metadata.version("protobuf")
    except importlib.metadata.PackageNotFoundError:
        protobuf = "unknown"
    h.update(f"{cached_compile.protoc_version()}\0{sys.version}\0{protobuf}".encode())
    return h.hexdigest()


def _plain(value: object) -> object:
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}  # type: ignore[arg-type]
    return value


def fingerprint(config: Config, rules: Collection[str], explicit: bool) -> str:
    """The part of every key that is not a file: code, config, rules selected.

    The whole config is in it (each rule's settings, per-tree toggles, whether
    the tree has a presubmit.toml at all): any change to it renews every row."""
    described = {
        "code": code_identity(),
        "config": _plain(config),
        "settings": _plain(dict(config.settings)),
        "foreign": config.foreign,
        "rules": list(rules),
        "explicit": explicit,
    }
    return _sha(json.dumps(described, sort_keys=True, default=str).encode())


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_key(fingerprint: str, descriptor_key: str) -> str:
    return _sha(f"file\0{fingerprint}\0{descriptor_key}".encode())


def package_key(fingerprint: str, package: str, members: Iterable[tuple[str, str]]) -> str:
    """A package's key: its name and each file's (name, file key)."""
    parts = [f"{name}\0{key}" for name, key in sorted(members)]
    return _sha("\0".join(["package", fingerprint, package, *parts]).encode())


# --- payloads ---------------------------------------------------------------


@dataclass(frozen=True)
class FileRow:
    """A file's cached findings (suppression already applied) and its package."""

    package: str
    findings: tuple[Finding, ...]


def _finding_fields(f: Finding) -> list[object]:
    return [f.line, f.column, f.rule, f.message, f.element, f.suppressed]


def encode_file(package: str, findings: Iterable[Finding]) -> bytes:
    items = [_finding_fields(f) for f in findings]
    return _dump({"package": package, "findings": items})


def encode_package(findings: Iterable[Finding]) -> bytes:
    items = [[f.path, *_finding_fields(f)] for f in findings]
    return _dump({"findings": items})


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31


def _finding(path: str, item: object, rules: Collection[str], lines: int) -> Finding | None:
    if not isinstance(item, list) or len(item) != 6:
        return None
    line, column, rule, message, element, suppressed = item
    if not (_count(line) and _count(column) and line <= lines):
        return None
    if not (isinstance(rule, str) and rule in rules):
        return None
    if not (isinstance(message, str) and isinstance(element, str)):
        return None
    if not isinstance(suppressed, bool):
        return None
    return Finding(
        path=path,
        line=line,
        column=column,
        rule=rule,
        message=message,
        element=element,
        suppressed=suppressed,
    )


def _load(payload: bytes) -> object:
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return None


def _dump(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def parse_all(payloads: Sequence[bytes]) -> list[object]:
    """Each payload's JSON value (None for one that is not JSON), each parsed
    on its own: one parse of them all joined took longer, counting the check
    that no payload had split or joined across the commas."""
    return [_load(payload) for payload in payloads]


def decode_file(value: object, name: str, rules: Collection[str], lines: int) -> FileRow | None:
    """The row of file `name` (of `lines` lines) whose findings come from
    `rules`, or None if `value` (a parsed payload) is not exactly such a row."""
    if not isinstance(value, dict) or set(value) != {"package", "findings"}:
        return None
    package, items = value["package"], value["findings"]
    if not isinstance(package, str) or not isinstance(items, list):
        return None
    found: list[Finding] = []
    for item in items:
        f = _finding(name, item, rules, lines)
        if f is None:
            return None
        found.append(f)
    return FileRow(package, tuple(found))


def decode_package(
    payload: bytes, lines: Mapping[str, int], rules: Collection[str]
) -> tuple[Finding, ...] | None:
    """A package's findings, each on one of its files (`lines`: their line
    counts) from one of `rules`, or None if the payload is not exactly that."""
    value = _load(payload)
    if not isinstance(value, dict) or set(value) != {"findings"}:
        return None
    if not isinstance(value["findings"], list):
        return None
    found: list[Finding] = []
    for item in value["findings"]:
        if not isinstance(item, list) or not item or item[0] not in lines:
            return None
        f = _finding(item[0], item[1:], rules, lines[item[0]])
        if f is None:
            return None
        found.append(f)
    return tuple(found)


# --- the database -----------------------------------------------------------


def _digest(key: str, payload: bytes) -> bytes:
    return hashlib.sha256(key.encode() + b"\0" + payload).digest()


class FindingsCache(SqliteStore):
    """Payloads by key, in `findings.sqlite` of a cache folder."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder, FILENAME, SCHEMA, _TABLE)

    def get(self, key: str) -> bytes | None:
        """One stored payload that matches its hash, or None."""
        db = self._connect()
        if db is None:
            return None
        try:
            query = "SELECT digest, payload FROM findings WHERE key = ?"
            row = db.execute(query, (key,)).fetchone()
        except sqlite3.Error:
            return None
        if row is None or not isinstance(row[1], bytes) or len(row[1]) > MAX_PAYLOAD:
            return None
        return row[1] if _digest(key, row[1]) == row[0] else None

    def read_all(self) -> dict[str, bytes]:
        """Every stored payload that matches its hash, by key (one scan: the
        table holds about one tree's rows, write() drops the rest)."""
        db = self._connect()
        if db is None:
            return {}
        found: dict[str, bytes] = {}
        try:
            for key, digest, payload in db.execute("SELECT key, digest, payload FROM findings"):
                if not isinstance(key, str) or not isinstance(payload, bytes):
                    continue
                if len(payload) <= MAX_PAYLOAD and _digest(key, payload) == digest:
                    found[key] = payload
        except sqlite3.Error:
            return {}
        return found

    def write(self, rows: Mapping[str, bytes], live: Collection[str] | None) -> None:
        """Store `rows`; with `live`, drop every other row not in it; one transaction."""
        db = self._connect()
        if db is None:
            return
        try:
            with db:
                db.execute("BEGIN IMMEDIATE")
                db.executemany(
                    "INSERT OR REPLACE INTO findings VALUES (?, ?, ?)",
                    ((k, _digest(k, v), v) for k, v in sorted(rows.items())),
                )
                if live is not None:
                    db.execute("CREATE TEMP TABLE IF NOT EXISTS live (key TEXT PRIMARY KEY)")
                    db.execute("DELETE FROM live")
                    keep = set(live) | set(rows)
                    db.executemany("INSERT OR IGNORE INTO live VALUES (?)", ((k,) for k in keep))
                    db.execute("DELETE FROM findings WHERE key NOT IN (SELECT key FROM live)")
        except sqlite3.Error:
            pass
