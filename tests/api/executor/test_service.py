# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The executor's service (turboci.utils.executor.ExecutorServicer):
ValidateStage checks the args type and asks the author, RunStage refuses
what it cannot run, CancelStage of an unknown attempt is NOT_FOUND."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from turboci.graph.executor.v1.cancel_stage_request_pb2 import CancelStageRequest
from turboci.graph.executor.v1.run_stage_request_pb2 import RunStageRequest
from turboci.graph.ids.v1.stage_attempt_id_pb2 import StageAttemptId
from turboci.graph.ids.v1.stage_id_pb2 import StageId
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.graph.orchestrator.v1.error_reason_pb2 import ErrorReason
from turboci.graph.orchestrator.v1.execution_policy_pb2 import ExecutionPolicy
from turboci.graph.orchestrator.v1.read_work_plan_request_pb2 import ReadWorkPlanRequest
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState
from turboci.graph.orchestrator.v1.stage_write_pb2 import StageWrite
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.utils import value
from turboci.utils.client import TurboCIError
from turboci.utils.executor import Executor
from turboci.utils.executor import ExecutorServicer
from turboci.utils.executor import RunContext
from turboci.utils.executor import StageRejected
from turboci.utils.executor import serve

from tests.api.executor.support import Harness
from tests.api.executor.support import policy
from tests.testing.support import check
from tests.testing.support import create
from tests.testing.support import refused
from tests.testing.support import stage
from turboci.graph.executor.v1 import turbo_ci_stage_executor_service_pb2_grpc as executor_grpc
from turboci.stages.test.v1 import test_stage_args_pb2

# Not imported by name: pytest would take a class called Test* for tests.
OtherArgs = test_stage_args_pb2.TestStageArgs


class Picky(Executor[BuildStageArgs]):
    """Refuses builders outside chromium/, caps the heartbeat at 10 s."""

    args_type = BuildStageArgs

    def __init__(self) -> None:
        self.asked: list[ExecutionPolicy | None] = []
        self.runs = 0

    def validate(
        self, args: BuildStageArgs, asked: ExecutionPolicy | None
    ) -> ExecutionPolicy | None:
        self.asked.append(asked)
        if not args.builder.startswith("chromium/"):
            raise StageRejected(f"unknown builder {args.builder!r}")
        if asked is not None and asked.heartbeat.running.seconds > 10:
            narrowed = ExecutionPolicy()
            narrowed.CopyFrom(asked)
            narrowed.heartbeat.running.seconds = 10
            return narrowed
        return None

    def run(self, ctx: RunContext[BuildStageArgs]) -> None:
        self.runs += 1


def build(name: str, builder: str, **kw: Any) -> StageWrite:
    return stage(name, "build", args=value.write(BuildStageArgs(builder=builder)), **kw)


def test_args_of_another_type_are_refused_by_validate_stage(harness: Harness) -> None:
    address = harness.serve(Picky())
    # The same executor named for a type it does not serve.
    harness.ref.orchestrator.register_executor([value.type_url_of(OtherArgs)], address)
    with pytest.raises(grpc.RpcError) as exc:
        create(
            harness.ref,
            [check("build")],
            [stage("test", "build", args=value.write(OtherArgs()))],
        )
    refused(exc, grpc.StatusCode.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_STAGE_REJECTED)
    assert (
        "args are type.googleapis.com/turboci.stages.test.v1.TestStageArgs; this executor "
        "serves type.googleapis.com/turboci.stages.build.v1.BuildStageArgs"
    ) in (exc.value.details() or "")


def test_the_validate_hook_refuses_a_stage_and_narrows_a_policy(harness: Harness) -> None:
    picky = Picky()
    harness.serve(picky)
    with pytest.raises(grpc.RpcError) as exc:
        create(harness.ref, [check("build")], [build("compile", "webrtc/try/linux")])
    refused(exc, grpc.StatusCode.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_STAGE_REJECTED)
    assert "unknown builder 'webrtc/try/linux'" in (exc.value.details() or "")
    wp = create(
        harness.ref,
        [check("build")],
        [build("compile", "chromium/try/linux", execution_policy=policy(heartbeat=60))],
    )
    got = harness.read(wp).stages[0]
    assert got.execution_policy.heartbeat.running.seconds == 10
    assert got.requested_execution_policy.heartbeat.running.seconds == 60
    assert picky.asked[-1] == policy(heartbeat=60)


def test_a_policy_left_to_the_executor_reaches_validate_as_none(harness: Harness) -> None:
    picky = Picky()
    harness.serve(picky)
    create(harness.ref, [check("build")], [build("compile", "chromium/try/linux")])
    assert picky.asked == [None]


def _stub(address: str) -> executor_grpc.TurboCIStageExecutorStub:
    return executor_grpc.TurboCIStageExecutorStub(grpc.insecure_channel(address))


def _attempt() -> StageAttemptId:
    return StageAttemptId(stage=StageId(work_plan=WorkPlanId(id="wp"), id="s"), number=1)


def test_run_stage_of_another_args_type_is_invalid_argument_and_runs_nothing(
    harness: Harness,
) -> None:
    picky = Picky()
    address = harness.serve(picky, register=False, orchestrator=harness.ref.address)
    request = RunStageRequest(attempt=_attempt(), stage_attempt_token="t")
    ref, data = value.ref_with_data(OtherArgs())
    request.args.CopyFrom(ref)
    request.value_data[ref.digest.sha256].CopyFrom(data)
    with pytest.raises(grpc.RpcError) as exc:
        _stub(address).RunStage(request, timeout=10)
    assert isinstance(exc.value, grpc.Call)
    assert exc.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert picky.runs == 0


def test_cancel_stage_of_an_attempt_never_run_here_is_not_found(harness: Harness) -> None:
    address = harness.serve(Picky(), register=False)
    with pytest.raises(grpc.RpcError) as exc:
        _stub(address).CancelStage(CancelStageRequest(attempt=_attempt()), timeout=10)
    assert isinstance(exc.value, grpc.Call)
    assert exc.value.code() == grpc.StatusCode.NOT_FOUND


def test_beyond_max_running_run_stage_is_resource_exhausted_and_the_attempt_throttled(
    harness: Harness,
) -> None:
    from tests.api.executor.test_attempt import Waiter

    waiter = Waiter()
    harness.serve(waiter, max_running=1)
    wp = create(
        harness.ref,
        [check("a"), check("b")],
        [
            stage("one", "a", execution_policy=policy()),
            stage("two", "b", execution_policy=policy()),
        ],
    )
    harness.ref.tick()
    plan = harness.read(wp)
    states = sorted(s.attempts[0].state for s in plan.stages)
    assert states[0] == StageAttemptState.STAGE_ATTEMPT_STATE_THROTTLED
    assert states[1] in (
        StageAttemptState.STAGE_ATTEMPT_STATE_SCHEDULED,
        StageAttemptState.STAGE_ATTEMPT_STATE_RUNNING,
    )


def test_an_executor_without_args_type_is_refused_at_once() -> None:
    class Nameless(Executor[BuildStageArgs]):
        pass

    with pytest.raises(TypeError, match="args_type must be a message class"):
        ExecutorServicer(Nameless())
    with pytest.raises(TypeError):
        serve(Nameless())


def test_an_async_run_is_refused_at_once_rather_than_never_awaited() -> None:
    class Eager(Executor[BuildStageArgs]):
        args_type = BuildStageArgs

        async def run(self, ctx: RunContext[BuildStageArgs]) -> None:  # type: ignore[override]
            pass

    with pytest.raises(TypeError, match="run and validate must not be async"):
        ExecutorServicer(Eager())


def test_serving_on_an_address_in_use_is_an_os_error(harness: Harness) -> None:
    address = harness.serve(Picky(), register=False)
    with pytest.raises(OSError, match="cannot listen on"):
        serve(Picky(), address)


class Broken(Picky):
    def validate(
        self, args: BuildStageArgs, asked: ExecutionPolicy | None
    ) -> ExecutionPolicy | None:
        raise KeyError("config")


def test_a_validate_hook_that_breaks_is_executor_unavailable_not_a_refusal(
    harness: Harness,
) -> None:
    harness.serve(Broken())
    with pytest.raises(grpc.RpcError) as exc:
        create(harness.ref, [check("build")], [build("compile", "chromium/try/linux")])
    refused(exc, grpc.StatusCode.UNAVAILABLE, ErrorReason.ERROR_REASON_EXECUTOR_UNAVAILABLE)


@pytest.mark.parametrize(
    "attempt",
    [
        StageAttemptId(),
        StageAttemptId(stage=StageId(id="s"), number=1),
        StageAttemptId(stage=StageId(work_plan=WorkPlanId(id="wp"), id="s")),
    ],
)
def test_run_stage_without_a_whole_attempt_id_is_invalid_argument(
    harness: Harness, attempt: StageAttemptId
) -> None:
    picky = Picky()
    address = harness.serve(picky, register=False, orchestrator=harness.ref.address)
    ref, data = value.ref_with_data(BuildStageArgs(builder="chromium/x"))
    request = RunStageRequest(attempt=attempt, stage_attempt_token="t", args=ref)
    request.value_data[ref.digest.sha256].CopyFrom(data)
    with pytest.raises(grpc.RpcError) as exc:
        _stub(address).RunStage(request, timeout=10)
    assert isinstance(exc.value, grpc.Call)
    assert exc.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert picky.runs == 0


def test_args_whose_bytes_do_not_parse_are_invalid_argument(harness: Harness) -> None:
    from turboci.graph.executor.v1.validate_stage_request_pb2 import ValidateStageRequest

    address = harness.serve(Picky(), register=False)
    ref, _ = value.ref_with_data(BuildStageArgs(builder="chromium/x"))
    request = ValidateStageRequest(args=ref)
    request.value_data[ref.digest.sha256].binary.type_url = ref.type_url
    request.value_data[ref.digest.sha256].binary.value = b"\xff\xff\xff"
    with pytest.raises(grpc.RpcError) as exc:
        _stub(address).ValidateStage(request, timeout=10)
    assert isinstance(exc.value, grpc.Call)
    assert exc.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "bad bytes" in (exc.value.details() or "")


def test_attempts_report_over_tls_unless_told_plain_text(harness: Harness) -> None:
    wp = WorkPlanId(id="none")
    # The reference serves plain text: over TLS (the default) the handshake fails.
    tls = ExecutorServicer(Picky())._client(harness.ref.address)
    with pytest.raises(TurboCIError) as exc:
        tls.read_work_plan(ReadWorkPlanRequest(work_plan=wp), timeout=1.0)
    assert exc.value.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
    plain = ExecutorServicer(Picky(), insecure=True)._client(harness.ref.address)
    with pytest.raises(TurboCIError) as exc:
        plain.read_work_plan(ReadWorkPlanRequest(work_plan=wp), timeout=5.0)
    assert exc.value.code == grpc.StatusCode.NOT_FOUND  # it got through
