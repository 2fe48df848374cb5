# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""WriteNodes, CreateWorkPlan, AllocateNodeIds and CancelWorkPlan over gRPC:
one test per documented promise, and bad input that leaves state unchanged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
import pytest
from google.protobuf import any_pb2
from turboci.data.build.v1.build_check_options_pb2 import BuildCheckOptions
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.identifier_pb2 import Identifier
from turboci.graph.ids.v1.stage_id_pb2 import StageId
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.graph.orchestrator.v1.allocate_node_ids_request_pb2 import AllocateNodeIdsRequest
from turboci.graph.orchestrator.v1.cancel_work_plan_request_pb2 import CancelWorkPlanRequest
from turboci.graph.orchestrator.v1.check_conclusion_pb2 import CheckConclusion
from turboci.graph.orchestrator.v1.check_kind_pb2 import CheckKind
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.check_write_pb2 import CheckWrite
from turboci.graph.orchestrator.v1.dependency_group_pb2 import DependencyGroup
from turboci.graph.orchestrator.v1.edge_pb2 import Edge
from turboci.graph.orchestrator.v1.error_reason_pb2 import ErrorReason
from turboci.graph.orchestrator.v1.execution_policy_pb2 import ExecutionPolicy
from turboci.graph.orchestrator.v1.failure_kind_pb2 import FailureKind
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState
from turboci.graph.orchestrator.v1.stage_attempt_write_pb2 import StageAttemptWrite
from turboci.graph.orchestrator.v1.stage_state_pb2 import StageState
from turboci.graph.orchestrator.v1.stage_write_pb2 import StageWrite
from turboci.graph.orchestrator.v1.transaction_pb2 import Transaction
from turboci.graph.orchestrator.v1.value_write_pb2 import ValueWrite
from turboci.graph.orchestrator.v1.write_conflict_pb2 import WriteConflict
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.graph.orchestrator.v1.write_nodes_response_pb2 import WriteNodesResponse
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.testing import HANG
from turboci.testing import SILENT
from turboci.testing import Grants
from turboci.testing import Reference
from turboci.testing import Step
from turboci.testing import detail
from turboci.utils import value
from turboci.utils._canonical import scrambled

from tests.testing.support import ALICE
from tests.testing.support import BOB
from tests.testing.support import OPTIONS
from tests.testing.support import REALM
from tests.testing.support import check
from tests.testing.support import create
from tests.testing.support import read
from tests.testing.support import refused
from tests.testing.support import stage

A = StageAttemptState
Reason = WriteConflict.Conflict.Reason


def edge_to(name: str, kind: str = "check") -> Edge:
    ident = (
        Identifier(check=CheckId(id=name))
        if kind == "check"
        else Identifier(stage=StageId(id=name))
    )
    return Edge(target=ident)


def write(ref: Reference, wp: WorkPlanId, **kw: Any) -> WriteNodesResponse:
    return ref.stub.WriteNodes(WriteNodesRequest(work_plan=wp, **kw))


def unchanged(
    ref: Reference, wp: WorkPlanId, call: Callable[[], object]
) -> pytest.ExceptionInfo[grpc.RpcError]:
    """Run a call that must be refused; the workplan must be the same after."""
    before = read(ref, wp)
    with pytest.raises(grpc.RpcError) as exc:
        call()
    assert read(ref, wp) == before
    return exc


def test_create_makes_revision_1_with_every_node_and_an_edit_each(ref: Reference) -> None:
    wp = create(ref, [check("a", options=[OPTIONS])], [])
    plan = read(ref, wp)
    assert plan.create_revision.number == 1 == plan.revision.number
    (c,) = plan.checks
    assert c.state == CheckState.CHECK_STATE_PLANNED
    assert c.realm == REALM and c.id.work_plan == wp
    assert list(c.edits[0].changed_fields.paths) == ["kind", "realm", "options", "state"]


def test_create_needs_a_node_workflow_and_realm(ref: Reference) -> None:
    from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest

    for bad in (
        CreateWorkPlanRequest(workflow="w", realm=REALM),
        CreateWorkPlanRequest(realm=REALM, checks=[check("a")]),
        CreateWorkPlanRequest(workflow="w", realm="no-colon", checks=[check("a")]),
    ):
        with pytest.raises(grpc.RpcError) as exc:
            ref.stub.CreateWorkPlan(bad)
        refused(exc, grpc.StatusCode.INVALID_ARGUMENT)


def test_malformed_ids_are_invalid_argument_and_change_nothing(ref: Reference) -> None:
    wp = create(ref, [check("a")])
    for name in ("", "has:colon", "x" * 129):
        bad = check(name)
        exc = unchanged(ref, wp, lambda bad=bad: write(ref, wp, checks=[bad]))  # type: ignore[misc]
        refused(exc, grpc.StatusCode.INVALID_ARGUMENT)


def test_writes_to_a_final_check_are_refused_and_change_nothing(ref: Reference) -> None:
    wp = create(ref, [check("a", state=CheckState.CHECK_STATE_PLANNING)])
    write(ref, wp, checks=[check("a", state=CheckState.CHECK_STATE_FINAL)])
    exc = unchanged(ref, wp, lambda: write(ref, wp, checks=[check("a", options=[OPTIONS])]))
    meta = refused(
        exc, grpc.StatusCode.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_FIELD_NOT_WRITABLE
    )
    assert meta["state"] == "CHECK_STATE_FINAL"


def test_options_are_writable_only_while_planning(ref: Reference) -> None:
    wp = create(ref, [check("a")])  # born PLANNED
    exc = unchanged(ref, wp, lambda: write(ref, wp, checks=[check("a", options=[OPTIONS])]))
    meta = refused(
        exc, grpc.StatusCode.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_FIELD_NOT_WRITABLE
    )
    assert meta == {"field": "checks.options", "state": "CHECK_STATE_PLANNED"}


def test_a_writer_may_not_move_a_check_to_waiting(ref: Reference) -> None:
    wp = create(ref, [check("a", state=CheckState.CHECK_STATE_PLANNING)])
    exc = unchanged(
        ref, wp, lambda: write(ref, wp, checks=[check("a", state=CheckState.CHECK_STATE_WAITING)])
    )
    refused(exc, grpc.StatusCode.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_FIELD_NOT_WRITABLE)


def test_immutable_kind_may_be_repeated_but_not_changed(ref: Reference) -> None:

    wp = create(ref, [check("a")])
    write(ref, wp, checks=[check("a")])  # the same kind: a retried creation
    exc = unchanged(
        ref, wp, lambda: write(ref, wp, checks=[check("a", kind=CheckKind.CHECK_KIND_TEST)])
    )
    refused(exc, grpc.StatusCode.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_FIELD_NOT_WRITABLE)


def test_update_mask_rejects_set_but_unlisted_fields(ref: Reference) -> None:
    from google.protobuf.field_mask_pb2 import FieldMask

    wp = create(ref, [check("a", state=CheckState.CHECK_STATE_PLANNING)])
    bad = check("a", options=[OPTIONS], update_mask=FieldMask(paths=["dependencies"]))
    exc = unchanged(ref, wp, lambda: write(ref, wp, checks=[bad]))
    refused(exc, grpc.StatusCode.INVALID_ARGUMENT)


def test_expected_revision_conflict_names_every_node(ref: Reference) -> None:
    wp = create(
        ref,
        [
            check("a", state=CheckState.CHECK_STATE_PLANNING),
            check("b", state=CheckState.CHECK_STATE_PLANNING),
        ],
    )
    exc = unchanged(
        ref,
        wp,
        lambda: write(
            ref,
            wp,
            checks=[
                check("a", expected_revision=7, state=CheckState.CHECK_STATE_PLANNED),
                check("b", expected_revision=9, state=CheckState.CHECK_STATE_PLANNED),
            ],
        ),
    )
    refused(exc, grpc.StatusCode.ABORTED, ErrorReason.ERROR_REASON_WRITE_CONFLICT)
    conflict = detail(exc.value, WriteConflict)
    assert isinstance(conflict, WriteConflict)
    assert [(c.node.check.id, c.reason, c.current_revision.number) for c in conflict.conflicts] == [
        ("a", Reason.REASON_CHANGED, 1),
        ("b", Reason.REASON_CHANGED, 1),
    ]
    write(ref, wp, checks=[check("a", expected_revision=1, state=CheckState.CHECK_STATE_PLANNED)])


def test_create_only_and_absent_nodes_conflict_with_reason_exists(ref: Reference) -> None:
    wp = create(ref, [check("a")])
    exc = unchanged(ref, wp, lambda: write(ref, wp, checks=[check("a", create_only=True)]))
    refused(exc, grpc.StatusCode.ABORTED, ErrorReason.ERROR_REASON_WRITE_CONFLICT)
    exc = unchanged(
        ref,
        wp,
        lambda: write(
            ref,
            wp,
            checks=[check("b")],
            transaction=Transaction(absent_nodes=[Identifier(check=CheckId(id="a"))]),
        ),
    )
    conflict = detail(exc.value, WriteConflict)
    assert (
        isinstance(conflict, WriteConflict) and conflict.conflicts[0].reason == Reason.REASON_EXISTS
    )


def test_transaction_snapshot_conflicts_when_a_written_node_changed(ref: Reference) -> None:
    wp = create(ref, [check("a", state=CheckState.CHECK_STATE_PLANNING)])
    write(ref, wp, checks=[check("a", options=[OPTIONS])])  # revision 2
    exc = unchanged(
        ref,
        wp,
        lambda: write(
            ref,
            wp,
            checks=[check("a", options=[OPTIONS])],
            transaction=Transaction(snapshot_revision=1),
        ),
    )
    refused(exc, grpc.StatusCode.ABORTED, ErrorReason.ERROR_REASON_WRITE_CONFLICT)
    read_a = Transaction.Read(node=Identifier(check=CheckId(id="a")), update_revision=1)
    exc = unchanged(
        ref,
        wp,
        lambda: write(ref, wp, checks=[check("b")], transaction=Transaction(reads=[read_a])),
    )
    refused(exc, grpc.StatusCode.ABORTED, ErrorReason.ERROR_REASON_WRITE_CONFLICT)


def test_request_id_replays_the_first_answer_and_refuses_another_body(ref: Reference) -> None:
    wp = create(ref, [check("a", state=CheckState.CHECK_STATE_PLANNING)])
    first = write(ref, wp, request_id="r1", checks=[check("a", options=[OPTIONS])])
    write(ref, wp, checks=[check("b")])
    again = write(ref, wp, request_id="r1", checks=[check("a", options=[OPTIONS])])
    assert again == first
    assert read(ref, wp).revision.number == 3
    exc = unchanged(ref, wp, lambda: write(ref, wp, request_id="r1", checks=[check("c")]))
    refused(exc, grpc.StatusCode.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_REQUEST_ID_REUSED)


def test_edges_to_missing_nodes_are_invalid(ref: Reference) -> None:
    wp = create(ref, [check("a", state=CheckState.CHECK_STATE_PLANNING)])
    deps = DependencyGroup(edges=[edge_to("nope")])
    exc = unchanged(ref, wp, lambda: write(ref, wp, checks=[check("a", dependencies=deps)]))
    refused(exc, grpc.StatusCode.INVALID_ARGUMENT)


def test_cycles_are_refused_with_the_circle_named(ref: Reference) -> None:
    wp = create(
        ref,
        [
            check("a", state=CheckState.CHECK_STATE_PLANNING),
            check(
                "b",
                state=CheckState.CHECK_STATE_PLANNING,
                dependencies=DependencyGroup(edges=[edge_to("a")]),
            ),
        ],
    )
    exc = unchanged(
        ref,
        wp,
        lambda: write(
            ref, wp, checks=[check("a", dependencies=DependencyGroup(edges=[edge_to("b")]))]
        ),
    )
    meta = refused(exc, grpc.StatusCode.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_DEPENDENCY_CYCLE)
    parts = meta["cycle"].split(" -> ")
    assert parts[0] == parts[-1] and {p.rsplit(":C", 1)[1] for p in parts} == {"a", "b"}


def test_values_must_be_canonical(ref: Reference) -> None:
    wp = create(ref, [check("a", state=CheckState.CHECK_STATE_PLANNING)])
    msg = BuildCheckOptions(targets=["//a"], platform="linux")
    packed = any_pb2.Any(type_url=value.type_url_of(BuildCheckOptions), value=scrambled(msg))
    assert packed.value != value.pack(msg).value
    exc = unchanged(
        ref, wp, lambda: write(ref, wp, checks=[check("a", options=[ValueWrite(value=packed)])])
    )
    refused(exc, grpc.StatusCode.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_VALUE_NOT_CANONICAL)


def test_values_over_the_size_limit_are_refused(ref: Reference) -> None:
    wp = create(ref, [check("a", state=CheckState.CHECK_STATE_PLANNING)])
    big = ValueWrite(
        value=any_pb2.Any(type_url="type.googleapis.com/example.Unknown", value=b"x" * (1 << 20))
    )
    exc = unchanged(ref, wp, lambda: write(ref, wp, checks=[check("a", options=[big])]))
    refused(exc, grpc.StatusCode.INVALID_ARGUMENT)


def test_stage_of_an_unserved_args_type_is_rejected(ref: Reference) -> None:
    wp = create(ref, [check("a")])
    exc = unchanged(ref, wp, lambda: write(ref, wp, stages=[stage("s", "a")]))
    meta = refused(exc, grpc.StatusCode.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_STAGE_REJECTED)
    assert meta["args_type"] == value.type_url_of(BuildStageArgs)


def test_executor_refusal_in_validate_is_stage_rejected(ref: Reference) -> None:
    ref.add_executor(BuildStageArgs).refuse = "no such builder"
    wp = create(ref, [check("a")])
    exc = unchanged(ref, wp, lambda: write(ref, wp, stages=[stage("s", "a")]))
    refused(exc, grpc.StatusCode.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_STAGE_REJECTED)
    assert isinstance(exc.value, grpc.Call)
    assert "no such builder" in (exc.value.details() or "")


def test_unreachable_executor_is_unavailable(ref: Reference) -> None:
    ref.orchestrator.register_executor(
        [value.type_url_of(BuildStageArgs)], "127.0.0.1:1", timeout=2
    )
    wp = create(ref, [check("a")])
    exc = unchanged(ref, wp, lambda: write(ref, wp, stages=[stage("s", "a")]))
    refused(exc, grpc.StatusCode.UNAVAILABLE, ErrorReason.ERROR_REASON_EXECUTOR_UNAVAILABLE)


def test_a_refused_registration_routes_none_of_its_types(ref: Reference) -> None:
    ref.orchestrator.register_executor(["type.googleapis.com/x.Taken"], "127.0.0.1:1")
    build = value.type_url_of(BuildStageArgs)
    with pytest.raises(ValueError, match="already served"):
        ref.orchestrator.register_executor([build, "type.googleapis.com/x.Taken"], "127.0.0.1:1")
    wp = create(ref, [check("a")])
    exc = unchanged(ref, wp, lambda: write(ref, wp, stages=[stage("s", "a")]))
    refused(exc, grpc.StatusCode.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_STAGE_REJECTED)


def _running(ref: Reference, script: list[Step] | None = None) -> tuple[WorkPlanId, str]:
    ex = ref.add_executor(BuildStageArgs)
    ex.script = script or [SILENT]
    wp = create(ref, [check("a")], [stage("s", "a")])
    ref.run_until_idle()
    return wp, ref.orchestrator.token_of(wp.id, "s", 1)


def test_claim_by_another_process_is_refused(ref: Reference) -> None:
    wp, token = _running(ref)
    claim = StageAttemptWrite(state=A.STAGE_ATTEMPT_STATE_RUNNING, process_id="p1")
    assert (
        write(ref, wp, stage_attempt_token=token, current_attempt=claim).current_attempt.state
        == A.STAGE_ATTEMPT_STATE_RUNNING
    )
    write(ref, wp, stage_attempt_token=token, current_attempt=claim)  # repeating the claim is safe
    other = StageAttemptWrite(process_id="p2")
    exc = unchanged(
        ref, wp, lambda: write(ref, wp, stage_attempt_token=token, current_attempt=other)
    )
    refused(
        exc,
        grpc.StatusCode.FAILED_PRECONDITION,
        ErrorReason.ERROR_REASON_CLAIMED_BY_ANOTHER_PROCESS,
    )
    conflict = detail(exc.value, WriteConflict)
    assert (
        isinstance(conflict, WriteConflict)
        and conflict.conflicts[0].reason == Reason.REASON_CLAIMED
    )


def test_a_report_may_not_make_a_move_the_orchestrator_owns(ref: Reference) -> None:
    wp, token = _running(ref)
    bad = StageAttemptWrite(state=A.STAGE_ATTEMPT_STATE_CANCELLING)
    exc = unchanged(ref, wp, lambda: write(ref, wp, stage_attempt_token=token, current_attempt=bad))
    meta = refused(
        exc, grpc.StatusCode.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_FIELD_NOT_WRITABLE
    )
    assert meta["state"] == "STAGE_ATTEMPT_STATE_SCHEDULED"


def test_unknown_and_ended_tokens_are_expired(ref: Reference) -> None:
    wp, token = _running(ref)
    exc = unchanged(
        ref,
        wp,
        lambda: write(ref, wp, stage_attempt_token="nope", current_attempt=StageAttemptWrite()),
    )
    refused(exc, grpc.StatusCode.UNAUTHENTICATED, ErrorReason.ERROR_REASON_TOKEN_EXPIRED)
    write(
        ref,
        wp,
        stage_attempt_token=token,
        current_attempt=StageAttemptWrite(state=A.STAGE_ATTEMPT_STATE_COMPLETE, process_id="p"),
    )
    exc = unchanged(
        ref,
        wp,
        lambda: write(ref, wp, stage_attempt_token=token, current_attempt=StageAttemptWrite()),
    )
    refused(exc, grpc.StatusCode.UNAUTHENTICATED, ErrorReason.ERROR_REASON_TOKEN_EXPIRED)


def test_a_bare_heartbeat_is_no_revision(ref: Reference) -> None:
    wp, token = _running(ref)
    before = read(ref, wp).revision.number
    ref.clock.advance(5)
    answer = write(ref, wp, stage_attempt_token=token, current_attempt=StageAttemptWrite())
    assert answer.revision.number == before == read(ref, wp).revision.number
    assert answer.current_attempt.heartbeat_time.seconds == int(ref.clock.now())


def test_attempt_claims_writes_and_ends_in_one_call(ref: Reference) -> None:
    wp, token = _running(ref)
    answer = write(
        ref,
        wp,
        stage_attempt_token=token,
        checks=[check("a", results=[value.write(BuildCheckResult())], finalize_result=True)],
        current_attempt=StageAttemptWrite(state=A.STAGE_ATTEMPT_STATE_COMPLETE, process_id="p"),
    )
    assert answer.current_attempt.state == A.STAGE_ATTEMPT_STATE_COMPLETE
    ref.run_until_idle()
    plan = read(ref, wp)
    assert plan.checks[0].conclusion.reason == CheckConclusion.Reason.REASON_STAGES_ENDED
    assert plan.HasField("finish_revision")


def test_a_claim_straight_to_complete_is_two_moves_of_one_revision(ref: Reference) -> None:
    wp, token = _running(ref)
    done = StageAttemptWrite(state=A.STAGE_ATTEMPT_STATE_COMPLETE, process_id="p")
    rev = write(ref, wp, stage_attempt_token=token, current_attempt=done).revision
    moves = read(ref, wp).stages[0].attempts[0].transitions
    assert [(t.state, t.revision.number) for t in moves[-2:]] == [
        (A.STAGE_ATTEMPT_STATE_RUNNING, rev.number),
        (A.STAGE_ATTEMPT_STATE_COMPLETE, rev.number),
    ]


def test_allocated_ids_belong_to_their_caller(ref: Reference) -> None:
    wp = create(ref, [check("a")])
    got = ref.stub.AllocateNodeIds(
        AllocateNodeIdsRequest(work_plan=wp, check_count=2, prefix="shard-"),
        metadata=ALICE,
    )
    assert [c.id for c in got.checks] == ["shard-1", "shard-2"]
    again = ref.stub.AllocateNodeIds(
        AllocateNodeIdsRequest(work_plan=wp, check_count=2, prefix="shard-", request_id="x"),
        metadata=ALICE,
    )
    assert [c.id for c in again.checks] == ["shard-3", "shard-4"]
    name = got.checks[0].id
    exc = unchanged(
        ref,
        wp,
        lambda: ref.stub.WriteNodes(
            WriteNodesRequest(work_plan=wp, checks=[check(name)]),
            metadata=BOB,
        ),
    )
    meta = refused(
        exc, grpc.StatusCode.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_ID_ALLOCATED_TO_ANOTHER
    )
    assert meta["node"].endswith(":Cshard-1")
    ref.stub.WriteNodes(
        WriteNodesRequest(work_plan=wp, checks=[check(name)]),
        metadata=ALICE,
    )


def test_ids_an_attempt_allocated_belong_to_its_stage_and_its_retry(ref: Reference) -> None:
    from turboci.graph.orchestrator.v1.stage_attempt_failure_pb2 import StageAttemptFailure

    ref.add_executor(BuildStageArgs).script = [SILENT]
    policy = ExecutionPolicy()
    policy.retry.budgets.add(kind=FailureKind.FAILURE_KIND_CRASHED, retries=1)
    wp = create(ref, [check("a")], [stage("s", "a", execution_policy=policy)])
    ref.run_until_idle()
    first = ref.orchestrator.token_of(wp.id, "s", 1)
    got = ref.stub.AllocateNodeIds(
        AllocateNodeIdsRequest(work_plan=wp, check_count=1, stage_attempt_token=first)
    )
    name = got.checks[0].id
    crashed = StageAttemptWrite(
        state=A.STAGE_ATTEMPT_STATE_INCOMPLETE,
        failure=StageAttemptFailure(kind=FailureKind.FAILURE_KIND_CRASHED),
    )
    write(ref, wp, stage_attempt_token=first, current_attempt=crashed)
    ref.run_until_idle()
    exc = unchanged(
        ref,
        wp,
        lambda: ref.stub.WriteNodes(
            WriteNodesRequest(work_plan=wp, checks=[check(name)]), metadata=ALICE
        ),
    )
    refused(
        exc, grpc.StatusCode.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_ID_ALLOCATED_TO_ANOTHER
    )
    second = ref.orchestrator.token_of(wp.id, "s", 2)
    claim = StageAttemptWrite(state=A.STAGE_ATTEMPT_STATE_RUNNING, process_id="p2")
    write(ref, wp, stage_attempt_token=second, current_attempt=claim, checks=[check(name)])
    assert name in {c.id.id for c in read(ref, wp).checks}


def test_cancel_of_an_idle_plan_finishes_it_in_the_next_write_and_is_idempotent(
    ref: Reference,
) -> None:
    ref.add_executor(BuildStageArgs)
    wp = create(
        ref,
        [check("a"), check("b", state=CheckState.CHECK_STATE_PLANNING)],
        [stage("s", "a", dependencies=DependencyGroup(edges=[edge_to("b")]))],
    )
    rev = ref.stub.CancelWorkPlan(CancelWorkPlanRequest(work_plan=wp)).revision
    assert not read(ref, wp).HasField("finish_revision")
    ref.tick()  # the orchestrator's next write resolves the edges and finishes
    plan = read(ref, wp)
    assert plan.cancellation.revision.number == rev.number
    assert plan.finish_revision.number == rev.number + 1 == plan.revision.number
    assert {c.conclusion.reason for c in plan.checks} == {CheckConclusion.Reason.REASON_CANCELLED}
    assert plan.stages[0].state == StageState.STAGE_STATE_FINAL and not plan.stages[0].attempts
    again = ref.stub.CancelWorkPlan(CancelWorkPlanRequest(work_plan=wp))
    assert again.revision == plan.revision  # changes nothing, answers the latest revision
    assert read(ref, wp) == plan
    exc = unchanged(ref, wp, lambda: write(ref, wp, checks=[check("b")]))
    refused(exc, grpc.StatusCode.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_WORK_PLAN_FINISHED)


def test_cancel_with_running_attempts_waits_for_them(ref: Reference) -> None:
    wp, _ = _running(ref, [HANG])
    ref.run_until_idle()
    ref.stub.CancelWorkPlan(CancelWorkPlanRequest(work_plan=wp))
    plan = read(ref, wp)
    assert plan.stages[0].attempts[0].state == A.STAGE_ATTEMPT_STATE_CANCELLING
    assert not plan.HasField("finish_revision")
    exc = unchanged(ref, wp, lambda: write(ref, wp, checks=[check("b")]))
    refused(exc, grpc.StatusCode.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_WORK_PLAN_CANCELLED)
    ref.run_until_idle()  # CancelStage reaches the executor, which reports the end
    plan = read(ref, wp)
    attempt = plan.stages[0].attempts[0]
    assert attempt.state == A.STAGE_ATTEMPT_STATE_INCOMPLETE
    assert attempt.failure.kind == attempt.cancel_cause.kind
    assert plan.HasField("finish_revision")


def test_grants_authorizer_denies_what_was_not_granted() -> None:
    grants = Grants([("user:alice@example.com", "turboci.workplans.create", REALM)])
    with Reference(authorizer=grants) as ref:
        with pytest.raises(grpc.RpcError) as exc:
            create(ref, [check("a")])
        refused(exc, grpc.StatusCode.PERMISSION_DENIED)
        from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest

        ref.stub.CreateWorkPlan(
            CreateWorkPlanRequest(workflow="w", realm=REALM, checks=[check("a")]),
            metadata=ALICE,
        )


def test_a_value_written_into_a_realm_of_its_own_needs_values_create() -> None:
    alice = "user:alice@example.com"
    grants = Grants(
        (alice, p, REALM)
        for p in ("turboci.workplans.create", "turboci.workplans.write", "turboci.checks.update")
    )
    with Reference(authorizer=grants) as ref:
        from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest

        wp = ref.stub.CreateWorkPlan(
            CreateWorkPlanRequest(workflow="w", realm=REALM, checks=[check("a")]),
            metadata=ALICE,
        ).work_plan
        option = value.write(BuildCheckResult(), realm="chromium:secret")
        with pytest.raises(grpc.RpcError) as exc:
            ref.stub.WriteNodes(
                WriteNodesRequest(work_plan=wp, checks=[check("a", options=[option])]),
                metadata=ALICE,
            )
        refused(exc, grpc.StatusCode.PERMISSION_DENIED)
        assert "turboci.values.create in chromium:secret" in (exc.value.details() or "")
        grants.grant(alice, "turboci.values.create", "chromium:secret")
        ref.stub.WriteNodes(
            WriteNodesRequest(work_plan=wp, checks=[check("a", options=[option])]),
            metadata=ALICE,
        )


def test_a_stage_attempt_may_not_finalize_a_check_another_stage_still_answers(
    ref: Reference,
) -> None:
    ref.add_executor(BuildStageArgs).script = [SILENT]
    wp = create(ref, [check("a")], [stage("s", "a"), stage("t", "a")])
    ref.run_until_idle()
    token = ref.orchestrator.token_of(wp.id, "s", 1)
    claim = StageAttemptWrite(state=A.STAGE_ATTEMPT_STATE_RUNNING, process_id="p")
    write(ref, wp, stage_attempt_token=token, current_attempt=claim)
    final = check("a", state=CheckState.CHECK_STATE_FINAL)
    exc = unchanged(ref, wp, lambda: write(ref, wp, stage_attempt_token=token, checks=[final]))
    refused(exc, grpc.StatusCode.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_FIELD_NOT_WRITABLE)


def test_ids_of_another_workplan_are_invalid(ref: Reference) -> None:
    wp = create(ref, [check("a")])
    other = CheckId(work_plan=WorkPlanId(id="elsewhere"), id="b")
    exc = unchanged(
        ref,
        wp,
        lambda: write(ref, wp, checks=[CheckWrite(id=other, kind=CheckKind.CHECK_KIND_BUILD)]),
    )
    refused(exc, grpc.StatusCode.INVALID_ARGUMENT)


def test_join_group_holds_the_parent_and_cancel_reaches_the_group(ref: Reference) -> None:
    ex = ref.add_executor(BuildStageArgs)
    ex.script = [SILENT]
    wp = create(ref, [check("a")], [stage("planner", "a")])
    ref.run_until_idle()
    token = ref.orchestrator.token_of(wp.id, "planner", 1)
    claim = StageAttemptWrite(state=A.STAGE_ATTEMPT_STATE_RUNNING, process_id="p")
    shard = stage("shard", join_group=True)
    write(ref, wp, stage_attempt_token=token, stages=[shard], current_attempt=claim)
    write(
        ref,
        wp,
        stage_attempt_token=token,
        current_attempt=StageAttemptWrite(state=A.STAGE_ATTEMPT_STATE_COMPLETE),
    )
    ref.run_until_idle()
    plan = read(ref, wp)
    planner = next(s for s in plan.stages if s.id.id == "planner")
    assert [m.id for m in planner.group_stages] == ["shard"]
    assert planner.state == StageState.STAGE_STATE_AWAITING_GROUP
    write(ref, wp, stages=[StageWrite(id=StageId(id="planner"), cancel=True)])
    ref.run_until_idle()
    plan = read(ref, wp)
    states = {s.id.id: s.state for s in plan.stages}
    assert states == {
        "planner": StageState.STAGE_STATE_FINAL,
        "shard": StageState.STAGE_STATE_FINAL,
    }
    shard_attempt = next(s for s in plan.stages if s.id.id == "shard").attempts[0]
    assert shard_attempt.failure.kind == FailureKind.FAILURE_KIND_CANCELLED


def test_join_group_is_only_for_stage_attempts(ref: Reference) -> None:
    ref.add_executor(BuildStageArgs)
    wp = create(ref, [check("a")])
    exc = unchanged(ref, wp, lambda: write(ref, wp, stages=[stage("x", join_group=True)]))
    refused(exc, grpc.StatusCode.INVALID_ARGUMENT)


def test_cancelling_a_planned_stage_makes_it_final_without_attempts(ref: Reference) -> None:
    ref.add_executor(BuildStageArgs)
    wp = create(
        ref,
        [check("a"), check("b", state=CheckState.CHECK_STATE_PLANNING)],
        [stage("s", "a", dependencies=DependencyGroup(edges=[edge_to("b")]))],
    )
    write(ref, wp, stages=[StageWrite(id=StageId(id="s"), cancel=True)])
    again = write(ref, wp, stages=[StageWrite(id=StageId(id="s"), cancel=True)])
    (s,) = read(ref, wp).stages
    assert s.state == StageState.STAGE_STATE_FINAL and not s.attempts
    assert again.revision.number == read(ref, wp).revision.number


def test_nodes_are_written_only_while_the_attempt_runs(ref: Reference) -> None:
    wp, token = _running(ref)  # SCHEDULED, not yet claimed
    exc = unchanged(
        ref, wp, lambda: write(ref, wp, stage_attempt_token=token, checks=[check("new")])
    )
    meta = refused(
        exc, grpc.StatusCode.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_FIELD_NOT_WRITABLE
    )
    assert meta["state"] == "STAGE_ATTEMPT_STATE_SCHEDULED"


def test_a_value_of_an_unknown_type_is_kept_as_sent(ref: Reference) -> None:
    wp = create(ref, [check("a", state=CheckState.CHECK_STATE_PLANNING)])
    packed = any_pb2.Any(type_url="type.googleapis.com/example.internal.Secret", value=b"\x08\x01")
    write(ref, wp, checks=[check("a", options=[ValueWrite(value=packed)])])
    plan = read(ref, wp)
    ref0 = plan.checks[0].options[0]
    assert plan.value_data[ref0.digest.sha256].binary == packed


def test_a_known_type_whose_bytes_do_not_parse_is_invalid(ref: Reference) -> None:
    wp = create(ref, [check("a", state=CheckState.CHECK_STATE_PLANNING)])
    packed = any_pb2.Any(type_url=value.type_url_of(BuildCheckOptions), value=b"\xff\xff\xff")
    exc = unchanged(
        ref, wp, lambda: write(ref, wp, checks=[check("a", options=[ValueWrite(value=packed)])])
    )
    refused(exc, grpc.StatusCode.INVALID_ARGUMENT)


def test_incomplete_needs_a_failure_unless_cancelled(ref: Reference) -> None:
    wp, token = _running(ref)
    bad = StageAttemptWrite(state=A.STAGE_ATTEMPT_STATE_INCOMPLETE)
    exc = unchanged(ref, wp, lambda: write(ref, wp, stage_attempt_token=token, current_attempt=bad))
    refused(exc, grpc.StatusCode.INVALID_ARGUMENT)


def test_cancel_ends_a_waiting_retry_in_its_own_write(ref: Reference) -> None:
    from turboci.testing import fail

    ex = ref.add_executor(BuildStageArgs)
    ex.script = [fail(FailureKind.FAILURE_KIND_CRASHED)]
    policy = ExecutionPolicy()
    policy.retry.budgets.add(kind=FailureKind.FAILURE_KIND_CRASHED, retries=1)
    policy.retry.delay.seconds = 60
    wp = create(ref, [check("a")], [stage("s", "a", execution_policy=policy)])
    ref.run_until_idle()
    assert read(ref, wp).stages[0].attempts[1].state == A.STAGE_ATTEMPT_STATE_AWAITING_RETRY
    rev = ref.stub.CancelWorkPlan(CancelWorkPlanRequest(work_plan=wp)).revision
    retry = read(ref, wp).stages[0].attempts[1]
    assert retry.state == A.STAGE_ATTEMPT_STATE_INCOMPLETE
    assert retry.transitions[-1].revision == rev
    assert retry.failure.kind == retry.cancel_cause.kind == FailureKind.FAILURE_KIND_CANCELLED


def test_a_token_of_another_workplan_is_expired(ref: Reference) -> None:
    wp, token = _running(ref)
    other = create(ref, [check("z")])
    exc = unchanged(
        ref,
        other,
        lambda: write(ref, other, stage_attempt_token=token, current_attempt=StageAttemptWrite()),
    )
    refused(exc, grpc.StatusCode.UNAUTHENTICATED, ErrorReason.ERROR_REASON_TOKEN_EXPIRED)
    assert read(ref, wp).revision.number > 0


def test_an_allocation_prefix_must_leave_room_for_the_number(ref: Reference) -> None:
    wp = create(ref, [check("a")])
    for prefix in ("a:b", "x" * 126):
        with pytest.raises(grpc.RpcError) as exc:
            ref.stub.AllocateNodeIds(
                AllocateNodeIdsRequest(work_plan=wp, check_count=1, prefix=prefix)
            )
        refused(exc, grpc.StatusCode.INVALID_ARGUMENT)
    got = ref.stub.AllocateNodeIds(
        AllocateNodeIdsRequest(work_plan=wp, stage_count=1, prefix="x" * 120)
    )
    assert len(got.stages[0].id) <= 128


def test_a_chain_longer_than_the_recursion_limit_is_judged(ref: Reference) -> None:
    import sys

    n = sys.getrecursionlimit() + 100
    chain = [check("c0", state=CheckState.CHECK_STATE_PLANNING)] + [
        check(f"c{i}", dependencies=DependencyGroup(edges=[edge_to(f"c{i - 1}")]))
        for i in range(1, n)
    ]
    wp = create(ref, chain)
    loop = check("c0", dependencies=DependencyGroup(edges=[edge_to(f"c{n - 1}")]))
    exc = unchanged(ref, wp, lambda: write(ref, wp, checks=[loop]))
    meta = refused(exc, grpc.StatusCode.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_DEPENDENCY_CYCLE)
    names = meta["cycle"].split(" -> ")
    assert len(names) == 51 and names[25] == "..." and names[0] == names[-1]


def test_a_policy_the_api_does_not_allow_is_invalid(ref: Reference) -> None:
    ref.add_executor(BuildStageArgs)
    wp = create(ref, [check("a")])
    never = ExecutionPolicy()
    never.retry.budgets.add(kind=FailureKind.FAILURE_KIND_CANCELLED, retries=1)
    twice = ExecutionPolicy()
    twice.retry.budgets.add(kind=FailureKind.FAILURE_KIND_LOST, retries=1)
    twice.retry.budgets.add(kind=FailureKind.FAILURE_KIND_LOST, retries=2)
    negative = ExecutionPolicy()
    negative.timeouts.run.seconds = -1
    for policy in (never, twice, negative):
        bad = stage("s", "a", execution_policy=policy)
        exc = unchanged(ref, wp, lambda bad=bad: write(ref, wp, stages=[bad]))  # type: ignore[misc]
        refused(exc, grpc.StatusCode.INVALID_ARGUMENT)


def test_a_value_realm_must_be_project_colon_realm(ref: Reference) -> None:
    wp = create(ref, [check("a", state=CheckState.CHECK_STATE_PLANNING)])
    bad = ValueWrite(value=value.pack(BuildCheckOptions()), realm="no-colon")
    exc = unchanged(ref, wp, lambda: write(ref, wp, checks=[check("a", options=[bad])]))
    refused(exc, grpc.StatusCode.INVALID_ARGUMENT)


def test_create_with_a_request_id_returns_the_first_workplan(ref: Reference) -> None:
    from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest

    request = CreateWorkPlanRequest(workflow="w", realm="p:r", checks=[check("a")], request_id="k1")
    first = ref.stub.CreateWorkPlan(request)
    assert ref.stub.CreateWorkPlan(request) == first
    other = CreateWorkPlanRequest(workflow="w", realm="p:r", checks=[check("b")], request_id="k1")
    with pytest.raises(grpc.RpcError) as exc:
        ref.stub.CreateWorkPlan(other)
    refused(exc, grpc.StatusCode.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_REQUEST_ID_REUSED)
    # Another realm is another scope.
    again = CreateWorkPlanRequest(workflow="w", realm="p:s", checks=[check("a")], request_id="k1")
    assert ref.stub.CreateWorkPlan(again).work_plan != first.work_plan


def test_replayed_and_refused_creates_use_up_no_workplan_name(ref: Reference) -> None:
    from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest

    request = CreateWorkPlanRequest(workflow="w", realm="p:r", checks=[check("a")], request_id="k")
    first = ref.stub.CreateWorkPlan(request).work_plan.id
    ref.stub.CreateWorkPlan(request)  # replayed
    with pytest.raises(grpc.RpcError):  # refused: no check or stage
        ref.stub.CreateWorkPlan(CreateWorkPlanRequest(workflow="w", realm="p:r"))
    second = ref.stub.CreateWorkPlan(
        CreateWorkPlanRequest(workflow="w", realm="p:r", checks=[check("a")])
    ).work_plan.id
    # Names count the workplans made: the next one follows the first.
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1


def test_allocate_with_a_request_id_allocates_once(ref: Reference) -> None:
    wp = create(ref, [check("a")])
    request = AllocateNodeIdsRequest(work_plan=wp, stage_count=2, request_id="r")
    first = ref.stub.AllocateNodeIds(request)
    assert ref.stub.AllocateNodeIds(request) == first
    later = ref.stub.AllocateNodeIds(AllocateNodeIdsRequest(work_plan=wp, stage_count=1))
    assert later.stages[0].id not in {s.id for s in first.stages}


def test_a_chosen_work_plan_id_is_used_and_a_taken_one_refused() -> None:
    with Reference(work_plan_ids=lambda: "20260302-ps-4f1c") as ref:
        wp = create(ref, [check("a")])
        assert wp.id == "20260302-ps-4f1c"
        assert read(ref, wp).checks[0].id.work_plan.id == "20260302-ps-4f1c"
        with pytest.raises(grpc.RpcError) as exc:
            create(ref, [check("a")])
        # A hook giving a taken ID is the test's bug, not the caller's.
        assert exc.value.code() == grpc.StatusCode.INTERNAL


@pytest.mark.parametrize(("count", "id_length"), [(300, 1), (60, 128)])
def test_a_conflict_of_many_nodes_lists_what_fits_and_counts_the_rest(
    ref: Reference, count: int, id_length: int
) -> None:
    names = [f"{n:03d}".ljust(id_length, "x") for n in range(count)]
    wp = create(ref, [check(name, state=CheckState.CHECK_STATE_PLANNING) for name in names])
    stale = [
        check(name, expected_revision=7, state=CheckState.CHECK_STATE_PLANNED) for name in names
    ]
    exc = unchanged(ref, wp, lambda: write(ref, wp, checks=stale))
    # Without a bound the refusal overflows gRPC's trailers: RESOURCE_EXHAUSTED.
    refused(exc, grpc.StatusCode.ABORTED, ErrorReason.ERROR_REASON_WRITE_CONFLICT)
    assert exc.value.details() == f"{count} node(s) are not as the write expected"
    conflict = detail(exc.value, WriteConflict)
    assert isinstance(conflict, WriteConflict)
    listed = len(conflict.conflicts)
    assert [c.node.check.id for c in conflict.conflicts] == names[:listed]
    assert conflict.omitted_conflicts == count - listed
    if id_length == 1:
        assert listed == 50  # short IDs: the count bounds the list
    else:
        # Long IDs: the size does; one more conflict would not have fitted.
        one = conflict.conflicts[0].ByteSize() + 2
        assert 1 < listed < 50 and 4096 - one < conflict.ByteSize() <= 4096
