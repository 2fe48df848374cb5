# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Safe writes: atomic, and never outside the root, through a symlink or otherwise."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from core import files
from tests.conftest import Fsyncs


def test_write_atomic_replaces_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "a" / "f.txt"
    files.write_atomic(path, b"one", tmp_path)
    path.chmod(0o640)
    files.write_atomic(path, b"two", tmp_path)
    assert path.read_bytes() == b"two"
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in path.parent.iterdir()) == ["f.txt"]  # no temp file left


def test_a_symlinked_file_leading_out_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "t.proto").write_bytes(b"keep")
    (root / "t.proto").symlink_to(outside / "t.proto")
    with pytest.raises(files.OutsideRootError, match=r"t\.proto: a symlink to .*outside"):
        files.write_atomic(root / "t.proto", b"changed", root)
    assert (outside / "t.proto").read_bytes() == b"keep"


def test_a_symlinked_folder_leading_out_is_refused_and_named(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "go").symlink_to(outside)
    with pytest.raises(files.OutsideRootError) as info:
        files.write_atomic(root / "go" / "x.pb.go", b"x", root)
    assert str(root / "go") in str(info.value)
    assert list(outside.iterdir()) == []


def test_a_symlink_inside_the_root_is_fine(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    files.write_atomic(tmp_path / "link" / "f", b"x", tmp_path)
    assert (tmp_path / "real" / "f").read_bytes() == b"x"


def test_dot_dot_cannot_leave_the_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    with pytest.raises(files.OutsideRootError, match="outside"):
        files.confined(root, root / ".." / "escape")


def test_a_durable_write_flushes_the_file_then_its_folder_after_the_rename(
    tmp_path: Path, fsyncs: Fsyncs
) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"old")
    at_flush: list[bytes] = []
    fsyncs.on_folder = lambda: at_flush.append(path.read_bytes())
    files.write_atomic(path, b"new", tmp_path)
    assert fsyncs.files == 1
    assert fsyncs.count(tmp_path) == 1
    assert len(fsyncs.folders) == 1
    assert at_flush == [b"new"]  # the folder is flushed once the rename is done


def test_a_durable_write_into_new_folders_flushes_each_new_name_once(
    tmp_path: Path, fsyncs: Fsyncs
) -> None:
    files.write_atomic(tmp_path / "a" / "b" / "f.txt", b"x", tmp_path)
    assert fsyncs.count(tmp_path / "a" / "b") == 1  # f.txt
    assert fsyncs.count(tmp_path / "a") == 1  # b
    assert fsyncs.count(tmp_path) == 1  # a
    assert len(fsyncs.folders) == 3


def test_a_write_that_need_not_be_durable_flushes_nothing(tmp_path: Path, fsyncs: Fsyncs) -> None:
    files.write_atomic(tmp_path / "a" / "f.txt", b"x", tmp_path, durable=False)
    assert (tmp_path / "a" / "f.txt").read_bytes() == b"x"
    assert (fsyncs.files, fsyncs.folders) == (0, [])


def test_sync_folders_flushes_each_folder_once(tmp_path: Path, fsyncs: Fsyncs) -> None:
    (tmp_path / "a").mkdir()
    files.sync_folders([tmp_path, tmp_path / "a", tmp_path, tmp_path / "a"])
    assert fsyncs.folders == [
        (tmp_path.stat().st_dev, tmp_path.stat().st_ino),
        (tmp_path.stat().st_dev, (tmp_path / "a").stat().st_ino),
    ]


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_a_new_file_follows_the_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        files.write_atomic(tmp_path / "new.txt", b"x")
        files.write_atomic(tmp_path / "made" / "deeper.txt", b"x", tmp_path)
    finally:
        os.umask(old)
    for name in ("new.txt", "made/deeper.txt"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~umask, name


def test_a_rewrite_keeps_the_mode_whatever_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "script.sh"
    target.write_bytes(b"old")
    target.chmod(0o754)
    old = os.umask(0o077)
    try:
        files.write_atomic(target, b"new")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o754
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["script.sh"]  # no temp file left
