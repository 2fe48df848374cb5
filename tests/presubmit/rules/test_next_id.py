# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""NEXT_ID: every edge case the issue lists, each caught and each let pass."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.presubmit.helpers import REPO_LIKE_CONFIG
from tests.presubmit.helpers import lint
from tests.presubmit.helpers import write_tree

HEAD = 'syntax = "proto3";\n\npackage acme.demo.v1;\n\n'


def next_id(
    tree: Path, body: str, *, head: str = HEAD, config: str | None = None
) -> list[dict[str, Any]]:
    files: dict[str, str] = {"demo.proto": head + body}
    if config is not None:
        files["presubmit.toml"] = config
    write_tree(tree, files)
    result = lint(tree, "--rules", "NEXT_ID", "--format", "json")
    assert result.code in (0, 1), result.err
    found: list[dict[str, Any]] = result.json()
    assert (result.code == 1) == bool(found)
    return found


def test_correct_comment_passes(tree: Path) -> None:
    body = "// A thing.\n//\n// Next ID: 3\nmessage A {\n  string a = 1;\n  string b = 2;\n}\n"
    assert next_id(tree, body) == []


def test_stale_comment_is_reported_on_the_comment_line(tree: Path) -> None:
    body = "// A thing.\n//\n// Next ID: 2\nmessage A {\n  string a = 1;\n  string b = 2;\n}\n"
    [f] = next_id(tree, body)
    assert (f["path"], f["line"], f["column"]) == ("demo.proto", 7, 4)
    assert f["element"] == "acme.demo.v1.A"
    assert "Next ID: 3" in f["message"]


def test_larger_than_expected_names_the_freed_numbers(tree: Path) -> None:
    body = "// Next ID: 6\nmessage A {\n  string a = 1;\n  string b = 3;\n}\n"
    [f] = next_id(tree, body)
    assert "numbers 4 and 5 were freed without `reserved`" in f["message"]
    body = "// Next ID: 9\nmessage A {\n  string a = 1;\n}\n"
    [f] = next_id(tree, body)
    assert "numbers 2 to 8 were freed" in f["message"]
    body = "// Next ID: 3\nmessage A {\n  string a = 1;\n}\n"
    [f] = next_id(tree, body)
    assert "number 2 was freed" in f["message"]


def test_nested_messages_count(tree: Path) -> None:
    body = (
        "// Next ID: 2\nmessage Outer {\n"
        "  // Next ID: 1\n  message Inner {\n    string x = 1;\n    string y = 2;\n  }\n"
        "  Inner inner = 1;\n}\n"
    )
    [f] = next_id(tree, body)
    assert f["element"] == "acme.demo.v1.Outer.Inner"
    assert f["line"] == 7
    assert "Next ID: 3" in f["message"]


def test_map_entries_do_not_count(tree: Path) -> None:
    # The map's synthetic entry message has no comment, even where every
    # message must have one.
    body = "// Next ID: 2\nmessage A {\n  map<string, int32> m = 1;\n}\n"
    assert next_id(tree, body, config=REPO_LIKE_CONFIG.replace("GO_PACKAGE", "NEXT_ID")) == []


def test_message_reserved_range_end_is_exclusive(tree: Path) -> None:
    body = "// Next ID: 8\nmessage A {\n  string a = 1;\n  reserved 5 to 7;\n}\n"
    assert next_id(tree, body) == []
    body = "// Next ID: 10\nmessage A {\n  string a = 1;\n  reserved 9;\n}\n"
    assert next_id(tree, body) == []
    body = "// Next ID: 7\nmessage A {\n  string a = 1;\n  reserved 5 to 7;\n}\n"
    [f] = next_id(tree, body)
    assert "Next ID: 8" in f["message"]


def test_enum_reserved_range_end_is_inclusive(tree: Path) -> None:
    body = "// Next ID: 8\nenum E {\n  E_UNSPECIFIED = 0;\n  E_ONE = 1;\n  reserved 5 to 7;\n}\n"
    assert next_id(tree, body) == []
    body = "// Next ID: 3\nenum E {\n  E_UNSPECIFIED = 0;\n  reserved 2;\n}\n"
    assert next_id(tree, body) == []
    body = "// Next ID: 7\nenum E {\n  E_UNSPECIFIED = 0;\n  reserved 5 to 7;\n}\n"
    [f] = next_id(tree, body)
    assert f["element"] == "acme.demo.v1.E"
    assert "Next ID: 8" in f["message"]


def test_enum_without_comment_is_never_required(tree: Path) -> None:
    body = "enum E {\n  E_UNSPECIFIED = 0;\n}\n"
    config = REPO_LIKE_CONFIG.replace("GO_PACKAGE", "NEXT_ID")
    assert next_id(tree, body, config=config) == []


def test_nested_enum_is_checked(tree: Path) -> None:
    body = (
        "// Next ID: 2\nmessage A {\n  // Next ID: 1\n  enum Kind {\n    KIND_UNSPECIFIED = 0;\n"
        "    KIND_X = 1;\n  }\n  Kind kind = 1;\n}\n"
    )
    [f] = next_id(tree, body)
    assert f["element"] == "acme.demo.v1.A.Kind"


def test_extension_ranges_count(tree: Path) -> None:
    head = 'syntax = "proto2";\n\npackage acme.demo.v1;\n\n'
    body = "// Next ID: 200\nmessage A {\n  optional string a = 1;\n  extensions 100 to 199;\n}\n"
    assert next_id(tree, body, head=head) == []
    body = "// Next ID: 2\nmessage A {\n  optional string a = 1;\n  extensions 100 to 199;\n}\n"
    [f] = next_id(tree, body, head=head)
    assert "Next ID: 200" in f["message"]


def test_empty_message_expects_one(tree: Path) -> None:
    assert next_id(tree, "// Next ID: 1\nmessage A {}\n") == []
    [f] = next_id(tree, "// Next ID: 2\nmessage A {}\n")
    assert "number 1 was freed" in f["message"]


@pytest.mark.parametrize(
    "line",
    [
        "NextID:5",
        "NEXT_ID = 3",
        "Next Id: 3",
        "next-id: 3",
        "Next ID = 3;",
        "Next ID: 3;",
        "next   id: 3",
        "Next ID:3",
        "NEXT_ID: 3",
    ],
)
def test_loose_trigger_is_non_canonical(tree: Path, line: str) -> None:
    body = f"// {line}\nmessage A {{\n  string a = 1;\n  string b = 2;\n}}\n"
    [f] = next_id(tree, body)
    assert "not canonical" in f["message"]
    assert "'Next ID: 3'" in f["message"]


@pytest.mark.parametrize("line", ["next identifier: 5", "context id 5", "Next ID is above"])
def test_words_that_do_not_trigger(tree: Path, line: str) -> None:
    if line == "Next ID is above":
        # It triggers, and is not canonical.
        body = f"// {line}\nmessage A {{\n  string a = 1;\n}}\n"
        [f] = next_id(tree, body)
        assert "not canonical" in f["message"]
        return
    body = f"// {line}\nmessage A {{\n  string a = 1;\n}}\n"
    assert next_id(tree, body) == []


def test_only_the_last_non_empty_line_counts(tree: Path) -> None:
    body = "// Next ID: 7\n// More words after it.\nmessage A {\n  string a = 1;\n}\n"
    assert next_id(tree, body) == []
    body = "// Words.\n// Next ID: 7\n//\nmessage A {\n  string a = 1;\n}\n"
    [f] = next_id(tree, body)
    assert f["line"] == 6


def test_block_comment(tree: Path) -> None:
    body = "/* A thing.\n * Next ID: 5 */\nmessage A {\n  string a = 1;\n}\n"
    [f] = next_id(tree, body)
    assert f["line"] == 6
    assert f["column"] == 4


def test_every_message_needs_the_comment_in_this_repos_config(tree: Path) -> None:
    config = REPO_LIKE_CONFIG.replace("GO_PACKAGE", "NEXT_ID")
    body = "// A thing without the line.\nmessage A {\n  string a = 1;\n}\n"
    [f] = next_id(tree, body, config=config)
    assert (f["line"], f["column"]) == (6, 1)
    assert "Next ID: 2" in f["message"]
    # A foreign tree checks only the comments that exist.
    (tree / "presubmit.toml").unlink()
    assert next_id(tree, body) == []


def test_suppression_and_list_ignored(tree: Path) -> None:
    body = "// turboci:lint:ignore NEXT_ID\n// Next ID: 9\nmessage A {\n  string a = 1;\n}\n"
    write_tree(tree, {"demo.proto": HEAD + body})
    quiet = lint(tree, "--rules", "NEXT_ID", "--format", "json")
    assert (quiet.code, quiet.json()) == (0, [])
    shown = lint(tree, "--rules", "NEXT_ID", "--format", "json", "--list-ignored")
    assert shown.code == 0
    [f] = shown.json()
    assert f["suppressed"] is True and f["rule"] == "NEXT_ID"


def test_a_next_id_line_that_is_not_last_counts_as_missing_where_required(tree: Path) -> None:
    config = REPO_LIKE_CONFIG.replace("GO_PACKAGE", "NEXT_ID")
    body = "// Next ID: 2\n// More words after it.\nmessage A {\n  string a = 1;\n}\n"
    [f] = next_id(tree, body, config=config)
    assert "needs a leading comment ending in 'Next ID: 2'" in f["message"]
