# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""§2: a build killed at any moment leaves go/, py/ and docs/ wholly old or wholly new
once the next command has run (it undoes the interrupted swap first)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.conftest import git
from tests.reliability import support

Build = Callable[..., subprocess.CompletedProcess[str]]
# Half the kills land anywhere in the run; the other half the moment the
# journal appears, i.e. in the middle of the swap itself.
TRIALS = {"gen": 14, "all": 6}


def _kill_when(proc: subprocess.Popen[str], root: Path, delay: float | None) -> str:
    """Kill the run after `delay` seconds, or (None) once its swap has begun."""
    journal = root / ".cache" / "transaction.json"
    deadline = time.monotonic() + (30 if delay is None else delay)
    while time.monotonic() < deadline and proc.poll() is None:
        if delay is None and journal.exists():
            break
        time.sleep(0.0005)
    if proc.poll() is not None:
        return "finished"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    return "killed in the swap" if delay is None else "killed"


@pytest.mark.slow  # twenty kills, each followed by a recovering run
def test_kill_9_never_leaves_a_mixed_tree(build_copy: Build, api_tree: Path) -> None:
    root = api_tree
    support.add_parts(root, 40)
    assert build_copy("all").returncode == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Generated")
    old = support.generated(root)
    support.change_every_proto(root)
    done = build_copy("all")
    assert done.returncode in (0, 1), done.stderr  # breaking may object to the rename
    new = support.generated(root)
    new_stubs = support.generated(root, ("go", "py"))
    support.reset(root)
    assert support.generated(root) == old
    # How long a whole run takes, to spread the kills over it.
    support.change_every_proto(root)
    began = time.monotonic()
    assert build_copy("gen").returncode == 0
    span = time.monotonic() - began
    assert support.generated(root, ("go", "py")) == new_stubs

    rng = random.Random(7)
    seen: dict[str, int] = {}
    for task, count in TRIALS.items():
        for trial in range(count):
            support.reset(root)
            support.change_every_proto(root)
            delay = None if trial % 2 else rng.uniform(0.05, span)
            how = _kill_when(support.start(root, task), root, delay)
            after = build_copy("tools")  # any next command recovers first
            assert after.returncode == 0, after.stderr
            assert "Traceback" not in after.stderr
            assert not (root / ".cache" / "transaction.json").exists()
            if task == "gen":
                # gen never touches docs/: its stubs are old or new, docs old.
                stubs = support.generated(root, ("go", "py"))
                assert stubs in (support.generated_of(old, ("go", "py")), new_stubs), (
                    f"trial {trial} ({how}): go/ and py/ are mixed"
                )
                assert support.generated(root, ("docs",)) == support.generated_of(old, ("docs",))
            else:
                tree = support.generated(root)
                assert tree in (old, new), f"trial {trial} ({how}): the tree is mixed"
            assert after.stderr == "" or after.stderr.startswith("recovered: "), after.stderr
            if after.stderr.startswith("recovered: undid the interrupted"):
                how = "undone"
            seen[how] = seen.get(how, 0) + 1
    # The trials must have stopped swaps half-way, or they prove nothing.
    assert seen.get("undone", 0) >= 5, seen


# A lint that SIGKILLs itself in the middle of its findings cache's transaction.
_DIES_WHILE_STORING = """
import os, signal, sys
from presubmit import cli, findings_cache
real_write, real_digest = findings_cache.FindingsCache.write, findings_cache._digest
def dying_digest(key, payload, calls=[]):
    calls.append(key)
    if len(calls) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return real_digest(key, payload)
def write(self, rows, live):
    findings_cache._digest = dying_digest
    real_write(self, rows, live)
findings_cache.FindingsCache.write = write
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.mark.slow  # a lint in a process of its own, killed
def test_a_lint_killed_while_it_stores_its_findings_leaves_a_sound_cache(tmp_path: Path) -> None:
    from presubmit import runner
    from tests.presubmit.helpers import lint
    from tests.presubmit.helpers import write_tree
    from tests.presubmit.test_incremental import googleapis_like

    tree = write_tree(tmp_path, googleapis_like())
    cache = runner.cache_for(tree.resolve())
    assert cache is not None
    shutil.rmtree(cache, ignore_errors=True)
    cold = lint(tree, "--format", "json")
    edited = tree / "acme/cloud/p1/v1/thing.proto"
    edited.write_text(edited.read_text().replace("Next ID: 3", "Next ID: 5"))
    shutil.rmtree(cache)
    cold_after = lint(tree, "--format", "json")
    edited.write_text(edited.read_text().replace("Next ID: 5", "Next ID: 3"))
    assert lint(tree, "--format", "json").out == cold.out  # the rows of the first state
    edited.write_text(edited.read_text().replace("Next ID: 3", "Next ID: 5"))
    proc = subprocess.run(
        [sys.executable, "-c", _DIES_WHILE_STORING, "--root", str(tree), "--format", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == -signal.SIGKILL
    assert proc.stdout == cold_after.out  # the report was out before the write began
    # The old rows stand, none half written: the next run says what a cold one says.
    again = lint(tree, "--format", "json")
    assert (again.code, again.out) == (cold_after.code, cold_after.out)
    edited.write_text(edited.read_text().replace("Next ID: 5", "Next ID: 3"))
    assert lint(tree, "--format", "json").out == cold.out
