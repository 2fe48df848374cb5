# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""presubmit.toml: rules on by their specs, toggled per tree; defaults for foreign trees; errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from presubmit import config
from presubmit import registry
from tests.presubmit.helpers import lint
from tests.presubmit.helpers import write_tree

REPO = Path(__file__).resolve().parents[2]
SPECS = [r.spec for r in registry.all_rules()]


def test_foreign_tree_runs_the_portable_rules(tree: Path) -> None:
    cfg = config.load(tree, SPECS)
    assert cfg.rules == frozenset(s.id for s in SPECS if s.portable)
    assert not cfg.require_next_id and not cfg.python and cfg.foreign


def test_a_config_starts_from_the_defaults(tree: Path) -> None:
    write_tree(tree, {"presubmit.toml": "\n"})
    cfg = config.load(tree, SPECS)
    assert cfg.rules == frozenset(s.id for s in SPECS if s.default)
    assert not cfg.foreign


def test_this_repos_config() -> None:
    cfg = config.load(REPO, SPECS)
    assert cfg.go_package_prefix == "go.chromium.org/turboci/proto/go"
    assert cfg.protos == ("turboci",) and cfg.include_only == ("google",)
    assert cfg.enabled("GO_PACKAGE", "turboci/graph/ids/v1/workplan_id.proto")
    assert cfg.tree_for("turboci/x.proto").require_next_id
    assert cfg.python and cfg.gomod == "go/go.mod"
    # Every rule is on in this repo.
    assert all(cfg.any_enabled(s.id) for s in SPECS)


def test_trees_toggle_relative_to_what_encloses_them(tree: Path) -> None:
    write_tree(
        tree,
        {
            "presubmit.toml": (
                'disable = ["SERVICE_FILE_ALONE"]\n'
                '[trees."legacy"]\ndisable = ["NEXT_ID"]\n'
                '[trees."legacy/strict"]\nenable = ["NEXT_ID", "SERVICE_FILE_ALONE"]\n'
            ),
            "new/a.proto": 'syntax = "proto3";\npackage n;\n// Next ID: 5\nmessage A {}\n',
            "legacy/a.proto": 'syntax = "proto3";\npackage l;\n// Next ID: 5\nmessage A {}\n',
            "legacy/strict/a.proto": (
                'syntax = "proto3";\npackage s;\n// Next ID: 5\nmessage A {}\n'
            ),
        },
    )
    cfg = config.load(tree, SPECS)
    assert not cfg.enabled("SERVICE_FILE_ALONE", "new/a.proto")
    assert cfg.enabled("SERVICE_FILE_ALONE", "legacy/strict/a.proto")
    assert not cfg.enabled("NEXT_ID", "legacy/a.proto")
    assert cfg.enabled("IMPORT_ONE_PER_LINE", "legacy/a.proto")  # inherited default
    result = lint(tree, "--format", "json")
    assert sorted(f["path"] for f in result.json()) == ["legacy/strict/a.proto", "new/a.proto"]


@pytest.mark.parametrize(
    "text, error",
    [
        ('enable = "NEXT_ID"\n', "must be a list of strings"),
        ('rules = ["NEXT_ID"]\n', "'rules' is no longer read; use 'enable' and 'disable'"),
        ('enable = ["NEXT_ID"]\ndisable = ["NEXT_ID"]\n', "both enabled and disabled"),
        ("[next_id]\nrequired = 1\n", "must be true or false"),
        ("[trees]\nx = 1\n", "must be a table"),
        ("max_file_bytes = -1\n", "positive integer"),
        ("max_file_bytes = true\n", "positive integer"),
        ('protos = ["/"]\n', "must be a folder inside the root"),
        ('protos = ["../up"]\n', "must be a folder inside the root"),
        ("[go_package]\nprefix = 3\n", "prefix must be a string"),
        ("[go_package]\npackage_root = 3\n", r"\[go_package\] package_root must be a string"),
        ("[gomod]\npath = 3\n", r"\[gomod\] path must be a string"),
        ("[license]\nheader = 3\n", r"\[license\] header must be a string"),
        ("[data_annotations]\noption = 3\n", r"\[data_annotations\] option must be a string"),
        ('enable = ["GOMOD_FIRST_PARTY"]\n', "gomod.path is not set"),
    ],
)
def test_bad_config(tree: Path, text: str, error: str) -> None:
    write_tree(tree, {"presubmit.toml": text})
    with pytest.raises(config.ConfigError, match=error):
        config.load(tree, SPECS)


def test_a_folder_named_presubmit_toml_is_an_error(tree: Path) -> None:
    (tree / "presubmit.toml").mkdir()
    with pytest.raises(config.ConfigError, match="is a folder"):
        config.load(tree, SPECS)


def test_file_level_suppression_on_the_package_statement(tree: Path) -> None:
    write_tree(
        tree,
        {
            "presubmit.toml": 'enable = ["GO_PACKAGE"]\n[go_package]\nprefix = "x.com/go"\n'
            'package_root = "acme"\n',
            "a.proto": (
                'syntax = "proto3";\n\n// turboci:lint:ignore GO_PACKAGE\npackage acme.a.v1;\n\n'
                'option go_package = "wrong";\n'
            ),
            "b.proto": 'syntax = "proto3";\n\npackage acme.b.v1;\n\noption go_package = "wrong";\n',
        },
    )
    result = lint(tree, "--format", "json", "--list-ignored")
    assert [(f["path"], f.get("suppressed", False)) for f in result.json()] == [
        ("a.proto", True),
        ("b.proto", False),
    ]


def test_a_fifo_named_presubmit_toml_is_refused_without_blocking(tree: Path) -> None:
    write_tree(tree, {"a.proto": 'syntax = "proto3";\n'})
    os.mkfifo(tree / "presubmit.toml")  # no writer: reading it would wait forever
    with pytest.raises(config.ConfigError) as info:
        config.load(tree, [r.spec for r in registry.all_rules()])
    assert str(info.value) == (
        f"{tree}/presubmit.toml: a FIFO, not a regular file; presubmit.toml must be a regular file"
    )
