# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

from pathlib import Path

from tests.conftest import git
from tools import history


def test_a_shallow_clone_is_told_from_a_full_one(api_tree: Path, tmp_path: Path) -> None:
    git(api_tree, "commit", "-q", "--allow-empty", "-m", "Second")
    shallow = tmp_path / "shallow"
    full = tmp_path / "full"
    git(tmp_path, "clone", "-q", "--depth=1", f"file://{api_tree}", str(shallow))
    git(tmp_path, "clone", "-q", f"file://{api_tree}", str(full))
    assert history.is_shallow(shallow)
    assert not history.is_shallow(full)
    assert not history.is_shallow(api_tree)
    # Deepened to the first commit, it is whole again.
    git(shallow, "fetch", "-q", "--unshallow")
    assert not history.is_shallow(shallow)


def test_a_folder_outside_git_is_not_shallow(tmp_path: Path) -> None:
    assert not history.is_shallow(tmp_path)
