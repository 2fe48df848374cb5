# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""A typed downstream module: the matrix runs `mypy --strict` on it against
each venv's installed wheel and type stubs (the `typing` extra's floors)."""

from __future__ import annotations

import grpc
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState
from turboci.graph.orchestrator.v1.turbo_ci_orchestrator_service_pb2_grpc import (
    TurboCIOrchestratorStub,
)
from turboci.utils import descriptors
from turboci.utils import ids
from turboci.utils import lifecycle
from turboci.utils import value


def result_of(ref_digest: str) -> BuildCheckResult | None:
    ref, data = value.ref_with_data(BuildCheckResult())
    return value.find([ref], {ref_digest: data}, BuildCheckResult)


def check_id(text: str) -> CheckId:
    return ids.parse_as(text, CheckId)


def after(state: StageAttemptState.ValueType) -> tuple[StageAttemptState.ValueType, ...]:
    return lifecycle.stage_attempt.next_states(state)


def done(state: CheckState.ValueType) -> bool:
    return lifecycle.check.is_final(state)


def messages() -> int:
    work_plan = "turboci/graph/orchestrator/v1/work_plan.proto"
    return len(descriptors.pool().FindFileByName(work_plan).message_types_by_name)


def client(channel: grpc.Channel) -> TurboCIOrchestratorStub:
    return TurboCIOrchestratorStub(channel)


def whole(ref_digest: str) -> bool:
    ref, data = value.ref_with_data(BuildCheckResult())
    return value.is_complete(ref, {ref_digest: data}, BuildCheckResult)
