# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The one protoc wrapper: the real compiler, its noise dropped, its errors capped."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import protoc


def test_diagnostics_drop_absl_noise_and_warnings_and_shorten_paths(tmp_path: Path) -> None:
    stderr = (
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
        "I0000 00:00:1 something internal\n"
        f"{tmp_path}/a.proto:3:1: warning: Import b.proto is unused.\n"
        f'{tmp_path}/a.proto:5:9: Expected ";".\n'
        f'{tmp_path}/a.proto:5:9: Expected ";".\n'
    )
    assert protoc.diagnostics(stderr.encode(), tmp_path) == ['a.proto:5:9: Expected ";".']


def test_a_warning_without_a_place_is_dropped_too() -> None:
    # What protoc says while running plugins (gen): the file, no line.
    stderr = (
        "turboci/a/v1/a.proto: warning: Import google/protobuf/duration.proto is unused.\n"
        'protoc-gen-go: Go package "x" has inconsistent names apb and bpb\n'
        "--go_out: protoc-gen-go: Plugin failed with status code 1.\n"
    )
    assert protoc.diagnostics(stderr) == [
        'protoc-gen-go: Go package "x" has inconsistent names apb and bpb',
        "--go_out: protoc-gen-go: Plugin failed with status code 1.",
    ]


def test_capped_sums_up_the_rest() -> None:
    lines = [f"l{i}" for i in range(25)]
    assert protoc.capped(lines) == [*lines[:20], "… and 5 more"]
    assert protoc.capped(lines[:20]) == lines[:20]


def test_run_raises_the_compilers_own_lines(tmp_path: Path) -> None:
    (tmp_path / "a.proto").write_text('syntax = "proto3";\nmessage {\n', encoding="utf-8")
    with pytest.raises(protoc.CompileError) as info:
        protoc.run(["-I.", "--descriptor_set_out=/dev/null", "a.proto"], cwd=tmp_path)
    assert info.value.lines and all(ln.startswith("a.proto:2:") for ln in info.value.lines)


def test_the_well_known_types_are_on_the_include_path(tmp_path: Path) -> None:
    (tmp_path / "a.proto").write_text(
        'syntax = "proto3";\nimport "google/protobuf/any.proto";\n'
        "message A { google.protobuf.Any x = 1; }\n",
        encoding="utf-8",
    )
    protoc.run(["-I.", f"--descriptor_set_out={tmp_path / 'out'}", "a.proto"], cwd=tmp_path)
    assert (tmp_path / "out").stat().st_size > 0
