# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""SYNTAX_DECLARED: a missing syntax statement is a finding, not a silent proto2."""

from __future__ import annotations

from pathlib import Path

from tests.presubmit.helpers import lint
from tests.presubmit.helpers import write_tree


def test_a_file_without_syntax_is_reported(tree: Path) -> None:
    write_tree(tree, {"a.proto": "package acme;\n\nmessage A {\n  optional int32 x = 1;\n}\n"})
    result = lint(tree, "--rules", "SYNTAX_DECLARED")
    assert result.code == 1
    assert result.out.startswith("a.proto:1:1: SYNTAX_DECLARED no syntax statement")


def test_syntax_proto2_proto3_and_editions_pass(tree: Path) -> None:
    write_tree(
        tree,
        {
            "a.proto": 'syntax = "proto2";\npackage a;\nmessage A {}\n',
            "b.proto": '// A comment first.\nsyntax = "proto3";\npackage b;\nmessage B {}\n',
            "c.proto": 'edition = "2023";\npackage c;\nmessage C {}\n',
        },
    )
    assert lint(tree, "--rules", "SYNTAX_DECLARED").code == 0


def test_on_in_a_foreign_tree_and_suppressible_on_the_package(tree: Path) -> None:
    write_tree(tree, {"a.proto": "// turboci:lint:ignore SYNTAX_DECLARED\npackage a;\n"})
    result = lint(tree, "--list-ignored", "--format", "json")
    assert [(f["rule"], f.get("suppressed")) for f in result.json()] == [("SYNTAX_DECLARED", True)]
