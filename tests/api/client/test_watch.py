# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""wait_for over WatchWorkPlan, dropped and resumed, over real gRPC."""

from __future__ import annotations

import threading
import time

import grpc
import pytest
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.graph.orchestrator.v1.check_pb2 import Check
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.testing import Reference
from turboci.utils.client import Client
from turboci.utils.client import TurboCIError

from tests.api.client.support import Drops
from tests.api.client.support import Faults
from tests.api.client.support import check
from tests.api.client.support import create
from tests.api.client.support import faulty_client

PLANNED = CheckState.CHECK_STATE_PLANNED


def _plan(client: Client, wp: WorkPlanId, name: str = "a") -> None:
    client.write_nodes(WriteNodesRequest(work_plan=wp, checks=[check(name, state=PLANNED)]))


@pytest.mark.parametrize("code", [grpc.StatusCode.UNAVAILABLE, None], ids=["unavailable", "ended"])
def test_a_dropped_watch_resumes_from_the_last_revision_seen(
    ref: Reference, code: grpc.StatusCode | None
) -> None:
    plain = Client(ref.channel)
    wp = create(plain, check("a"), check("b"))
    # b changes while the watch is down: the resumed watch must not miss it.
    drops = Drops(times=1, code=code, on_drop=lambda: _plan(plain, wp, "b"))
    client = faulty_client(ref.address, Faults(), drops)
    # The writer plans "a" once the second watch is up.
    writer = threading.Timer(0.5, lambda: _plan(plain, wp, "a"))
    writer.start()
    try:
        node = client.wait_for(wp, CheckId(work_plan=wp, id="a"), PLANNED, timeout=10)
    finally:
        writer.cancel()
    assert isinstance(node, Check) and node.state == PLANNED
    assert [r.after_revision for r in drops.requests][:2] == [1, 1]  # type: ignore[attr-defined]
    # And waiting for b, dropped while b changed, returns at once after resuming.
    drops.times = 1
    drops.on_drop = None
    assert client.wait_for(wp, CheckId(work_plan=wp, id="b"), PLANNED, timeout=5).state == PLANNED


def test_a_change_made_while_the_watch_was_down_is_seen(ref: Reference) -> None:
    plain = Client(ref.channel)
    wp = create(plain, check("a"))
    drops = Drops(times=1, on_drop=lambda: _plan(plain, wp, "a"))
    client = faulty_client(ref.address, Faults(), drops)
    start = time.monotonic()
    node = client.wait_for(wp, CheckId(work_plan=wp, id="a"), PLANNED, timeout=10)
    assert node.state == PLANNED and node.update_revision.number == 2
    assert time.monotonic() - start < 5
    assert [r.after_revision for r in drops.requests] == [1, 1]  # type: ignore[attr-defined]


def test_a_state_already_passed_is_met(ref: Reference) -> None:
    client = Client(ref.channel)
    wp = create(client, check("a", state=CheckState.CHECK_STATE_PLANNED))
    # Unassigned, the check goes WAITING then FINAL at the orchestrator's next round.
    ref.run_until_idle()
    node = client.wait_for(wp, CheckId(work_plan=wp, id="a"), PLANNED, timeout=5)
    assert node.state == CheckState.CHECK_STATE_FINAL


def test_the_time_up_says_what_was_last_seen(ref: Reference) -> None:
    client = Client(ref.channel)
    wp = create(client, check("a"))
    start = time.monotonic()
    with pytest.raises(TurboCIError) as exc:
        client.wait_for(
            wp, CheckId(work_plan=wp, id="a"), CheckState.CHECK_STATE_FINAL, timeout=0.6
        )
    assert time.monotonic() - start < 3
    err = exc.value
    assert err.code == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "check 'a' did not reach CHECK_STATE_FINAL within 0.6s" in str(err)
    assert "last seen CHECK_STATE_PLANNING at revision 1" in str(err)


def test_a_node_that_can_no_longer_get_there_fails_at_once(ref: Reference) -> None:
    client = Client(ref.channel)
    wp = create(client, check("a", state=CheckState.CHECK_STATE_PLANNED))
    ref.run_until_idle()  # FINAL, unassigned, with no results
    with pytest.raises(TurboCIError) as exc:
        client.wait_for(
            wp,
            CheckId(work_plan=wp, id="a"),
            lambda n: isinstance(n, Check) and bool(n.results),
            timeout=5,
        )
    assert exc.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert "check 'a' is CHECK_STATE_FINAL" in str(exc.value)


def test_a_workplan_that_finishes_first_ends_the_wait(ref: Reference) -> None:
    client = Client(ref.channel)
    wp = create(client, check("a"))

    # Predicate on a node that never appears: the plan finishing ends the wait.
    def finish() -> None:
        _plan(client, wp, "a")
        ref.run_until_idle()

    threading.Timer(0.3, finish).start()
    with pytest.raises(TurboCIError) as exc:
        client.wait_for(wp, CheckId(work_plan=wp, id="ghost"), lambda n: True, timeout=10)
    assert exc.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert "the workplan finished at revision" in str(exc.value)
    assert "check 'ghost' does not exist" in str(exc.value)


def test_a_wait_that_is_over_closes_its_watch(ref: Reference) -> None:
    plain = Client(ref.channel)
    wp = create(plain, check("a"))
    drops = Drops(times=0)
    client = faulty_client(ref.address, Faults(), drops)
    threading.Timer(0.3, lambda: _plan(plain, wp, "a")).start()
    client.wait_for(wp, CheckId(work_plan=wp, id="a"), PLANNED, timeout=10)
    [call] = drops.calls
    # The workplan goes on, but the stream is not left open on the server.
    assert call.done() and call.code() == grpc.StatusCode.CANCELLED


def test_a_timeout_that_is_no_time_is_refused(ref: Reference) -> None:
    with pytest.raises(ValueError, match="above 0"):
        Client(ref.channel, timeout=0)
    client = Client(ref.channel)
    wp = create(client, check("a"))
    with pytest.raises(ValueError, match="above 0"):
        client.wait_for(wp, CheckId(work_plan=wp, id="a"), PLANNED, timeout=float("nan"))


def test_an_orchestrator_never_reached_is_a_time_up_not_a_crash() -> None:
    from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId as Wp

    start = time.monotonic()
    with Client("127.0.0.1:1") as client, pytest.raises(TurboCIError) as exc:
        client.wait_for(Wp(id="w"), CheckId(id="a"), PLANNED, timeout=1.0)
    assert time.monotonic() - start < 3
    assert exc.value.code == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "check 'a' did not reach CHECK_STATE_PLANNED within 1s (not seen)" in str(exc.value)
