# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from core.errors import UserError
from tests.conftest import task_context
from tools.errors import BuildError
from tools.errors import format_error
from tools.tasks import lint

PROTO = "turboci/graph/ids/v1/work_plan_id.proto"


def run_lint(root: Path, *argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    lint.TASK.arguments(parser)
    out = io.StringIO()
    status = lint.lint(task_context(root, out), parser.parse_args(list(argv)))
    return status, out.getvalue()


def break_naming_and_next_id(root: Path) -> None:
    path = root / PROTO
    text = path.read_text().replace("realm = 2", "Realm = 2").replace("Next ID: 3", "Next ID: 7")
    path.write_text(text)


def test_clean_tree(api_tree: Path) -> None:
    assert run_lint(api_tree) == (0, "")


def test_buf_and_own_findings_share_one_text_report(api_tree: Path) -> None:
    break_naming_and_next_id(api_tree)
    status, out = run_lint(api_tree)
    assert status == 1
    lines = out.splitlines()
    assert any(ln.startswith(f"{PROTO}:") and " FIELD_LOWER_SNAKE_CASE " in ln for ln in lines), (
        lines
    )
    assert any(ln.startswith(f"{PROTO}:") and " NEXT_ID " in ln for ln in lines), lines
    assert lines == sorted(lines, key=lambda ln: (ln.split(":")[0], int(ln.split(":")[1])))


def test_buf_findings_are_in_every_format(api_tree: Path) -> None:
    break_naming_and_next_id(api_tree)
    status, out = run_lint(api_tree, "--format", "json")
    assert status == 1
    rules = {f["rule"] for f in json.loads(out)}
    assert {"FIELD_LOWER_SNAKE_CASE", "NEXT_ID"} <= rules
    _, sarif = run_lint(api_tree, "--format", "sarif")
    assert "FIELD_LOWER_SNAKE_CASE" in sarif


def test_plain_clean_run_is_cached_and_any_input_change_reruns(api_tree: Path) -> None:
    ctx = task_context(api_tree)
    assert lint.lint_cached(ctx) == 0
    assert (api_tree / ".cache/stamps/lint").exists()
    break_naming_and_next_id(api_tree)
    assert lint.lint_cached(task_context(api_tree)) == 1


def test_the_checkout_named_as_root_is_linted_with_buf_on_the_shared_compile(
    api_tree: Path,
) -> None:
    break_naming_and_next_id(api_tree)
    status, out = run_lint(api_tree, "--root", str(api_tree), "--format", "json")
    assert status == 1
    rules = {f["rule"] for f in json.loads(out)}
    assert {"FIELD_LOWER_SNAKE_CASE", "NEXT_ID"} <= rules


def test_a_foreign_root_gets_only_the_projects_rules(api_tree: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "foreign"
    (foreign / "turboci").mkdir(parents=True)
    (foreign / "turboci" / "thing.proto").write_text(
        'syntax = "proto3";\n\npackage foreign.v1;\n\n'
        "// A thing.\n//\n// Next ID: 5\nmessage Thing {\n"
        "  // Its name.\n  optional string Name = 1;\n}\n"
    )
    status, out = run_lint(api_tree, "--root", str(foreign), "--format", "json")
    assert status == 1
    rules = {f["rule"] for f in json.loads(out)}
    assert "NEXT_ID" in rules
    assert "FIELD_LOWER_SNAKE_CASE" not in rules  # buf lint only with --buf
    # --buf runs buf lint as the tree's buf.yaml says, in the same report.
    with pytest.raises(BuildError, match=r"has no buf\.yaml"):
        run_lint(api_tree, "--root", str(foreign), "--buf")
    (foreign / "buf.yaml").write_text("version: v2\nlint:\n  use:\n    - STANDARD\n")
    status, out = run_lint(api_tree, "--root", str(foreign), "--buf", "--format", "json")
    assert status == 1
    found = {(f["path"], f["rule"]) for f in json.loads(out)}
    assert ("turboci/thing.proto", "FIELD_LOWER_SNAKE_CASE") in found
    assert ("turboci/thing.proto", "NEXT_ID") in found
    assert sorted(p.name for p in foreign.iterdir()) == ["buf.yaml", "turboci"]


def test_an_error_of_the_suite_is_one_line_marked_once(api_tree: Path, tmp_path: Path) -> None:
    with pytest.raises(UserError) as info:
        run_lint(api_tree, "--root", str(tmp_path), "--rules", "NOPE")
    assert info.value.exit_code == 2
    shown = format_error(info.value.message)
    assert shown.startswith("error: --rules: unknown rule NOPE"), shown
    assert "\n" not in shown


def test_max_file_bytes_of_presubmit_toml_holds(api_tree: Path) -> None:
    (api_tree / "presubmit.toml").write_text('protos = ["turboci"]\nmax_file_bytes = 100\n')
    with pytest.raises(UserError) as info:
        run_lint(api_tree)
    assert info.value.exit_code == 2
    size = (api_tree / PROTO).stat().st_size
    line = f"{PROTO}:1:1: file is {size} bytes, over the 100-byte limit for a hand-written .proto"
    assert line in info.value.message.splitlines()


def test_an_empty_presubmit_toml_says_which_protos_the_build_does_not_compile(
    api_tree: Path,
) -> None:
    (api_tree / "presubmit.toml").write_text("")
    (api_tree / "other").mkdir()
    (api_tree / "other" / "x.proto").write_text('syntax = "proto3";\npackage other;\n')
    with pytest.raises(UserError) as info:
        run_lint(api_tree)
    assert info.value.exit_code == 2
    assert info.value.message == (
        "presubmit.toml: `protos` takes in 1 .proto file(s) outside what ./build.py compiles "
        '(turboci), e.g. other/x.proto; set protos = ["turboci"] there (without it, every '
        "folder of the root is linted)"
    )
