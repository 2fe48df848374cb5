# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Paging through QueryNodes and ReadWorkPlan: one snapshot, lazily."""

from __future__ import annotations

from turboci.data.build.v1.build_check_options_pb2 import BuildCheckOptions
from turboci.graph.orchestrator.v1.node_query_pb2 import NodeQuery
from turboci.graph.orchestrator.v1.query_nodes_request_pb2 import QueryNodesRequest
from turboci.graph.orchestrator.v1.read_work_plan_request_pb2 import ReadWorkPlanRequest
from turboci.graph.orchestrator.v1.value_selection_pb2 import ValueSelection
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.testing import Reference
from turboci.utils import value

from tests.api.client.support import Faults
from tests.api.client.support import check
from tests.api.client.support import create
from tests.api.client.support import faulty_client

NAMES = [f"c{i:02d}" for i in range(7)]


def test_query_pages_are_one_snapshot_though_the_plan_changes_between_them(
    ref: Reference,
) -> None:
    faults = Faults()
    client = faulty_client(ref.address, faults)
    wp = create(client, *(check(n) for n in NAMES))
    pages = client.iter_nodes(QueryNodesRequest(query=NodeQuery(work_plan=wp), page_size=2))
    it = iter(pages)
    first = [next(it), next(it)]
    # Lazy: one page so far.
    assert len(faults.sent("QueryNodes")) == 1
    assert pages.revision == 1
    # Two more checks arrive, and c00 changes, between the pages.
    client.write_nodes(WriteNodesRequest(work_plan=wp, checks=[check("z1"), check("z2")]))
    client.write_nodes(
        WriteNodesRequest(
            work_plan=wp, checks=[check("c00", options=[value.write(BuildCheckOptions())])]
        )
    )
    rest = list(it)
    names = [n.id.id for n in first + rest]
    assert names == NAMES  # no repeat, no skip, nothing of the later revisions
    assert all(n.update_revision.number == 1 for n in first + rest)
    assert len(faults.sent("QueryNodes")) == 4
    later = faults.sent("QueryNodes")[1:]
    assert all(r.snapshot_revision == 1 and r.page_token for r in later)  # type: ignore[attr-defined]
    assert pages.revision == 1


def test_read_work_plan_pages_gather_nodes_and_values(ref: Reference) -> None:
    client = faulty_client(ref.address, Faults())
    options = [value.write(BuildCheckOptions(targets=["//a"]))]
    wp = create(client, *(check(n, options=options) for n in NAMES))
    pages = client.iter_work_plan(
        ReadWorkPlanRequest(work_plan=wp, page_size=3, values=ValueSelection(types=["*"]))
    )
    nodes = list(pages)
    assert [n.id.id for n in nodes] == NAMES
    assert pages.work_plan.id == wp and not pages.work_plan.checks
    [digest] = {n.options[0].digest.sha256 for n in nodes}  # type: ignore[union-attr]
    assert digest in pages.value_data
    assert len(list(client.iter_work_plan(wp).pages())) == 1


def test_absent_nodes_of_a_query_are_kept(ref: Reference) -> None:
    from turboci.graph.ids.v1.check_id_pb2 import CheckId
    from turboci.graph.ids.v1.identifier_pb2 import Identifier

    client = faulty_client(ref.address, Faults())
    wp = create(client, check("a"))
    wanted = [Identifier(check=CheckId(work_plan=wp, id=n)) for n in ("a", "nope")]
    pages = client.iter_nodes(NodeQuery(work_plan=wp, nodes=wanted))
    assert [n.id.id for n in pages] == ["a"]
    assert [i.check.id for i in pages.absent_nodes] == ["nope"]
