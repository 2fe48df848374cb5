# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""buf format in a scratch module of its own, and the guarded write back."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from core import buf_format
from core import files
from core.layout import REPO

BUF = str(REPO.venv_bin("buf"))
MESSY = b'syntax="proto3";\npackage a.v1;\nmessage   M {int32 y=1;}\n'
TIDY = b'syntax = "proto3";\npackage a.v1;\nmessage M {\n  int32 y = 1;\n}\n'


def test_formats_copies_whatever_buf_yaml_the_tree_has(tmp_path: Path) -> None:
    # A workspace whose module is a subfolder: buf run in the tree itself
    # would write `a/v1/m.proto` for `proto/a/v1/m.proto`.
    tree = tmp_path / "tree"
    (tree / "proto/a/v1").mkdir(parents=True)
    (tree / "buf.yaml").write_text("version: v2\nmodules:\n  - path: proto\n")
    (tree / "proto/a/v1/m.proto").write_bytes(MESSY)
    originals = {"proto/a/v1/m.proto": MESSY, "proto/a/v1/t.proto": TIDY}
    new = buf_format.formatted(BUF, originals, tmp_path / "scratch")
    assert new == {"proto/a/v1/m.proto": TIDY, "proto/a/v1/t.proto": TIDY}
    assert (tree / "proto/a/v1/m.proto").read_bytes() == MESSY


def _fake_buf(folder: Path, script: str) -> str:
    """A `buf` that runs `script` (sh) whatever it is asked."""
    buf = folder / "buf"
    buf.write_text(f"#!/bin/sh\n{script}\n")
    buf.chmod(0o755)
    return str(buf)


def test_a_buf_that_writes_nothing_is_an_error(tmp_path: Path) -> None:
    quiet = _fake_buf(tmp_path, "exit 0")
    with pytest.raises(buf_format.FormatError, match=r"m\.proto: buf format wrote no output"):
        buf_format.formatted(quiet, {"m.proto": MESSY}, tmp_path / "scratch")


def test_a_failing_or_missing_buf_is_one_line(tmp_path: Path) -> None:
    failing = _fake_buf(tmp_path, "echo 'Failure: something broke' >&2; exit 1")
    with pytest.raises(buf_format.FormatError, match=r"^buf format failed: Failure: something"):
        buf_format.formatted(failing, {"m.proto": MESSY}, tmp_path / "s1")
    with pytest.raises(buf_format.FormatError, match="cannot run buf"):
        buf_format.formatted(str(tmp_path / "nope"), {"m.proto": MESSY}, tmp_path / "s2")


def test_write_back_replaces_only_what_changed_and_is_unchanged(tmp_path: Path) -> None:
    (tmp_path / "m.proto").write_bytes(MESSY)
    (tmp_path / "t.proto").write_bytes(TIDY)
    before = (tmp_path / "t.proto").stat().st_mtime_ns
    new = {"m.proto": TIDY, "t.proto": TIDY}
    originals = {"m.proto": MESSY, "t.proto": TIDY}
    assert buf_format.write_back(tmp_path, new, originals) == ["m.proto"]
    assert (tmp_path / "m.proto").read_bytes() == TIDY
    assert (tmp_path / "t.proto").stat().st_mtime_ns == before
    # Edited since it was read: refused, left as the editor wrote it.
    (tmp_path / "m.proto").write_bytes(b"edited\n")
    with pytest.raises(buf_format.FormatError, match="changed while it was being formatted"):
        buf_format.write_back(tmp_path, {"m.proto": TIDY}, {"m.proto": MESSY})
    assert (tmp_path / "m.proto").read_bytes() == b"edited\n"


def test_write_back_refuses_a_link_out_of_the_root_before_writing_anything(
    tmp_path: Path,
) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside.proto"
    root.mkdir()
    outside.write_bytes(MESSY)
    (root / "a.proto").write_bytes(MESSY)
    (root / "z.proto").symlink_to(outside)
    new = {"a.proto": TIDY, "z.proto": TIDY}
    with pytest.raises(files.OutsideRootError):
        buf_format.write_back(root, new, {"a.proto": MESSY, "z.proto": MESSY})
    assert (root / "a.proto").read_bytes() == MESSY
    assert outside.read_bytes() == MESSY


def test_write_back_refuses_a_file_swapped_for_a_fifo_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "m.proto")  # read, it would wait for ever for a writer
    raised: list[BaseException] = []

    def write_back() -> None:
        try:
            buf_format.write_back(tmp_path, {"m.proto": TIDY}, {"m.proto": MESSY})
        except buf_format.FormatError as exc:
            raised.append(exc)

    thread = threading.Thread(target=write_back, daemon=True)
    thread.start()
    thread.join(timeout=20)
    if thread.is_alive():
        os.close(os.open(tmp_path / "m.proto", os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("write_back() blocked on a FIFO")
    assert raised and "changed while it was being formatted" in str(raised[0])
