# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""DATA_ANNOTATIONS: payload messages carry the data annotation option."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.presubmit.helpers import lint
from tests.presubmit.helpers import write_tree

CONFIG = """\
protos = ["."]
[data_annotations]
option = "acme.meta.v1.data"
packages = ["acme.data."]
"""

OPTION = """\
syntax = "proto3";
package acme.meta.v1;
import "google/protobuf/descriptor.proto";
message Data {
  optional string maturity = 1;
}
extend google.protobuf.MessageOptions {
  optional Data data = 50001;
}
"""

PAYLOAD = """\
syntax = "proto3";
package acme.data.v1;
import "meta.proto";
message Good {
  option (acme.meta.v1.data) = {maturity: "beta"};
  message Nested {
    option (acme.meta.v1.data) = {maturity: "beta"};
  }
  map<string, string> tags = 1;
}
message Bare {
  message Inner {}
}
message Empty {
  option (acme.meta.v1.data) = {};
}
"""

ELSEWHERE = 'syntax = "proto3";\npackage acme.other.v1;\nmessage NotAPayload {}\n'


def _run(tree: Path, files: dict[str, str]) -> list[dict[str, Any]]:
    write_tree(tree, {"presubmit.toml": CONFIG, **files})
    result = lint(tree, "--rules", "DATA_ANNOTATIONS", "--format", "json")
    assert result.code in (0, 1), result.err
    return list(result.json())


def test_messages_of_payload_packages_need_a_non_empty_annotation(tree: Path) -> None:
    found = _run(tree, {"meta.proto": OPTION, "payload.proto": PAYLOAD, "other.proto": ELSEWHERE})
    assert [(f["element"], f["line"]) for f in found] == [
        ("acme.data.v1.Bare", 11),
        ("acme.data.v1.Bare.Inner", 12),
        ("acme.data.v1.Empty", 14),
    ]
    assert "needs `option (acme.meta.v1.data) = {...}`" in found[0]["message"]


def test_an_undeclared_option_is_one_finding_that_says_so(tree: Path) -> None:
    bare = 'syntax = "proto3";\npackage acme.data.v1;\nmessage A {}\n'
    found = _run(tree, {"payload.proto": bare})
    assert len(found) == 1
    assert "is not declared in this file or its imports" in found[0]["message"]


def test_the_answer_on_a_file_does_not_depend_on_the_files_named(tree: Path) -> None:
    # The hook hands over only the changed files: the declaration of the
    # option is then among the file's imports, not among the files linted.
    write_tree(tree, {"presubmit.toml": CONFIG, "meta.proto": OPTION, "payload.proto": PAYLOAD})
    alone = lint(tree, "--rules", "DATA_ANNOTATIONS", "--format", "json", tree / "payload.proto")
    whole = lint(tree, "--rules", "DATA_ANNOTATIONS", "--format", "json")
    assert alone.code == whole.code == 1, alone.err
    assert alone.json() == whole.json()
    assert [f["element"] for f in alone.json()] == [
        "acme.data.v1.Bare",
        "acme.data.v1.Bare.Inner",
        "acme.data.v1.Empty",
    ]


def test_a_payload_file_without_messages_needs_no_import_of_the_option(tree: Path) -> None:
    # protoc calls such an import unused (and PROTOC_WARNINGS reports it).
    enum_only = 'syntax = "proto3";\npackage acme.data.v1;\nenum E {\n  E_UNKNOWN = 0;\n}\n'
    bare = 'syntax = "proto3";\npackage acme.data.v1;\nmessage A {}\n'
    found = _run(tree, {"meta.proto": OPTION, "status.proto": enum_only, "payload.proto": bare})
    assert [f["path"] for f in found] == ["payload.proto"]


def test_a_declaration_the_file_does_not_import_does_not_count(tree: Path) -> None:
    bare = 'syntax = "proto3";\npackage acme.data.v1;\nmessage A {}\n'
    found = _run(tree, {"meta.proto": OPTION, "payload.proto": bare})
    assert [(f["path"], f["line"]) for f in found] == [("payload.proto", 1)]
    assert "not declared in this file or its imports" in found[0]["message"]


def test_it_cannot_run_without_its_settings(tree: Path) -> None:
    write_tree(tree, {"payload.proto": PAYLOAD})
    result = lint(tree, "--rules", "DATA_ANNOTATIONS")
    assert result.code == 2
    assert "cannot run without data_annotations.option, data_annotations.packages" in result.err
