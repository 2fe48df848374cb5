# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""build.py end to end, as a contributor runs it, on small copies of the repo."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from venv import EnvBuilder

import pytest

from tests.conftest import REPO
from tests.conftest import SEED_BAD_PROTO
from tests.conftest import snapshot
from tools.engine import registry

Build = Callable[..., subprocess.CompletedProcess[str]]
OLD_PYTHON = Path("/root/.pyenv/versions/3.10.13/bin/python3.10")


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr + proc.stdout


def test_help_lists_every_task_on_one_line(build_copy: Build) -> None:
    proc = build_copy("--help")
    assert proc.returncode == 0
    for task in ("all", "format", "lint", "breaking", "gen", "docs", "test", "clean"):
        assert any(line.split()[:1] == [task] for line in proc.stdout.splitlines()), task
    # One module per task in tools/tasks/, listed alphabetically.
    listed = [
        line.split()[0]
        for line in proc.stdout.splitlines()
        if line.startswith("    ") and not line.startswith("     ")
    ]
    assert listed == sorted(listed)
    assert listed == list(registry.names())


def test_unknown_task_is_a_usage_error(build_copy: Build) -> None:
    proc = build_copy("frobnicate")
    assert proc.returncode == 2
    assert "invalid choice: 'frobnicate'" in proc.stderr
    no_traceback(proc)


@pytest.mark.parametrize("task", ["format", "gen", "docs", "breaking"])
def test_broken_seed_proto_fails_cleanly(build_copy: Build, api_tree: Path, task: str) -> None:
    assert build_copy("gen").returncode == 0
    before = {k: v for k, v in snapshot(api_tree).items() if k.startswith(("go/", "py/"))}
    shutil.copy(SEED_BAD_PROTO, api_tree / "turboci" / "dm_graph.proto")
    proc = build_copy(task)
    assert proc.returncode != 0
    no_traceback(proc)
    first = proc.stderr.splitlines()[0]
    assert first.startswith("turboci/dm_graph.proto:53:8: "), first
    after = {k: v for k, v in snapshot(api_tree).items() if k.startswith(("go/", "py/"))}
    assert after == before


def test_lint_exits_2_on_a_compile_error(build_copy: Build, api_tree: Path) -> None:
    shutil.copy(SEED_BAD_PROTO, api_tree / "turboci" / "dm_graph.proto")
    proc = build_copy("lint")
    assert proc.returncode == 2
    no_traceback(proc)
    assert proc.stderr.startswith("turboci/dm_graph.proto:53:8: ")


def test_all_reports_each_step_and_keeps_going(build_copy: Build, api_tree: Path) -> None:
    shutil.copy(SEED_BAD_PROTO, api_tree / "turboci" / "dm_graph.proto")
    proc = build_copy("all")
    assert proc.returncode == 1
    no_traceback(proc)
    assert "turboci/dm_graph.proto:53:8:" in proc.stdout
    for step in ("compile", "format", "lint", "breaking", "gen", "docs"):
        assert any(line.startswith(step) and "FAIL" in line for line in proc.stdout.splitlines())
    assert not (api_tree / "go").exists()


def test_deps_that_does_not_parse(build_copy: Build, api_tree: Path) -> None:
    deps = api_tree / "DEPS"
    deps.write_text(deps.read_text().replace('buf-bin = "1.75.0"', "buf-bin = 1.75.0"))
    proc = build_copy("gen")
    assert proc.returncode == 1
    no_traceback(proc)
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("DEPS:")


def test_pin_to_a_version_that_does_not_exist(build_copy: Build, api_tree: Path) -> None:
    deps = api_tree / "DEPS"
    deps.write_text(deps.read_text().replace("[python]\n", '[python]\nsix = "99.0.0"\n', 1))
    proc = build_copy("gen")
    assert proc.returncode == 1
    no_traceback(proc)
    error = proc.stderr.splitlines()[-1]
    assert error.startswith('DEPS:11: could not install six = "99.0.0"'), error


def test_missing_go_says_what_to_install(build_copy: Build, tmp_path: Path) -> None:
    bare = tmp_path / "bare-bin"
    bare.mkdir()
    git = shutil.which("git")
    assert git
    (bare / "git").symlink_to(git)
    proc = build_copy("gen", env=dict(os.environ, PATH=str(bare)))
    assert proc.returncode == 1
    # The version comes from go/go.mod; this tree has none yet.
    assert proc.stderr == "error: go not found on PATH: install Go 1.24 or newer, then rerun\n"


def test_missing_tool_binary_says_how_to_recover(build_copy: Build, api_tree: Path) -> None:
    # A tools venv that lost buf (deleted by hand) while the record says installed:
    # a bare venv that sees the real one's packages but has no buf executable.
    venv = api_tree / "tools" / "venv"
    venv.unlink()
    EnvBuilder(with_pip=False).create(venv)
    site = next((venv / "lib").glob("python3*/site-packages"))
    real_site = next((REPO / "tools/venv/lib").glob("python3*/site-packages"))
    (site / "real.pth").write_text(f"{real_site}\n")
    for name in ("protoc-gen-mypy", "protoc-gen-mypy_grpc"):
        (venv / "bin" / name).symlink_to(REPO / "tools/venv/bin" / name)
    proc = build_copy("format", python=str(venv / "bin" / "python"))
    assert proc.returncode == 1
    no_traceback(proc)
    assert proc.stderr.startswith("error: buf is missing")
    assert "run `./build.py clean --tools`" in proc.stderr
    assert proc.stderr.count("\n") == 1


@pytest.mark.skipif(not OLD_PYTHON.exists(), reason="needs a Python 3.10 to run build.py with")
def test_old_python_says_what_to_install(build_copy: Build) -> None:
    proc = build_copy("gen", python=str(OLD_PYTHON))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: Python 3.10")
    assert "install Python 3.11 or newer" in proc.stderr


def test_rerun_of_all_on_an_unchanged_tree_answers_at_once(
    build_copy: Build, api_tree: Path
) -> None:
    first = build_copy("all")
    assert first.returncode == 0, first.stdout + first.stderr
    ran = [line.split()[0] for line in first.stdout.splitlines() if line.split()[1:2] == ["ok"]]
    second = build_copy("all")
    assert second.returncode == 0
    # The steps the stamp recorded, in its order: the compile, then every step of `all`.
    unchanged = [line.split()[0] for line in second.stdout.splitlines() if "(unchanged)" in line]
    assert unchanged == ["compile", "breaking", "docs", "format", "gen", "lint"]
    assert sorted(unchanged) == sorted(ran)
    assert "all 6 steps ok" in second.stdout
    assert "nothing changed since the last run" in second.stdout
    proto = api_tree / "turboci/graph/ids/v1/work_plan_id.proto"
    proto.write_text(proto.read_text().replace("The realm", "The realm (a LUCI realm)"))
    third = build_copy("all")
    assert third.returncode == 0
    assert "(unchanged)" not in third.stdout
