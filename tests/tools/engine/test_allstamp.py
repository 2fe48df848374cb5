# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from core.layout import Layout
from tests.conftest import REPO
from tests.conftest import git
from tools.engine import allstamp

PROTO = "turboci/graph/ids/v1/work_plan_id.proto"
STEPS = ["compile", "format", "lint"]


@pytest.fixture
def tree(api_tree: Path) -> Layout:
    # The stamp is only trusted where the tools it vouches for exist.
    for tool in allstamp.TOOLS:
        (api_tree / tool).parent.mkdir(parents=True, exist_ok=True)
        (api_tree / tool).write_text("")
    shutil.copy(REPO / "tools/installed.json", api_tree / "tools/installed.json")
    return Layout(api_tree)


def is_fresh(layout: Layout) -> bool:
    return allstamp.fresh_steps(layout) is not None


def test_fresh_only_after_record_and_until_anything_changes(tree: Layout) -> None:
    assert not is_fresh(tree)
    allstamp.record(tree, STEPS)
    assert is_fresh(tree)
    path = tree.root / PROTO
    path.write_text(path.read_text() + "\n")
    assert not is_fresh(tree)


def test_the_stamp_remembers_the_steps_it_vouches_for(tree: Layout) -> None:
    allstamp.record(tree, STEPS)
    assert allstamp.fresh_steps(tree) == STEPS
    allstamp.record(tree, [])
    assert allstamp.fresh_steps(tree) == []


def test_new_untracked_file_and_new_commit_change_the_key(tree: Layout) -> None:
    allstamp.record(tree, STEPS)
    (tree.root / "turboci/new.proto").write_text('syntax = "proto3";\n')
    assert not is_fresh(tree)
    allstamp.record(tree, STEPS)
    git(tree.root, "commit", "-q", "--allow-empty", "-m", "Another")
    assert not is_fresh(tree)


def test_ignored_files_do_not_count(tree: Layout) -> None:
    allstamp.record(tree, STEPS)
    (tree.cache / "scratch").parent.mkdir(exist_ok=True)
    (tree.cache / "scratch").write_text("anything")
    assert is_fresh(tree)


def test_ignored_proto_inputs_count(tree: Layout) -> None:
    # The compile reads every .proto under turboci/, ignored by git or not:
    # so does the stamp, or the fast path would miss an edit the full path sees.
    (tree.root / ".gitignore").write_text(
        (tree.root / ".gitignore").read_text() + "/turboci/local.proto\n"
    )
    git(tree.root, "commit", "-qam", "Ignore a local proto")
    local = tree.root / "turboci/local.proto"
    local.write_text('syntax = "proto3";\n')
    allstamp.record(tree, STEPS)
    assert is_fresh(tree)
    local.write_text('syntax = "proto3";\npackage local;\n')
    assert not is_fresh(tree)


def test_an_untracked_link_to_a_folder_keeps_the_fast_path(tree: Layout, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tree.root / "shared").symlink_to(tmp_path / "elsewhere")
    allstamp.record(tree, STEPS)
    assert allstamp.fresh_steps(tree) == STEPS


def test_a_missing_tool_or_install_record_is_never_fresh(tree: Layout) -> None:
    allstamp.record(tree, STEPS)
    (tree.root / allstamp.TOOLS[0]).unlink()
    assert not is_fresh(tree)
    assert allstamp.key(tree) is None
    (tree.root / allstamp.TOOLS[0]).write_text("")
    assert is_fresh(tree)
    tree.installed.unlink()
    assert not is_fresh(tree)
    assert allstamp.key(tree) is None


def test_a_corrupt_stamp_is_not_fresh(tree: Layout) -> None:
    allstamp.record(tree, STEPS)
    (tree.stamps / allstamp.STAMP).write_bytes(b"\xff\xfe not a stamp")
    assert not is_fresh(tree)


def test_outside_git_there_is_no_key(tmp_path: Path) -> None:
    assert allstamp.key(Layout(tmp_path)) is None
    assert allstamp.fresh_steps(Layout(tmp_path)) is None


def test_a_hostile_stamp_only_loses_the_shortcut(tree: Layout) -> None:
    allstamp.record(tree, STEPS)
    stamp = tree.stamps / allstamp.STAMP
    good = stamp.read_bytes()
    current = good.split(b"\n")[0]
    stamp.write_bytes(current + b"\ncompile \x1b[2Jgen")  # a step name that is not one
    assert not is_fresh(tree)
    stamp.unlink()
    os.mkfifo(stamp)
    assert not is_fresh(tree)  # a plain read would block on the FIFO
    stamp.unlink()
    stamp.write_bytes(good)
    assert allstamp.fresh_steps(tree) == STEPS
