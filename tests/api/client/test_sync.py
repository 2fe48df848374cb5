# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The blocking client: targets, channels and metadata, over real gRPC."""

from __future__ import annotations

import grpc
import pytest
from turboci.graph.orchestrator.v1.read_work_plan_request_pb2 import ReadWorkPlanRequest
from turboci.testing import Reference
from turboci.utils.client import Client
from turboci.utils.client import TurboCIError

from tests.api.client.support import Faults
from tests.api.client.support import check
from tests.api.client.support import create
from tests.api.client.support import faulty_client


def test_client_wide_metadata_and_per_call_extras_are_both_sent(ref: Reference) -> None:
    faults = Faults()
    client = faulty_client(ref.address, faults, metadata={"turboci-user": "alice@example.com"})
    wp = create(client, check("a"))
    client.read_work_plan(ReadWorkPlanRequest(work_plan=wp), metadata=[("X-Trace", "t1")])
    (_, _, create_md), (_, _, read_md) = faults.calls
    assert ("turboci-user", "alice@example.com") in create_md
    assert ("turboci-user", "alice@example.com") in read_md and ("x-trace", "t1") in read_md
    plan = client.read_work_plan(ReadWorkPlanRequest(work_plan=wp)).work_plan
    assert plan.creator.user == "alice@example.com"


def test_a_client_from_a_target_opens_and_closes_its_channel(ref: Reference) -> None:
    with Client(ref.address, insecure=True) as client:
        wp = create(client, check("a"))
    with pytest.raises(ValueError):
        # A closed channel refuses new calls.
        client.read_work_plan(ReadWorkPlanRequest(work_plan=wp))


def test_a_client_on_a_callers_channel_leaves_it_open(ref: Reference) -> None:
    with Client(ref.channel) as client:
        create(client, check("a"))
    with Client(ref.channel) as again:
        create(again, check("b"))


def test_credentials_apply_only_to_a_target(ref: Reference) -> None:
    with pytest.raises(ValueError, match="target"):
        Client(ref.channel, credentials=grpc.local_channel_credentials())


def test_an_unreachable_orchestrator_is_a_retryable_error_within_the_deadline() -> None:
    with (
        Client("127.0.0.1:1", insecure=True, timeout=0.5) as client,
        pytest.raises(TurboCIError) as exc,
    ):
        create(client, check("a"))
    assert exc.value.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def test_a_target_gets_tls_unless_asked_for_plain_text(ref: Reference) -> None:
    # The reference serves plain text: a TLS handshake with it fails, so a
    # token or a user's name is never sent in the clear by default.
    with Client(ref.address, timeout=1.0) as client, pytest.raises(TurboCIError) as exc:
        create(client, check("a"))
    assert exc.value.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
    with pytest.raises(ValueError, match="choose one"):
        Client(ref.address, insecure=True, credentials=grpc.ssl_channel_credentials())
    with pytest.raises(ValueError, match="target"):
        Client(ref.channel, insecure=True)
