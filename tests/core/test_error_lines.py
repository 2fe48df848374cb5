# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""How a problem reads: compiler-style lines as they are, others marked once."""

from __future__ import annotations

from pathlib import Path

from core.error_lines import error_line
from core.error_lines import relocated


def test_compiler_style_and_summing_up_lines_print_as_they_are() -> None:
    assert error_line("a/b.proto:3:7: Expected ;") == "a/b.proto:3:7: Expected ;"
    assert error_line("… and 4 more") == "… and 4 more"


def test_other_lines_are_marked_once() -> None:
    assert error_line("DEPS: not found") == "error: DEPS: not found"
    assert error_line("error: already marked") == "error: already marked"
    assert error_line("a.proto:x:1: no line number") == "error: a.proto:x:1: no line number"


def test_relocated_moves_compiler_style_paths_only() -> None:
    assert relocated("a/b.proto:4:1: Expected ;", "proto") == "proto/a/b.proto:4:1: Expected ;"
    assert relocated("a/b.proto:4:1: x", ".") == "a/b.proto:4:1: x"
    assert relocated("a/b.proto:4:1: x", "") == "a/b.proto:4:1: x"
    # Absolute paths, and lines that are not `path:line:`, stay as they are.
    assert relocated("/abs/b.proto:4:1: x", "proto") == "/abs/b.proto:4:1: x"
    assert relocated("--root x: no such directory", "proto") == "--root x: no such directory"
    assert relocated("no .proto files to lint", "proto") == "no .proto files to lint"


def test_relocated_moves_named_paths_that_exist_under_the_root(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f.proto").write_text("")
    line = "a/f.proto: a FIFO, not a regular file"
    assert relocated(line, "proto", tmp_path) == "proto/" + line
    # Without the root, or for a name that is not there, nothing moves.
    assert relocated(line, "proto") == line
    assert relocated("b/g.proto: gone", "proto", tmp_path) == "b/g.proto: gone"
