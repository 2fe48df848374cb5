# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.conftest import git
from tests.conftest import task_context
from tools.tasks import all as all_task

# Slow: `all` runs every step of the build on a scratch tree.
pytestmark = pytest.mark.slow

PROTO = "turboci/graph/ids/v1/work_plan_id.proto"


def run_all(root: Path) -> tuple[int, list[str]]:
    out = io.StringIO()
    status = all_task.build_all(task_context(root, out))
    return status, out.getvalue().splitlines()


# The compile, then every task that declares a step.
STEPS = ("compile", *(t.name for t in all_task.steps()))


def step_lines(lines: list[str]) -> dict[str, str]:
    return {
        ln.split()[0]: ln.split()[1] for ln in lines if ln.split()[:1] and ln.split()[0] in STEPS
    }


def test_every_step_runs_and_reports(api_tree: Path) -> None:
    status, lines = run_all(api_tree)
    assert status == 0, lines
    assert step_lines(lines) == {s: "ok" for s in STEPS}
    assert lines[-1].startswith("all 6 steps ok")
    assert (api_tree / "go/graph/ids/v1/work_plan_id.pb.go").exists()
    assert (api_tree / "docs/turboci.graph.ids.v1.md").exists()


def test_a_format_rewrite_reruns_the_checks_on_the_new_sources(api_tree: Path) -> None:
    path = api_tree / PROTO
    path.write_text(
        path.read_text().replace("  optional string realm", "optional     string realm")
    )
    status, lines = run_all(api_tree)
    assert status == 0, lines
    assert "format rewrote sources: compiling again and rerunning the checks" in lines
    assert "  optional string realm = 2;" in path.read_text()
    # The stubs were generated from the formatted file, not the one before it.
    status, lines = run_all(api_tree)
    assert status == 0
    assert not any("rewrote" in ln for ln in lines)


def test_a_failing_step_does_not_stop_the_others(api_tree: Path) -> None:
    git(api_tree, "commit", "-q", "--allow-empty", "-m", "Basis")
    path = api_tree / PROTO
    # Breaking (a field deleted against HEAD) while every other step passes.
    path.write_text(
        path.read_text()
        .replace("\n  // The realm that owns the workplan.\n  optional string realm = 2;\n", "")
        .replace("Next ID: 3", "Next ID: 2")
    )
    status, lines = run_all(api_tree)
    assert status == 1
    steps = step_lines(lines)
    assert steps.pop("breaking") == "FAIL"
    assert set(steps.values()) == {"ok"}, lines
    assert lines[-1].startswith("FAILED: breaking")


def test_a_compile_error_fails_every_step_without_running_it(api_tree: Path) -> None:
    path = api_tree / PROTO
    path.write_text(path.read_text().replace("optional string realm = 2;", "optional string"))
    status, lines = run_all(api_tree)
    assert status == 1
    assert step_lines(lines) == {s: "FAIL" for s in STEPS}
    assert f"  {PROTO}:" in "\n".join(lines)
    assert sum("(not run: the API does not compile)" in ln for ln in lines) == len(STEPS) - 1
    assert not (api_tree / "go").exists()
    assert lines[-1].startswith("FAILED: compile, ")
