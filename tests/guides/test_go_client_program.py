# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""guides/programs/go/client: the Go client program of the guide builds, vets,
and against the standalone reference orchestrator (its stage run by a
scripted executor) creates a workplan, waits for the check and prints its
result."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
from turboci.data.build.v1.build_status_pb2 import BuildStatus

from core.layout import REPO as LAYOUT
from tests.guides import programs
from tests.guides.programs import Served
from tools import env

pytestmark = pytest.mark.slow  # builds a Go program


@pytest.fixture
def orchestrator() -> Iterator[Served]:
    """The standalone reference, its BuildStageArgs stages run by a
    scripted executor that succeeds."""
    result = BuildCheckResult(status=BuildStatus.BUILD_STATUS_SUCCEEDED)
    with programs.reference_with_scripted_executor(result) as served:
        yield served


def _go(*args: str, cwd: Path = programs.PROGRAMS / "go") -> subprocess.CompletedProcess[str]:
    go_env = env.go_env(LAYOUT, GOFLAGS="-mod=readonly")
    return subprocess.run(["go", *args], cwd=cwd, env=go_env, capture_output=True, text=True)


def test_the_go_client_program_drives_a_workplan_to_its_result(
    orchestrator: Served, tmp_path: Path
) -> None:
    binary = tmp_path / "client"
    for step in (["vet", "./..."], ["build", "-o", str(binary), "./client"]):
        proc = _go(*step)
        assert proc.returncode == 0, f"go {' '.join(step)}:\n{proc.stdout}{proc.stderr}"
    proc = subprocess.run(
        [str(binary), orchestrator.address], capture_output=True, text=True, timeout=180
    )
    assert proc.returncode == 0, proc.stderr + "\n".join(orchestrator.executor_failures)
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("created workplan "), proc.stdout
    assert "check build is CHECK_STATE_FINAL" in lines[1], proc.stdout
    assert lines[-1] == "result: build BUILD_STATUS_SUCCEEDED", proc.stdout


def test_the_go_client_program_says_how_to_call_it(tmp_path: Path) -> None:
    binary = tmp_path / "client"
    proc = _go("build", "-o", str(binary), "./client")
    assert proc.returncode == 0, proc.stderr
    usage = subprocess.run([str(binary)], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2
    assert usage.stderr.strip() == "usage: client ORCHESTRATOR_ADDRESS (e.g. 127.0.0.1:50051)"
