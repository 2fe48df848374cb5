# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""§5: errors that point at the right file, line and column, without protoc's noise."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.reliability import support

Build = Callable[..., subprocess.CompletedProcess[str]]
X = f"{support.IDS}/x.proto"
WORK_PLAN_ID = f"{support.IDS}/work_plan_id.proto"


def test_garbage_named_proto_has_no_absl_noise_and_is_capped(
    build_copy: Build, api_tree: Path
) -> None:
    (api_tree / X).write_text("".join(f"garbage line {n} ;; }}{{\n" for n in range(200)))
    proc = build_copy("lint")
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert lines[0].startswith(f"{X}:1:"), lines[0]
    assert not any("absl" in ln or "WARNING: All log messages" in ln for ln in lines)
    # Capped: 20 of protoc's errors, then how many more there were.
    assert len(lines) == 21, lines
    assert lines[-1].startswith("… and ") and lines[-1].endswith(" more"), lines[-1]


def test_a_binary_file_named_proto(build_copy: Build, api_tree: Path) -> None:
    (api_tree / X).write_bytes(bytes(range(256)) * 8)
    proc = build_copy("gen")
    assert proc.returncode in (1, 2)
    assert proc.stderr.startswith(f"{X}:1:1: binary file"), proc.stderr
    assert len(proc.stderr.splitlines()) == 1


def test_a_non_utf8_byte_in_a_comment_names_its_file_line_and_column(
    build_copy: Build, api_tree: Path
) -> None:
    path = api_tree / WORK_PLAN_ID
    path.write_bytes(path.read_bytes().replace(b"// Identifies one", b"// Identifies \xe9 one"))
    proc = build_copy("gen")
    assert proc.returncode in (1, 2)
    line = path.read_bytes().split(b"\n").index(b"// Identifies \xe9 one workplan.") + 1
    assert proc.stderr == f"{WORK_PLAN_ID}:{line}:15: not UTF-8 (byte 0xe9)\n"


def test_an_empty_proto_is_a_clear_error(build_copy: Build, api_tree: Path) -> None:
    (api_tree / X).write_text("\n")
    proc = build_copy("gen")
    assert proc.returncode in (1, 2)
    assert proc.stderr == (f"{X}:1:1: empty file: a .proto needs at least a syntax statement\n")


def test_a_proto_without_syntax_is_a_finding(build_copy: Build, api_tree: Path) -> None:
    path = api_tree / WORK_PLAN_ID
    path.write_text(path.read_text().replace('syntax = "proto3";\n', ""))
    proc = build_copy("lint")
    assert proc.returncode in (1, 2)
    assert f"{WORK_PLAN_ID}:1:1: SYNTAX_DECLARED" in proc.stdout + proc.stderr


def test_the_repos_protos_declare_their_syntax() -> None:
    repo = Path(__file__).resolve().parents[2]
    for path in (repo / "turboci").rglob("*.proto"):
        first = next(
            ln for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("//")
        )
        assert first.startswith(("syntax =", "edition =")), path


def test_a_json_name_that_is_not_utf8_is_refused(build_copy: Build, api_tree: Path) -> None:
    path = api_tree / WORK_PLAN_ID
    path.write_text(
        path.read_text().replace("string realm = 2;", 'string realm = 2 [json_name = "r\\377"];')
    )
    proc = build_copy("gen")
    assert proc.returncode in (1, 2)
    line = (
        path.read_text().splitlines().index('  optional string realm = 2 [json_name = "r\\377"];')
        + 1
    )
    assert proc.stderr.startswith(f"{WORK_PLAN_ID}:{line}:"), proc.stderr
    assert "json_name is not UTF-8" in proc.stderr
    assert not (api_tree / "go").exists()


def test_a_missing_import_is_named_by_the_importing_file(build_copy: Build, api_tree: Path) -> None:
    path = api_tree / WORK_PLAN_ID
    path.write_text(
        path.read_text().replace(
            'import "google/api/field_behavior.proto";',
            'import "google/api/field_behavior.proto";\nimport "turboci/nope/v1/gone.proto";',
        )
    )
    proc = build_copy("lint")
    assert proc.returncode == 2
    line = path.read_text().splitlines().index('import "turboci/nope/v1/gone.proto";') + 1
    assert proc.stderr.splitlines()[0] == (
        f'{WORK_PLAN_ID}:{line}:1: Import "turboci/nope/v1/gone.proto" was not found or had errors.'
    )
    assert "File not found" not in proc.stderr


def test_the_size_limit_holds_for_every_task(build_copy: Build, api_tree: Path) -> None:
    big = api_tree / X
    big.write_text('syntax = "proto3";\n' + "// padding\n" * (1024 * 1024))
    assert big.stat().st_size > 8 * 1024 * 1024
    for args in (("lint",), ("lint", "--root", "."), ("gen",)):
        proc = build_copy(*args)
        assert proc.returncode in (1, 2), args
        assert f"{X}:1:1: file is " in proc.stderr, (args, proc.stderr)
        assert "-byte limit" in proc.stderr
