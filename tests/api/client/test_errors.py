# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Refusals of the reference orchestrator, as TurboCIError over real gRPC."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import status_pb2  # type: ignore[import-untyped, attr-defined, unused-ignore]
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.identifier_pb2 import Identifier
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest
from turboci.graph.orchestrator.v1.read_work_plan_request_pb2 import ReadWorkPlanRequest
from turboci.graph.orchestrator.v1.transaction_pb2 import Transaction
from turboci.graph.orchestrator.v1.write_conflict_pb2 import WriteConflict
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.testing import Reference
from turboci.utils.client import Client
from turboci.utils.client import RetryableError
from turboci.utils.client import TurboCIError
from turboci.utils.client._errors import DETAILS_KEY
from turboci.utils.client._errors import make_error

from tests.api.client.support import REALM
from tests.api.client.support import check
from tests.api.client.support import create


def test_a_conflict_carries_its_reason_and_write_conflict_and_is_raised_at_once(
    ref: Reference,
) -> None:
    client = Client(ref.channel)
    wp = create(client, check("a"))
    stale = Transaction.Read(
        node=Identifier(check=CheckId(work_plan=wp, id="a")), update_revision=0
    )
    request = WriteNodesRequest(
        work_plan=wp, checks=[check("a")], transaction=Transaction(reads=[stale])
    )
    with pytest.raises(TurboCIError) as exc:
        client.write_nodes(request)
    err = exc.value
    assert not isinstance(err, RetryableError)
    assert err.code == grpc.StatusCode.ABORTED
    assert err.reason == "WRITE_CONFLICT"
    assert err.attempts == 1
    assert err.write_conflict is not None
    [conflict] = err.write_conflict.conflicts
    assert conflict.node.check.id == "a"
    assert conflict.reason == WriteConflict.Conflict.REASON_CHANGED
    assert conflict.current_revision.number == 1
    assert "WRITE_CONFLICT" in str(err)


def test_a_malformed_request_carries_the_field_violations(ref: Reference) -> None:
    client = Client(ref.channel)
    with pytest.raises(TurboCIError) as exc:
        client.create_work_plan(CreateWorkPlanRequest(realm=REALM, checks=[check("a")]))
    err = exc.value
    assert err.code == grpc.StatusCode.INVALID_ARGUMENT
    assert err.reason is None
    assert [v.field for v in err.field_violations] == ["workflow"]
    assert "workflow" in str(err)


def test_not_found_has_no_reason_and_metadata_of_reasons_is_kept(ref: Reference) -> None:
    client = Client(ref.channel)
    with pytest.raises(TurboCIError) as exc:
        client.read_work_plan(ReadWorkPlanRequest(work_plan=WorkPlanId(id="nope")))
    assert exc.value.code == grpc.StatusCode.NOT_FOUND
    assert exc.value.reason is None and exc.value.metadata == {}


def test_a_reason_of_another_domain_is_not_taken_for_the_apis() -> None:
    from google.rpc import error_details_pb2  # type: ignore[import-untyped, attr-defined, unused-ignore]

    status = status_pb2.Status(code=10, message="no")
    status.details.add().Pack(
        error_details_pb2.ErrorInfo(reason="ERROR_REASON_WRITE_CONFLICT", domain="example.com")
    )
    err = make_error(grpc.StatusCode.ABORTED, "no", [(DETAILS_KEY, status.SerializeToString())])
    assert err.reason is None


def test_unparsable_details_are_ignored_not_raised() -> None:
    err = make_error(grpc.StatusCode.INTERNAL, "boom", [(DETAILS_KEY, b"\xff\xff\xff")])
    assert isinstance(err, RetryableError)
    assert err.status is None and err.message == "boom"
