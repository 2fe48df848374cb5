# Copyright 2026 The turboci-proto Authors. All rights reserved.
# Use of this source code is governed by a BSD-style license that can be
# found in the LICENSE file.

"""QueryNodes and ReadWorkPlan: one snapshot per query, paged without
skipping or repeating a node however the workplan changes meanwhile."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable

import grpc
from google.protobuf.message import Message

from turboci.graph.ids.v1.identifier_pb2 import Identifier
from turboci.graph.orchestrator.v1.check_pb2 import Check
from turboci.graph.orchestrator.v1.error_reason_pb2 import ErrorReason
from turboci.graph.orchestrator.v1.node_query_pb2 import NodeQuery
from turboci.graph.orchestrator.v1.stage_pb2 import Stage
from turboci.graph.orchestrator.v1.value_ref_pb2 import ValueRef
from turboci.graph.orchestrator.v1.value_selection_pb2 import ValueSelection
from turboci.graph.orchestrator.v1.work_plan_pb2 import WorkPlan
from turboci.testing import _deps
from turboci.testing import _values
from turboci.testing._errors import Refusal
from turboci.testing._errors import invalid
from turboci.testing._plan import Key
from turboci.testing._plan import Plan

# The orchestrator's own page size limit.
MAX_PAGE = 500


def fingerprint(request: Message) -> str:
    """The request without its paging fields, to tell a changed request."""
    copy = type(request)()
    copy.CopyFrom(request)
    copy.ClearField("page_token")
    copy.ClearField("snapshot_revision")
    return hashlib.sha256(copy.SerializeToString(deterministic=True)).hexdigest()[:16]


def encode_token(revision: int, offset: int, print_: str) -> str:
    raw = json.dumps({"r": revision, "o": offset, "f": print_}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_token(token: str, print_: str) -> tuple[int, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        revision, offset, got = int(data["r"]), int(data["o"]), str(data["f"])
    except (ValueError, KeyError, TypeError):
        raise invalid("page_token: not a token this orchestrator gave", "page_token") from None
    if got != print_:
        raise invalid(
            "page_token: the rest of the request differs from the one that gave the token",
            "page_token",
        )
    return revision, offset


def snapshot_revision(plan: Plan, asked: int, oldest: int) -> int:
    if asked == 0:
        return plan.latest
    if asked > plan.latest or asked < 0:
        raise invalid(
            f"snapshot_revision: the workplan's latest revision is {plan.latest}",
            "snapshot_revision",
        )
    if asked < oldest:
        raise Refusal(
            grpc.StatusCode.FAILED_PRECONDITION,
            f"revision {asked} is no longer kept",
            ErrorReason.ERROR_REASON_REVISION_EXPIRED,
            {"oldest_revision": str(oldest)},
        )
    return asked


def nodes_at(plan: Plan, revision: int) -> list[tuple[Key, Check | Stage]]:
    out: list[tuple[Key, Check | Stage]] = []
    for kind, names in (("C", plan.checks), ("S", plan.stages)):
        for name in names:
            node = plan.at((kind, name), revision)
            if node is not None:
                out.append(((kind, name), node))  # type: ignore[arg-type]
    return out


def select(
    plan: Plan, revision: int, query: NodeQuery, absent: list[Identifier]
) -> list[tuple[Key, Check | Stage]]:
    """The nodes a NodeQuery reaches at revision, in a fixed order."""
    every = nodes_at(plan, revision)
    by_key = dict(every)
    if query.nodes:
        start = []
        for ident in query.nodes:
            key = _deps.key_of(ident)
            if key is None:
                raise invalid("query.nodes: name checks or stages", "query.nodes")
            if key in by_key:
                start.append(key)
            else:
                absent.append(ident)
    else:
        start = [k for k, _ in every]

    def keep(key: Key) -> bool:
        node = by_key[key]
        if isinstance(node, Check):
            if query.check_kinds and node.kind not in query.check_kinds:
                return False
            if query.check_states and node.state not in query.check_states:
                return False
        elif query.stage_states and node.state not in query.stage_states:
            return False
        return not (
            query.changed_after_revision
            and node.update_revision.number <= query.changed_after_revision
        )

    matched = [k for k in start if keep(k)]
    chosen = set(matched)
    if query.follow in (NodeQuery.Follow.FOLLOW_DEPENDENCIES, NodeQuery.Follow.FOLLOW_DEPENDENTS):
        down = query.follow == NodeQuery.Follow.FOLLOW_DEPENDENCIES
        targets: dict[Key, list[Key]] = {}
        for key, node in every:
            for edge in _deps.edges(node.dependencies):
                t = _deps.key_of(edge.target)
                if t is None:
                    continue
                if down:
                    targets.setdefault(key, []).append(t)
                else:
                    targets.setdefault(t, []).append(key)
        frontier, depth = list(matched), 0
        while frontier and (not query.max_depth or depth < query.max_depth):
            depth += 1
            nxt = [
                t for k in frontier for t in targets.get(k, []) if t not in chosen and t in by_key
            ]
            chosen.update(nxt)
            frontier = nxt
    return [(k, n) for k, n in every if k in chosen]


def shape(node: Check | Stage, include: NodeQuery.Include) -> Check | Stage:
    """A copy of the node with only the parts the reader asked for."""
    out: Check | Stage = Check() if isinstance(node, Check) else Stage()
    out.CopyFrom(node)  # type: ignore[arg-type]
    if isinstance(out, Check):
        if not include.inputs:
            out.ClearField("options")
        if not include.results:
            out.ClearField("results")
    else:
        if not include.inputs:
            out.ClearField("args")
            out.ClearField("execution_policy")
            out.ClearField("requested_execution_policy")
        if not include.attempts:
            out.ClearField("attempts")
    if not include.edits:
        out.ClearField("edits")
    return out


def refs_of(node: Check | Stage, reasons: bool = True) -> list[ValueRef]:
    """The node's values; with `reasons`, its edits' reasons too (whose
    default realm is the workplan's, not the node's; see Permission)."""
    refs: list[ValueRef] = []
    if isinstance(node, Check):
        refs.extend(node.options)
        for r in node.results:
            refs.extend(r.data)
    else:
        if node.HasField("args"):
            refs.append(node.args)
        for a in node.attempts:
            refs.extend(a.details)
    if reasons:
        for e in node.edits:
            refs.extend(e.reasons)
    return refs


def _realm(realm: str) -> Callable[[ValueRef], str]:
    """The default realm of values written without one."""
    return lambda ref: realm


def page(
    plan: Plan,
    revision: int,
    nodes: list[tuple[Key, Check | Stage]],
    offset: int,
    size: int,
    include: NodeQuery.Include,
    selection: ValueSelection,
    may_read: Callable[[str, str], bool],
) -> tuple[WorkPlan, int | None]:
    """One page of nodes from offset; the next offset, or None at the end."""
    size = min(size or MAX_PAGE, MAX_PAGE)
    header = plan.header_at(revision)
    out = WorkPlan()
    out.CopyFrom(header)
    chosen = nodes[offset : offset + size]
    for key, node in chosen:
        if not may_read(
            "turboci.checks.get" if key[0] == "C" else "turboci.stages.get", node.realm
        ):
            continue
        shaped = shape(node, include)

        def readable(realm: str) -> bool:
            return may_read("turboci.values.get", realm)

        node_realm, plan_realm = node.realm, header.realm
        _values.fill(
            refs_of(shaped, reasons=False),
            plan.values,
            selection,
            out.value_data,
            readable,
            _realm(node_realm),
        )
        _values.fill(
            [r for e in shaped.edits for r in e.reasons],
            plan.values,
            selection,
            out.value_data,
            readable,
            _realm(plan_realm),
        )
        (out.checks if key[0] == "C" else out.stages).append(shaped)  # type: ignore[arg-type]
    nxt = offset + size
    return out, (nxt if nxt < len(nodes) else None)
