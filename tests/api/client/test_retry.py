# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Retries within the deadline, with the same request_id, over real gRPC."""

from __future__ import annotations

import random
import re
import time

import grpc
import pytest
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.graph.orchestrator.v1.create_work_plan_request_pb2 import CreateWorkPlanRequest
from turboci.graph.orchestrator.v1.read_work_plan_request_pb2 import ReadWorkPlanRequest
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.testing import Reference
from turboci.utils.client import Deadline
from turboci.utils.client import RetryableError
from turboci.utils.client import RetryPolicy
from turboci.utils.client import TurboCIError
from turboci.utils.client import call_with_retry

from tests.api.client.support import REALM
from tests.api.client.support import Fault
from tests.api.client.support import Faults
from tests.api.client.support import check
from tests.api.client.support import create
from tests.api.client.support import faulty_client

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_a_write_whose_answer_was_lost_is_retried_with_the_same_request_id(
    ref: Reference,
) -> None:
    faults = Faults()
    client = faulty_client(ref.address, faults)
    wp = create(client, check("a"))
    faults.faults.append(Fault("WriteNodes", times=1, after=True))
    request = WriteNodesRequest(work_plan=wp, checks=[check("b")])
    answer = client.write_nodes(request)
    first, second = faults.sent("WriteNodes")
    assert UUID4.match(first.request_id)  # type: ignore[attr-defined]
    assert second.request_id == first.request_id  # type: ignore[attr-defined]
    assert request.request_id == ""  # the caller's message is left alone
    # Applied once: revision 2 is the write, and nothing made a third.
    assert answer.revision.number == 2
    plan = client.read_work_plan(ReadWorkPlanRequest(work_plan=wp)).work_plan
    assert plan.revision.number == 2
    assert sorted(c.id.id for c in plan.checks) == ["a", "b"]


def test_a_lost_create_makes_one_workplan() -> None:
    made: list[str] = []

    def named() -> str:
        made.append(f"wp-{len(made)}")
        return made[-1]

    with Reference(work_plan_ids=named) as ref:
        faults = Faults(
            [Fault("CreateWorkPlan", times=2, code=grpc.StatusCode.INTERNAL, after=True)]
        )
        client = faulty_client(ref.address, faults)
        wp = create(client, check("a"))
        # The reference draws a name for each request it sees; only the
        # first became a workplan, the replays answered with it.
        assert wp.id == "wp-0" and len(made) == 3
        for other in made[1:]:
            with pytest.raises(TurboCIError) as exc:
                client.read_work_plan(ReadWorkPlanRequest(work_plan=WorkPlanId(id=other)))
            assert exc.value.code == grpc.StatusCode.NOT_FOUND
    ids = {r.request_id for r in faults.sent("CreateWorkPlan")}  # type: ignore[attr-defined]
    assert len(faults.sent("CreateWorkPlan")) == 3 and len(ids) == 1


def test_a_request_id_the_caller_set_is_kept(ref: Reference) -> None:
    faults = Faults()
    client = faulty_client(ref.address, faults)
    request = CreateWorkPlanRequest(
        workflow="test/flow", realm=REALM, checks=[check("a")], request_id="mine"
    )
    client.create_work_plan(request)
    assert [r.request_id for r in faults.sent("CreateWorkPlan")] == ["mine"]  # type: ignore[attr-defined]


def test_reads_get_no_request_id_and_are_retried_too(ref: Reference) -> None:
    faults = Faults()
    client = faulty_client(ref.address, faults)
    wp = create(client, check("a"))
    faults.faults.append(Fault("ReadWorkPlan", times=2))
    plan = client.read_work_plan(ReadWorkPlanRequest(work_plan=wp)).work_plan
    assert plan.id == wp
    assert len(faults.sent("ReadWorkPlan")) == 3


def test_retries_stop_at_the_deadline_and_say_how_many_attempts(ref: Reference) -> None:
    faults = Faults([Fault("CreateWorkPlan", times=1000)])
    client = faulty_client(ref.address, faults, timeout=2.0)
    start = time.monotonic()
    with pytest.raises(RetryableError) as exc:
        create(client, check("a"))
    took = time.monotonic() - start
    err = exc.value
    assert err.code == grpc.StatusCode.UNAVAILABLE
    # Sleeps of at most 0.1, 0.2 and 0.4 s fit in 2 s with room to spare:
    # three tries at the least, however slow the machine.
    assert err.attempts == len(faults.sent("CreateWorkPlan")) >= 3
    assert f"after {err.attempts} attempts" in str(err)
    # It gives up when the next sleep would pass the deadline, not after it
    # (the margin is the machine's, not the client's).
    assert took < 2.0 + 0.5


def test_other_codes_are_raised_at_once(ref: Reference) -> None:
    faults = Faults([Fault("CreateWorkPlan", times=5, code=grpc.StatusCode.RESOURCE_EXHAUSTED)])
    client = faulty_client(ref.address, faults)
    with pytest.raises(TurboCIError) as exc:
        create(client, check("a"))
    assert not isinstance(exc.value, RetryableError)
    assert exc.value.attempts == 1 and len(faults.sent("CreateWorkPlan")) == 1


def test_a_per_call_timeout_overrides_the_default(ref: Reference) -> None:
    faults = Faults([Fault("CreateWorkPlan", times=1000)])
    client = faulty_client(ref.address, faults, timeout=60.0)
    start = time.monotonic()
    with pytest.raises(RetryableError):
        client.create_work_plan(
            CreateWorkPlanRequest(workflow="w/f", realm=REALM, checks=[check("a")]), timeout=0.3
        )
    # Far under the client's 60 s (the margin is for a loaded machine).
    assert time.monotonic() - start < 0.3 + 2.0


def test_sleeps_double_from_a_tenth_capped_at_five_with_jitter() -> None:
    policy = RetryPolicy(rng=random.Random(7))
    sleeps = policy.sleeps()
    ceilings = [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0, 5.0]
    drawn = [next(sleeps) for _ in ceilings]
    for d, ceiling in zip(drawn, ceilings, strict=True):
        assert ceiling / 2 <= d <= ceiling
    assert len(set(drawn)) == len(drawn)  # jittered, not fixed


def test_no_retry_starts_when_its_sleep_would_pass_the_deadline() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    def attempt(left: float) -> int:
        raise _unavailable()

    deadline = Deadline(1.0, clock=lambda: now[0])
    with pytest.raises(RetryableError) as exc:
        call_with_retry(attempt, deadline, RetryPolicy(rng=random.Random(1)), sleep)
    assert sum(slept) < 1.0
    assert exc.value.attempts == len(slept) + 1


def _unavailable() -> grpc.RpcError:
    from tests.api.client.support import Injected

    return Injected(grpc.StatusCode.UNAVAILABLE, "down")
