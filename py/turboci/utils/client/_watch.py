# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""What ``wait_for`` decides: whether a node is there yet, whether it can
still get there, and what the errors say.

The loop itself (in the clients) reads the node, watches the workplan
from the revision it read, reads the node again when a change names it,
and resumes a dropped watch from the last revision it saw.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import grpc

from turboci.graph.ids.v1.identifier_pb2 import Identifier
from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId
from turboci.graph.orchestrator.v1.check_pb2 import Check
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.node_query_pb2 import NodeQuery
from turboci.graph.orchestrator.v1.query_nodes_request_pb2 import QueryNodesRequest
from turboci.graph.orchestrator.v1.query_nodes_response_pb2 import QueryNodesResponse
from turboci.graph.orchestrator.v1.stage_state_pb2 import StageState
from turboci.graph.orchestrator.v1.value_selection_pb2 import ValueSelection
from turboci.graph.orchestrator.v1.watch_work_plan_request_pb2 import WatchWorkPlanRequest
from turboci.graph.orchestrator.v1.watch_work_plan_response_pb2 import WatchWorkPlanResponse
from turboci.utils import lifecycle
from turboci.utils.client._errors import TurboCIError
from turboci.utils.client._paging import Node
from turboci.utils.client._retry import Deadline
from turboci.utils.client._retry import RetryPolicy
from turboci.utils.client._transact import _key

# A state (a CheckState for a check, a StageState for a stage) or a test.
Until: TypeAlias = int | Callable[[Node], bool]

DEFAULT_INCLUDE = NodeQuery.Include(inputs=True, results=True, attempts=True)


def _closure(lc: lifecycle.Lifecycle[int], start: int) -> set[int]:
    seen: set[int] = set()
    todo = [start]
    while todo:
        for nxt in lc.next_states(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _lifecycle_of(node: Node) -> lifecycle.Lifecycle[int]:
    return lifecycle.check if isinstance(node, Check) else lifecycle.stage  # type: ignore[return-value]


def _state_name(of: Node | Identifier, state: int) -> str:
    is_check = isinstance(of, Check) or (
        isinstance(of, Identifier) and of.WhichOneof("type") == "check"
    )
    enum = CheckState if is_check else StageState
    return enum.Name(state) if state in enum.values() else str(state)  # type: ignore[arg-type]


class Goal:
    """The condition a wait_for waits for, on one node."""

    def __init__(self, node: Identifier, until: Until) -> None:
        self.node = node
        self.until = until

    def describe(self, node: Node | None) -> str:
        if callable(self.until):
            return "the condition"
        return _state_name(node if node is not None else self.node, self.until)

    def met(self, node: Node) -> bool:
        """A state is met when the node is in it or past it (the state can
        lead to the node's, and the node's can no longer lead back)."""
        if callable(self.until):
            return bool(self.until(node))
        if node.state == self.until:
            return True
        lc = _lifecycle_of(node)
        return node.state in _closure(lc, self.until) and self.until not in _closure(lc, node.state)

    def hopeless(self, node: Node) -> bool:
        """Whether the node can no longer get there (a state only)."""
        if callable(self.until):
            return _lifecycle_of(node).is_final(node.state)
        return not self.met(node) and self.until not in _closure(_lifecycle_of(node), node.state)

    def names(self, change: WatchWorkPlanResponse.Change) -> bool:
        return _key(change.node) == _key(self.node)


def query(
    work_plan: WorkPlanId,
    node: Identifier,
    include: NodeQuery.Include | None,
    values: ValueSelection | None,
) -> QueryNodesRequest:
    request = QueryNodesRequest(
        query=NodeQuery(
            work_plan=work_plan,
            nodes=[node],
            include=include if include is not None else DEFAULT_INCLUDE,
        )
    )
    if values is not None:
        request.values.CopyFrom(values)
    return request


def _label(ident: Identifier) -> str:
    kind, name = _key(ident)
    return f"{kind} {name!r}"


def timed_out(goal: Goal, node: Node | None, timeout: float, streams: int) -> TurboCIError:
    seen = (
        f"last seen {_state_name(node, node.state)} at revision {node.update_revision.number}"
        if node is not None
        else "not seen"
    )
    return TurboCIError(
        grpc.StatusCode.DEADLINE_EXCEEDED,
        f"{_label(goal.node)} did not reach {goal.describe(node)} within {timeout:g}s ({seen})",
        attempts=streams,
    )


def never(goal: Goal, node: Node | None, finished: int | None) -> TurboCIError:
    """The node cannot get there any more: it is final, or the workplan finished."""
    where = "does not exist" if node is None else f"is {_state_name(node, node.state)}"
    why = f"the workplan finished at revision {finished} and " if finished else ""
    return TurboCIError(
        grpc.StatusCode.FAILED_PRECONDITION,
        f"{why}{_label(goal.node)} {where}: it will not reach {goal.describe(node)}",
    )


class Waiter:
    """The state of one wait_for, shared by the blocking and asyncio loops:

    look (QueryNodes) -> met? return; hopeless? raise
    watch from the last revision seen; on a change naming the node: look
    on the stream's end or a retryable error: pause, watch again
    """

    def __init__(
        self,
        work_plan: WorkPlanId,
        node: Identifier,
        until: Until,
        timeout: float,
        policy: RetryPolicy,
        include: NodeQuery.Include | None,
        values: ValueSelection | None,
    ) -> None:
        self.work_plan = work_plan
        self.goal = Goal(node, until)
        self.timeout = timeout
        self.deadline = Deadline(timeout)
        self.policy = policy
        self.query = query(work_plan, node, include, values)
        self.seen: Node | None = None
        self.after = 0
        self.streams = 0
        self._sleeps = policy.sleeps()

    def left(self) -> float:
        # gRPC takes 0 as "no deadline"; a spent one must still expire at once.
        return max(self.deadline.remaining(), 0.001)

    def take(self, page: QueryNodesResponse, finished: int | None = None) -> Node | None:
        """The node when it got there; raises when it never will."""
        self.after = max(self.after, page.work_plan.revision.number)
        found: list[Node] = [*page.work_plan.checks, *page.work_plan.stages]
        self.seen = found[0] if found else None
        if self.seen is not None and self.goal.met(self.seen):
            return self.seen
        if finished is not None or (self.seen is not None and self.goal.hopeless(self.seen)):
            raise never(self.goal, self.seen, finished)
        return None

    def watch(self) -> WatchWorkPlanRequest:
        self.streams += 1
        return WatchWorkPlanRequest(work_plan=self.work_plan, after_revision=self.after)

    def changed(self, message: WatchWorkPlanResponse) -> bool:
        """Whether the node must be read again; a message also resets the backoff."""
        self._sleeps = self.policy.sleeps()
        self.after = max(self.after, message.revision.number)
        return any(self.goal.names(c) for c in message.changes)

    def dropped(self, error: TurboCIError | None) -> float:
        """The pause before watching again; raises when the error is not a
        drop, or the time is up."""
        if error is not None:
            if error.code == grpc.StatusCode.DEADLINE_EXCEEDED:
                raise timed_out(self.goal, self.seen, self.timeout, self.streams) from None
            if error.code not in self.policy.codes:
                raise error
        pause = next(self._sleeps)
        if pause >= self.deadline.remaining():
            raise timed_out(self.goal, self.seen, self.timeout, self.streams)
        return pause
