# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The writer lock: a checkout's .cache/build.lock, or a foreign tree's own folder."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from core import lock
from core.layout import Layout


def _taken_elsewhere(path: Path) -> bool:
    """Would another open of `path` have to wait for the lock? (flock locks
    belong to an open file, so a second open conflicts even in this process)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _everything(root: Path) -> dict[str, tuple[int, int]]:
    """Every entry under root (folders too), with its mtime and size."""
    out = {".": (root.stat().st_mtime_ns, root.stat().st_size)}
    for p in root.rglob("*"):
        st = p.lstat()
        out[p.relative_to(root).as_posix()] = (st.st_mtime_ns, st.st_size)
    return out


def test_the_holder_names_itself_in_the_lock_file_while_it_holds(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    with lock.held(layout, "gen", on_wait=pytest.fail):
        assert lock.is_held(layout)
        assert lock.path(layout).read_text() == f"pid {os.getpid()}, gen"
        assert _taken_elsewhere(lock.path(layout))
    assert not lock.is_held(layout)
    assert lock.path(layout).read_text() == ""
    assert not _taken_elsewhere(lock.path(layout))


def test_a_nested_take_in_one_process_is_a_no_op(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    with lock.held(layout, "outer", on_wait=pytest.fail):
        with lock.held(layout, "inner", on_wait=pytest.fail):
            assert lock.path(layout).read_text() == f"pid {os.getpid()}, outer"
        assert lock.is_held(layout)  # the inner release does not free the outer take
        assert _taken_elsewhere(lock.path(layout))
    assert not lock.is_held(layout)


def test_a_cache_that_leads_out_of_the_checkout_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / ".cache").symlink_to(outside)
    with (
        pytest.raises(lock.LockError, match="symlink"),
        lock.held(Layout(checkout), "gen", on_wait=pytest.fail),
    ):
        pass
    assert list(outside.iterdir()) == []


def test_a_read_only_checkout_says_so(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    tmp_path.chmod(0o555)
    try:
        with (
            pytest.raises(lock.LockError, match=r"cannot take the build lock.*writable"),
            lock.held(Layout(tmp_path), "gen", on_wait=pytest.fail),
        ):
            pass
    finally:
        tmp_path.chmod(0o755)


def test_a_foreign_tree_is_locked_through_its_folder_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    root = tmp_path / "tree"
    (root / "a").mkdir(parents=True)
    (root / "a" / "x.proto").write_text('syntax = "proto3";\n')
    before = _everything(root)
    with lock.held_tree(root, on_wait=pytest.fail):
        assert _taken_elsewhere(root)
        with lock.held_tree(root, on_wait=pytest.fail):  # nested: a no-op
            pass
        assert _taken_elsewhere(root)
    assert not _taken_elsewhere(root)
    assert _everything(root) == before


def test_a_foreign_tree_that_is_not_a_folder_is_refused(tmp_path: Path) -> None:
    with (
        pytest.raises(lock.LockError, match="cannot lock the tree"),
        lock.held_tree(tmp_path / "missing", on_wait=pytest.fail),
    ):
        pass
