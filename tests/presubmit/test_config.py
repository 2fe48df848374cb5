# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""presubmit.toml: rules on by their specs, toggled per tree; defaults for foreign trees; errors."""

from __future__ import annotations

import os
import tomllib
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
    assert cfg.text("go_package.prefix") == "go.chromium.org/turboci/proto/go"
    assert cfg.protos == ("turboci",) and cfg.include_only == ("google",)
    assert cfg.enabled("GO_PACKAGE", "turboci/graph/ids/v1/workplan_id.proto")
    assert cfg.tree_for("turboci/x.proto").require_next_id
    assert cfg.python and cfg.path("gomod.path") == "go/go.mod"
    # On in this repo: every rule on by default and the conventions presubmit.toml names.
    named = tomllib.loads((REPO / "presubmit.toml").read_text())["enable"]
    on = {s.id for s in SPECS if cfg.any_enabled(s.id)}
    assert on == {s.id for s in SPECS if s.default} | set(named)
    assert {"GO_PACKAGE", "LICENSE_HEADER", "DATA_ANNOTATIONS", "PROTOC_WARNINGS"} <= on


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
    toggled = [f["path"] for f in result.json() if f["rule"] in ("NEXT_ID", "SERVICE_FILE_ALONE")]
    assert sorted(toggled) == ["legacy/strict/a.proto", "new/a.proto"]


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
        ("[gomod]\npath = '../x'\n", "must name a file inside the root"),
        ("[license]\ninclude = [1]\n", r"\[license\] include must be a list of strings"),
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


@pytest.mark.parametrize(
    "text, line",
    [
        # A typo is never a silent default: the file, line, key and the nearest known key.
        (
            '# rules\n\ndisabel = ["NEXT_ID"]\n',
            "3:1: unknown key `disabel`; did you mean `disable`?",
        ),
        ("max_file_byte = 5\n", "1:1: unknown key `max_file_byte`; did you mean `max_file_bytes`?"),
        (
            "[next_id]\n  requird = true\n",
            "2:3: unknown key `requird` in [next_id]; did you mean `required`?",
        ),
        ("[next_idd]\nrequired = true\n", "1:1: unknown table [next_idd]; did you mean [next_id]?"),
        ("next_id.requird = true\n", "1:1: unknown key `requird` in [next_id]; did you mean"),
        (
            '[trees."a.b"]\nrequire_nextid = true\n',
            '2:1: unknown key `require_nextid` in [trees."a.b"]; did you mean `require_next_id`?',
        ),
        ("zzz = 1\n", "1:1: unknown key `zzz`; known: data_annotations, disable, enable"),
        ("[zzz]\n", "1:1: unknown table [zzz]; known: data_annotations, field_presence, go_"),
        (
            '[trees."a"]\nenable = []\n[trees."a".x]\n',
            '3:1: unknown key `x` in [trees."a"]; known: disable, enable, require_next_id',
        ),
    ],
)
def test_an_unknown_key_is_an_error_at_its_line(tree: Path, text: str, line: str) -> None:
    write_tree(tree, {"presubmit.toml": text})
    with pytest.raises(config.ConfigError) as info:
        config.load(tree, SPECS)
    assert str(info.value).startswith(f"{tree}/presubmit.toml:{line}")


def test_the_cli_names_the_unknown_key_in_one_line(tree: Path) -> None:
    write_tree(tree, {"a.proto": 'syntax = "proto3";\n', "presubmit.toml": "disabel = []\n"})
    result = lint(tree)
    assert result.code == 2
    assert result.err == (
        f"{tree}/presubmit.toml:1:1: unknown key `disabel`; did you mean `disable`?\n"
    )


def test_every_rule_setting_is_read_from_its_spec(tree: Path) -> None:
    """A setting a spec declares is read with no other code: its default, then the file's value."""
    write_tree(tree, {"presubmit.toml": "\n"})
    plain = config.load(tree, SPECS)
    for spec in SPECS:
        for setting in spec.settings:
            assert plain.value(setting.key) == setting.default, setting.key
    write_tree(tree, {"presubmit.toml": '[go_package]\nexempt = ["x.proto"]\n'})
    assert config.load(tree, SPECS).strings("go_package.exempt") == ("x.proto",)


def test_a_value_of_the_wrong_type_is_named_at_its_line(tree: Path) -> None:
    write_tree(tree, {"presubmit.toml": '# x\n[python]\n\nexclude = "tools"\n'})
    with pytest.raises(config.ConfigError) as info:
        config.load(tree, SPECS)
    assert str(info.value) == (
        f"{tree}/presubmit.toml:4:1: [python] exclude must be a list of strings"
    )
