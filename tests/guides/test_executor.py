# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""guides/programs/python/executor.py runs as a user would run it: started
as a program, registered with the standalone reference orchestrator, it runs
a workplan's stage to the end; it refuses bad arguments in one line; and it
passes mypy --strict as it stands."""

from __future__ import annotations

import socket
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

from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult  # noqa: E402
from turboci.data.build.v1.build_status_pb2 import BuildStatus  # noqa: E402
from turboci.data.common.v1.display_pb2 import Display  # noqa: E402
from turboci.graph.ids.v1.check_id_pb2 import CheckId  # noqa: E402
from turboci.graph.orchestrator.v1.check_pb2 import Check  # noqa: E402
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState  # noqa: E402
from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest  # noqa: E402
from turboci.graph.orchestrator.v1.read_work_plan_request_pb2 import ReadWorkPlanRequest  # noqa: E402
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState  # noqa: E402
from turboci.graph.orchestrator.v1.value_selection_pb2 import ValueSelection  # noqa: E402
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs  # noqa: E402
from turboci.utils import value  # noqa: E402
from turboci.utils.client import Client  # noqa: E402
from turboci.utils.client import TurboCIError  # noqa: E402

pytestmark = pytest.mark.slow  # programs, servers and mypy in processes of their own

PROGRAM = REPO / "guides" / "programs" / "python" / "executor.py"


@pytest.fixture
def executor() -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc, address = programs.start([sys.executable, str(PROGRAM), "0"], "the executor")
    try:
        yield proc, address
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _plan(builder: str) -> CreateWorkPlanRequest:
    return programs.build_plan(builder, heartbeat_seconds=5)


def test_the_executor_program_runs_a_stage_for_the_standalone_reference(
    executor: tuple[subprocess.Popen[str], str],
) -> None:
    proc, address = executor
    route = f"{value.type_url_of(BuildStageArgs)}={address}"
    orchestrator, target = programs.start_reference(route)
    try:
        user = {"turboci-user": "you@example.com"}
        with Client(target, insecure=True, timeout=10.0, metadata=user) as client:
            work_plan = client.create_work_plan(_plan("linux-release")).work_plan
            node = client.wait_for(
                work_plan,
                CheckId(work_plan=work_plan, id="build"),
                CheckState.CHECK_STATE_FINAL,
                timeout=60.0,
            )
            assert isinstance(node, Check)
            (result,) = node.results
            got = client.lookup(work_plan, result.data[0], BuildCheckResult)
            assert isinstance(got, BuildCheckResult)
            assert got.status == BuildStatus.BUILD_STATUS_SUCCEEDED
            assert got.artifacts[0].uri == "gs://example/linux-release/app"
            plan = client.read_work_plan(
                ReadWorkPlanRequest(work_plan=work_plan, values=ValueSelection(types=["*"]))
            ).work_plan
            attempt = plan.stages[0].attempts[0]
            assert attempt.state == StageAttemptState.STAGE_ATTEMPT_STATE_COMPLETE
            progress = value.lookup(attempt.details[0], plan.value_data, Display)
            assert progress.title == "linux-release: linking (3/3)"
            # The validate hook refuses a stage without a builder at once.
            with pytest.raises(TurboCIError) as refused:
                client.create_work_plan(_plan(""))
            assert refused.value.reason == "STAGE_REJECTED"
            assert "BuildStageArgs.builder is required" in refused.value.message
    finally:
        programs.stop(orchestrator)
    code, err = programs.stop(proc)
    assert code == 0 and "Traceback" not in err, err


@pytest.mark.parametrize("argv", [["nope"], ["70000"], ["1", "2"]])
def test_bad_arguments_are_one_line_and_exit_2(argv: list[str]) -> None:
    out = subprocess.run(
        [sys.executable, str(PROGRAM), *argv],
        env=programs.python_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert out.stderr.startswith("usage: ") and len(out.stderr.splitlines()) == 1


def test_a_port_in_use_is_one_line_and_exit_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run(
            [sys.executable, str(PROGRAM), str(port)],
            env=programs.python_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert out.returncode == 1, out.stderr
    assert out.stderr == (
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use (0 picks a free port)\n"
    )
    assert len(out.stderr.splitlines()) == 1, out.stderr


def test_the_program_passes_mypy_strict(tmp_path: Path) -> None:
    proc = programs.mypy_strict(PROGRAM, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
