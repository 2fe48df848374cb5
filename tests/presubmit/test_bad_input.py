# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Bad input: one clear line or `path:line:col: message`, exit 2, never a traceback."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.presubmit.helpers import lint
from tests.presubmit.helpers import run_cli
from tests.presubmit.helpers import write_tree

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "dm_graph_seed.proto.txt"
COMPILER_LINE = re.compile(r"^[^\s:]+\.proto(:\d+:\d+)?: \S")
GOOD = 'syntax = "proto3";\n\npackage acme.a.v1;\n\n// Next ID: 1\nmessage A {}\n'


def assert_clean_error(result_err: str, code: int) -> list[str]:
    assert code == 2
    assert "Traceback" not in result_err
    lines = result_err.splitlines()
    assert lines
    for line in lines:
        assert COMPILER_LINE.match(line) or line.startswith("error: "), line
    return lines


def test_syntax_error(tree: Path) -> None:
    write_tree(tree, {"a.proto": 'syntax = "proto3"\npackage acme.a.v1;\n'})
    result = lint(tree)
    lines = assert_clean_error(result.err, result.code)
    assert lines[0].startswith("a.proto:2:1: ")


def test_non_utf8_file(tree: Path) -> None:
    write_tree(tree, {"a.proto": b'syntax = "proto3";\n// caf\xe9\nmessage A {}\n'})
    result = lint(tree)
    [line] = assert_clean_error(result.err, result.code)
    assert line == "a.proto:2:7: not UTF-8 (byte 0xe9)"


def test_binary_file_named_proto(tree: Path) -> None:
    write_tree(tree, {"blob.proto": bytes(range(256)) * 4})
    result = lint(tree)
    [line] = assert_clean_error(result.err, result.code)
    assert line.startswith("blob.proto:1:1: binary file")


def test_import_cycle(tree: Path) -> None:
    write_tree(
        tree,
        {
            "a.proto": 'syntax = "proto3";\nimport "b.proto";\n',
            "b.proto": 'syntax = "proto3";\nimport "a.proto";\n',
        },
    )
    result = lint(tree)
    lines = assert_clean_error(result.err, result.code)
    assert any("recursively imports itself" in line for line in lines)


def test_missing_import(tree: Path) -> None:
    write_tree(tree, {"a.proto": 'syntax = "proto3";\nimport "nope/missing.proto";\n'})
    result = lint(tree)
    lines = assert_clean_error(result.err, result.code)
    assert any(line.startswith("a.proto:2:1: ") and "missing.proto" in line for line in lines)


@pytest.mark.parametrize("content", ["", "\n  \n"])
def test_empty_file(tree: Path, content: str) -> None:
    write_tree(tree, {"good.proto": GOOD, "empty.proto": content})
    result = lint(tree)
    [line] = assert_clean_error(result.err, result.code)
    assert line.startswith("empty.proto:1:1: empty file")


def test_fifty_megabyte_file(tree: Path) -> None:
    big = tree / "big.proto"
    chunk = b"// " + b"x" * 1020 + b"\n"
    with big.open("wb") as fh:
        fh.write(b'syntax = "proto3";\n')
        for _ in range(50 * 1024):
            fh.write(chunk)
    assert big.stat().st_size > 50 * 1024 * 1024
    result = lint(tree)
    [line] = assert_clean_error(result.err, result.code)
    assert line.startswith("big.proto:1:1: file is ") and "limit" in line


def test_root_pointing_at_nothing(tmp_path: Path) -> None:
    result = run_cli("--root", tmp_path / "nothing")
    [line] = assert_clean_error(result.err, result.code)
    assert line == f"error: --root {tmp_path / 'nothing'}: no such directory"
    (tmp_path / "file").write_text("x")
    result = run_cli("--root", tmp_path / "file")
    assert_clean_error(result.err, result.code)


def test_root_without_protos(tree: Path) -> None:
    write_tree(tree, {"README.md": "nothing here\n"})
    result = lint(tree)
    [line] = assert_clean_error(result.err, result.code)
    assert line.startswith("error: no .proto files to lint under")


def test_broken_seed_proto(tree: Path) -> None:
    (tree / "dm").mkdir()
    shutil.copy(SEED, tree / "dm" / "graph.proto")
    result = lint(tree)
    lines = assert_clean_error(result.err, result.code)
    assert lines[0].startswith("dm/graph.proto:")
