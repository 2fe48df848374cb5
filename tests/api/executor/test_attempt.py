# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""An attempt's life in the executor library (turboci.utils.executor),
against the reference orchestrator over real gRPC, on its FakeClock."""

from __future__ import annotations

import threading
import time

import grpc
import pytest
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
from turboci.data.build.v1.build_status_pb2 import BuildStatus
from turboci.data.common.v1.display_pb2 import Display
from turboci.graph.executor.v1.cancel_stage_request_pb2 import CancelStageRequest
from turboci.graph.executor.v1.run_stage_request_pb2 import RunStageRequest
from turboci.graph.orchestrator.v1.cancel_work_plan_request_pb2 import CancelWorkPlanRequest
from turboci.graph.orchestrator.v1.failure_kind_pb2 import FailureKind
from turboci.graph.orchestrator.v1.stage_attempt_failure_pb2 import StageAttemptFailure
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.testing import FakeClock
from turboci.utils import value
from turboci.utils.executor import AttemptStopped
from turboci.utils.executor import Executor
from turboci.utils.executor import RunContext
from turboci.utils.executor import StageFailure
from turboci.utils.executor import StageRejected
from turboci.utils.executor import _service
from turboci.utils.executor import process_id

from tests.api.executor.support import Harness
from tests.api.executor.support import eventually
from tests.api.executor.support import policy
from tests.testing.support import check
from tests.testing.support import create
from tests.testing.support import stage
from turboci.graph.executor.v1 import turbo_ci_stage_executor_service_pb2_grpc as executor_grpc

A = StageAttemptState
K = FailureKind
RESULT = BuildCheckResult(status=BuildStatus.BUILD_STATUS_SUCCEEDED)


class Builder(Executor[BuildStageArgs]):
    args_type = BuildStageArgs

    def __init__(self) -> None:
        self.runs = 0

    def run(self, ctx: RunContext[BuildStageArgs]) -> None:
        self.runs += 1
        ctx.progress(f"compiling on {ctx.args.builder}")
        ctx.write_results(RESULT)


class Waiter(Executor[BuildStageArgs]):
    """Waits on the executor's clock until told to stop, and records what it saw."""

    args_type = BuildStageArgs

    def __init__(self, seconds: float = 3600, then: BaseException | None = None) -> None:
        self.seconds = seconds
        self.then = then
        self.started = threading.Event()
        self.returned = threading.Event()
        self.callback = threading.Event()
        self.flag = False
        self.cause: StageAttemptFailure | None = None
        self.request = RunStageRequest()
        self.runs = 0

    def run(self, ctx: RunContext[BuildStageArgs]) -> None:
        self.runs += 1
        self.request = ctx.request
        ctx.on_cancel(self.callback.set)
        # The wait ends `seconds` after the run began, on the executor's
        # clock, even if a test moves the clock on as soon as it is told.
        until = ctx.clock.now() + self.seconds
        self.started.set()
        try:
            ctx.wait(max(0.0, until - ctx.clock.now()))
            self.flag = ctx.cancelled
            self.cause = ctx.cancel_cause
            if self.then is not None:
                raise self.then
            if not ctx.cancelled:
                ctx.write_results(RESULT)
        finally:
            self.returned.set()


def test_a_stage_that_succeeds_reports_progress_writes_results_and_completes(
    harness: Harness,
) -> None:
    builder = Builder()
    harness.serve(builder)
    wp = create(
        harness.ref,
        [check("build")],
        [
            stage(
                "compile",
                "build",
                args=value.write(BuildStageArgs(builder="chromium/try/linux-rel")),
                execution_policy=policy(heartbeat=10),
            )
        ],
    )
    harness.ref.tick()
    attempt = harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_COMPLETE)
    assert attempt.process_id == process_id()
    assert [s.state for s in attempt.transitions][-2:] == [
        A.STAGE_ATTEMPT_STATE_RUNNING,
        A.STAGE_ATTEMPT_STATE_COMPLETE,
    ]
    harness.ref.tick()
    plan = harness.read(wp)
    detail = value.lookup(attempt.details[0], plan.value_data, Display)
    assert detail.title == "compiling on chromium/try/linux-rel"
    (result,) = plan.checks[0].results
    assert value.lookup(result.data[0], plan.value_data, BuildCheckResult) == RESULT
    assert result.HasField("final_revision")
    assert plan.HasField("finish_revision")
    assert builder.runs == 1


@pytest.mark.parametrize(
    ("raised", "kind", "message"),
    [
        (RuntimeError("disk full"), K.FAILURE_KIND_CRASHED, "RuntimeError: disk full"),
        (StageFailure("no machine", K.FAILURE_KIND_LOST), K.FAILURE_KIND_LOST, "no machine"),
        (StageRejected("no such builder"), K.FAILURE_KIND_REJECTED, "no such builder"),
    ],
)
def test_an_exception_in_run_ends_the_attempt_with_its_failure_kind(
    harness: Harness, raised: BaseException, kind: FailureKind.ValueType, message: str
) -> None:
    harness.serve(Waiter(seconds=0, then=raised))
    wp = harness.plan()
    harness.ref.tick()
    attempt = harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_INCOMPLETE)
    assert attempt.failure.kind == kind
    assert attempt.failure.message == message


def test_a_cancel_in_the_middle_of_run_sets_the_flag_calls_back_and_ends_cancelled(
    harness: Harness,
) -> None:
    waiter = Waiter()
    harness.serve(waiter)
    wp = harness.plan()
    harness.ref.tick()
    harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_RUNNING)
    assert waiter.started.wait(10)
    harness.ref.stub.CancelWorkPlan(CancelWorkPlanRequest(work_plan=wp))
    harness.ref.tick()  # sends CancelStage
    attempt = harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_INCOMPLETE)
    assert attempt.failure.kind == K.FAILURE_KIND_CANCELLED
    assert waiter.callback.is_set() and waiter.flag
    assert waiter.cause is not None and waiter.cause.kind == K.FAILURE_KIND_CANCELLED
    assert not harness.read(wp).checks[0].results  # run wrote nothing once cancelled


def test_a_cancel_is_learned_from_a_heartbeat_when_no_cancel_stage_arrives(
    harness: Harness,
) -> None:
    waiter = Waiter()
    harness.serve(waiter)
    wp = harness.plan()
    harness.ref.tick()
    harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_RUNNING)
    harness.ref.stub.CancelWorkPlan(CancelWorkPlanRequest(work_plan=wp))
    harness.ref.clock.advance(10)  # no tick: the heartbeat's answer says CANCELLING
    attempt = harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_INCOMPLETE)
    assert attempt.failure.kind == K.FAILURE_KIND_CANCELLED
    assert waiter.callback.is_set() and waiter.flag


def test_heartbeats_that_stop_end_the_attempt_lost_and_the_expired_token_stops_the_work(
    harness: Harness,
) -> None:
    # The executor's own clock stands still: it sends no heartbeat while the
    # orchestrator's time runs out.
    stalled = FakeClock()
    proxy = harness.proxy()
    waiter = Waiter()
    harness.serve(waiter, clock=stalled, orchestrator=proxy.address)
    wp = harness.plan(policy(heartbeat=10))
    harness.ref.tick()
    harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_RUNNING)
    harness.ref.clock.advance(21)  # two intervals, and the claim's microsecond
    harness.ref.tick()
    attempt = harness.attempt(wp)
    assert attempt.state == A.STAGE_ATTEMPT_STATE_INCOMPLETE
    assert attempt.failure.kind == K.FAILURE_KIND_LOST
    assert not waiter.callback.is_set()
    stalled.advance(10)  # the next heartbeat meets TOKEN_EXPIRED
    assert waiter.returned.wait(10)
    assert waiter.callback.is_set() and waiter.flag
    assert waiter.cause is not None and "TOKEN_EXPIRED" in waiter.cause.message
    time.sleep(0.2)  # nothing more comes: no end report, no result
    assert [r.current_attempt.state for r, _ in proxy.writes] == [A.STAGE_ATTEMPT_STATE_RUNNING, 0]
    assert harness.attempt(wp).failure.kind == K.FAILURE_KIND_LOST


def test_heartbeats_that_fail_for_two_intervals_stop_the_work_and_nothing_more_is_written(
    harness: Harness,
) -> None:
    # The real clock, with short intervals: the retries run out by themselves.
    proxy = harness.proxy()
    proxy.failing = lambda request: not request.current_attempt.HasField("state")
    waiter = Waiter()
    harness.serve(waiter, clock=None, orchestrator=proxy.address)
    wp = harness.plan(policy(heartbeat=0.3))
    started = time.monotonic()
    harness.ref.tick()
    assert waiter.returned.wait(10)
    assert 0.3 <= time.monotonic() - started < 5
    assert waiter.cause is not None and waiter.cause.kind == K.FAILURE_KIND_LOST
    assert "two intervals" in waiter.cause.message
    proxy.failing = lambda request: False
    time.sleep(0.3)
    assert all(not ok for r, ok in proxy.writes[1:])  # the claim, then failed heartbeats only
    assert harness.attempt(wp).state == A.STAGE_ATTEMPT_STATE_RUNNING


@pytest.mark.slow  # heartbeats through a proxy on the wall clock
def test_an_orchestrator_briefly_unreachable_fails_a_few_heartbeats_and_the_attempt_completes(
    harness: Harness,
) -> None:
    proxy = harness.proxy()
    failed: list[int] = []

    def three_heartbeats(request: object) -> bool:
        from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest

        assert isinstance(request, WriteNodesRequest)
        if request.current_attempt.HasField("state") or request.checks or len(failed) >= 3:
            return False
        failed.append(1)
        return True

    proxy.failing = three_heartbeats
    waiter = Waiter(seconds=25)
    harness.serve(waiter, orchestrator=proxy.address)
    wp = harness.plan(policy(heartbeat=10))
    harness.ref.tick()
    harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_RUNNING)
    # The run's 25 s count from its start: the clock moves only once it began.
    assert waiter.started.wait(30)
    harness.ref.clock.advance(10)
    beat = harness.ref.clock.now()
    eventually(
        lambda: harness.attempt(wp).heartbeat_time.seconds >= beat, message="a heartbeat taken"
    )
    tries = proxy.heartbeats()
    assert [ok for _, ok in tries] == [False, False, False, True]
    assert len({r.request_id for r, _ in tries}) == 1  # one request, retried
    harness.ref.clock.advance(19)  # past two intervals from the claim, one from the heartbeat
    harness.ref.tick()
    assert harness.attempt(wp).state != A.STAGE_ATTEMPT_STATE_INCOMPLETE
    harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_COMPLETE)
    assert not waiter.flag


def test_a_run_timeout_cancels_run_and_ends_the_attempt_run_timeout(harness: Harness) -> None:
    waiter = Waiter()
    harness.serve(waiter)
    wp = harness.plan(policy(heartbeat=10, run=60))
    harness.ref.tick()
    harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_RUNNING)
    harness.ref.clock.advance(59)
    time.sleep(0.05)
    assert not waiter.callback.is_set()
    harness.ref.clock.advance(1)
    attempt = harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_INCOMPLETE)
    assert attempt.failure.kind == K.FAILURE_KIND_RUN_TIMEOUT
    assert "60s run timeout" in attempt.failure.message
    assert waiter.flag and waiter.callback.is_set()


def test_run_that_ignores_a_cancel_is_left_after_the_stop_timeout_and_may_write_nothing(
    harness: Harness,
) -> None:
    release = threading.Event()
    seen: list[BaseException] = []

    class Stubborn(Executor[BuildStageArgs]):
        args_type = BuildStageArgs

        def run(self, ctx: RunContext[BuildStageArgs]) -> None:
            # Only the test lets it go on, however long the steps before
            # take on a loaded machine.
            release.wait(300)
            try:
                ctx.write_results(RESULT)
            except AttemptStopped as exc:
                seen.append(exc)

    harness.serve(Stubborn())
    wp = harness.plan(policy(heartbeat=10, stop=30))
    harness.ref.tick()
    harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_RUNNING)
    harness.ref.stub.CancelWorkPlan(CancelWorkPlanRequest(work_plan=wp))
    harness.ref.tick()
    harness.ref.clock.advance(30)
    attempt = harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_INCOMPLETE)
    assert attempt.failure.kind == K.FAILURE_KIND_CANCELLED
    release.set()
    eventually(lambda: seen, message="the late write refused")
    assert not harness.read(wp).checks[0].results


def test_a_second_run_stage_of_the_same_attempt_runs_nothing(harness: Harness) -> None:
    waiter = Waiter(seconds=5)
    address = harness.serve(waiter)
    wp = harness.plan()
    harness.ref.tick()
    harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_RUNNING)
    assert waiter.started.wait(10)
    with grpc.insecure_channel(address) as channel:
        stub = executor_grpc.TurboCIStageExecutorStub(channel)
        stub.RunStage(waiter.request, timeout=10)  # while it runs
        harness.ref.clock.advance(5)
        harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_COMPLETE)
        stub.RunStage(waiter.request, timeout=10)  # after it ended
    time.sleep(0.1)
    assert waiter.runs == 1


def test_the_oldest_ended_attempts_are_forgotten(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One ended attempt remembered: a long-lived executor's memory stays bounded.
    monkeypatch.setattr(_service, "REMEMBERED", 1)
    waiter = Waiter(seconds=0)
    address = harness.serve(waiter)
    requests = []
    for _ in range(2):
        wp = harness.plan()
        harness.ref.tick()
        harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_COMPLETE)
        eventually(lambda: waiter.returned.is_set(), message="run returned")
        waiter.returned.clear()
        requests.append(waiter.request)
    with grpc.insecure_channel(address) as channel:
        stub = executor_grpc.TurboCIStageExecutorStub(channel)

        def cancel(request: RunStageRequest) -> grpc.StatusCode:
            try:
                stub.CancelStage(CancelStageRequest(attempt=request.attempt), timeout=10)
            except grpc.RpcError as exc:
                return exc.code() if isinstance(exc, grpc.Call) else grpc.StatusCode.UNKNOWN
            return grpc.StatusCode.OK

        eventually(lambda: cancel(requests[0]) == grpc.StatusCode.NOT_FOUND, message="forgotten")
        assert cancel(requests[1]) == grpc.StatusCode.OK


def test_a_copy_of_the_attempt_in_another_process_stops_at_its_claim(harness: Harness) -> None:
    first = Waiter(seconds=5)
    harness.serve(first)
    copy = Waiter()
    other = harness.serve(copy, register=False, process_id="elsewhere:1:1")
    wp = harness.plan()
    harness.ref.tick()
    harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_RUNNING)
    assert first.started.wait(10)
    with grpc.insecure_channel(other) as channel:
        executor_grpc.TurboCIStageExecutorStub(channel).RunStage(first.request, timeout=10)
    time.sleep(0.2)
    assert copy.runs == 0
    harness.ref.clock.advance(5)
    attempt = harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_COMPLETE)
    assert attempt.process_id == process_id()


def test_a_claim_refused_because_the_attempt_was_cancelled_meanwhile_still_ends_it(
    harness: Harness,
) -> None:
    proxy = harness.proxy()
    proxy.holding = lambda request: request.current_attempt.state == A.STAGE_ATTEMPT_STATE_RUNNING
    waiter = Waiter()
    harness.serve(waiter, orchestrator=proxy.address)
    wp = harness.plan()
    harness.ref.tick()
    assert proxy.held.wait(10)
    harness.ref.stub.CancelWorkPlan(CancelWorkPlanRequest(work_plan=wp))  # no tick: no CancelStage
    assert harness.attempt(wp).state == A.STAGE_ATTEMPT_STATE_CANCELLING
    proxy.release.set()  # the claim arrives late and is refused
    attempt = harness.wait_state(wp, A.STAGE_ATTEMPT_STATE_INCOMPLETE)
    assert attempt.failure.kind == K.FAILURE_KIND_CANCELLED
    assert waiter.runs == 0
