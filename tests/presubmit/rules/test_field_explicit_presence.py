# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""FIELD_EXPLICIT_PRESENCE: singular, non-oneof fields are `optional`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.presubmit.helpers import REPO_LIKE_CONFIG
from tests.presubmit.helpers import lint
from tests.presubmit.helpers import write_tree


def _run(tree: Path, text: str, config: str | None = REPO_LIKE_CONFIG) -> list[dict[str, Any]]:
    files = {"a.proto": text}
    if config:
        files["presubmit.toml"] = config
    write_tree(tree, files)
    result = lint(tree, "--rules", "FIELD_EXPLICIT_PRESENCE", "--format", "json")
    assert result.code in (0, 1), result.err
    return list(result.json())


BODY = """\
// Next ID: 9
message A {
  optional string ok = 1;
  repeated string list = 2;
  map<string, string> m = 3;
  oneof choice {
    string x = 4;
    int32 y = 5;
  }
  A child = 6;
  string bare = 7;
  // Next ID: 2
  message Inner {
    int64 count = 1;
  }
  Inner inner = 8;
}
"""


def test_proto3_bare_scalars_are_reported(tree: Path) -> None:
    found = _run(tree, 'syntax = "proto3";\n\npackage acme.demo.v1;\n\n' + BODY)
    assert [f["element"] for f in found] == ["acme.demo.v1.A.bare", "acme.demo.v1.A.Inner.count"]
    assert (found[0]["line"], found[0]["column"]) == (15, 3)


def test_proto2_and_explicit_editions_pass(tree: Path) -> None:
    text = (
        'syntax = "proto2";\n\npackage acme.demo.v1;\n\nmessage A {\n  optional string a = 1;\n}\n'
    )
    assert _run(tree, text) == []
    text = 'edition = "2023";\n\npackage acme.demo.v1;\n\nmessage A {\n  string a = 1;\n}\n'
    assert _run(tree, text) == []


def test_editions_implicit_presence_is_reported(tree: Path) -> None:
    text = (
        'edition = "2023";\n\npackage acme.demo.v1;\n\n'
        "option features.field_presence = IMPLICIT;\n\n"
        "message A {\n  string a = 1;\n  string b = 2 [features.field_presence = EXPLICIT];\n}\n"
    )
    [f] = _run(tree, text)
    assert f["element"] == "acme.demo.v1.A.a"


def test_off_by_default_in_a_foreign_tree_but_runs_when_asked(tree: Path) -> None:
    text = 'syntax = "proto3";\n\npackage acme.demo.v1;\n\n' + BODY
    write_tree(tree, {"a.proto": text})
    default = lint(tree, "--format", "json")
    assert "FIELD_EXPLICIT_PRESENCE" not in {f["rule"] for f in default.json()}
    # Named explicitly, it runs: it needs no setting.
    assert [f["element"] for f in _run(tree, text, config=None)] == [
        "acme.demo.v1.A.bare",
        "acme.demo.v1.A.Inner.count",
    ]


def test_message_fields_too_when_the_config_asks(tree: Path) -> None:
    text = 'syntax = "proto3";\n\npackage acme.demo.v1;\n\n' + BODY
    config = REPO_LIKE_CONFIG + "[field_presence]\nmessages = true\n"
    assert [f["element"] for f in _run(tree, text, config=config)] == [
        "acme.demo.v1.A.child",
        "acme.demo.v1.A.bare",
        "acme.demo.v1.A.Inner.count",
        "acme.demo.v1.A.inner",
    ]


def test_editions_findings_name_the_feature_not_the_keyword(tree: Path) -> None:
    text = (
        'edition = "2023";\n\npackage acme.demo.v1;\n\n'
        "option features.field_presence = IMPLICIT;\n\n"
        "message B {}\n\nmessage A {\n  string a = 1;\n  B b = 2;\n}\n"
    )
    config = REPO_LIKE_CONFIG + "[field_presence]\nmessages = true\n"
    [f] = _run(tree, text, config=config)
    assert f["element"] == "acme.demo.v1.A.a"
    assert "features.field_presence = EXPLICIT" in f["message"]
    assert "declare it `optional`" not in f["message"]
