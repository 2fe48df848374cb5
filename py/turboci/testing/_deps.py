# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""Dependencies: resolving edges and groups, and refusing circles (see
DependencyGroup)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator

from turboci.graph.ids.v1.identifier_pb2 import Identifier
from turboci.graph.orchestrator.v1.check_pb2 import Check
from turboci.graph.orchestrator.v1.check_state_pb2 import CheckState
from turboci.graph.orchestrator.v1.dependency_group_pb2 import DependencyGroup
from turboci.graph.orchestrator.v1.edge_pb2 import Edge
from turboci.graph.orchestrator.v1.resolution_pb2 import Resolution
from turboci.graph.orchestrator.v1.revision_pb2 import Revision
from turboci.graph.orchestrator.v1.stage_attempt_state_pb2 import StageAttemptState
from turboci.graph.orchestrator.v1.stage_pb2 import Stage
from turboci.graph.orchestrator.v1.stage_state_pb2 import StageState
from turboci.testing._plan import Key
from turboci.utils import ids

_CHECK_FINAL = CheckState.CHECK_STATE_FINAL
_STAGE_FINAL = StageState.STAGE_STATE_FINAL
_COMPLETE = StageAttemptState.STAGE_ATTEMPT_STATE_COMPLETE
_UNKNOWN = Resolution.RESOLUTION_UNKNOWN
_ANY = DependencyGroup.Mode.MODE_ANY
_THRESHOLD = DependencyGroup.Mode.MODE_THRESHOLD
PENDING = Resolution.RESOLUTION_PENDING
SATISFIED = Resolution.RESOLUTION_SATISFIED
UNSATISFIABLE = Resolution.RESOLUTION_UNSATISFIABLE

# The order of check states, for "at or before" and "at least".
_RANK = {
    CheckState.CHECK_STATE_PLANNING: 1,
    CheckState.CHECK_STATE_PLANNED: 2,
    CheckState.CHECK_STATE_WAITING: 3,
    CheckState.CHECK_STATE_FINAL: 4,
}


_RANK_WAITING = _RANK[CheckState.CHECK_STATE_WAITING]


def rank(state: CheckState.ValueType) -> int:
    return _RANK.get(state, 0)


def key_of(target: Identifier) -> Key | None:
    kind = target.WhichOneof("type")
    if kind == "check":
        return ("C", target.check.id)
    if kind == "stage":
        return ("S", target.stage.id)
    return None


def edges(group: DependencyGroup) -> Iterator[Edge]:
    yield from group.edges
    for sub in group.groups:
        yield from edges(sub)


def wanted_state(edge: Edge) -> CheckState.ValueType:
    return edge.condition.check_state or _CHECK_FINAL


def has_complete_attempt(stage: Stage) -> bool:
    return any(a.state == _COMPLETE for a in stage.attempts)


def edge_resolution(edge: Edge, check: Check | None, stage: Stage | None) -> Resolution.ValueType:
    if check is not None:
        if rank(check.state) < rank(wanted_state(edge)):
            return PENDING
        # Reached: the result types are judged now (see EdgeCondition.result_types).
        types = {d.type_url for r in check.results for d in r.data}
        have_types = all(t in types for t in edge.condition.result_types)
        return SATISFIED if have_types else UNSATISFIABLE
    if stage is not None:
        if stage.state != _STAGE_FINAL:
            return PENDING
        ok = has_complete_attempt(stage) or edge.condition.accept_incomplete_stage
        return SATISFIED if ok else UNSATISFIABLE
    return PENDING


def resolve(
    group: DependencyGroup,
    look: Callable[[Key], tuple[Check | None, Stage | None]],
    revision: Revision,
) -> bool:
    """Resolve what can be resolved now; True if anything changed."""
    changed = False
    results: list[Resolution.ValueType] = []
    for edge in group.edges:
        if edge.resolution in (PENDING, _UNKNOWN):
            key = key_of(edge.target)
            check, stage = look(key) if key else (None, None)
            now = edge_resolution(edge, check, stage)
            if now != PENDING:
                edge.resolution = now
                edge.resolve_revision.CopyFrom(revision)
                changed = True
        results.append(edge.resolution)
    for sub in group.groups:
        changed = resolve(sub, look, revision) or changed
        results.append(sub.resolution)
    if group.resolution in (PENDING, _UNKNOWN):
        now = combine(group, results)
        if now != PENDING:
            group.resolution = now
            group.resolve_revision.CopyFrom(revision)
            changed = True
    return changed


def combine(group: DependencyGroup, results: list[Resolution.ValueType]) -> Resolution.ValueType:
    n = len(results)
    sat = sum(1 for r in results if r == SATISFIED)
    unsat = sum(1 for r in results if r == UNSATISFIABLE)
    mode = group.mode
    if mode == _ANY:
        need = 1 if n else 0
    elif mode == _THRESHOLD:
        need = group.threshold
    else:
        need = n
    if sat >= need:
        return SATISFIED
    if n - unsat < need:
        return UNSATISFIABLE
    return PENDING


def reset(group: DependencyGroup) -> None:
    """Clear the output fields of a written group and mark it all pending."""
    group.ClearField("resolve_revision")
    group.resolution = PENDING
    for edge in group.edges:
        edge.ClearField("resolve_revision")
        edge.resolution = PENDING
    for sub in group.groups:
        reset(sub)


def waits_for(
    key: Key,
    look: Callable[[Key], tuple[Check | None, Stage | None]],
    assigned: Callable[[str], list[tuple[str, CheckState.ValueType]]],
) -> Iterator[Key]:
    """The nodes key waits for directly (see DependencyGroup)."""
    check, stage = look(key)
    node = check if check is not None else stage
    if node is None:
        return
    for edge in edges(node.dependencies):
        target = key_of(edge.target)
        if target is None:
            continue
        if target[0] == "S":
            yield target
            continue
        want = wanted_state(edge)
        if rank(want) >= _RANK_WAITING:
            yield target
        for stage_name, goal in assigned(target[1]):
            if rank(goal or _CHECK_FINAL) <= rank(want):
                yield ("S", stage_name)
    if stage is not None:
        for member in stage.group_stages:
            yield ("S", member.id)


def find_cycle(
    nodes: list[Key],
    look: Callable[[Key], tuple[Check | None, Stage | None]],
    assigned: Callable[[str], list[tuple[str, CheckState.ValueType]]],
) -> list[Key] | None:
    """One circle among the nodes' waits, or None. Iterative: a chain of
    nodes may be longer than Python's recursion limit."""
    color: dict[Key, int] = {}
    for root in nodes:
        if root in color:
            continue
        path: list[Key] = [root]
        todo: list[Iterator[Key]] = [iter(list(waits_for(root, look, assigned)))]
        color[root] = 1
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                color[path.pop()] = 2
                todo.pop()
            elif color.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif nxt not in color:
                color[nxt] = 1
                path.append(nxt)
                todo.append(iter(list(waits_for(nxt, look, assigned))))
    return None


def compact(plan: str, key: Key) -> str:
    from turboci.graph.ids.v1.check_id_pb2 import CheckId
    from turboci.graph.ids.v1.stage_id_pb2 import StageId
    from turboci.graph.ids.v1.work_plan_id_pb2 import WorkPlanId

    wp = WorkPlanId(id=plan)
    return ids.format(
        CheckId(work_plan=wp, id=key[1]) if key[0] == "C" else StageId(work_plan=wp, id=key[1])
    )
