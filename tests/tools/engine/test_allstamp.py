from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.conftest import git
from tools.tasks import allstamp

PROTO = "turboci/graph/ids/v1/work_plan_id.proto"


@pytest.fixture
def tree(api_tree: Path) -> Path:
    # The stamp is only trusted where the tools it vouches for exist.
    for tool in allstamp.TOOLS:
        (api_tree / tool).parent.mkdir(parents=True, exist_ok=True)
        (api_tree / tool).write_text("")
    shutil.copy(REPO / "tools/installed.json", api_tree / "tools/installed.json")
    return api_tree


def test_fresh_only_after_record_and_until_anything_changes(tree: Path) -> None:
    assert not allstamp.is_fresh(tree)
    allstamp.record(tree)
    assert allstamp.is_fresh(tree)
    path = tree / PROTO
    path.write_text(path.read_text() + "\n")
    assert not allstamp.is_fresh(tree)


def test_new_untracked_file_and_new_commit_change_the_key(tree: Path) -> None:
    allstamp.record(tree)
    (tree / "turboci/new.proto").write_text('syntax = "proto3";\n')
    assert not allstamp.is_fresh(tree)
    allstamp.record(tree)
    git(tree, "commit", "-q", "--allow-empty", "-m", "Another")
    assert not allstamp.is_fresh(tree)


def test_ignored_files_do_not_count(tree: Path) -> None:
    allstamp.record(tree)
    (tree / ".cache" / "scratch").parent.mkdir(exist_ok=True)
    (tree / ".cache" / "scratch").write_text("anything")
    assert allstamp.is_fresh(tree)


def test_a_missing_tool_or_install_record_is_never_fresh(tree: Path) -> None:
    allstamp.record(tree)
    (tree / allstamp.TOOLS[0]).unlink()
    assert not allstamp.is_fresh(tree)
    assert allstamp.key(tree) is None


def test_outside_git_there_is_no_key(tmp_path: Path) -> None:
    assert allstamp.key(tmp_path) is None
