# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The suite's function API: options in, a Result out; a shared compile is used as given."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from core import cached_compile as compiler
from core import lock
from core.layout import REPO
from presubmit import runner
from presubmit.finding import Finding
from presubmit.options import LintOptions
from tests.presubmit.helpers import write_tree

STALE = (
    'syntax = "proto3";\n\npackage acme.a.v1;\n\n// Next ID: 1\nmessage A {\n  string a = 1;\n}\n'
)


def _tree(tree: Path, count: int) -> None:
    files: dict[str, str] = {}
    for i in range(count):
        dep = f'import "p{i - 1}.proto";\n\n' if i else ""
        files[f"p{i}.proto"] = (
            f'syntax = "proto3";\n\npackage acme.p.v1;\n\n{dep}'
            f"// Next ID: {1 if i % 2 else 2}\nmessage M{i} {{\n  string a = 1;\n}}\n"
            f"// S{i}.\nservice S{i} {{}}\n"
        )
    write_tree(tree, files)


# The runner's mechanics are shown on one rule, named: no other rule's findings in the way.
NEXT_ID = ("NEXT_ID",)


def test_lint_returns_findings_without_printing(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tree, {"a.proto": STALE})
    result = runner.lint(LintOptions(root=tree, rules=NEXT_ID))
    assert [(f.rule, f.path, f.line) for f in result.active] == [("NEXT_ID", "a.proto", 5)]
    assert result.files == 1
    assert capsys.readouterr() == ("", "")


def test_a_given_compile_is_used_instead_of_compiling(tree: Path) -> None:
    write_tree(tree, {"a.proto": STALE})
    compiled = compiler.compile_files(tree, ["a.proto"])
    # Change the file on disk: the findings still come from the given compile.
    (tree / "a.proto").write_text(STALE.replace("Next ID: 1", "Next ID: 2"), encoding="utf-8")
    result = runner.lint(LintOptions(root=tree, rules=NEXT_ID), compiled=compiled)
    assert [f.rule for f in result.active] == ["NEXT_ID"]
    assert runner.lint(LintOptions(root=tree, rules=NEXT_ID)).active == []


def test_a_compile_lacking_a_target_is_an_error(tree: Path) -> None:
    write_tree(tree, {"a.proto": STALE})
    compiled = compiler.compile_files(tree, ["a.proto"])
    write_tree(tree, {"b.proto": STALE.replace("acme.a", "acme.b")})
    with pytest.raises(runner.LintError, match=r"`protos` takes in 1 \.proto file\(s\) outside"):
        runner.lint(LintOptions(root=tree), compiled=compiled)


def test_findings_do_not_depend_on_batching(tree: Path) -> None:
    _tree(tree, 70)
    one = runner.lint(LintOptions(root=tree, jobs=1)).findings
    # A fresh tree path, so nothing comes from the cache the first run filled.
    other = tree.parent / "again"
    _tree(other, 70)
    two = runner.lint(LintOptions(root=other, jobs=2)).findings
    assert one == two
    # A cross-file rule across batches: every service after the first in one package.
    assert sum(f.rule == "ONE_SERVICE_PER_PACKAGE" for f in two) == 69
    assert sum(f.rule == "NEXT_ID" for f in two) == 35


def test_fix_then_lint_again(tree: Path) -> None:
    write_tree(tree, {"a.proto": STALE})
    result = runner.lint(LintOptions(root=tree, fix=True, rules=NEXT_ID))
    assert result.fixed == ["a.proto"]
    assert result.active == []
    assert "// Next ID: 2" in (tree / "a.proto").read_text(encoding="utf-8")


def test_fix_on_this_repo_holds_the_builds_lock_nested_in_a_build_without_waiting() -> None:
    # The repo, or a tree inside it (`--root turboci`): the build's lock.
    for root in (REPO.root, REPO.root / "turboci"):
        with runner.writer_lock(root, say=pytest.fail):
            assert lock.is_held(REPO)
            assert lock.path(REPO).read_text() == f"pid {os.getpid()}, python -m presubmit --fix"
        assert not lock.is_held(REPO)
    with (
        lock.held(REPO, "lint", on_wait=pytest.fail),
        runner.writer_lock(REPO.root, say=pytest.fail),
    ):
        assert lock.path(REPO).read_text() == f"pid {os.getpid()}, lint"


def test_fix_on_a_foreign_tree_waits_for_a_holder_of_its_folder(tree: Path) -> None:
    write_tree(tree, {"a.proto": STALE})
    fd = os.open(tree, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    said: list[str] = []

    def say(line: str) -> None:
        said.append(line)
        os.close(fd)  # the holder finishes

    result = runner.lint(LintOptions(root=tree, fix=True), say=say)
    assert said == ["waiting for another writer (pid unknown) to finish"]
    assert result.fixed == ["a.proto"]
    assert sorted(p.name for p in tree.iterdir()) == ["a.proto"]


def test_a_plain_lint_takes_no_lock(tree: Path) -> None:
    write_tree(tree, {"a.proto": STALE})
    fd = os.open(tree, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert [
            f.rule
            for f in runner.lint(LintOptions(root=tree, rules=NEXT_ID), say=pytest.fail).active
        ] == ["NEXT_ID"]
    finally:
        os.close(fd)


def _by_file(findings: list[Finding]) -> dict[str, list[tuple[str, int, int, str]]]:
    out: dict[str, list[tuple[str, int, int, str]]] = {}
    for f in findings:
        out.setdefault(f.path, []).append((f.rule, f.line, f.column, f.message))
    return out


@pytest.mark.slow  # a lint run per proto of this repo
def test_a_file_linted_alone_gets_what_the_whole_tree_run_says_of_it() -> None:
    # The pre-commit hook hands over only the changed files: no rule's
    # answer on a file may depend on which other files were named (the
    # declaration of the data option, say, is in an imported file).
    whole = _by_file(runner.lint(LintOptions()).findings)
    protos = sorted(
        p.relative_to(REPO.root).as_posix() for p in (REPO.root / "turboci").rglob("*.proto")
    )
    assert len(protos) > 10
    for proto in protos:
        alone = _by_file(runner.lint(LintOptions(paths=(proto,))).findings)
        assert alone.get(proto, []) == whole.get(proto, []), proto


@pytest.mark.parametrize("shared", [False, True])
def test_max_file_bytes_holds_with_and_without_a_shared_compile(tree: Path, shared: bool) -> None:
    # ./build.py lint hands the suite the build's compile; python -m presubmit
    # compiles itself: both refuse a file over the config's limit.
    write_tree(tree, {"presubmit.toml": "max_file_bytes = 40\n", "a.proto": STALE})
    compiled = compiler.compile_files(tree, ["a.proto"]) if shared else None
    with pytest.raises(runner.LintError) as info:
        runner.lint(LintOptions(root=tree), compiled=compiled)
    assert info.value.lines == [
        f"a.proto:1:1: file is {len(STALE)} bytes, over the 40-byte limit for a hand-written .proto"
    ]
