# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The Go executor program of the guides (guides/programs/go/executor) works
as a user would run it: built in its own module, started on a free port,
registered with the standalone reference orchestrator, it runs a workplan's
build stage to its end, driven by the Python generated stub."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
from turboci.data.build.v1.build_status_pb2 import BuildStatus
from turboci.data.common.v1.display_pb2 import Display
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.node_query_pb2 import NodeQuery
from turboci.graph.orchestrator.v1.query_nodes_request_pb2 import QueryNodesRequest
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState
from turboci.graph.orchestrator.v1.turbo_ci_orchestrator_service_pb2_grpc import (
    TurboCIOrchestratorStub,
)
from turboci.graph.orchestrator.v1.value_selection_pb2 import ValueSelection
from turboci.graph.orchestrator.v1.work_plan_pb2 import WorkPlan
from turboci.utils import value

from tests.guides import programs

ARGS_TYPE = "type.googleapis.com/turboci.stages.build.v1.BuildStageArgs"
TIMEOUT = 60.0

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The program, built in its own module with the pinned Go."""
    return programs.go_build("executor", tmp_path_factory.mktemp("bin"))


@pytest.fixture
def stub(program: Path) -> Iterator[TurboCIOrchestratorStub]:
    """The executor on a free port, and the reference routing build stages to it."""
    executor, address = programs.start([str(program), "0"], "the executor")
    reference: subprocess.Popen[str] | None = None
    try:
        assert address.startswith("127.0.0.1:"), address
        reference, target = programs.start_reference(f"{ARGS_TYPE}={address}")
        with grpc.insecure_channel(target) as channel:
            yield TurboCIOrchestratorStub(channel)
    finally:
        if reference is not None:
            programs.stop(reference)
        code, err = programs.stop(executor)
    # Stopped by SIGTERM, it waits for its attempts and exits cleanly.
    assert code == 0, err
    assert "panic" not in err


def _create(stub: TurboCIOrchestratorStub, builder: str) -> str:
    request = programs.build_plan(builder, heartbeat_seconds=1)
    return stub.CreateWorkPlan(request, timeout=TIMEOUT).work_plan.id


def _final(stub: TurboCIOrchestratorStub, work_plan: str) -> WorkPlan:
    """The workplan once its check is FINAL, with the values the test reads."""
    request = QueryNodesRequest(
        query=NodeQuery(include=NodeQuery.Include(results=True, attempts=True)),
        values=ValueSelection(
            types=[value.type_url_of(BuildCheckResult), value.type_url_of(Display)]
        ),
    )
    request.query.work_plan.id = work_plan
    deadline = time.monotonic() + TIMEOUT
    while True:
        plan = stub.QueryNodes(request, timeout=TIMEOUT).work_plan
        if plan.checks[0].state == CheckState.CHECK_STATE_FINAL:
            return plan
        assert time.monotonic() < deadline, f"the check is still {plan.checks[0].state}"
        time.sleep(0.05)


def test_the_program_runs_a_build_stage_to_its_result(stub: TurboCIOrchestratorStub) -> None:
    plan = _final(stub, _create(stub, "example/try/linux"))
    attempt = plan.stages[0].attempts[0]
    assert attempt.state == StageAttemptState.STAGE_ATTEMPT_STATE_COMPLETE, attempt
    # The last progress report is on the attempt.
    (detail,) = attempt.details
    progress = value.lookup(detail, plan.value_data, Display)
    assert progress.title == "example/try/linux: linking (3/3)"
    (result,) = plan.checks[0].results
    (data,) = result.data
    built = value.lookup(data, plan.value_data, BuildCheckResult)
    assert built.status == BuildStatus.BUILD_STATUS_SUCCEEDED
    assert [a.uri for a in built.artifacts] == ["https://artifacts.example/example/try/linux/app"]


def test_the_program_refuses_a_stage_without_a_builder(stub: TurboCIOrchestratorStub) -> None:
    with pytest.raises(grpc.RpcError) as refused:
        _create(stub, "")
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "builder: required" in str(refused.value.details())
