"""presubmit.toml: rule selection per tree, defaults for foreign trees, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from presubmit import config
from presubmit import registry
from tests.presubmit.helpers import lint
from tests.presubmit.helpers import write_tree

REPO = Path(__file__).resolve().parents[2]


def test_foreign_tree_defaults(tree: Path) -> None:
    cfg = config.load(tree, registry.ids())
    assert cfg.rules == frozenset(config.PORTABLE_RULES)
    assert not cfg.require_next_id and not cfg.python and cfg.source is None


def test_this_repos_config() -> None:
    cfg = config.load(REPO, registry.ids())
    assert cfg.go_package_prefix == "go.chromium.org/turboci/proto/go"
    assert cfg.protos == ("turboci",) and cfg.include_only == ("google",)
    assert cfg.enabled("GO_PACKAGE", "turboci/graph/ids/v1/workplan_id.proto")
    assert cfg.tree_for("turboci/x.proto").require_next_id
    assert cfg.python and cfg.gomod == "go/go.mod"
    assert cfg.any_enabled("GOMOD_FIRST_PARTY")


def test_rule_selection_per_tree(tree: Path) -> None:
    write_tree(
        tree,
        {
            "presubmit.toml": (
                'rules = ["NEXT_ID"]\n'
                '[trees."legacy"]\nrules = []\n'
                '[trees."legacy/strict"]\nrules = ["NEXT_ID", "SERVICE_FILE_ALONE"]\n'
            ),
            "new/a.proto": 'syntax = "proto3";\npackage n;\n// Next ID: 5\nmessage A {}\n',
            "legacy/a.proto": 'syntax = "proto3";\npackage l;\n// Next ID: 5\nmessage A {}\n',
            "legacy/strict/a.proto": (
                'syntax = "proto3";\npackage s;\n// Next ID: 5\nmessage A {}\n'
            ),
        },
    )
    cfg = config.load(tree, registry.ids())
    assert cfg.enabled("SERVICE_FILE_ALONE", "legacy/strict/a.proto")
    assert not cfg.enabled("NEXT_ID", "legacy/a.proto")
    result = lint(tree, "--format", "json")
    assert sorted(f["path"] for f in result.json()) == ["legacy/strict/a.proto", "new/a.proto"]


@pytest.mark.parametrize(
    "text, error",
    [
        ('rules = "NEXT_ID"\n', "must be a list of strings"),
        ("[next_id]\nrequired = 1\n", "must be true or false"),
        ("[trees]\nx = 1\n", "must be a table"),
        ("max_file_bytes = -1\n", "positive integer"),
        ("[go_package]\nprefix = 3\n", "prefix must be a string"),
    ],
)
def test_bad_config(tree: Path, text: str, error: str) -> None:
    write_tree(tree, {"presubmit.toml": text})
    with pytest.raises(config.ConfigError, match=error):
        config.load(tree, registry.ids())


def test_file_level_suppression_on_the_package_statement(tree: Path) -> None:
    write_tree(
        tree,
        {
            "presubmit.toml": 'rules = ["GO_PACKAGE"]\n[go_package]\nprefix = "x.com/go"\n'
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
