# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The findings cache is input: a row that is damaged or not what the suite
writes is ignored (the file is checked again), never reported."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from presubmit import findings_cache
from presubmit import report_memo
from presubmit import runner
from presubmit.finding import Finding
from tests.presubmit.helpers import Outcome
from tests.presubmit.helpers import lint
from tests.presubmit.helpers import write_tree

# The rules these tests run, named so that a rule added later is not in
# their way: a file rule and the tree-scoped one, whose rows are per package.
RULES = ("--rules", "NEXT_ID,ONE_SERVICE_PER_PACKAGE")

A = """\
syntax = "proto3";
package acme.a.v1;
// Next ID: 5
message A {
  string x = 1;
}
"""


def _db(tree: Path) -> Path:
    cache = runner.cache_for(tree.resolve())
    assert cache is not None
    return cache / findings_cache.FILENAME


def _rewrite(tree: Path, change: Callable[[str, bytes], bytes | None]) -> int:
    """Replace every row's payload by change(key, payload), its hash made to
    match (as anyone who controls .cache can); None keeps the old hash. A
    kept report (presubmit/report_memo.py) is removed: the next run reads
    the rows."""
    db = sqlite3.connect(_db(tree))
    n = 0
    with db:
        for key, payload in db.execute("SELECT key, payload FROM findings").fetchall():
            if report_memo.decode(payload) is not None:
                db.execute("DELETE FROM findings WHERE key = ?", (key,))
                continue
            new = change(key, payload)
            if new is None:
                db.execute("UPDATE findings SET payload = ? WHERE key = ?", (payload + b" ", key))
            else:
                digest = hashlib.sha256(key.encode() + b"\0" + new).digest()
                db.execute(
                    "UPDATE findings SET digest = ?, payload = ? WHERE key = ?", (digest, new, key)
                )
            n += 1
    db.close()
    return n


def _fresh(tree: Path) -> Outcome:
    cache = runner.cache_for(tree.resolve())
    assert cache is not None
    shutil.rmtree(cache, ignore_errors=True)
    return lint(tree, *RULES, "--format", "json")


def _with_finding(item: list[object]) -> Callable[[str, bytes], bytes]:
    def change(_key: str, payload: bytes) -> bytes:
        value = json.loads(payload)
        if "package" in value:
            value["findings"] = [item]
        return json.dumps(value).encode()

    return change


HOSTILE: dict[str, Callable[[str, bytes], bytes | None]] = {
    "a payload that does not match its hash": lambda _k, _p: None,
    "not JSON": lambda _k, _p: b"\xff\xfe not json",
    "JSON of another shape": lambda _k, _p: b'{"package": "acme.a.v1"}',
    "a finding of a rule that is not on": _with_finding([2, 1, "GO_PACKAGE", "m", "e", False]),
    "a finding of an unknown rule": _with_finding([2, 1, "NO_SUCH_RULE", "m", "e", False]),
    "a finding past the file's last line": _with_finding([999, 1, "NEXT_ID", "m", "e", False]),
    "a line that is not a number": _with_finding(["2", 1, "NEXT_ID", "m", "e", False]),
    "a negative column": _with_finding([2, -1, "NEXT_ID", "m", "e", False]),
    "a message that is not text": _with_finding([2, 1, "NEXT_ID", ["m"], "e", False]),
    "suppressed that is not true or false": _with_finding([2, 1, "NEXT_ID", "m", "e", 1]),
    "a finding of seven fields": _with_finding([2, 1, "NEXT_ID", "m", "e", False, "x"]),
    "a huge payload": lambda _k, _p: b" " * (findings_cache.MAX_PAYLOAD + 1),
}


# Two lint runs each, twelve times: the quick loop keeps the first case.
@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case, marks=[] if n == 0 else [pytest.mark.slow])
        for n, case in enumerate(sorted(HOSTILE))
    ],
)
def test_a_hostile_row_is_ignored(tree: Path, case: str) -> None:
    write_tree(tree, {"acme/a/v1/a.proto": A})
    first = _fresh(tree)
    assert first.rules() == ["NEXT_ID"]
    assert _rewrite(tree, HOSTILE[case]) >= 1
    again = lint(tree, *RULES, "--format", "json")
    assert (again.code, again.out, again.err) == (first.code, first.out, first.err)
    # ... and the run put a sound row back in its place.
    assert _rewrite(tree, lambda _k, p: p) >= 1
    assert lint(tree, *RULES, "--format", "json").out == first.out


def test_a_row_of_another_file_is_not_taken(tree: Path) -> None:
    """Rows are bound to their key: one moved under another key fails its hash."""
    write_tree(tree, {"acme/a/v1/a.proto": A, "acme/a/v1/b.proto": A.replace("A {", "B {")})
    first = _fresh(tree)
    db = sqlite3.connect(_db(tree))
    with db:
        rows = db.execute("SELECT key, digest, payload FROM findings").fetchall()
        payloads = {key: (digest, payload) for key, digest, payload in rows}
        keys = sorted(payloads)
        for key, other in zip(keys, [*keys[1:], keys[0]], strict=True):
            db.execute(
                "UPDATE findings SET digest = ?, payload = ? WHERE key = ?", (*payloads[other], key)
            )
    db.close()
    again = lint(tree, *RULES, "--format", "json")
    assert again.out == first.out


def test_a_findings_file_that_is_not_a_database_is_rebuilt(tree: Path) -> None:
    write_tree(tree, {"acme/a/v1/a.proto": A})
    first = _fresh(tree)
    _db(tree).write_bytes(b"not a database at all" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{_db(tree)}{suffix}").unlink(missing_ok=True)
    assert lint(tree, *RULES, "--format", "json").out == first.out
    assert sqlite3.connect(_db(tree)).execute("SELECT count(*) FROM findings").fetchone()[0] >= 1


def test_payloads_that_join_across_commas_are_read_one_by_one() -> None:
    """parse_all parses all payloads at once, but never lets one payload's
    text pass for part of another's value."""
    joined = [b'["a"', b'"b"],["c"]']  # together: [["a","b"],["c"]]
    assert findings_cache.parse_all(joined) == [None, None]
    good = [
        findings_cache.encode_file("p", []),
        findings_cache.encode_package([]),
    ]
    assert findings_cache.parse_all([*good, b"x"]) == [
        {"package": "p", "findings": []},
        {"findings": []},
        None,
    ]


def test_a_file_row_round_trips() -> None:
    f = Finding(
        path="a.proto", line=2, column=3, rule="NEXT_ID", message="m", element="e", suppressed=True
    )
    [value] = findings_cache.parse_all([findings_cache.encode_file("pkg", [f])])
    row = findings_cache.decode_file(value, "a.proto", {"NEXT_ID"}, 5)
    assert row is not None
    assert row.package == "pkg" and row.findings == (f,)
    assert row.findings[0].suppressed
    assert findings_cache.decode_file(value, "a.proto", {"NEXT_ID"}, 1) is None  # past the end
    assert findings_cache.decode_file(value, "a.proto", {"GO_PACKAGE"}, 5) is None
