# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""What `run` sees (turboci.utils.executor.RunContext): cancellation as a
flag, callbacks and a wait; writes that name the attempt's checks."""

from __future__ import annotations

import threading

import pytest
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
from turboci.data.common.v1.display_pb2 import Display
from turboci.graph.executor.v1.run_stage_request_pb2 import RunStageRequest
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.stage_attempt_id_pb2 import StageAttemptId
from turboci.graph.ids.v1.stage_id_pb2 import StageId
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.graph.orchestrator.v1.assignment_pb2 import Assignment
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.failure_kind_pb2 import FailureKind
from turboci.graph.orchestrator.v1.stage_attempt_failure_pb2 import StageAttemptFailure
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.graph.orchestrator.v1.write_nodes_response_pb2 import WriteNodesResponse
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.testing import FakeClock
from turboci.utils import value
from turboci.utils.client import Client
from turboci.utils.executor import RunContext

CANCELLED = StageAttemptFailure(kind=FailureKind.FAILURE_KIND_CANCELLED, message="stop")


def _context(clock: FakeClock, writes: list[WriteNodesRequest]) -> RunContext[BuildStageArgs]:
    request = RunStageRequest(
        attempt=StageAttemptId(stage=StageId(work_plan=WorkPlanId(id="wp"), id="s"), number=1),
        assignments=[
            Assignment(check=CheckId(id="build")),
            Assignment(check=CheckId(id="plan"), goal_state=CheckState.CHECK_STATE_PLANNED),
            Assignment(check=CheckId(id="test"), goal_state=CheckState.CHECK_STATE_FINAL),
        ],
    )

    def write(r: WriteNodesRequest) -> WriteNodesResponse:
        writes.append(r)
        return WriteNodesResponse()

    return RunContext(BuildStageArgs(), request, clock, Client("127.0.0.1:1", insecure=True), write)


def test_callbacks_run_once_at_the_cancel_and_at_once_when_added_after() -> None:
    ctx = _context(FakeClock(), [])
    calls: list[str] = []
    ctx.on_cancel(lambda: calls.append("before"))
    assert not ctx.cancelled and ctx.cancel_cause is None
    assert ctx.cancel(CANCELLED)
    assert not ctx.cancel(StageAttemptFailure(kind=FailureKind.FAILURE_KIND_RUN_TIMEOUT))
    ctx.on_cancel(lambda: calls.append("after"))
    assert calls == ["before", "after"]
    assert ctx.cancelled and ctx.cancel_cause == CANCELLED  # the first cause stays


def test_a_callback_that_raises_does_not_keep_the_others_from_running() -> None:
    ctx = _context(FakeClock(), [])
    calls: list[str] = []

    def broken() -> None:
        raise RuntimeError("bug")

    ctx.on_cancel(broken)
    ctx.on_cancel(lambda: calls.append("second"))
    ctx.cancel(CANCELLED)
    assert calls == ["second"]


def test_wait_sleeps_on_the_clock_and_wakes_at_a_cancel() -> None:
    clock = FakeClock()
    ctx = _context(clock, [])
    got: list[bool] = []
    waiter = threading.Thread(target=lambda: got.append(ctx.wait(10)))
    waiter.start()
    clock.advance(10)
    waiter.join(5)
    assert got == [False]
    waiter = threading.Thread(target=lambda: got.append(ctx.wait(3600)))
    waiter.start()
    ctx.cancel(CANCELLED)
    waiter.join(5)
    assert got == [False, True]


def test_results_go_to_the_checks_the_stage_answers_or_to_the_one_named() -> None:
    writes: list[WriteNodesRequest] = []
    ctx = _context(FakeClock(), writes)
    ctx.write_results(BuildCheckResult())
    ctx.write_results(BuildCheckResult(), check="plan", finalize=True)
    assert [[c.id.id for c in w.checks] for w in writes] == [["build", "test"], ["plan"]]
    assert writes[0].checks[0].id.work_plan.id == "wp"
    assert not writes[0].checks[0].HasField("finalize_result")
    assert writes[1].checks[0].finalize_result


@pytest.mark.parametrize("detail", ["linking", Display(title="linking")])
def test_progress_is_an_attempt_detail_and_text_a_display(detail: str | Display) -> None:
    writes: list[WriteNodesRequest] = []
    _context(FakeClock(), writes).progress(detail)
    (only,) = writes[0].current_attempt.details
    assert only == value.write(Display(title="linking"))
