# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""core.tree: a tree's root, its compile cache and the one writer lock entry."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from core import lock
from core import tree as worktree
from core.layout import REPO
from core.layout import Layout


def test_installed_the_code_keeps_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert worktree.cache_for(REPO.root) == REPO.compile_cache
    cache = worktree.cache_for(tmp_path)
    assert cache is not None and REPO.cache in cache.parents
    monkeypatch.setattr(worktree, "REPO", Layout(tmp_path / "site-packages"))
    assert worktree.cache_for(tmp_path) is None


def test_a_root_that_is_no_folder_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(worktree.TreeError) as info:
        worktree.resolve_root(tmp_path / "nope")
    assert info.value.lines == [f"--root {tmp_path / 'nope'}: no such directory"]
    assert info.value.exit_code == 2
    assert worktree.resolve_root(None) == REPO.root


def test_the_waiting_text_is_said_once_with_the_holder(tmp_path: Path) -> None:
    """A foreign tree is locked through its folder; a waiter says for whom it waits."""
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    said: list[str] = []

    def say(line: str) -> None:
        said.append(line)
        os.close(fd)  # the other writer finishes while this one waits

    with worktree.writer(tmp_path, "test", say):
        assert said == ["waiting for another writer (pid unknown) to finish"]
    assert not lock.is_held(Layout(tmp_path))


def test_a_trees_cache_is_touched_each_time_it_is_used(tmp_path: Path) -> None:
    folder = worktree.cache_for(tmp_path)
    assert folder is not None and folder.parent == REPO.cache / "trees"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        os.utime(folder, (1.0, 1.0))
        assert worktree.cache_for(tmp_path) == folder
        # Used now, so the clean-up of unused trees' caches keeps it.
        assert folder.stat().st_mtime > 1.0
    finally:
        folder.rmdir()
