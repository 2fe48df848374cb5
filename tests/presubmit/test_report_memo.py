# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""A kept report is printed only for a run over the very same inputs, and
only as it was printed; a row that is not exactly one is never printed."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

import pytest

from presubmit import findings_cache
from presubmit import report_memo
from presubmit import runner
from presubmit.context import RuleContext
from presubmit.finding import Finding
from presubmit.rule import Rule
from tests.presubmit.helpers import cold_lint
from tests.presubmit.helpers import lint
from tests.presubmit.helpers import write_tree
from tests.presubmit.test_incremental import googleapis_like


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files whose findings rows a run decoded."""
    names: list[str] = []
    real = findings_cache.decode_file

    def spy(value: object, name: str, *args: object) -> object:
        names.append(name)
        return real(value, name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(findings_cache, "decode_file", spy)
    return names


def _rows(root: Path) -> sqlite3.Connection:
    cache = runner.cache_for(root.resolve())
    assert cache is not None
    return sqlite3.connect(cache / findings_cache.FILENAME)


def _report_keys(root: Path) -> list[str]:
    """The keys of the rows that are kept reports (they decode as one)."""
    db = _rows(root)
    try:
        rows = db.execute("SELECT key, payload FROM findings").fetchall()
    finally:
        db.close()
    return [k for k, p in rows if report_memo.decode(p) is not None]


def test_a_run_over_the_same_inputs_prints_the_kept_report(tree: Path, decoded: list[str]) -> None:
    write_tree(tree, googleapis_like())
    cold = cold_lint(tree, "--format", "json")
    assert cold.code == 1
    decoded.clear()
    again = lint(tree, "--format", "json")
    assert (again.code, again.out, again.err) == (cold.code, cold.out, cold.err)
    assert decoded == []  # no row of a file was read


@pytest.mark.parametrize(
    "change",
    ["edit", "config", "format", "list_ignored", "rules"],
)
def test_any_input_of_the_report_changing_prints_a_fresh_one(
    tree: Path, decoded: list[str], change: str
) -> None:
    write_tree(tree, googleapis_like())
    argv = ["--format", "json"]
    lint(tree, *argv)
    before = lint(tree, *argv)
    if change == "edit":
        leaf = tree / "acme/cloud/p1/v1/thing.proto"
        leaf.write_text(leaf.read_text().replace("Next ID: 3", "Next ID: 4"))
    elif change == "config":
        (tree / "presubmit.toml").write_text('disable = ["NEXT_ID"]\n')
    elif change == "format":
        argv = ["--format", "text"]
    elif change == "list_ignored":
        argv.append("--list-ignored")
    else:
        argv += ["--rules", "NEXT_ID"]
    decoded.clear()
    after = lint(tree, *argv)
    expected = cold_lint(tree, *argv)
    assert (after.code, after.out, after.err) == (expected.code, expected.out, expected.err)
    assert after.code == 1 and after.out != before.out
    if change in ("format", "list_ignored"):
        assert decoded  # the rows were read and the report made again


@pytest.mark.parametrize(
    "payload",
    [
        b"not zlib",
        zlib.compress(b"not json"),
        zlib.compress(b'{"code": 1}'),
        zlib.compress(b'{"code": 7, "text": "x"}'),
        zlib.compress(b'{"code": true, "text": "x"}'),
        zlib.compress(b'{"code": 0, "text": 5}'),
        zlib.compress(b'{"code": 0, "text": "x", "more": 1}'),
        zlib.compress(b'{"code": 0, "text": "' + b"x" * 64 + b'"}')[:-3],  # cut short
    ],
)
def test_a_kept_report_that_is_not_one_is_never_printed(tree: Path, payload: bytes) -> None:
    write_tree(tree, googleapis_like())
    cold = cold_lint(tree, "--format", "json")
    lint(tree, "--format", "json")
    (key,) = _report_keys(tree)
    db = _rows(tree)
    with db:
        digest = findings_cache._digest(key, payload)
        db.execute(
            "UPDATE findings SET digest = ?, payload = ? WHERE key = ?", (digest, payload, key)
        )
    db.close()
    again = lint(tree, "--format", "json")
    assert (again.code, again.out) == (cold.code, cold.out)


def test_a_kept_report_whose_hash_does_not_match_is_never_printed(tree: Path) -> None:
    write_tree(tree, googleapis_like())
    cold = cold_lint(tree, "--format", "json")
    (key,) = _report_keys(tree)
    forged = report_memo.encode("[]\n", 0)
    db = _rows(tree)
    with db:
        db.execute("UPDATE findings SET payload = ? WHERE key = ?", (forged, key))
    db.close()
    again = lint(tree, "--format", "json")
    assert (again.code, again.out) == (cold.code, cold.out)


def test_a_run_with_a_warning_keeps_no_report(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = Rule.run

    def warned(self: Rule, ctx: RuleContext) -> list[Finding]:
        if self.id == "NEXT_ID":
            ctx.warnings.append("NEXT_ID: a file it could not check")
        return real(self, ctx)

    monkeypatch.setattr(Rule, "run", warned)
    write_tree(tree, googleapis_like())
    cold_lint(tree, "--format", "json")
    assert _report_keys(tree) == []
    again = lint(tree, "--format", "json")
    assert "warning: NEXT_ID: a file it could not check" in again.err


def test_a_report_is_kept_for_the_last_form_only(tree: Path) -> None:
    write_tree(tree, googleapis_like())
    cold_lint(tree, "--format", "json")
    (json_key,) = _report_keys(tree)
    text = lint(tree, "--format", "text")
    (text_key,) = _report_keys(tree)  # a run over the whole tree drops the others
    assert text_key != json_key
    assert lint(tree, "--format", "text").out == text.out


def test_a_run_over_some_paths_keeps_no_report(tree: Path) -> None:
    write_tree(tree, googleapis_like())
    cold_lint(tree, "--format", "json")
    (whole,) = _report_keys(tree)
    some = lint(tree, "--format", "json", "acme/cloud/p1")
    assert _report_keys(tree) == [whole]
    assert lint(tree, "--format", "json", "acme/cloud/p1").out == some.out
