# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""IMPORT_ONE_PER_LINE: proto imports and the repo's Python imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.presubmit.helpers import lint
from tests.presubmit.helpers import write_tree

DEP = 'syntax = "proto3";\n\npackage acme.{0}.v1;\n\n// Next ID: 1\nmessage {1} {{}}\n'
USER = (
    'syntax = "proto3";\n\npackage acme.user.v1;\n\n{imports}\n\n'
    "// Next ID: 3\nmessage U {{\n  acme.a.v1.A a = 1;\n  acme.b.v1.B b = 2;\n}}\n"
)
PY_CONFIG = (
    'protos = ["."]\ndisable = ["NEXT_ID", "SERVICE_FILE_ALONE", "ONE_SERVICE_PER_PACKAGE"]\n'
    "[python]\nenabled = true\n"
)


def _tree(tree: Path, imports: str) -> None:
    write_tree(
        tree,
        {
            "a.proto": DEP.format("a", "A"),
            "b.proto": DEP.format("b", "B"),
            "u.proto": USER.format(imports=imports),
        },
    )


def test_one_import_per_line_passes(tree: Path) -> None:
    _tree(tree, 'import "a.proto";\nimport "b.proto";')
    assert lint(tree, "--rules", "IMPORT_ONE_PER_LINE").code == 0


def test_two_imports_on_a_line(tree: Path) -> None:
    _tree(tree, 'import "a.proto"; import "b.proto";')
    result = lint(tree, "--rules", "IMPORT_ONE_PER_LINE", "--format", "json")
    assert result.code == 1
    [f] = result.json()
    assert (f["path"], f["line"], f["column"], f["element"]) == ("u.proto", 5, 19, "u.proto")
    assert 'import "b.proto"' in f["message"]


def test_python_multi_name_imports(tree: Path) -> None:
    py = (
        "from __future__ import annotations, division\n"
        "import os, sys\n"
        "from pathlib import Path, PurePath\n"
        "import json\n"
        "from typing import (\n    Any,\n    cast,  # why\n)\n"
        "import re, ast  # turboci:lint:ignore IMPORT_ONE_PER_LINE\n"
    )
    write_tree(
        tree,
        {
            "presubmit.toml": PY_CONFIG,
            "a.proto": DEP.format("a", "A"),
            "tool.py": py,
            "gen/x_pb2.py": "import os, sys\n",
        },
    )
    result = lint(tree, "--rules", "IMPORT_ONE_PER_LINE", "--format", "json")
    assert result.code == 1
    found = result.json()
    where = [(f["path"], f["line"]) for f in found]
    assert where == [("tool.py", 2), ("tool.py", 3), ("tool.py", 5)]
    assert "split it by hand" in found[2]["message"]


def test_python_only_where_configured(tree: Path) -> None:
    write_tree(tree, {"a.proto": DEP.format("a", "A"), "tool.py": "import os, sys\n"})
    assert lint(tree, "--rules", "IMPORT_ONE_PER_LINE").code == 0


def test_unparseable_python_is_a_warning(tree: Path) -> None:
    write_tree(
        tree,
        {
            "presubmit.toml": PY_CONFIG,
            "a.proto": DEP.format("a", "A"),
            "bad.py": "import os, sys\ndef (:\n",
        },
    )
    result = lint(tree, "--rules", "IMPORT_ONE_PER_LINE")
    assert result.code == 0
    assert "bad.py: skipped" in result.err


def test_an_unreadable_python_file_is_one_line_not_a_traceback(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As root, permission bits do not stop a read; the refusal is simulated.
    _tree(tree, 'import "a.proto";\nimport "b.proto";')
    write_tree(tree, {"presubmit.toml": PY_CONFIG, "tool.py": "import os\n"})
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "tool.py":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = lint(tree)
    assert (result.code, result.err) == (2, "error: tool.py: cannot read: Permission denied\n")
