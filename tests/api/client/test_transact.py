# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""NodeSet preconditions and transact's re-runs on conflict, over real gRPC."""

from __future__ import annotations

import grpc
import pytest
from turboci.data.build.v1.build_check_options_pb2 import BuildCheckOptions
from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.identifier_pb2 import Identifier
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.graph.orchestrator.v1.node_query_pb2 import NodeQuery
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.testing import Reference
from turboci.utils import value
from turboci.utils.client import Client
from turboci.utils.client import NodeSet
from turboci.utils.client import TurboCIError

from tests.api.client.support import check
from tests.api.client.support import create


def _options(*targets: str) -> list:  # type: ignore[type-arg]
    return [value.write(BuildCheckOptions(targets=list(targets)))]


def _targets(client: Client, wp: WorkPlanId, name: str) -> list[str]:
    nodes = client.read_nodes(NodeQuery(work_plan=wp, include=NodeQuery.Include(inputs=True)))
    found = nodes.check(name)
    assert found is not None
    if not found.options:
        return []
    data = client.lookup(wp, found.options[0], BuildCheckOptions)
    return list(data.targets)


def _bump(client: Client, wp: WorkPlanId, target: str) -> None:
    client.write_nodes(
        WriteNodesRequest(work_plan=wp, checks=[check("a", options=_options(target))])
    )


def test_the_reads_become_the_writes_transaction(ref: Reference) -> None:
    client = Client(ref.channel)
    wp = create(client, check("a"), check("b"))
    nodes = client.read_nodes(
        NodeQuery(
            work_plan=wp,
            nodes=[
                Identifier(check=CheckId(work_plan=wp, id="a")),
                Identifier(check=CheckId(work_plan=wp, id="new")),
            ],
        )
    )
    txn = nodes.transaction()
    assert [(r.node.check.id, r.update_revision) for r in txn.reads] == [("a", 1)]
    assert [a.check.id for a in txn.absent_nodes] == ["new"]
    assert txn.snapshot_revision == 1
    _bump(client, wp, "//other")
    with pytest.raises(TurboCIError) as exc:
        client.write_nodes(nodes.guard(WriteNodesRequest(checks=[check("new")])))
    assert exc.value.reason == "WRITE_CONFLICT"
    assert exc.value.write_conflict is not None
    assert [c.node.check.id for c in exc.value.write_conflict.conflicts] == ["a"]


def test_transact_reads_again_and_decides_again_after_a_conflict(ref: Reference) -> None:
    client = Client(ref.channel)
    wp = create(client, check("a"))
    seen: list[int] = []

    def decide(nodes: NodeSet) -> WriteNodesRequest:
        a = nodes.check("a")
        assert a is not None
        seen.append(a.update_revision.number)
        if len(seen) == 1:
            _bump(client, wp, "//theirs")  # someone else writes between our read and write
        return WriteNodesRequest(checks=[check("a", options=_options("//ours"))])

    answer = client.transact(NodeQuery(work_plan=wp), decide)
    assert answer is not None
    assert seen == [1, 2]  # the second run saw the other write
    assert answer.revision.number == 3
    assert _targets(client, wp, "a") == ["//ours"]


def test_transact_gives_up_after_its_attempts_with_the_last_conflict(ref: Reference) -> None:
    client = Client(ref.channel)
    wp = create(client, check("a"))
    runs: list[int] = []

    def decide(nodes: NodeSet) -> WriteNodesRequest:
        runs.append(1)
        _bump(client, wp, f"//theirs{len(runs)}")  # always beaten to it
        return WriteNodesRequest(checks=[check("a", options=_options("//ours"))])

    with pytest.raises(TurboCIError) as exc:
        client.transact(NodeQuery(work_plan=wp), decide, attempts=3)
    err = exc.value
    assert len(runs) == 3 and err.attempts == 3
    assert err.code == grpc.StatusCode.ABORTED and err.reason == "WRITE_CONFLICT"
    assert "gave up after 3 attempts" in str(err)
    assert err.write_conflict is not None
    [conflict] = err.write_conflict.conflicts
    assert conflict.current_revision.number == 4  # the last conflict, not the first
    assert _targets(client, wp, "a") == ["//theirs3"]


def test_transact_writes_nothing_when_decide_says_so(ref: Reference) -> None:
    client = Client(ref.channel)
    wp = create(client, check("a"))
    assert client.transact(NodeQuery(work_plan=wp), lambda nodes: None) is None


def test_other_refusals_are_raised_at_once(ref: Reference) -> None:
    client = Client(ref.channel)
    wp = create(client, check("a"))
    runs: list[int] = []

    def decide(nodes: NodeSet) -> WriteNodesRequest:
        runs.append(1)
        return WriteNodesRequest(checks=[check("a")], stage_attempt_token="nope")

    with pytest.raises(TurboCIError) as exc:
        client.transact(NodeQuery(work_plan=wp), decide)
    assert runs == [1] and exc.value.reason == "TOKEN_EXPIRED" and exc.value.attempts == 1
