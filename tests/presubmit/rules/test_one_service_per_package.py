# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""ONE_SERVICE_PER_PACKAGE: at most one service per proto package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.presubmit.helpers import lint
from tests.presubmit.helpers import write_tree


def _svc(package: str, name: str) -> str:
    return f'syntax = "proto3";\n\npackage {package};\n\n// {name}.\nservice {name} {{}}\n'


def _run(tree: Path, files: dict[str, str]) -> list[dict[str, Any]]:
    write_tree(tree, files)
    result = lint(tree, "--rules", "ONE_SERVICE_PER_PACKAGE", "--format", "json")
    assert result.code in (0, 1), result.err
    return list(result.json())


def test_one_per_package_passes(tree: Path) -> None:
    files = {"a/s.proto": _svc("acme.a.v1", "A"), "b/s.proto": _svc("acme.b.v1", "B")}
    assert _run(tree, files) == []


def test_second_service_in_a_package(tree: Path) -> None:
    files = {"a/s1.proto": _svc("acme.a.v1", "First"), "a/s2.proto": _svc("acme.a.v1", "Second")}
    [f] = _run(tree, files)
    assert (f["path"], f["line"], f["element"]) == ("a/s2.proto", 6, "acme.a.v1.Second")
    assert "First (a/s1.proto)" in f["message"]


def test_two_services_in_one_file(tree: Path) -> None:
    text = _svc("acme.a.v1", "First") + "// Second.\nservice Second {}\n"
    [f] = _run(tree, {"s.proto": text})
    assert f["element"] == "acme.a.v1.Second"
