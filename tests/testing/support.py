# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Builders shared by the reference orchestrator's tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import grpc
import pytest
from turboci.data.build.v1.build_check_options_pb2 import BuildCheckOptions
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.stage_id_pb2 import StageId
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.graph.orchestrator.v1.assignment_pb2 import Assignment
from turboci.graph.orchestrator.v1.check_kind_pb2 import CheckKind
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.check_write_pb2 import CheckWrite
from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest
from turboci.graph.orchestrator.v1.error_reason_pb2 import ErrorReason
from turboci.graph.orchestrator.v1.read_work_plan_request_pb2 import ReadWorkPlanRequest
from turboci.graph.orchestrator.v1.stage_write_pb2 import StageWrite
from turboci.graph.orchestrator.v1.value_selection_pb2 import ValueSelection
from turboci.graph.orchestrator.v1.work_plan_pb2 import WorkPlan
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.testing import Reference
from turboci.testing import error_info
from turboci.utils import value

REALM = "chromium:try"


def check(name: str, **kw: Any) -> CheckWrite:
    kw.setdefault("kind", CheckKind.CHECK_KIND_BUILD)
    return CheckWrite(id=CheckId(id=name), **kw)


def stage(name: str, *checks: str, **kw: Any) -> StageWrite:
    kw.setdefault("args", value.write(BuildStageArgs()))
    assignments = [Assignment(check=CheckId(id=c)) for c in checks]
    return StageWrite(id=StageId(id=name), assignments=assignments, **kw)


def create(
    ref: Reference, checks: list[CheckWrite], stages: Sequence[StageWrite] = (), **kw: Any
) -> WorkPlanId:
    for c in checks:
        if not c.HasField("state"):
            c.state = (
                CheckState.CHECK_STATE_PLANNED
            )  # ready for its stages unless a test says otherwise
    answer = ref.stub.CreateWorkPlan(
        CreateWorkPlanRequest(workflow="test/flow", realm=REALM, checks=checks, stages=stages, **kw)
    )
    return answer.work_plan


def read(ref: Reference, wp: WorkPlanId) -> WorkPlan:
    """The whole workplan as ReadWorkPlan gives it, with edits, every page."""
    out = WorkPlan()
    token = ""
    while True:
        page = ref.stub.ReadWorkPlan(
            ReadWorkPlanRequest(
                work_plan=wp,
                include_edits=True,
                page_token=token,
                values=ValueSelection(types=["*"]),
            )
        )
        head = WorkPlan()
        head.CopyFrom(page.work_plan)
        checks, stages = list(head.checks), list(head.stages)
        head.ClearField("checks")
        head.ClearField("stages")
        if not token:
            out.MergeFrom(head)
        out.checks.extend(checks)
        out.stages.extend(stages)
        token = page.next_page_token
        if not token:
            return out


def refused(
    exc: pytest.ExceptionInfo[grpc.RpcError],
    code: grpc.StatusCode,
    reason: ErrorReason.ValueType | None = None,
) -> dict[str, str]:
    """Assert the refusal's code and ErrorInfo reason; returns its metadata."""
    err = exc.value
    assert isinstance(err, grpc.Call)
    assert err.code() == code, err.details()
    info = error_info(err)
    if reason is None:
        return {}
    assert info is not None, "no ErrorInfo in the refusal"
    # The name without its prefix, as error_reason.proto says.
    assert info.reason == ErrorReason.Name(reason).removeprefix("ERROR_REASON_")
    assert not info.reason.startswith("ERROR_REASON_")
    return dict(info.metadata)


OPTIONS = value.write(BuildCheckOptions())


ALICE = (("turboci-user", "alice@example.com"),)
BOB = (("turboci-user", "bob@example.com"),)
