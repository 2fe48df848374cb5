# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""GO_PACKAGE: go_package follows from the package; only where the config turns it on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from presubmit.rules.go_package import expected_go_package
from tests.presubmit.helpers import REPO_LIKE_CONFIG
from tests.presubmit.helpers import lint
from tests.presubmit.helpers import write_tree

PREFIX = "go.chromium.org/turboci/proto/go"


def test_expected_values() -> None:
    assert expected_go_package(PREFIX, "turboci", "turboci.graph.ids.v1", False) == (
        f"{PREFIX}/graph/ids/v1;idspb"
    )
    assert expected_go_package(PREFIX, "turboci", "turboci.graph.orchestrator.v1", True) == (
        f"{PREFIX}/graph/orchestrator/v1/grpcpb;orchestratorgrpcpb"
    )
    assert expected_go_package(PREFIX, "turboci", "turboci.data.git.v1beta1", False) == (
        f"{PREFIX}/data/git/v1beta1;gitpb"
    )
    assert expected_go_package(PREFIX, "turboci", "other.thing.v1", False) is None
    assert expected_go_package(PREFIX, "turboci", "turboci", False) is None


def _file(package: str, go_package: str | None, service: bool = False) -> str:
    option = f'option go_package = "{go_package}";\n\n' if go_package else ""
    body = "// Svc serves.\nservice Svc {}\n" if service else "// Next ID: 1\nmessage A {}\n"
    return f'syntax = "proto3";\n\npackage {package};\n\n{option}{body}'


def _run(tree: Path, files: dict[str, str]) -> list[dict[str, Any]]:
    write_tree(tree, {"presubmit.toml": REPO_LIKE_CONFIG, **files})
    result = lint(tree, "--rules", "GO_PACKAGE", "--format", "json")
    assert result.code in (0, 1), result.err
    return list(result.json())


def test_right_values_pass(tree: Path) -> None:
    files = {
        "a.proto": _file("acme.demo.v1", "example.com/acme/go/demo/v1;demopb"),
        "s.proto": _file("acme.demo.v1", "example.com/acme/go/demo/v1/grpcpb;demogrpcpb", True),
    }
    assert _run(tree, files) == []


def test_wrong_value_is_reported_on_the_option(tree: Path) -> None:
    [f] = _run(tree, {"a.proto": _file("acme.demo.v1", "example.com/acme/go/demo/v1;wrongpb")})
    assert (f["path"], f["line"], f["column"], f["element"]) == ("a.proto", 5, 1, "a.proto")
    assert "example.com/acme/go/demo/v1;demopb" in f["message"]


def test_service_file_needs_grpcpb(tree: Path) -> None:
    files = {"s.proto": _file("acme.demo.v1", "example.com/acme/go/demo/v1;demopb", True)}
    [f] = _run(tree, files)
    assert "grpcpb;demogrpcpb" in f["message"]


def test_missing_option_and_foreign_package(tree: Path) -> None:
    files = {"a.proto": _file("acme.demo.v1", None), "b.proto": _file("other.v1", "x;y")}
    found = _run(tree, files)
    assert [(f["path"], f["line"]) for f in found] == [("a.proto", 3), ("b.proto", 3)]
    assert "missing option go_package" in found[0]["message"]
    assert "not under 'acme.'" in found[1]["message"]


def test_off_in_a_foreign_tree(tree: Path) -> None:
    write_tree(tree, {"a.proto": _file("acme.demo.v1", "x;y")})
    found = lint(tree, "--format", "json").json()
    assert [f for f in found if f["rule"] == "GO_PACKAGE"] == []


def test_exempt_files_are_not_checked(tree: Path) -> None:
    config = REPO_LIKE_CONFIG.replace(
        'package_root = "acme"', 'package_root = "acme"\nexempt = ["tag.proto"]'
    )
    write_tree(
        tree,
        {
            "presubmit.toml": config,
            "tag.proto": 'syntax = "proto3";\n\npackage tag;\n\n// Next ID: 1\nmessage Tag {}\n',
            "b.proto": 'syntax = "proto3";\n\npackage other;\n\n// Next ID: 1\nmessage B {}\n',
        },
    )
    result = lint(tree, "--rules", "GO_PACKAGE", "--format", "json")
    assert [f["path"] for f in result.json()] == ["b.proto"]
