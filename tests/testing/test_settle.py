# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The orchestrator's own moves, driven by the clock: heartbeats, timeouts,
retries with their delay and budget, groups and check conclusions."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.identifier_pb2 import Identifier
from turboci.graph.ids.v1.stage_id_pb2 import StageId
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.graph.orchestrator.v1.check_conclusion_pb2 import CheckConclusion
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.dependency_group_pb2 import DependencyGroup
from turboci.graph.orchestrator.v1.edge_pb2 import Edge
from turboci.graph.orchestrator.v1.execution_policy_pb2 import ExecutionPolicy
from turboci.graph.orchestrator.v1.failure_kind_pb2 import FailureKind
from turboci.graph.orchestrator.v1.node_query_pb2 import NodeQuery
from turboci.graph.orchestrator.v1.query_nodes_request_pb2 import QueryNodesRequest
from turboci.graph.orchestrator.v1.resolution_pb2 import Resolution
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState
from turboci.graph.orchestrator.v1.stage_state_pb2 import StageState
from turboci.graph.orchestrator.v1.stage_write_pb2 import StageWrite
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.testing import HANG
from turboci.testing import REJECT
from turboci.testing import SILENT
from turboci.testing import STUCK
from turboci.testing import THROTTLE
from turboci.testing import UNAVAILABLE
from turboci.testing import Reference
from turboci.testing import ScriptedExecutor
from turboci.testing import fail
from turboci.testing import succeed

from tests.testing.support import check
from tests.testing.support import create
from tests.testing.support import read
from tests.testing.support import stage

A = StageAttemptState
K = FailureKind


def policy(
    retries: dict[int, int] | None = None,
    delay: int = 0,
    run: int = 0,
    start: int = 0,
    heartbeat: int = 0,
) -> ExecutionPolicy:
    p = ExecutionPolicy()
    for kind, n in (retries or {}).items():
        p.retry.budgets.add(kind=kind, retries=n)  # type: ignore[arg-type, unused-ignore]
    if delay:
        p.retry.delay.CopyFrom(Duration(seconds=delay))
    if run:
        p.timeouts.run.CopyFrom(Duration(seconds=run))
    if start:
        p.timeouts.start.CopyFrom(Duration(seconds=start))
    if heartbeat:
        p.heartbeat.running.CopyFrom(Duration(seconds=heartbeat))
    return p


def test_a_stage_runs_to_complete_and_its_check_concludes(ref: Reference) -> None:
    ref.add_executor(BuildStageArgs).script = [succeed(BuildCheckResult())]
    wp = create(ref, [check("a")], [stage("s", "a")])
    ref.run_until_idle()
    plan = read(ref, wp)
    attempt = plan.stages[0].attempts[0]
    assert [t.state for t in attempt.transitions] == [
        A.STAGE_ATTEMPT_STATE_PENDING,
        A.STAGE_ATTEMPT_STATE_SCHEDULED,
        A.STAGE_ATTEMPT_STATE_RUNNING,
        A.STAGE_ATTEMPT_STATE_COMPLETE,
    ]
    assert plan.checks[0].conclusion.reason == CheckConclusion.Reason.REASON_STAGES_ENDED
    assert plan.checks[0].results[0].HasField("final_revision")
    assert plan.finish_revision.number == plan.revision.number


def test_lost_heartbeats_end_the_attempt_and_the_retry_waits_its_delay(ref: Reference) -> None:
    ref.add_executor(BuildStageArgs).script = [HANG, succeed()]
    wp = create(
        ref,
        [check("a")],
        [
            stage(
                "s", "a", execution_policy=policy({K.FAILURE_KIND_LOST: 1}, delay=30, heartbeat=10)
            )
        ],
    )
    ref.run_until_idle()
    ref.clock.advance(19)  # not yet two intervals
    ref.run_until_idle()
    assert read(ref, wp).stages[0].attempts[0].state == A.STAGE_ATTEMPT_STATE_RUNNING
    ref.clock.advance(2)
    ref.run_until_idle()
    attempts = read(ref, wp).stages[0].attempts
    assert attempts[0].failure.kind == K.FAILURE_KIND_LOST
    assert attempts[1].state == A.STAGE_ATTEMPT_STATE_AWAITING_RETRY
    assert attempts[1].transitions[0].revision == attempts[0].transitions[-1].revision
    ref.clock.advance(30)
    ref.run_until_idle()
    plan = read(ref, wp)
    assert plan.stages[0].attempts[1].state == A.STAGE_ATTEMPT_STATE_COMPLETE
    assert plan.HasField("finish_revision")


def test_retry_budget_is_per_failure_kind(ref: Reference) -> None:
    ref.add_executor(BuildStageArgs).script = [
        fail(K.FAILURE_KIND_CRASHED),
        fail(K.FAILURE_KIND_CRASHED),
    ]
    wp = create(
        ref,
        [check("a")],
        [
            stage(
                "s",
                "a",
                execution_policy=policy({K.FAILURE_KIND_CRASHED: 1, K.FAILURE_KIND_LOST: 5}),
            )
        ],
    )
    ref.run_until_idle()
    plan = read(ref, wp)
    assert [a.failure.kind for a in plan.stages[0].attempts] == [K.FAILURE_KIND_CRASHED] * 2
    assert plan.stages[0].state == StageState.STAGE_STATE_FINAL
    assert plan.checks[0].conclusion.reason == CheckConclusion.Reason.REASON_STAGES_FAILED
    assert [s.id for s in plan.checks[0].conclusion.stages] == ["s"]


def test_a_rejected_run_is_never_retried(ref: Reference) -> None:
    ref.add_executor(BuildStageArgs).script = [REJECT]
    wp = create(
        ref, [check("a")], [stage("s", "a", execution_policy=policy({K.FAILURE_KIND_CRASHED: 3}))]
    )
    ref.run_until_idle()
    (attempt,) = read(ref, wp).stages[0].attempts
    assert attempt.failure.kind == K.FAILURE_KIND_REJECTED


class _Answers(ScriptedExecutor):
    """RunStage refuses with one status code (see RunStageResponse)."""

    def __init__(self, code: grpc.StatusCode) -> None:
        super().__init__()
        self.code = code

    def RunStage(self, request, context):  # type: ignore[no-untyped-def]  # noqa: N802
        context.abort(self.code, f"scripted to answer {self.code.name}")


@pytest.mark.parametrize(
    ("code", "after"),
    [
        (grpc.StatusCode.ALREADY_EXISTS, A.STAGE_ATTEMPT_STATE_SCHEDULED),
        (grpc.StatusCode.PERMISSION_DENIED, A.STAGE_ATTEMPT_STATE_INCOMPLETE),
        (grpc.StatusCode.FAILED_PRECONDITION, A.STAGE_ATTEMPT_STATE_INCOMPLETE),
        (grpc.StatusCode.UNIMPLEMENTED, A.STAGE_ATTEMPT_STATE_INCOMPLETE),
        (grpc.StatusCode.NOT_FOUND, A.STAGE_ATTEMPT_STATE_INCOMPLETE),
        (grpc.StatusCode.DEADLINE_EXCEEDED, A.STAGE_ATTEMPT_STATE_PENDING),
        (grpc.StatusCode.ABORTED, A.STAGE_ATTEMPT_STATE_PENDING),
        (grpc.StatusCode.INTERNAL, A.STAGE_ATTEMPT_STATE_PENDING),
        (grpc.StatusCode.UNAUTHENTICATED, A.STAGE_ATTEMPT_STATE_PENDING),
        (grpc.StatusCode.DATA_LOSS, A.STAGE_ATTEMPT_STATE_PENDING),
    ],
)
def test_each_run_stage_refusal_does_what_its_code_says(
    ref: Reference, code: grpc.StatusCode, after: StageAttemptState.ValueType
) -> None:
    ref.add_executor(BuildStageArgs, _Answers(code))
    wp = create(ref, [check("a")], [stage("s", "a")])
    ref.tick()
    (attempt,) = read(ref, wp).stages[0].attempts
    assert attempt.state == after
    if after == A.STAGE_ATTEMPT_STATE_INCOMPLETE:
        assert attempt.failure.kind == K.FAILURE_KIND_REJECTED


def test_two_attempts_sent_at_once_are_scheduled_in_two_revisions(ref: Reference) -> None:
    ref.add_executor(BuildStageArgs).script = [SILENT]
    wp = create(ref, [check("a")], [stage("s", "a"), stage("t", "a")])
    ref.run_until_idle()
    scheduled = {
        t.revision.number
        for s in read(ref, wp).stages
        for t in s.attempts[0].transitions
        if t.state == A.STAGE_ATTEMPT_STATE_SCHEDULED
    }
    assert len(scheduled) == 2


def test_a_throttled_attempt_returns_to_pending_and_times_out_on_start(ref: Reference) -> None:
    ref.add_executor(BuildStageArgs).script = [THROTTLE]
    wp = create(ref, [check("a")], [stage("s", "a", execution_policy=policy(start=60))])
    ref.tick()
    assert read(ref, wp).stages[0].attempts[0].state == A.STAGE_ATTEMPT_STATE_THROTTLED
    ref.tick()  # no time has passed: the executor is not asked again
    assert read(ref, wp).stages[0].attempts[0].state == A.STAGE_ATTEMPT_STATE_THROTTLED
    ref.clock.advance(61)
    ref.tick()
    (attempt,) = read(ref, wp).stages[0].attempts
    assert [t.state for t in attempt.transitions][-2:] == [
        A.STAGE_ATTEMPT_STATE_PENDING,
        A.STAGE_ATTEMPT_STATE_INCOMPLETE,
    ]
    assert attempt.failure.kind == K.FAILURE_KIND_START_TIMEOUT


def test_run_timeout_cancels_with_cause_run_timeout_and_retries(ref: Reference) -> None:
    ref.add_executor(BuildStageArgs).script = [HANG, succeed()]
    wp = create(
        ref,
        [check("a")],
        [stage("s", "a", execution_policy=policy({K.FAILURE_KIND_RUN_TIMEOUT: 1}, run=100))],
    )
    ref.run_until_idle()
    ref.clock.advance(101)
    ref.run_until_idle()
    attempts = read(ref, wp).stages[0].attempts
    assert attempts[0].cancel_cause.kind == K.FAILURE_KIND_RUN_TIMEOUT == attempts[0].failure.kind
    assert attempts[1].state == A.STAGE_ATTEMPT_STATE_COMPLETE


def test_unsatisfiable_dependencies_end_the_dependents(ref: Reference) -> None:
    ref.add_executor(BuildStageArgs).script = [succeed()]  # writes no BuildCheckResult
    edge = Edge(target=Identifier(check=CheckId(id="a")))
    edge.condition.result_types.append("type.googleapis.com/turboci.data.build.v1.BuildCheckResult")
    wp = create(
        ref,
        [check("a"), check("b", dependencies=DependencyGroup(edges=[edge]))],
        [stage("s", "a"), stage("t", "b", dependencies=DependencyGroup(edges=[edge]))],
    )
    ref.run_until_idle()
    plan = read(ref, wp)
    b = next(c for c in plan.checks if c.id.id == "b")
    t = next(s for s in plan.stages if s.id.id == "t")
    assert b.conclusion.reason == CheckConclusion.Reason.REASON_DEPENDENCIES_UNSATISFIABLE
    assert b.dependencies.resolution == Resolution.RESOLUTION_UNSATISFIABLE
    assert t.state == StageState.STAGE_STATE_FINAL and not t.attempts


def test_a_check_no_stage_answers_ends_unassigned(ref: Reference) -> None:
    ref.add_executor(BuildStageArgs).script = [succeed()]
    wp = create(ref, [check("a"), check("lonely")], [stage("s", "a")])
    ref.run_until_idle()
    lonely = next(c for c in read(ref, wp).checks if c.id.id == "lonely")
    assert lonely.conclusion.reason == CheckConclusion.Reason.REASON_UNASSIGNED


def test_a_planning_check_holds_its_dependents(ref: Reference) -> None:
    ref.add_executor(BuildStageArgs).script = [SILENT]
    edge = Edge(target=Identifier(check=CheckId(id="a")))
    edge.condition.check_state = CheckState.CHECK_STATE_PLANNED
    wp = create(
        ref,
        [check("a", state=CheckState.CHECK_STATE_PLANNING), check("b")],
        [stage("t", "b", dependencies=DependencyGroup(edges=[edge]))],
    )
    ref.run_until_idle()
    assert read(ref, wp).stages[0].state == StageState.STAGE_STATE_PLANNED


def test_a_stop_timeout_ends_a_cancelled_attempt_with_its_cause(ref: Reference) -> None:
    from turboci.graph.ids.v1.stage_id_pb2 import StageId as Sid
    from turboci.graph.orchestrator.v1.stage_write_pb2 import StageWrite
    from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest

    ex = ref.add_executor(BuildStageArgs)
    ex.script = [STUCK]  # acknowledges the cancel, never reports the end
    p = policy()
    p.timeouts.stop.seconds = 30
    wp = create(ref, [check("a")], [stage("s", "a", execution_policy=p)])
    ref.run_until_idle()
    ref.stub.WriteNodes(
        WriteNodesRequest(work_plan=wp, stages=[StageWrite(id=Sid(id="s"), cancel=True)])
    )
    ref.run_until_idle()
    assert read(ref, wp).stages[0].attempts[0].state == A.STAGE_ATTEMPT_STATE_CANCELLING
    ref.clock.advance(31)
    ref.run_until_idle()
    (attempt,) = read(ref, wp).stages[0].attempts
    assert attempt.state == A.STAGE_ATTEMPT_STATE_INCOMPLETE
    assert attempt.failure.kind == K.FAILURE_KIND_CANCELLED


def _cancel_stage(ref: Reference, wp: WorkPlanId) -> None:
    ref.stub.WriteNodes(
        WriteNodesRequest(work_plan=wp, stages=[StageWrite(id=StageId(id="s"), cancel=True)])
    )


def test_a_cancel_the_executor_never_saw_ends_the_attempt(ref: Reference) -> None:
    ex = ref.add_executor(BuildStageArgs)
    ex.script = [SILENT]
    wp = create(ref, [check("a")], [stage("s", "a")])
    ref.run_until_idle()
    ex.runs.clear()  # the executor lost the attempt: its CancelStage answers NOT_FOUND
    _cancel_stage(ref, wp)
    ref.run_until_idle()
    assert ex.cancels == ["s:1"]
    (attempt,) = read(ref, wp).stages[0].attempts
    assert attempt.state == A.STAGE_ATTEMPT_STATE_INCOMPLETE
    assert attempt.failure.kind == K.FAILURE_KIND_CANCELLED


class _CancelUnavailable(ScriptedExecutor):
    def CancelStage(self, request, context):  # type: ignore[no-untyped-def]  # noqa: N802
        self.cancels.append(request.attempt.stage.id)
        context.abort(grpc.StatusCode.UNAVAILABLE, "scripted to be unavailable")


def test_a_cancel_that_errs_is_sent_again(ref: Reference) -> None:
    ex = ref.add_executor(BuildStageArgs, _CancelUnavailable(script=[SILENT]))
    wp = create(ref, [check("a")], [stage("s", "a")])
    ref.run_until_idle()
    _cancel_stage(ref, wp)
    ref.tick()
    ref.tick()
    assert ex.cancels == ["s", "s"]
    assert read(ref, wp).stages[0].attempts[0].state == A.STAGE_ATTEMPT_STATE_CANCELLING


def test_an_unanswered_run_stays_pending_and_is_sent_again(ref: Reference) -> None:
    ex = ref.add_executor(BuildStageArgs)
    ex.script = [UNAVAILABLE]
    wp = create(ref, [check("a")], [stage("s", "a", execution_policy=policy(start=60))])
    ref.tick()
    ref.tick()
    (attempt,) = read(ref, wp).stages[0].attempts
    assert [t.state for t in attempt.transitions] == [A.STAGE_ATTEMPT_STATE_PENDING]
    ex.script = [succeed(BuildCheckResult())]  # the executor is back
    ref.run_until_idle()
    assert read(ref, wp).stages[0].attempts[0].state == A.STAGE_ATTEMPT_STATE_COMPLETE


def test_the_executor_narrows_the_policy_and_the_request_is_kept(ref: Reference) -> None:
    ex = ref.add_executor(BuildStageArgs)
    ex.policy = policy(run=600)
    asked = policy(run=3600)
    wp = create(ref, [check("a")], [stage("s", "a", execution_policy=asked)])
    q = NodeQuery(work_plan=wp, include=NodeQuery.Include(inputs=True))
    (s,) = ref.stub.QueryNodes(QueryNodesRequest(query=q)).work_plan.stages
    assert s.execution_policy == ex.policy
    assert s.requested_execution_policy == asked


def test_an_any_group_is_satisfied_by_one_member_though_another_fails(ref: Reference) -> None:
    ex = ref.add_executor(BuildStageArgs)
    ex.script = [succeed(BuildCheckResult())]
    need_result = Edge(target=Identifier(check=CheckId(id="a")))
    need_result.condition.result_types.append("type.googleapis.com/example.Missing")
    plain = Edge(target=Identifier(check=CheckId(id="a")))
    any_of = DependencyGroup(edges=[need_result, plain], mode=DependencyGroup.Mode.MODE_ANY)
    wp = create(
        ref,
        [check("a"), check("b", dependencies=any_of)],
        [stage("s", "a"), stage("t", "b", dependencies=any_of)],
    )
    ref.run_until_idle()
    b = next(c for c in read(ref, wp).checks if c.id.id == "b")
    assert [e.resolution for e in b.dependencies.edges] == [
        Resolution.RESOLUTION_UNSATISFIABLE,
        Resolution.RESOLUTION_SATISFIED,
    ]
    assert b.dependencies.resolution == Resolution.RESOLUTION_SATISFIED
    assert b.conclusion.reason == CheckConclusion.Reason.REASON_STAGES_ENDED


def test_a_threshold_outside_its_members_is_invalid(ref: Reference) -> None:
    import grpc
    import pytest

    from tests.testing.support import refused

    edge = Edge(target=Identifier(check=CheckId(id="a")))
    bad = DependencyGroup(edges=[edge], mode=DependencyGroup.Mode.MODE_THRESHOLD, threshold=2)
    with pytest.raises(grpc.RpcError) as exc:
        create(ref, [check("a"), check("b", dependencies=bad)])
    refused(exc, grpc.StatusCode.INVALID_ARGUMENT)


def test_the_stop_timeout_runs_from_cancelling_through_tearing_down(ref: Reference) -> None:
    from turboci.graph.ids.v1.stage_id_pb2 import StageId as Sid
    from turboci.graph.orchestrator.v1.stage_attempt_write_pb2 import StageAttemptWrite
    from turboci.graph.orchestrator.v1.stage_write_pb2 import StageWrite
    from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest

    ref.add_executor(BuildStageArgs).script = [STUCK]
    p = policy()
    p.timeouts.stop.seconds = 30
    wp = create(ref, [check("a")], [stage("s", "a", execution_policy=p)])
    ref.run_until_idle()
    ref.stub.WriteNodes(
        WriteNodesRequest(work_plan=wp, stages=[StageWrite(id=Sid(id="s"), cancel=True)])
    )
    ref.run_until_idle()
    ref.clock.advance(20)
    token = ref.orchestrator.token_of(wp.id, "s", 1)
    teardown = StageAttemptWrite(state=A.STAGE_ATTEMPT_STATE_TEARING_DOWN)
    ref.stub.WriteNodes(
        WriteNodesRequest(work_plan=wp, stage_attempt_token=token, current_attempt=teardown)
    )
    ref.clock.advance(11)  # 31 s after CANCELLING, 11 s after TEARING_DOWN
    ref.run_until_idle()
    (attempt,) = read(ref, wp).stages[0].attempts
    assert attempt.state == A.STAGE_ATTEMPT_STATE_INCOMPLETE
    assert attempt.failure.kind == K.FAILURE_KIND_CANCELLED


def test_the_clock_steps_to_the_next_deadline(ref: Reference) -> None:
    ref.add_executor(BuildStageArgs).script = [HANG]
    wp = create(
        ref, [check("a")], [stage("s", "a", execution_policy=policy(run=900, heartbeat=600))]
    )
    ref.run_until_idle()
    running = read(ref, wp).stages[0].attempts[0].transitions[-1].revision.commit_time
    start = running.seconds + running.nanos / 1e9
    assert ref.advance_to_next_deadline() == pytest.approx(
        start + 900, abs=1e-6
    )  # the run timeout, before 2 x 600s
    assert ref.advance_to_next_deadline() == pytest.approx(
        start + 900, abs=1e-6
    )  # it stays until a tick moves
    ref.tick()
    attempt = read(ref, wp).stages[0].attempts[0]
    assert attempt.state == A.STAGE_ATTEMPT_STATE_CANCELLING
    assert attempt.cancel_cause.message == "cancelled after the 900s run timeout"


def test_no_deadline_leaves_the_clock_where_it_is(ref: Reference) -> None:
    before = ref.clock.now()
    assert ref.advance_to_next_deadline() is None
    assert ref.clock.now() == before


def test_a_single_edge_resolving_is_no_edit(ref: Reference) -> None:
    # One edge is satisfied at once, the other waits: the stage is changed
    # (its edge is resolved) but gets no edit until the whole group resolves.
    ref.add_executor(BuildStageArgs).script = [SILENT]
    now = Edge(target=Identifier(check=CheckId(id="a")))
    now.condition.check_state = CheckState.CHECK_STATE_PLANNED
    later = Edge(target=Identifier(check=CheckId(id="b")))
    later.condition.check_state = CheckState.CHECK_STATE_FINAL
    wp = create(
        ref,
        [check("a"), check("b", state=CheckState.CHECK_STATE_PLANNING)],
        [stage("t", "a", dependencies=DependencyGroup(edges=[now, later]))],
    )
    ref.tick()
    stage_t = read(ref, wp).stages[0]
    assert stage_t.dependencies.edges[0].resolution == Resolution.RESOLUTION_SATISFIED
    assert stage_t.dependencies.resolution == Resolution.RESOLUTION_PENDING
    assert [e.revision.number for e in stage_t.edits] == [1]
    assert stage_t.update_revision.number == 1


def test_a_result_closed_by_its_owners_end_is_no_edit(ref: Reference) -> None:
    ex = ref.add_executor(BuildStageArgs)
    ex.script = [HANG]
    wp = create(ref, [check("a")], [stage("s", "a")])
    ref.run_until_idle()
    from turboci.graph.orchestrator.v1.check_write_pb2 import CheckWrite
    from turboci.graph.orchestrator.v1.stage_attempt_failure_pb2 import StageAttemptFailure
    from turboci.graph.orchestrator.v1.stage_attempt_write_pb2 import StageAttemptWrite
    from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
    from turboci.utils import value

    token = ref.orchestrator.token_of(wp.id, "s", 1)
    result = CheckWrite(id=CheckId(id="a"), results=[value.write(BuildCheckResult())])
    ref.stub.WriteNodes(WriteNodesRequest(work_plan=wp, stage_attempt_token=token, checks=[result]))
    end = StageAttemptWrite(
        state=A.STAGE_ATTEMPT_STATE_INCOMPLETE,
        failure=StageAttemptFailure(kind=K.FAILURE_KIND_CRASHED),
    )
    answer = ref.stub.WriteNodes(
        WriteNodesRequest(work_plan=wp, stage_attempt_token=token, current_attempt=end)
    )
    check_a = read(ref, wp).checks[0]
    assert check_a.results[0].final_revision.number == answer.revision.number
    assert answer.revision.number not in [e.revision.number for e in check_a.edits]
