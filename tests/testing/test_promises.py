# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Workplans the reference orchestrator makes keep every promise the
examples are checked for (tests/api/test_examples.py): a presubmit-like
story with a lost heartbeat, a retry after its delay and a planner with a
group; and a workplan cancelled while attempts run and wait."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
from turboci.data.source.v1.source_check_result_pb2 import SourceCheckResult
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.identifier_pb2 import Identifier
from turboci.graph.orchestrator.v1.cancel_work_plan_request_pb2 import CancelWorkPlanRequest
from turboci.graph.orchestrator.v1.check_kind_pb2 import CheckKind
from turboci.graph.orchestrator.v1.dependency_group_pb2 import DependencyGroup
from turboci.graph.orchestrator.v1.edge_pb2 import Edge
from turboci.graph.orchestrator.v1.failure_kind_pb2 import FailureKind
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState
from turboci.graph.orchestrator.v1.stage_attempt_write_pb2 import StageAttemptWrite
from turboci.graph.orchestrator.v1.work_plan_pb2 import WorkPlan
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.stages.source.v1.resolve_source_stage_args_pb2 import ResolveSourceStageArgs
from turboci.testing import HANG
from turboci.testing import SILENT
from turboci.testing import THROTTLE
from turboci.testing import Reference
from turboci.testing import succeed
from turboci.utils import value

from tests.api.test_examples import PROMISES
from tests.testing.support import check
from tests.testing.support import create
from tests.testing.support import read
from tests.testing.support import stage
from tests.testing.test_settle import policy
from turboci.data.test.v1 import test_summary_pb2
from turboci.stages.test.v1 import test_stage_args_pb2

A = StageAttemptState
K = FailureKind


def on(name: str, *result_types: type) -> DependencyGroup:
    edge = Edge(target=Identifier(check=CheckId(id=name)))
    edge.condition.result_types.extend(value.type_url_of(t) for t in result_types)
    return DependencyGroup(edges=[edge])


def story() -> WorkPlan:
    with Reference() as ref:
        ref.add_executor(ResolveSourceStageArgs).script = [succeed(SourceCheckResult())]
        ref.add_executor(BuildStageArgs).script = [HANG, succeed(BuildCheckResult())]
        tests = ref.add_executor(test_stage_args_pb2.TestStageArgs)
        tests.script = [SILENT]
        wp = create(
            ref,
            [
                check("source", kind=CheckKind.CHECK_KIND_SOURCE),
                check("build", dependencies=on("source", SourceCheckResult)),
                check("unit", kind=CheckKind.CHECK_KIND_TEST, dependencies=on("build")),
            ],
            [
                stage("resolve", "source", args=value.write(ResolveSourceStageArgs())),
                stage(
                    "compile",
                    "build",
                    dependencies=on("source", SourceCheckResult),
                    execution_policy=policy({K.FAILURE_KIND_LOST: 1}, delay=30, heartbeat=10),
                ),
                stage(
                    "plan-tests",
                    "unit",
                    dependencies=on("build"),
                    args=value.write(test_stage_args_pb2.TestStageArgs()),
                ),
            ],
        )
        ref.run_until_idle()
        ref.clock.advance(21)  # compile's first attempt misses two heartbeats
        ref.run_until_idle()
        ref.clock.advance(30)  # the retry delay passes
        ref.run_until_idle()
        # The planner adds a shard to its group and completes; the shard answers.
        tests.script = [succeed(test_summary_pb2.TestSummary())]
        token = ref.orchestrator.token_of(wp.id, "plan-tests", 1)
        claim = StageAttemptWrite(state=A.STAGE_ATTEMPT_STATE_RUNNING, process_id="planner")
        shard = stage(
            "shard-1",
            "unit",
            join_group=True,
            args=value.write(test_stage_args_pb2.TestStageArgs()),
        )
        ref.stub.WriteNodes(
            WriteNodesRequest(
                work_plan=wp, stage_attempt_token=token, stages=[shard], current_attempt=claim
            )
        )
        ref.stub.WriteNodes(
            WriteNodesRequest(
                work_plan=wp,
                stage_attempt_token=token,
                current_attempt=StageAttemptWrite(state=A.STAGE_ATTEMPT_STATE_COMPLETE),
            )
        )
        ref.run_until_idle()
        plan = read(ref, wp)
        assert plan.HasField("finish_revision"), plan
        return plan


def cancelled() -> WorkPlan:
    with Reference() as ref:
        ref.add_executor(BuildStageArgs).script = [HANG]
        ref.add_executor(test_stage_args_pb2.TestStageArgs).script = [THROTTLE]
        wp = create(
            ref,
            [check("build"), check("unit", dependencies=on("build"))],
            [
                stage("compile", "build"),
                stage("lint", args=value.write(test_stage_args_pb2.TestStageArgs())),
                stage(
                    "test",
                    "unit",
                    dependencies=on("build"),
                    args=value.write(test_stage_args_pb2.TestStageArgs()),
                ),
            ],
        )
        ref.run_until_idle()
        ref.stub.CancelWorkPlan(CancelWorkPlanRequest(work_plan=wp))
        ref.run_until_idle()
        plan = read(ref, wp)
        assert plan.HasField("finish_revision"), plan
        return plan


PLANS: dict[str, Callable[[], WorkPlan]] = {"story": story, "cancelled": cancelled}


@pytest.fixture(scope="module", params=sorted(PLANS))
def made(request: pytest.FixtureRequest) -> WorkPlan:
    return PLANS[request.param]()


@pytest.mark.parametrize("promise", PROMISES, ids=lambda f: f.__name__)
def test_the_reference_keeps_the_examples_promise(
    made: WorkPlan, promise: Callable[[WorkPlan], list[str]]
) -> None:
    assert promise(made) == []
