# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""The two streaming reads: ReadValues (values whole, in chunks) and
WatchWorkPlan (the IDs of changed nodes, revision by revision)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator

from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.identifier_pb2 import Identifier
from turboci.graph.ids.v1.stage_id_pb2 import StageId
from turboci.graph.orchestrator.v1.check_pb2 import Check
from turboci.graph.orchestrator.v1.omission_reason_pb2 import OmissionReason
from turboci.graph.orchestrator.v1.read_values_response_pb2 import ReadValuesResponse
from turboci.graph.orchestrator.v1.stage_pb2 import Stage
from turboci.graph.orchestrator.v1.value_ref_pb2 import ValueRef
from turboci.graph.orchestrator.v1.watch_work_plan_response_pb2 import WatchWorkPlanResponse
from turboci.testing import _reads
from turboci.testing._plan import Plan

# The largest chunk of a ReadValues stream.
MAX_CHUNK = 1 << 20
NO_ACCESS = OmissionReason.OMISSION_REASON_NO_ACCESS


def referenced(plan: Plan) -> dict[str, str]:
    """Every value the workplan refers to now, by digest, with its realm."""
    out: dict[str, str] = {}

    def add(refs: list[ValueRef], realm: str) -> None:
        for ref in refs:
            out.setdefault(ref.digest.sha256, ref.realm or realm)

    nodes: list[Check | Stage] = [*plan.checks.values(), *plan.stages.values()]
    for node in nodes:
        add(_reads.refs_of(node, reasons=False), node.realm)
        add([r for e in node.edits for r in e.reasons], plan.header.realm)
    add(list(plan.header.cancellation.reasons), plan.header.realm)
    return out


def read_values(
    plan: Plan, digests: list[str], chunk: int, may_read: Callable[[str], bool]
) -> Iterator[ReadValuesResponse]:
    size = min(chunk or MAX_CHUNK, MAX_CHUNK)
    known = referenced(plan)
    wanted = list(dict.fromkeys(digests))
    first = ReadValuesResponse()
    sendable = []
    for digest in wanted:
        realm = known.get(digest)
        # Absent and unreadable look the same (see ReadValuesRequest).
        if realm is None or not may_read(realm) or digest not in plan.values:
            first.omitted[digest] = NO_ACCESS
        else:
            sendable.append(digest)
    pending = first
    for digest in sendable:
        data = plan.values[digest].SerializeToString(deterministic=True)
        for start in range(0, max(len(data), 1), size):
            piece = data[start : start + size]
            pending.chunks.add(
                digest=digest, offset=start, data=piece, last=start + size >= len(data)
            )
            yield pending
            pending = ReadValuesResponse()
    if pending is first:
        yield first


def changes(
    plan: Plan, after: int, upto: int, may_see: Callable[[str, str], bool]
) -> list[WatchWorkPlanResponse.Change]:
    """Each node changed by the writes after `after` up to `upto`, once,
    with its latest change in that span."""
    out = []
    for (kind, name), history in plan.versions.items():
        last = next((r for r, _ in reversed(history) if after < r <= upto), None)
        if last is None:
            continue
        node = plan.at((kind, name), last)
        assert node is not None
        realm: str = node.realm  # type: ignore[attr-defined]
        if not may_see("turboci.checks.get" if kind == "C" else "turboci.stages.get", realm):
            continue
        ident = (
            Identifier(check=CheckId(work_plan=plan.id, id=name))
            if kind == "C"
            else Identifier(stage=StageId(work_plan=plan.id, id=name))
        )
        out.append(
            WatchWorkPlanResponse.Change(node=ident, revision=node.update_revision)  # type: ignore[attr-defined]
        )
    out.sort(key=lambda c: (c.revision.number, c.node.SerializeToString()))
    return out
