# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""QueryNodes and ReadWorkPlan over gRPC: snapshots, paging, selections."""

from __future__ import annotations

import grpc
import pytest
from turboci.data.build.v1.build_check_options_pb2 import BuildCheckOptions
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.identifier_pb2 import Identifier
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.dependency_group_pb2 import DependencyGroup
from turboci.graph.orchestrator.v1.edge_pb2 import Edge
from turboci.graph.orchestrator.v1.error_reason_pb2 import ErrorReason
from turboci.graph.orchestrator.v1.node_query_pb2 import NodeQuery
from turboci.graph.orchestrator.v1.omission_reason_pb2 import OmissionReason
from turboci.graph.orchestrator.v1.query_nodes_request_pb2 import QueryNodesRequest
from turboci.graph.orchestrator.v1.query_nodes_response_pb2 import QueryNodesResponse
from turboci.graph.orchestrator.v1.read_work_plan_request_pb2 import ReadWorkPlanRequest
from turboci.graph.orchestrator.v1.read_work_plan_response_pb2 import ReadWorkPlanResponse
from turboci.graph.orchestrator.v1.value_encoding_pb2 import ValueEncoding
from turboci.graph.orchestrator.v1.value_selection_pb2 import ValueSelection
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.testing import Grants
from turboci.testing import Reference
from turboci.utils import value

from tests.testing.support import ALICE
from tests.testing.support import BOB
from tests.testing.support import REALM
from tests.testing.support import check
from tests.testing.support import create
from tests.testing.support import refused

OPTS = BuildCheckOptions(targets=["//a"], platform="linux")
ALL = ValueSelection(types=["*"])


def names(answer: QueryNodesResponse | ReadWorkPlanResponse) -> list[str]:
    return [c.id.id for c in answer.work_plan.checks] + [s.id.id for s in answer.work_plan.stages]


def test_pages_read_one_snapshot_and_never_skip_or_repeat(ref: Reference) -> None:
    wp = create(ref, [check(f"c{i}") for i in range(5)])
    first = ref.stub.ReadWorkPlan(ReadWorkPlanRequest(work_plan=wp, page_size=2))
    assert first.completeness.had_more and first.work_plan.revision.number == 1
    # The workplan changes between pages: a new node, a changed node.
    ref.stub.WriteNodes(
        WriteNodesRequest(
            work_plan=wp, checks=[check("c0", state=CheckState.CHECK_STATE_FINAL), check("new")]
        )
    )
    seen, token = names(first), first.next_page_token
    while token:
        page = ref.stub.ReadWorkPlan(
            ReadWorkPlanRequest(work_plan=wp, page_size=2, page_token=token)
        )
        assert page.work_plan.revision.number == 1
        seen += names(page)
        token = page.next_page_token
    assert seen == [f"c{i}" for i in range(5)]


def test_a_changed_request_with_a_page_token_is_invalid(ref: Reference) -> None:
    wp = create(ref, [check(f"c{i}") for i in range(3)])
    first = ref.stub.ReadWorkPlan(ReadWorkPlanRequest(work_plan=wp, page_size=1))
    with pytest.raises(grpc.RpcError) as exc:
        ref.stub.ReadWorkPlan(
            ReadWorkPlanRequest(
                work_plan=wp, page_size=1, include_edits=True, page_token=first.next_page_token
            )
        )
    refused(exc, grpc.StatusCode.INVALID_ARGUMENT)


def test_snapshot_revision_reads_the_past_and_expires() -> None:
    with Reference(keep_revisions=2) as ref:
        wp = create(ref, [check("a", state=CheckState.CHECK_STATE_PLANNING)])
        ref.stub.WriteNodes(
            WriteNodesRequest(work_plan=wp, checks=[check("a", options=[value.write(OPTS)])])
        )
        old = ref.stub.ReadWorkPlan(ReadWorkPlanRequest(work_plan=wp, snapshot_revision=1))
        assert not old.work_plan.checks[0].options
        ref.stub.WriteNodes(WriteNodesRequest(work_plan=wp, checks=[check("b")]))
        with pytest.raises(grpc.RpcError) as exc:
            ref.stub.ReadWorkPlan(ReadWorkPlanRequest(work_plan=wp, snapshot_revision=1))
        meta = refused(
            exc, grpc.StatusCode.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_REVISION_EXPIRED
        )
        assert meta == {"oldest_revision": "2"}


def test_query_lists_absent_nodes_and_follows_dependencies(ref: Reference) -> None:
    deps = DependencyGroup(edges=[Edge(target=Identifier(check=CheckId(id="a")))])
    wp = create(ref, [check("a"), check("b", dependencies=deps), check("c")])
    query = NodeQuery(
        work_plan=wp,
        nodes=[Identifier(check=CheckId(id="b")), Identifier(check=CheckId(id="zz"))],
        follow=NodeQuery.Follow.FOLLOW_DEPENDENCIES,
    )
    answer = ref.stub.QueryNodes(QueryNodesRequest(query=query))
    assert sorted(names(answer)) == ["a", "b"]
    assert [n.check.id for n in answer.absent_nodes] == ["zz"]


def test_query_filters_by_state_and_change(ref: Reference) -> None:
    wp = create(ref, [check("a"), check("b", state=CheckState.CHECK_STATE_PLANNING)])
    q = NodeQuery(work_plan=wp, check_states=[CheckState.CHECK_STATE_PLANNING])
    assert names(ref.stub.QueryNodes(QueryNodesRequest(query=q))) == ["b"]
    ref.stub.WriteNodes(
        WriteNodesRequest(work_plan=wp, checks=[check("b", state=CheckState.CHECK_STATE_PLANNED)])
    )
    q = NodeQuery(work_plan=wp, changed_after_revision=1)
    assert names(ref.stub.QueryNodes(QueryNodesRequest(query=q))) == ["b"]


def test_values_come_only_as_selected(ref: Reference) -> None:
    wp = create(ref, [check("a", options=[value.write(OPTS)])])
    inputs = NodeQuery.Include(inputs=True)
    q = NodeQuery(work_plan=wp, include=inputs)
    bare = ref.stub.QueryNodes(QueryNodesRequest(query=q))
    assert (
        bare.work_plan.checks[0].options[0].omitted == OmissionReason.OMISSION_REASON_NOT_REQUESTED
    )
    full = ref.stub.QueryNodes(
        QueryNodesRequest(
            query=q, values=ValueSelection(types=["type.googleapis.com/turboci.data.build.v1.*"])
        )
    )
    ref0 = full.work_plan.checks[0].options[0]
    assert value.lookup(ref0, full.work_plan.value_data, BuildCheckOptions) == OPTS
    small = ref.stub.QueryNodes(
        QueryNodesRequest(query=q, values=ValueSelection(types=["*"], max_value_bytes=5))
    )
    assert small.work_plan.checks[0].options[0].omitted == OmissionReason.OMISSION_REASON_TOO_LARGE
    js = ref.stub.QueryNodes(
        QueryNodesRequest(
            query=q, values=ValueSelection(types=["*"], encoding=ValueEncoding.VALUE_ENCODING_JSON)
        )
    )
    assert (
        value.lookup(js.work_plan.checks[0].options[0], js.work_plan.value_data, BuildCheckOptions)
        == OPTS
    )


def test_readers_see_only_what_they_may() -> None:
    alice = ALICE
    grants = Grants(
        [
            ("user:alice@example.com", p, REALM)
            for p in ("turboci.workplans.create", "turboci.workplans.get", "turboci.checks.get")
        ]
    )
    with Reference(authorizer=grants) as ref:
        from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest

        wp = ref.stub.CreateWorkPlan(
            CreateWorkPlanRequest(
                workflow="w", realm=REALM, checks=[check("a", options=[value.write(OPTS)])]
            ),
            metadata=alice,
        ).work_plan
        q = NodeQuery(work_plan=wp, include=NodeQuery.Include(inputs=True))
        answer = ref.stub.QueryNodes(QueryNodesRequest(query=q, values=ALL), metadata=alice)
        assert (
            answer.work_plan.checks[0].options[0].omitted
            == OmissionReason.OMISSION_REASON_NO_ACCESS
        )
        with pytest.raises(grpc.RpcError) as exc:
            ref.stub.QueryNodes(QueryNodesRequest(query=q))
        refused(exc, grpc.StatusCode.PERMISSION_DENIED)


def test_unknown_workplan_is_not_found(ref: Reference) -> None:
    from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId

    with pytest.raises(grpc.RpcError) as exc:
        ref.stub.ReadWorkPlan(ReadWorkPlanRequest(work_plan=WorkPlanId(id="nope")))
    refused(exc, grpc.StatusCode.NOT_FOUND)


def test_an_attempts_token_reads_without_grants() -> None:
    from turboci.graph.ids.v1.stage_id_pb2 import StageId
    from turboci.graph.orchestrator.v1.stage_write_pb2 import StageWrite
    from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
    from turboci.testing import SILENT

    grants = Grants(
        [
            ("user:alice@example.com", p, REALM)
            for p in ("turboci.workplans.create", "turboci.stages.create")
        ]
    )
    with Reference(authorizer=grants) as ref:
        ref.add_executor(BuildStageArgs).script = [SILENT]
        from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest

        stage = StageWrite(id=StageId(id="s"), args=value.write(BuildStageArgs()))
        wp = ref.stub.CreateWorkPlan(
            CreateWorkPlanRequest(
                workflow="w",
                realm=REALM,
                checks=[check("a", options=[value.write(OPTS)])],
                stages=[stage],
            ),
            metadata=ALICE,
        ).work_plan
        ref.run_until_idle()
        token = ref.orchestrator.token_of(wp.id, "s", 1)
        q = NodeQuery(work_plan=wp, include=NodeQuery.Include(inputs=True))
        with pytest.raises(grpc.RpcError) as exc:
            ref.stub.QueryNodes(QueryNodesRequest(query=q), metadata=BOB)
        refused(exc, grpc.StatusCode.PERMISSION_DENIED)
        answer = ref.stub.QueryNodes(
            QueryNodesRequest(query=q, values=ALL, stage_attempt_token=token), metadata=BOB
        )
        assert (
            value.lookup(
                answer.work_plan.checks[0].options[0],
                answer.work_plan.value_data,
                BuildCheckOptions,
            )
            == OPTS
        )


def test_reasons_are_in_the_workplans_realm_and_options_in_their_checks() -> None:
    from turboci.data.common.v1.display_pb2 import Display
    from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest

    other = "chromium:internal"
    grants = Grants(
        [
            ("user:alice@example.com", "turboci.workplans.create", REALM),
            ("user:alice@example.com", "turboci.checks.create", other),
            ("user:alice@example.com", "turboci.workplans.get", REALM),
            ("user:alice@example.com", "turboci.checks.get", other),
            ("user:alice@example.com", "turboci.values.get", REALM),
        ]
    )
    with Reference(authorizer=grants) as ref:
        request = CreateWorkPlanRequest(
            workflow="w",
            realm=REALM,
            checks=[check("a", realm=other, options=[value.write(OPTS)])],
            reasons=[value.write(Display())],
        )
        wp = ref.stub.CreateWorkPlan(request, metadata=ALICE).work_plan
        q = NodeQuery(work_plan=wp, include=NodeQuery.Include(inputs=True, edits=True))
        got = ref.stub.QueryNodes(QueryNodesRequest(query=q, values=ALL), metadata=ALICE).work_plan
        (c,) = got.checks
        assert c.options[0].omitted == OmissionReason.OMISSION_REASON_NO_ACCESS
        reason = c.edits[0].reasons[0]
        assert not reason.HasField("omitted")
        assert value.lookup(reason, got.value_data, Display) == Display()
