# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The presubmit's run folders: made and locked per run; dead runs' removed by the next."""

from __future__ import annotations

import fcntl
import os
import subprocess
import time
from pathlib import Path

import pytest

from core.layout import Layout
from tools.commit_queue import runs


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def locked(folder: Path) -> bool:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_a_run_folder_is_locked_while_it_lives_and_removed_after(tmp_path: Path) -> None:
    with runs.run_folder(Layout(tmp_path)) as (folder, fd):
        assert folder.parent == tmp_path / ".cache" / "presubmit"
        assert folder.name.startswith(f"run-{os.getpid()}-")
        assert folder.is_dir() and locked(folder)
        (folder / "out").write_text("x")
        assert os.get_inheritable(fd) is False  # given to the checks explicitly
    assert list(folder.parent.iterdir()) == []


def test_dead_runs_folders_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    parent = tmp_path / ".cache" / "presubmit"
    parent.mkdir(parents=True)
    dead = parent / f"run-{dead_pid()}-a"
    old_format = parent / "run-x1y2z3"
    starting = parent / f"run-{os.getpid()}-b"  # its run has not locked it yet
    reused = parent / f"run-{os.getpid()}-c"  # too old to be starting: its pid was reused
    held = parent / f"run-{dead_pid()}-d"  # a check of a killed run still holds the lock
    other = parent / "notes"
    for folder in (dead, old_format, starting, reused, held, other):
        folder.mkdir()
        (folder / "out").write_text("x")
    old = time.time() - runs.STALE_SECONDS - 5
    os.utime(reused, (old, old))
    holder = os.open(held, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        with runs.run_folder(Layout(tmp_path)) as (mine, _):
            left = sorted(p.name for p in parent.iterdir())
    finally:
        os.close(holder)
    assert left == sorted([starting.name, held.name, other.name, mine.name])
    assert (held / "out").read_text() == "x"


def test_a_symlinked_entry_is_left_alone(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    parent = root / ".cache" / "presubmit"
    parent.mkdir(parents=True)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("mine")
    link = parent / f"run-{dead_pid()}-x"
    link.symlink_to(victim)
    with runs.run_folder(Layout(root)):
        pass
    assert link.is_symlink()
    assert (victim / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("linked", [".cache", ".cache/presubmit"])
def test_a_symlinked_cache_is_refused(tmp_path: Path, linked: str) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    victim = tmp_path / "victim"
    leftover = victim / f"run-{dead_pid()}-x"
    leftover.mkdir(parents=True)
    (root / linked).parent.mkdir(parents=True, exist_ok=True)
    (root / linked).symlink_to(victim)
    with pytest.raises(runs.RunFolderError) as info, runs.run_folder(Layout(root)):
        pass
    assert str(info.value) == (
        f"{linked}: a symlink or not a folder; the presubmit keeps its run folders "
        "in the checkout's own .cache only: remove it"
    )
    assert [p.name for p in victim.iterdir()] == [leftover.name]
    assert list(leftover.iterdir()) == []


def test_a_cache_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".cache").write_text("not a folder")
    refused = pytest.raises(runs.RunFolderError, match=r"^\.cache: a symlink or not a folder")
    with refused, runs.run_folder(Layout(tmp_path)):
        pass
