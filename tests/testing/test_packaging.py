# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""turboci.testing ships in the wheel and needs nothing beyond the `grpc`
extra: grpcio, protobuf and googleapis-common-protos."""

from __future__ import annotations

import ast
import sys
import zipfile
from pathlib import Path

from tests.py.test_stubs import wheel  # noqa: F401  (the fixture)
from tests.testing.conftest import PY

PACKAGE = PY / "turboci" / "testing"
# What the plain install and the `grpc` extra bring, by import name.
ALLOWED = {"grpc", "google", "turboci"}


def test_the_wheel_carries_the_package(wheel: Path) -> None:  # noqa: F811
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {f"turboci/testing/{p.name}" for p in PACKAGE.glob("*.py")}
    assert "turboci/testing/__main__.py" in modules
    assert modules <= names


def test_the_package_imports_nothing_beyond_the_grpc_extra() -> None:
    found: set[str] = set()
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    third_party = found - set(sys.stdlib_module_names) - {"__future__"}
    assert third_party <= ALLOWED, third_party - ALLOWED
