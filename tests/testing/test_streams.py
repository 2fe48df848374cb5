# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""ReadValues and WatchWorkPlan over gRPC."""

from __future__ import annotations

import hashlib

import grpc
import pytest
from google.protobuf.any_pb2 import Any
from turboci.data.build.v1.build_check_options_pb2 import BuildCheckOptions
from turboci.data.build.v1.build_check_result_pb2 import BuildCheckResult
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.error_reason_pb2 import ErrorReason
from turboci.graph.orchestrator.v1.omission_reason_pb2 import OmissionReason
from turboci.graph.orchestrator.v1.read_values_request_pb2 import ReadValuesRequest
from turboci.graph.orchestrator.v1.read_work_plan_request_pb2 import ReadWorkPlanRequest
from turboci.graph.orchestrator.v1.watch_work_plan_request_pb2 import WatchWorkPlanRequest
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.stages.build.v1.build_stage_args_pb2 import BuildStageArgs
from turboci.testing import Reference
from turboci.testing import succeed
from turboci.utils import value

from tests.testing.support import check
from tests.testing.support import create
from tests.testing.support import refused
from tests.testing.support import stage

OPTS = BuildCheckOptions(targets=["//x:" + "y" * 300], platform="linux")


def test_read_values_sends_a_value_whole_in_chunks_that_match_its_digest(ref: Reference) -> None:
    wp = create(ref, [check("a", options=[value.write(OPTS)])])
    digest = value.digest(OPTS).sha256
    stream = ref.stub.ReadValues(
        ReadValuesRequest(work_plan=wp, digests=[digest, digest, "0" * 64], max_chunk_bytes=100)
    )
    messages = list(stream)
    assert dict(messages[0].omitted) == {"0" * 64: OmissionReason.OMISSION_REASON_NO_ACCESS}
    chunks = [c for m in messages for c in m.chunks]
    assert len(chunks) > 1 and all(c.digest == digest for c in chunks)
    assert [c.last for c in chunks] == [False] * (len(chunks) - 1) + [True]
    data = b"".join(c.data for c in chunks)
    assert hashlib.sha256(data).hexdigest() == digest
    packed = Any.FromString(data)
    got = BuildCheckOptions()
    assert packed.Unpack(got) and got == OPTS


def test_watch_sends_each_change_once_and_ends_when_the_workplan_finishes(ref: Reference) -> None:
    ref.add_executor(BuildStageArgs).script = [succeed(BuildCheckResult())]
    wp = create(ref, [check("a")], [stage("s", "a")])
    stream = ref.stub.WatchWorkPlan(WatchWorkPlanRequest(work_plan=wp), timeout=30)
    first = next(stream)
    assert first.revision.number == 1
    assert sorted((c.node.WhichOneof("type"), c.revision.number) for c in first.changes) == [
        ("check", 1),
        ("stage", 1),
    ]
    ref.run_until_idle()
    rest = list(stream)
    assert rest[-1].HasField("finish_revision")
    final = ref.stub.ReadWorkPlan(ReadWorkPlanRequest(work_plan=wp)).work_plan
    assert rest[-1].revision == final.revision
    # Every message brings the reader up to a later revision; a node's change
    # is reported with its update_revision at that point.
    numbers = [first.revision.number] + [m.revision.number for m in rest]
    assert numbers == sorted(set(numbers))
    stage_changes = [c.revision.number for m in rest for c in m.changes if c.node.HasField("stage")]
    assert stage_changes[-1] == final.stages[0].update_revision.number


def test_watch_resumes_from_a_revision_without_skipping(ref: Reference) -> None:
    wp = create(ref, [check("a", state=CheckState.CHECK_STATE_PLANNING), check("b")])
    ref.stub.WriteNodes(
        WriteNodesRequest(work_plan=wp, checks=[check("a", options=[value.write(OPTS)])])
    )
    stream = ref.stub.WatchWorkPlan(
        WatchWorkPlanRequest(work_plan=wp, after_revision=1), timeout=30
    )
    first = next(stream)
    stream.cancel()
    assert [(c.node.check.id, c.revision.number) for c in first.changes] == [("a", 2)]
    assert first.revision.number == 2


def test_watch_from_an_expired_revision_is_refused() -> None:
    with Reference(keep_revisions=1) as ref:
        wp = create(ref, [check("a", state=CheckState.CHECK_STATE_PLANNING)])
        for _ in range(2):
            ref.stub.WriteNodes(
                WriteNodesRequest(work_plan=wp, checks=[check("a", options=[value.write(OPTS)])])
            )
        ref.stub.WriteNodes(WriteNodesRequest(work_plan=wp, checks=[check("b")]))
        stream = ref.stub.WatchWorkPlan(
            WatchWorkPlanRequest(work_plan=wp, after_revision=1), timeout=30
        )
        with pytest.raises(grpc.RpcError) as exc:
            next(stream)
        meta = refused(
            exc, grpc.StatusCode.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_REVISION_EXPIRED
        )
        assert int(meta["oldest_revision"]) > 2


@pytest.mark.parametrize("method", ["read_values", "watch_work_plan"])
def test_a_bug_inside_a_stream_is_answered_internal(
    ref: Reference, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(ref.orchestrator, method, broken)
    wp = create(ref, [check("a")])
    call = (
        ref.stub.ReadValues(ReadValuesRequest(work_plan=wp, digests=["0" * 64]))
        if method == "read_values"
        else ref.stub.WatchWorkPlan(WatchWorkPlanRequest(work_plan=wp))
    )
    with pytest.raises(grpc.RpcError) as exc:
        list(call)
    refused(exc, grpc.StatusCode.INTERNAL)
    assert "internal error of the reference: RuntimeError('boom')" in (exc.value.details() or "")
