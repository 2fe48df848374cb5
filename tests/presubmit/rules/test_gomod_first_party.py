# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""GOMOD_FIRST_PARTY: go.mod directly requires only first-party modules."""

from __future__ import annotations

from pathlib import Path

from presubmit.rules.gomod_first_party import direct_requires
from tests.presubmit.helpers import REPO_LIKE_CONFIG
from tests.presubmit.helpers import lint
from tests.presubmit.helpers import write_tree

GOMOD = """\
module example.com/acme/go

go 1.22

require google.golang.org/protobuf v1.36.12

require (
\tgolang.org/x/net v0.30.0
\tgithub.com/google/go-cmp v0.6.0
\tgithub.com/stretchr/testify v1.9.0
\tgithub.com/davecgh/go-spew v1.1.1 // indirect
)

require github.com/pkg/errors v0.9.1
"""

CONFIG = REPO_LIKE_CONFIG
PROTO = 'syntax = "proto3";\n\npackage acme.demo.v1;\n\n// Next ID: 1\nmessage A {}\n'


def test_direct_requires_skips_indirect() -> None:
    assert [m for _, _, m in direct_requires(GOMOD)] == [
        "google.golang.org/protobuf",
        "golang.org/x/net",
        "github.com/google/go-cmp",
        "github.com/stretchr/testify",
        "github.com/pkg/errors",
    ]


def test_third_party_requires_are_reported(tree: Path) -> None:
    write_tree(tree, {"presubmit.toml": CONFIG, "go/go.mod": GOMOD, "a.proto": PROTO})
    result = lint(tree, "--rules", "GOMOD_FIRST_PARTY", "--format", "json")
    assert result.code == 1
    assert [(f["path"], f["line"], f["column"]) for f in result.json()] == [
        ("go/go.mod", 10, 2),
        ("go/go.mod", 14, 9),
    ]
    assert result.json()[0]["element"] == "go/go.mod"


def test_first_party_only_passes_and_no_gomod_is_fine(tree: Path) -> None:
    clean = "module x\n\nrequire (\n\tgolang.org/x/net v0.30.0\n)\n"
    write_tree(tree, {"presubmit.toml": CONFIG, "go/go.mod": clean, "a.proto": PROTO})
    assert lint(tree, "--rules", "GOMOD_FIRST_PARTY").code == 0
    (tree / "go/go.mod").unlink()
    assert lint(tree, "--rules", "GOMOD_FIRST_PARTY").code == 0


def test_line_marker_suppresses(tree: Path) -> None:
    marked = (
        "module x\n\n"
        "require github.com/pkg/errors v0.9.1 // turboci:lint:ignore GOMOD_FIRST_PARTY\n"
    )
    write_tree(tree, {"presubmit.toml": CONFIG, "go/go.mod": marked, "a.proto": PROTO})
    assert lint(tree, "--rules", "GOMOD_FIRST_PARTY").code == 0
    shown = lint(tree, "--rules", "GOMOD_FIRST_PARTY", "--list-ignored")
    assert "(ignored)" in shown.out


def test_a_tree_that_turns_it_off_is_checked_when_the_rule_is_named(tree: Path) -> None:
    config = CONFIG + '[trees."go"]\ndisable = ["GOMOD_FIRST_PARTY"]\n'
    write_tree(tree, {"presubmit.toml": config, "go/go.mod": GOMOD, "a.proto": PROTO})
    assert "GOMOD_FIRST_PARTY" not in lint(tree).out  # off there by config
    assert lint(tree, "--rules", "GOMOD_FIRST_PARTY").code == 1


def test_a_gomod_path_out_of_the_root_is_refused(tree: Path) -> None:
    outside = tree.parent / "evil.mod"
    outside.write_text(GOMOD)
    evil = CONFIG.replace('path = "go/go.mod"', 'path = "../evil.mod"')
    write_tree(tree, {"presubmit.toml": evil, "a.proto": PROTO})
    result = lint(tree, "--rules", "GOMOD_FIRST_PARTY")
    assert result.code == 2
    assert result.err.endswith(
        "[gomod] path '../evil.mod' must name a file inside the root (relative, no '..')\n"
    )


def test_a_gomod_symlinked_out_of_the_root_is_refused_not_read(tree: Path) -> None:
    # The file itself is the link: a linked folder is refused before any rule
    # runs, since protos are looked for in every folder of this tree.
    outside = tree.parent / "elsewhere"
    outside.mkdir()
    (outside / "go.mod").write_text(GOMOD)
    (tree / "go").mkdir()
    (tree / "go" / "go.mod").symlink_to(outside / "go.mod")
    write_tree(tree, {"presubmit.toml": CONFIG, "a.proto": PROTO})
    result = lint(tree, "--rules", "GOMOD_FIRST_PARTY")
    assert result.code == 2
    assert result.out == ""
    assert result.err == (
        f"error: go/go.mod: leads outside the root (to {outside / 'go.mod'}) through a "
        "symlink; [gomod] path in presubmit.toml must name a file inside the root\n"
    )
