# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""A stage executor for tests whose attempts do what a script says.

RunStage answers at once (accepting, refusing or throttling, as scripted);
the attempt's work happens when the test calls `work()`, over gRPC with
the attempt's token, so a test decides exactly when each step lands.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from dataclasses import field

import grpc
from google.protobuf.message import Message

from turboci.graph.executor.v1 import turbo_ci_stage_executor_service_pb2_grpc as executor_grpc
from turboci.graph.executor.v1.cancel_stage_response_pb2 import CancelStageResponse
from turboci.graph.executor.v1.run_stage_request_pb2 import RunStageRequest
from turboci.graph.executor.v1.run_stage_response_pb2 import RunStageResponse
from turboci.graph.executor.v1.validate_stage_response_pb2 import ValidateStageResponse
from turboci.graph.orchestrator.v1 import (
    turbo_ci_orchestrator_service_pb2_grpc as orchestrator_grpc,
)
from turboci.graph.orchestrator.v1.check_write_pb2 import CheckWrite
from turboci.graph.orchestrator.v1.execution_policy_pb2 import ExecutionPolicy
from turboci.graph.orchestrator.v1.failure_kind_pb2 import FailureKind
from turboci.graph.orchestrator.v1.stage_attempt_failure_pb2 import StageAttemptFailure
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState
from turboci.graph.orchestrator.v1.stage_attempt_write_pb2 import StageAttemptWrite
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.utils import value

A = StageAttemptState


@dataclass(frozen=True)
class Step:
    """What one attempt does: "succeed" (claim, write `results` into every
    assigned check, close them and COMPLETE), "fail" (claim, then INCOMPLETE
    with `kind`), "hang" (claim and never report again but the end of a
    cancel), "stuck" (claim, then ignore even cancels), "reject" (RunStage
    refuses: FAILURE_KIND_REJECTED), "throttle" (RunStage answers
    RESOURCE_EXHAUSTED), "unavailable" (RunStage answers UNAVAILABLE) or
    "silent" (accepted, never claimed)."""

    action: str
    kind: FailureKind.ValueType = FailureKind.FAILURE_KIND_CRASHED
    results: tuple[Message, ...] = ()


def succeed(*results: Message) -> Step:
    return Step("succeed", results=results)


def fail(kind: FailureKind.ValueType = FailureKind.FAILURE_KIND_CRASHED) -> Step:
    return Step("fail", kind=kind)


HANG = Step("hang")
STUCK = Step("stuck")
REJECT = Step("reject")
THROTTLE = Step("throttle")
UNAVAILABLE = Step("unavailable")
SILENT = Step("silent")


@dataclass
class _Run:
    request: RunStageRequest
    step: Step
    done: bool = False
    cancelled: bool = False


@dataclass
class ScriptedExecutor(executor_grpc.TurboCIStageExecutorServicer):
    """Scripts by attempt number: `script[n]` is what attempt n does; attempts
    beyond the script repeat its last step. `policy` is what ValidateStage
    answers; `refuse` makes ValidateStage answer INVALID_ARGUMENT."""

    script: list[Step] = field(default_factory=lambda: [succeed()])
    policy: ExecutionPolicy | None = None
    refuse: str = ""
    orchestrator: orchestrator_grpc.TurboCIOrchestratorStub | None = None
    runs: dict[str, _Run] = field(default_factory=dict)
    validated: list[str] = field(default_factory=list)
    cancels: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def step_for(self, number: int) -> Step:
        return self.script[min(number, len(self.script)) - 1]

    def ValidateStage(self, request, context):  # type: ignore[no-untyped-def]  # noqa: N802
        self.validated.append(request.stage.id)
        if self.refuse:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, self.refuse)
        return (
            ValidateStageResponse(execution_policy=self.policy)
            if self.policy
            else ValidateStageResponse()
        )

    def RunStage(self, request, context):  # type: ignore[no-untyped-def]  # noqa: N802
        step = self.step_for(request.attempt.number)
        if step.action == "reject":
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "scripted to reject")
        if step.action == "throttle":
            context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "scripted to throttle")
        if step.action == "unavailable":
            context.abort(grpc.StatusCode.UNAVAILABLE, "scripted to be unavailable")
        key = f"{request.attempt.stage.id}:{request.attempt.number}"
        with self._lock:
            if key not in self.runs:
                self.runs[key] = _Run(request, step)
        return RunStageResponse(view_url=f"https://executor.example/{key}")

    def CancelStage(self, request, context):  # type: ignore[no-untyped-def]  # noqa: N802
        key = f"{request.attempt.stage.id}:{request.attempt.number}"
        with self._lock:
            self.cancels.append(key)
            run = self.runs.get(key)
            if run is None:
                context.abort(grpc.StatusCode.NOT_FOUND, "no such attempt")
            else:
                run.cancelled = True
        return CancelStageResponse()

    def _write(
        self, run: _Run, current_attempt: StageAttemptWrite, checks: list[CheckWrite] | None = None
    ) -> None:
        assert self.orchestrator is not None, "set ScriptedExecutor.orchestrator to a stub first"
        request = WriteNodesRequest(
            work_plan=run.request.attempt.stage.work_plan,
            stage_attempt_token=run.request.stage_attempt_token,
            current_attempt=current_attempt,
            checks=checks,
        )
        self.orchestrator.WriteNodes(request)

    def work(self) -> bool:
        """Do every accepted attempt's scripted work; True if anything was done."""
        with self._lock:
            todo = [r for r in self.runs.values() if not r.done]
        did = False
        for run in todo:
            key = f"{run.request.attempt.stage.id}:{run.request.attempt.number}"
            claim = StageAttemptWrite(
                state=A.STAGE_ATTEMPT_STATE_RUNNING, process_id=f"scripted:{key}"
            )
            if run.step.action == "stuck-claimed":
                continue
            if run.cancelled:
                self._write(
                    run, current_attempt=StageAttemptWrite(state=A.STAGE_ATTEMPT_STATE_INCOMPLETE)
                )
            elif run.step.action == "succeed":
                checks = [
                    CheckWrite(
                        id=a.check,
                        results=[value.write(m) for m in run.step.results],
                        finalize_result=True,
                    )
                    for a in run.request.assignments
                    if a.goal_state in (0, 4)
                ]
                self._write(run, current_attempt=claim)
                self._write(
                    run,
                    checks=checks,
                    current_attempt=StageAttemptWrite(state=A.STAGE_ATTEMPT_STATE_COMPLETE),
                )
            elif run.step.action == "fail":
                self._write(run, current_attempt=claim)
                self._write(
                    run,
                    current_attempt=StageAttemptWrite(
                        state=A.STAGE_ATTEMPT_STATE_INCOMPLETE,
                        failure=StageAttemptFailure(kind=run.step.kind),
                    ),
                )
            elif run.step.action == "stuck":
                self._write(run, current_attempt=claim)
                run.step = Step("stuck-claimed")
                did = True
                continue
            elif run.step.action == "hang":
                self._write(run, current_attempt=claim)
                run.step = SILENT  # claimed once, then never again
                did = True
                continue
            else:
                continue
            run.done = True
            did = True
        return did
