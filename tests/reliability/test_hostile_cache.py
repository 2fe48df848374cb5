# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""§3, .cache as input: a journal, staging folder or cache folder that came from
elsewhere (a CI cache, a tarball, another user) never makes build.py or the lint
suite act outside the checkout; each is refused in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import build_env
from tests.reliability.test_transaction import HOSTILE
from tests.reliability.test_transaction import everything_in
from tests.reliability.test_transaction import hostile_checkout
from tests.reliability.test_transaction import refusal_start
from tests.reliability.test_transaction import victim_folder

Build = Callable[..., subprocess.CompletedProcess[str]]


def _one_line(proc: subprocess.CompletedProcess[str], starts: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith(starts), proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr


@pytest.mark.parametrize("shape", sorted(HOSTILE))
def test_a_hostile_journal_is_refused_by_help_and_by_a_task(
    build_copy: Build, api_tree: Path, tmp_path: Path, shape: str
) -> None:
    victim = victim_folder(tmp_path)
    before = everything_in(victim)
    data = hostile_checkout(api_tree, victim, shape)
    for args in (("--help",), ("clean",)):
        proc = build_copy(*args)
        _one_line(proc, "error: " + refusal_start(api_tree, victim, shape))
        assert everything_in(victim) == before, args
        assert (api_tree / ".cache/transaction.json").read_bytes() == data


def test_a_fifo_journal_does_not_hang_help(build_copy: Build, api_tree: Path) -> None:
    (api_tree / ".cache").mkdir()
    os.mkfifo(api_tree / ".cache/transaction.json")
    proc = build_copy("--help")  # would wait forever for a writer to the FIFO
    _one_line(proc, "error: .cache/transaction.json: unreadable transaction journal (a FIFO, not a")


def _presubmit(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The lint suite of the checkout at `root`, run on its own."""
    return subprocess.run(
        [sys.executable, "-m", "presubmit", "--root", str(root), *args],
        cwd=root,
        env=build_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    "linked", [".cache", ".cache/staging", ".cache/stamps", ".cache/compile", ".cache/compile/sets"]
)
def test_a_symlinked_cache_folder_is_refused_everywhere(
    build_copy: Build, api_tree: Path, tmp_path: Path, linked: str
) -> None:
    victim = victim_folder(tmp_path)  # holds a-2019-b/: a dead run's staging, by its name
    before = everything_in(victim)
    link = api_tree / linked
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(victim)
    starts = f"error: {link}: a symlink to {victim}, which is outside {api_tree}; "
    for task in (["lint", "--fix"], ["format"]):
        _one_line(build_copy(*task), starts)
        assert everything_in(victim) == before, task
    for flags in ([], ["--fix"]):
        _one_line(_presubmit(api_tree, *flags), starts)
        assert everything_in(victim) == before, flags


def test_a_symlinked_findings_cache_is_refused(
    build_copy: Build, api_tree: Path, tmp_path: Path
) -> None:
    # In a checkout of its own: the refusal holds for the whole .cache, so a
    # link planted in this repo's would stop every other test's lint.
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    assert _presubmit(api_tree).returncode in (0, 1)
    link = api_tree / ".cache/compile/findings.sqlite"
    assert link.is_file()
    link.unlink()
    link.symlink_to(victim)
    _one_line(_presubmit(api_tree), f"error: {link}: a symlink to {victim}, which is outside ")
    assert victim.read_bytes() == b"precious"


def test_a_cache_symlinked_inside_the_checkout_is_refused_too(
    build_copy: Build, api_tree: Path
) -> None:
    # A lock file linked to a source would be truncated by the lock.
    (api_tree / ".cache").mkdir()
    target = api_tree / "DEPS"
    text = target.read_bytes()
    (api_tree / ".cache/build.lock").symlink_to(target)
    _one_line(build_copy("clean"), f"error: {api_tree / '.cache/build.lock'}: a symlink to ")
    _one_line(_presubmit(api_tree, "--fix"), f"error: {api_tree / '.cache/build.lock'}: ")
    assert target.read_bytes() == text


def test_a_cache_that_is_a_file_is_removed_by_clean(build_copy: Build, api_tree: Path) -> None:
    (api_tree / ".cache").write_text("not a folder")
    _one_line(build_copy("lint"), "error: .cache: not a folder, so the tools cannot keep")
    proc = build_copy("clean")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "removed .cache (a file, not the cache folder)" in proc.stdout
    assert not (api_tree / ".cache").is_file()
