# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""§1: one writer per checkout; a second one waits and says so; readers never wait."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from core.layout import Layout
from tests.conftest import REPO
from tests.conftest import build_env
from tests.conftest import git
from tests.conftest import snapshot
from tests.reliability import support
from tools.engine import lock

Build = Callable[..., subprocess.CompletedProcess[str]]


def _holder(root: Path) -> str:
    try:
        return (root / ".cache" / lock.NAME).read_text()
    except OSError:
        return ""


def _wait_for_holder(root: Path, proc: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        if text := _holder(root):
            return text
        time.sleep(0.002)
    raise AssertionError(f"the run never took the lock (exit {proc.poll()})")


def _break_next_ids(root: Path, count: int) -> None:
    """`count` protos whose Next ID lines lint --fix rewrites."""
    support.add_parts(root, count)
    for path in (root / support.IDS).glob("part*.proto"):
        path.write_text(path.read_text().replace("Next ID: 2", "Next ID = 2"))


def test_two_lint_fix_runs_at_once_fix_every_file_once(build_copy: Build, api_tree: Path) -> None:
    _break_next_ids(api_tree, 60)
    first = support.start(api_tree, "lint", "--fix")
    assert _wait_for_holder(api_tree, first) == f"pid {first.pid}, ./build.py lint"
    second = support.start(api_tree, "lint", "--fix")
    _, err2 = second.communicate(timeout=120)
    _, err1 = first.communicate(timeout=120)
    assert err2.startswith(
        f"waiting for another writer (pid {first.pid}, ./build.py lint) to finish\n"
    )
    assert "waiting" not in err1
    for path in (api_tree / support.IDS).glob("part*.proto"):
        n = path.stem.removeprefix("part")
        assert path.read_text() == support.MESSAGE.format(n=n, field="work_plan"), path
    assert build_copy("lint").returncode == 0


def test_two_gens_at_once_leave_what_one_gen_leaves(build_copy: Build, api_tree: Path) -> None:
    support.add_parts(api_tree, 30)
    assert build_copy("gen").returncode == 0
    git(api_tree, "add", "-A")
    git(api_tree, "commit", "-qm", "Generated")
    support.change_every_proto(api_tree)
    assert build_copy("gen").returncode == 0
    expected = support.generated(api_tree)
    support.reset(api_tree)
    support.change_every_proto(api_tree)
    runs = [support.start(api_tree, "gen") for _ in range(2)]
    results = [r.communicate(timeout=120) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], results
    assert sum("waiting for another writer (pid" in err for _, err in results) == 1, results
    assert support.generated(api_tree) == expected
    assert build_copy("gen", "--check").returncode == 0


def test_a_second_writer_waits_for_the_holder_and_says_for_whom(
    build_copy: Build, api_tree: Path
) -> None:
    layout = Layout(api_tree)
    with lock.held(layout, "test", say=lambda _: None):
        waiting = support.start(api_tree, "gen")
        time.sleep(1.5)
        assert waiting.poll() is None, "gen ran while another writer held the lock"
    _, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert err == f"waiting for another writer (pid {os.getpid()}, ./build.py test) to finish\n"


@pytest.mark.parametrize("args", [("lint",), ("gen", "--check"), ("docs", "--check"), ("tools",)])
def test_read_only_runs_never_wait(
    build_copy: Build, api_tree: Path, args: tuple[str, ...]
) -> None:
    assert build_copy("gen").returncode == 0
    assert build_copy("docs").returncode == 0
    with lock.held(Layout(api_tree), "test", say=lambda _: None):
        proc = support.start(api_tree, *args)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "waiting" not in err


def test_a_killed_holder_does_not_leave_the_checkout_locked(
    build_copy: Build, api_tree: Path
) -> None:
    support.add_parts(api_tree, 30)
    holder = support.start(api_tree, "gen")
    _wait_for_holder(api_tree, holder)
    os.killpg(holder.pid, signal.SIGKILL)
    holder.communicate()
    after = build_copy("gen")
    assert after.returncode == 0, after.stderr
    assert "waiting" not in after.stderr
    assert build_copy("gen", "--check").returncode == 0


def test_clean_keeps_the_lock_file_it_holds(build_copy: Build, api_tree: Path) -> None:
    assert build_copy("gen").returncode == 0
    lock_file = api_tree / ".cache" / lock.NAME
    inode = lock_file.stat().st_ino
    proc = build_copy("clean")
    assert proc.returncode == 0, proc.stderr
    assert "removed .cache/" in proc.stdout
    assert [p.name for p in (api_tree / ".cache").iterdir()] == [lock.NAME]
    assert lock_file.stat().st_ino == inode


def test_the_tool_install_holds_the_lock_only_when_it_installs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tools import deps
    from tools import toolchain

    checkout = Layout(tmp_path)
    (tmp_path / "DEPS").write_text('[python]\nsix = "1.17.0"\n')
    pins = deps.load(tmp_path / "DEPS")
    where = toolchain.Layout(
        venv=tmp_path / "tools/venv", gobin=tmp_path / "tools/bin", record=checkout.installed
    )
    held: list[bool] = []

    def install(*_: object) -> list[deps.Pin]:
        held.append(lock.is_held(checkout))
        return []

    monkeypatch.setattr(toolchain, "_install", install)
    toolchain.ensure(pins, say=lambda _: None, layout=where)
    assert held == [True]
    assert not lock.is_held(checkout)
    # Nothing to install: the lock is not taken.
    monkeypatch.setattr(toolchain, "missing", lambda *_: [])
    toolchain.ensure(pins, say=lambda _: None, layout=where)
    assert held == [True]


# Holds a lock until its stdin closes: build.py's on a checkout ("build"), or
# the lint suite's on a foreign tree ("tree").
_HOLD = """\
import sys
from pathlib import Path
from core import lock
from core.layout import Layout
from tools.engine import lock as build_lock
root = Path(sys.argv[1])
if sys.argv[2] == "build":
    taken = build_lock.held(Layout(root), "lint")
else:
    taken = lock.held_tree(root, print)
with taken:
    print("held", flush=True)
    sys.stdin.read()
"""


def _hold(root: Path, kind: str) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(root), kind],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "held\n"
    return holder


def _release(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.wait(timeout=30) == 0


def _presubmit(cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "presubmit", *args],
        cwd=cwd,
        env=build_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _waits(proc: subprocess.Popen[str], path: Path, unfixed: str) -> None:
    """`proc` is still waiting, and has not touched `path`, after a while."""
    time.sleep(1.5)
    assert proc.poll() is None, proc.communicate()
    assert path.read_text() == unfixed


@pytest.mark.slow  # `python -m presubmit` in a process of its own
def test_presubmit_fix_waits_for_the_builds_lock_and_says_so(api_tree: Path) -> None:
    # The checkout's own copy of the lint suite: for it, api_tree is this repo.
    for package in ("core", "presubmit"):
        shutil.copytree(
            REPO / package, api_tree / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(REPO / "presubmit.toml", api_tree / "presubmit.toml")
    shutil.copytree(REPO / "google", api_tree / "google")
    proto = api_tree / support.IDS / "work_plan_id.proto"
    fixed = proto.read_text()
    unfixed = fixed.replace("Next ID: 3", "Next ID = 3")
    proto.write_text(unfixed)
    holder = _hold(api_tree, "build")
    try:
        fixing = _presubmit(api_tree, "--fix")
        _waits(fixing, proto, unfixed)
    finally:
        _release(holder)
    _, err = fixing.communicate(timeout=120)
    assert fixing.returncode == 0, err
    assert err == (
        f"waiting for another writer (pid {holder.pid}, ./build.py lint) to finish\n"
        f"fixed 1 file(s): {support.IDS}/work_plan_id.proto\n"
    )
    assert proto.read_text() == fixed


@pytest.mark.slow  # `python -m presubmit` in a process of its own
def test_presubmit_fix_on_a_foreign_tree_locks_it_without_writing_into_it(
    tmp_path: Path,
) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    proto = tree / "a.proto"
    unfixed = (
        'syntax = "proto3";\n\npackage a.v1;\n\n// Next ID: 1\nmessage A {\n  string a = 1;\n}\n'
    )
    proto.write_text(unfixed)
    before = sorted(p.relative_to(tree) for p in tree.rglob("*"))
    holder = _hold(tree, "tree")
    try:
        fixing = _presubmit(REPO, "--fix", "--root", str(tree))
        _waits(fixing, proto, unfixed)
    finally:
        _release(holder)
    _, err = fixing.communicate(timeout=120)
    assert fixing.returncode == 0, err
    assert err == "waiting for another writer (pid unknown) to finish\nfixed 1 file(s): a.proto\n"
    assert snapshot(tree) == {"a.proto": unfixed.replace("Next ID: 1", "Next ID: 2").encode()}
    assert sorted(p.relative_to(tree) for p in tree.rglob("*")) == before
