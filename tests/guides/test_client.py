# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""guides/programs/python/client.py runs as a user would run it: against
the standalone reference orchestrator, whose stage goes to a scripted
executor served here; and it passes mypy --strict as it stands."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.guides import programs

PY = REPO / "py"
if str(PY) not in sys.path:
    sys.path.insert(0, str(PY))

from turboci.data.build.v1.build_artifact_pb2 import BuildArtifact  # noqa: E402
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult  # noqa: E402
from turboci.data.build.v1.build_status_pb2 import BuildStatus  # noqa: E402

PROGRAM = REPO / "guides" / "programs" / "python" / "client.py"
RESULT = BuildCheckResult(
    status=BuildStatus.BUILD_STATUS_SUCCEEDED,
    artifacts=[BuildArtifact(name="app", uri="gs://example/app")],
)

pytestmark = pytest.mark.slow  # programs, servers and mypy in processes of their own


@pytest.fixture
def orchestrator() -> Iterator[str]:
    """The standalone reference orchestrator, with BuildStageArgs stages
    routed to a scripted executor that works while the test runs."""
    with programs.reference_with_scripted_executor(RESULT) as served:
        yield served.address


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PROGRAM), *args],
        env=programs.python_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_the_client_program_waits_for_the_check_and_prints_its_result(orchestrator: str) -> None:
    out = _run(orchestrator)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("workplan ")
    assert lines[1] == "check build: CHECK_STATE_FINAL (REASON_STAGES_ENDED)"
    assert lines[2:] == [
        "result turboci.data.build.v1.BuildCheckResult: status: BUILD_STATUS_SUCCEEDED "
        'artifacts { name: "app" uri: "gs://example/app" }'
    ]


def test_without_an_address_it_says_how_to_run_it() -> None:
    out = _run()
    assert out.returncode == 2
    assert out.stderr.startswith("usage: ") and len(out.stderr.splitlines()) == 1


def test_a_refusal_is_one_line_and_exit_1() -> None:
    # No executor serves the stage's args: the orchestrator refuses the workplan.
    proc = subprocess.Popen(
        [sys.executable, "-m", "turboci.testing", "serve", "--port", "0"],
        env=programs.python_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        out = _run(proc.stdout.readline().rsplit(" ", 1)[1].strip())
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
    assert out.returncode == 1, out.stderr
    assert len(out.stderr.splitlines()) == 1, out.stderr
    assert out.stderr.startswith("error: ") and "[STAGE_REJECTED]" in out.stderr


def test_the_program_passes_mypy_strict(tmp_path: Path) -> None:
    proc = programs.mypy_strict(PROGRAM, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
