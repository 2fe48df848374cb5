# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""What a writer read, turned into the preconditions of its write.

A NodeSet records each node read (its ID and update_revision), the IDs
looked for and not found, and the snapshot they were read at; its
``transaction()`` is the WriteNodesRequest.transaction that makes the
write conflict (ABORTED, WRITE_CONFLICT) if any of that changed. ``transact``
loops read, decide, write, and reads again on a conflict, a bounded
number of times.
"""

from __future__ import annotations

from collections.abc import Iterable

from turboci.graph.ids.v1.check_id_pb2 import CheckId
from turboci.graph.ids.v1.identifier_pb2 import Identifier
from turboci.graph.ids.v1.stage_id_pb2 import StageId
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.graph.orchestrator.v1.check_pb2 import Check
from turboci.graph.orchestrator.v1.stage_pb2 import Stage
from turboci.graph.orchestrator.v1.transaction_pb2 import Transaction
from turboci.graph.orchestrator.v1.value_data_pb2 import ValueData
from turboci.graph.orchestrator.v1.write_nodes_request_pb2 import WriteNodesRequest
from turboci.utils.client._errors import TurboCIError
from turboci.utils.client._paging import Node

DEFAULT_ATTEMPTS = 5
CONFLICT = "WRITE_CONFLICT"

NodeId = CheckId | StageId | Identifier


def identifier(node: NodeId | Node) -> Identifier:
    """The Identifier of a node or of a check's or stage's ID."""
    if isinstance(node, Identifier):
        return node
    if isinstance(node, Check | Stage):
        node = node.id
    if isinstance(node, CheckId):
        return Identifier(check=node)
    return Identifier(stage=node)


def _key(ident: Identifier) -> tuple[str, str]:
    kind = ident.WhichOneof("type") or ""
    inner = getattr(ident, kind) if kind else None
    return kind, getattr(inner, "id", "")


class NodeSet:
    """The nodes a decision was based on, read at one snapshot."""

    def __init__(self, work_plan: WorkPlanId, snapshot_revision: int = 0) -> None:
        self.work_plan = work_plan
        self.snapshot_revision = snapshot_revision
        self.value_data: dict[str, ValueData] = {}
        self._nodes: dict[tuple[str, str], Node] = {}
        self._absent: dict[tuple[str, str], Identifier] = {}

    def add(self, node: Node) -> None:
        """Record a node read (its update_revision is the precondition)."""
        self._nodes[_key(identifier(node))] = node

    def add_absent(self, ident: NodeId) -> None:
        """Record a node looked for and not found (it must stay absent)."""
        full = identifier(ident)
        self._absent[_key(full)] = full

    def extend(self, nodes: Iterable[Node], absent: Iterable[NodeId] = ()) -> None:
        for node in nodes:
            self.add(node)
        for ident in absent:
            self.add_absent(ident)

    def get(self, ident: NodeId) -> Node | None:
        return self._nodes.get(_key(identifier(ident)))

    def check(self, name: str | CheckId) -> Check | None:
        """The check read under this name (its ID within the workplan), or None."""
        node = self._nodes.get(("check", name if isinstance(name, str) else name.id))
        return node if isinstance(node, Check) else None

    def stage(self, name: str | StageId) -> Stage | None:
        node = self._nodes.get(("stage", name if isinstance(name, str) else name.id))
        return node if isinstance(node, Stage) else None

    @property
    def nodes(self) -> list[Node]:
        return list(self._nodes.values())

    @property
    def absent(self) -> list[Identifier]:
        return list(self._absent.values())

    def __len__(self) -> int:
        return len(self._nodes)

    def transaction(self) -> Transaction:
        """The preconditions: every node read at its update_revision, every
        absent node still absent, and nothing written changed since the snapshot."""
        out = Transaction()
        for node in self._nodes.values():
            out.reads.add(node=identifier(node), update_revision=node.update_revision.number)
        out.absent_nodes.extend(self._absent.values())
        if self.snapshot_revision:
            out.snapshot_revision = self.snapshot_revision
        return out

    def guard(self, request: WriteNodesRequest) -> WriteNodesRequest:
        """A copy of the request with this set's preconditions added to its
        own, and the workplan filled in when it names none."""
        out = WriteNodesRequest()
        out.CopyFrom(request)
        if not out.HasField("work_plan"):
            out.work_plan.CopyFrom(self.work_plan)
        mine = self.transaction()
        out.transaction.reads.extend(mine.reads)
        out.transaction.absent_nodes.extend(mine.absent_nodes)
        if mine.snapshot_revision and not out.transaction.snapshot_revision:
            out.transaction.snapshot_revision = mine.snapshot_revision
        return out


def is_conflict(error: TurboCIError) -> bool:
    return error.reason == CONFLICT


def gave_up(last: TurboCIError, attempts: int) -> TurboCIError:
    """The final error of a transact whose every attempt conflicted."""
    return TurboCIError(
        last.code,
        f"gave up after {attempts} attempts: {last.message}",
        reason=last.reason,
        metadata=last.metadata,
        write_conflict=last.write_conflict,
        field_violations=last.field_violations,
        attempts=attempts,
        status=last.status,
    )
