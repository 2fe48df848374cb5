# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""SERVICE_FILE_ALONE: a service file holds nothing else at top level."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.presubmit.helpers import lint
from tests.presubmit.helpers import write_tree

HEAD = 'syntax = "proto3";\n\npackage acme.demo.v1;\n\n'
MSGS = "// Next ID: 1\nmessage Req {}\n// Next ID: 1\nmessage Resp {}\n"
SERVICE = "// Svc serves.\nservice Svc {\n  // Do does.\n  rpc Do(Req) returns (Resp);\n}\n"


def _run(tree: Path, files: dict[str, str]) -> list[dict[str, Any]]:
    write_tree(tree, files)
    result = lint(tree, "--rules", "SERVICE_FILE_ALONE", "--format", "json")
    assert result.code in (0, 1), result.err
    return list(result.json())


def test_alone_passes(tree: Path) -> None:
    files = {
        "m.proto": HEAD + MSGS,
        "s.proto": HEAD + 'import "m.proto";\n\n' + SERVICE,
    }
    assert _run(tree, files) == []


def test_message_and_enum_beside_a_service(tree: Path) -> None:
    extra = "// E.\nenum E {\n  E_UNSPECIFIED = 0;\n}\n"
    found = _run(tree, {"s.proto": HEAD + MSGS + extra + SERVICE})
    assert [f["element"] for f in found] == [
        "acme.demo.v1.Req",
        "acme.demo.v1.Resp",
        "acme.demo.v1.E",
    ]
    assert all("service Svc" in f["message"] for f in found)
    assert found[0]["line"] == 6


def test_no_service_no_finding(tree: Path) -> None:
    assert _run(tree, {"m.proto": HEAD + MSGS}) == []
