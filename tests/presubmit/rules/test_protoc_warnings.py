# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""PROTOC_WARNINGS: protoc's warnings are findings; --fix removes an unused import."""

from __future__ import annotations

from pathlib import Path

from tests.presubmit.helpers import lint
from tests.presubmit.helpers import write_tree

DEP = 'syntax = "proto3";\n\npackage acme.a.v1;\n\n// Next ID: 1\nmessage A {}\n'
USER = (
    'syntax = "proto3";\n\npackage acme.u.v1;\n\n{imports}\n\n'
    "// Next ID: 2\nmessage U {{\n  {field}\n}}\n"
)
USES_A = "acme.a.v1.A a = 1;"
NO_A = "string s = 1;"


def _tree(tree: Path, imports: str, field: str) -> None:
    write_tree(tree, {"a.proto": DEP, "u.proto": USER.format(imports=imports, field=field)})


def test_a_used_import_passes(tree: Path) -> None:
    _tree(tree, 'import "a.proto";', USES_A)
    assert lint(tree, "--rules", "PROTOC_WARNINGS").code == 0


def test_an_unused_import_is_a_finding_at_the_import(tree: Path) -> None:
    _tree(tree, 'import "a.proto";', NO_A)
    result = lint(tree, "--rules", "PROTOC_WARNINGS", "--format", "json")
    assert result.code == 1
    [f] = result.json()
    assert (f["path"], f["line"], f["column"]) == ("u.proto", 5, 1)
    assert f["rule"] == "PROTOC_WARNINGS"
    assert 'import "a.proto" is unused' in f["message"]


def test_fix_removes_the_unused_import_line_and_nothing_else(tree: Path) -> None:
    _tree(tree, 'import "a.proto";', NO_A)
    before = (tree / "u.proto").read_text(encoding="utf-8")
    fixed = lint(tree, "--rules", "PROTOC_WARNINGS", "--fix")
    assert fixed.code == 0, fixed.out + fixed.err
    after = (tree / "u.proto").read_text(encoding="utf-8")
    assert after == before.replace('import "a.proto";\n', "")
    assert lint(tree, "--rules", "PROTOC_WARNINGS").code == 0


def test_an_unused_import_sharing_its_line_is_reported_not_fixed(tree: Path) -> None:
    write_tree(tree, {"b.proto": DEP.replace("acme.a.v1", "acme.b.v1").replace("A {}", "B {}")})
    _tree(tree, 'import "b.proto"; import "a.proto";', "acme.b.v1.B b = 1;")
    before = (tree / "u.proto").read_bytes()
    result = lint(tree, "--rules", "PROTOC_WARNINGS", "--fix")
    assert result.code == 1
    assert "a.proto" in result.out
    assert (tree / "u.proto").read_bytes() == before


def test_the_finding_can_be_suppressed_on_the_import(tree: Path) -> None:
    _tree(tree, '// turboci:lint:ignore PROTOC_WARNINGS\nimport "a.proto";', NO_A)
    assert lint(tree, "--rules", "PROTOC_WARNINGS").code == 0
